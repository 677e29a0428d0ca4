"""Plausible wrong answers for Assignment 6 (operations on word vectors).

Each mutant replaces the source of one answer cell of
``solutions/a06_word_vectors/a06_word_vectors.ipynb`` (found by its nbgrader ``grade_id``)
with a complete answer that a student could plausibly write. A mutant must make its own test
cell (``test_cell``) fail on at least one assertion, visible or hidden, and leave every other
test cell passing: the tests of complete_analogy and equalize put correct versions of
cosine_similarity and neutralize in place of the student's while they run.

The answer cells may use the names defined by the notebook's locked setup cell: ``np``,
``wv``, ``load_glove`` and ``OutOfVocabularyError``.
"""

_COSINE = '''\
def cosine_similarity(u, v):
    """Cosine similarity of u and v."""
    return {body}
'''

_ANALOGY = '''\
def complete_analogy(word_a, word_b, word_c, wv):
    """a : b :: c : ?"""
    target = {target}
    rows = np.asarray(wv.vectors, dtype=float)
    scores = {scores}
    for word in {excluded}:
        scores[wv.index[word]] = -np.inf
    return wv.words[int(np.argmax(scores))]
'''
_TARGET = "wv[word_b] - wv[word_a] + wv[word_c]"
_COSINES = "rows @ target / (np.linalg.norm(rows, axis=1) * np.linalg.norm(target))"

_NEUTRALIZE = '''\
def neutralize(e, g):
    """Remove the component of e along g."""
    e_bias = {projection}
    return {result}
'''

_EQUALIZE = '''\
def equalize(e_w1, e_w2, g):
    """Equalise the pair about g."""
    u = g / np.linalg.norm(g)
    e1, e2 = {inputs}
    mu = (e1 + e2) / 2
    mu_B = (mu @ u) * u
    nu = {shared}
    e1B, e2B = (e1 @ u) * u, (e2 @ u) * u
    scale = np.sqrt(abs(1 - nu @ nu))
    new1 = nu + scale * (e1B - mu_B) / {norm1}
    new2 = nu + scale * (e2B - mu_B) / {norm2}
    return new1, new2
'''
_UNIT_INPUTS = "e_w1 / np.linalg.norm(e_w1), e_w2 / np.linalg.norm(e_w2)"


MUTANTS = [
    # ----------------------------------------------------------------- cosine_similarity
    {"name": "cosine_plain_dot_product", "answer_cell": "cosine_similarity",
     "test_cell": "test_cosine_similarity",
     "source": _COSINE.format(body="float(np.dot(u, v))")},
    {"name": "cosine_divides_by_norm_of_u_twice", "answer_cell": "cosine_similarity",
     "test_cell": "test_cosine_similarity",
     "source": _COSINE.format(body="float(u @ v / (np.linalg.norm(u) * np.linalg.norm(u)))")},
    {"name": "cosine_divides_by_squared_norms", "answer_cell": "cosine_similarity",
     "test_cell": "test_cosine_similarity",
     "source": _COSINE.format(body="float(u @ v / (np.sum(u ** 2) * np.sum(v ** 2)))")},
    # ----------------------------------------------------------------- complete_analogy
    {"name": "analogy_does_not_exclude_question_words", "answer_cell": "complete_analogy",
     "test_cell": "test_complete_analogy",
     "source": _ANALOGY.format(target=_TARGET, scores=_COSINES, excluded="()")},
    {"name": "analogy_excludes_only_c", "answer_cell": "complete_analogy",
     "test_cell": "test_complete_analogy",
     "source": _ANALOGY.format(target=_TARGET, scores=_COSINES, excluded="(word_c,)")},
    {"name": "analogy_offset_a_minus_b", "answer_cell": "complete_analogy",
     "test_cell": "test_complete_analogy",
     "source": _ANALOGY.format(target="wv[word_a] - wv[word_b] + wv[word_c]", scores=_COSINES,
                               excluded="(word_a, word_b, word_c)")},
    {"name": "analogy_dot_product_without_normalisation", "answer_cell": "complete_analogy",
     "test_cell": "test_complete_analogy",
     "source": _ANALOGY.format(target=_TARGET, scores="rows @ target",
                               excluded="(word_a, word_b, word_c)")},
    # ----------------------------------------------------------------- neutralize
    {"name": "neutralize_without_dividing_by_norm_squared", "answer_cell": "neutralize",
     "test_cell": "test_neutralize",
     "source": _NEUTRALIZE.format(projection="(e @ g) * g", result="e - e_bias")},
    {"name": "neutralize_divides_by_norm_not_squared", "answer_cell": "neutralize",
     "test_cell": "test_neutralize",
     "source": _NEUTRALIZE.format(projection="(e @ g) / np.linalg.norm(g) * g", result="e - e_bias")},
    {"name": "neutralize_returns_the_projection", "answer_cell": "neutralize",
     "test_cell": "test_neutralize",
     "source": _NEUTRALIZE.format(projection="(e @ g) / (g @ g) * g", result="e_bias")},
    # ----------------------------------------------------------------- equalize
    {"name": "equalize_forgets_to_neutralise_mu", "answer_cell": "equalize",
     "test_cell": "test_equalize",
     "source": _EQUALIZE.format(inputs=_UNIT_INPUTS, shared="mu",
                                norm1="np.linalg.norm(e1B - mu_B)", norm2="np.linalg.norm(e2B - mu_B)")},
    {"name": "equalize_divides_by_distance_to_mu", "answer_cell": "equalize",
     "test_cell": "test_equalize",
     "source": _EQUALIZE.format(inputs=_UNIT_INPUTS, shared="mu - mu_B",
                                norm1="np.linalg.norm(e1 - mu)", norm2="np.linalg.norm(e2 - mu)")},
    {"name": "equalize_without_unit_inputs", "answer_cell": "equalize",
     "test_cell": "test_equalize",
     "source": _EQUALIZE.format(inputs="e_w1, e_w2", shared="mu - mu_B",
                                norm1="np.linalg.norm(e1B - mu_B)", norm2="np.linalg.norm(e2B - mu_B)")},
]
