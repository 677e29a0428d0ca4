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

# ---------------------------------------------------------------------------------------------
# Liars (issue #11): answers that are wrong underneath (an impossible cosine, zeros, a wrong
# order, a word that is no answer, no computation at all) but come back as objects that pretend
# to be right. Each comment says which check of the test cells it fooled before they went
# through course_lib.checks; each must now lose exactly its own cell.
# ---------------------------------------------------------------------------------------------

_CORRECT_EQUALIZE = '''\
def _equalized_pair(e_w1, e_w2, g):
    u = g / np.linalg.norm(g)
    e1, e2 = e_w1 / np.linalg.norm(e_w1), e_w2 / np.linalg.norm(e_w2)
    mu = (e1 + e2) / 2
    mu_B = (mu @ u) * u
    nu = mu - mu_B
    e1B, e2B = (e1 @ u) * u, (e2 @ u) * u
    scale = np.sqrt(abs(1 - nu @ nu))
    return (nu + scale * (e1B - mu_B) / np.linalg.norm(e1B - mu_B),
            nu + scale * (e2B - mu_B) / np.linalg.norm(e2B - mu_B))
'''

# The start of both complete_analogy liars: the question's words must have vectors.
_ASK_QUESTION = '''\
def complete_analogy(word_a, word_b, word_c, wv):
    question = (word_a, word_b, word_c)
    for word in question:
        wv[word]   # an unknown word still raises OutOfVocabularyError
'''

MUTANTS += [
    # Fooled `abs(got - expected) < tol` (the student's __sub__/__add__/__abs__ answer 0) and
    # `np.ndim(got) == 0`; underneath the cosine is 2.0, which no cosine can be.
    {"name": "liar_float_arithmetic_cosine_similarity", "answer_cell": "cosine_similarity",
     "test_cell": "test_cosine_similarity",
     "source": '''\
class NoDifference(float):
    """2.0 underneath; any difference or sum with it is 0, and it equals everything."""

    def __sub__(self, other):
        return 0.0

    __rsub__ = __add__ = __radd__ = __sub__

    def __abs__(self):
        return 0.0

    def __eq__(self, other):
        return True

    def __float__(self):
        return 0.5

    __hash__ = float.__hash__


def cosine_similarity(u, v):
    return NoDifference(2.0)
'''},
    # Not a number at all: a 0-d "array" with ndim, shape, dtype and __array__ (of a wrong value)
    # whose arithmetic answers 0. It fooled `np.ndim(got) == 0` and every `abs(got - x) < tol`.
    {"name": "liar_duck_array_cosine_similarity", "answer_cell": "cosine_similarity",
     "test_cell": "test_cosine_similarity",
     "source": '''\
class LooksLikeAScalarArray:
    ndim = 0
    shape = ()
    size = 1
    dtype = np.dtype(float)

    def __array__(self, dtype=None, copy=None):
        return np.array(-7.0, dtype=dtype)

    def __sub__(self, other):
        return 0.0

    __rsub__ = __add__ = __radd__ = __sub__

    def __abs__(self):
        return 0.0

    def __float__(self):
        return -7.0


def cosine_similarity(u, v):
    return LooksLikeAScalarArray()
'''},
    # Every comparison returns the object itself, which is always truthy (__bool__), and
    # arithmetic returns it too: `abs(got - expected) < tol` was truthy, so every assert passed.
    {"name": "liar_bool_cosine_similarity", "answer_cell": "cosine_similarity",
     "test_cell": "test_cosine_similarity",
     "source": '''\
class AlwaysTrue:
    def __bool__(self):
        return True

    def __eq__(self, other):
        return self

    __lt__ = __le__ = __gt__ = __ge__ = __eq__

    def __sub__(self, other):
        return self

    __rsub__ = __add__ = __radd__ = __sub__

    def __abs__(self):
        return self

    __neg__ = __abs__

    def __float__(self):
        return 0.0

    __hash__ = object.__hash__


def cosine_similarity(u, v):
    return AlwaysTrue()
'''},
    # Fooled `isinstance(answer, str)`, `answer == "queen"`, `answer not in (a, b, c)` and
    # `got == expected`: a str whose __eq__ says equal to every word but the question's own.
    # Underneath it is "no idea", which is no word at all.
    {"name": "liar_str_eq_complete_analogy", "answer_cell": "complete_analogy",
     "test_cell": "test_complete_analogy",
     "source": _ASK_QUESTION + '''
    class AnyOtherWord(str):
        def __eq__(self, other):
            return other not in question

        __hash__ = str.__hash__

    return AnyOtherWord("no idea")
'''},
    # Computes nothing: it walks up the callers' frames (locals and globals) for a word kept
    # in a variable named like an expectation. The old hidden checks computed `_expected`
    # before calling the student, so it answered every one of them; only the visible checks,
    # whose expectations are literals, stopped it.
    {"name": "liar_frames_complete_analogy", "answer_cell": "complete_analogy",
     "test_cell": "test_complete_analogy",
     "source": '''\
import sys


''' + _ASK_QUESTION + '''    frame = sys._getframe(1)
    while frame is not None:
        for scope in (frame.f_locals, frame.f_globals):
            for name, value in list(scope.items()):
                if (("expected" in name or "ref" in name) and type(value) is str
                        and value in wv.index and value not in question):
                    return value
        frame = frame.f_back
    return wv.words[0]
'''},
    # Fooled `np.allclose(got, expected)` and `np.max(np.abs(got - expected))` (the student's
    # __sub__ answers zeros) and `got @ g == 0` (zeros are orthogonal to everything).
    {"name": "liar_sub_neutralize", "answer_cell": "neutralize", "test_cell": "test_neutralize",
     "source": '''\
class NoDifference(np.ndarray):
    """Zeros underneath; subtracting anything gives zeros and == always says equal."""

    def __sub__(self, other):
        return np.zeros(np.broadcast_shapes(np.shape(self), np.shape(other)))

    __rsub__ = __sub__

    def __eq__(self, other):
        return np.ones(np.broadcast_shapes(np.shape(self), np.shape(other)), dtype=bool)

    __hash__ = None


def neutralize(e, g):
    return np.zeros(np.shape(e)).view(NoDifference)
'''},
    # Fooled every `np.allclose(...)` and `np.max(...)`: numpy functions dispatch to the
    # student's __array_function__ (e . g is a ufunc: zeros give 0); underneath it is zeros.
    {"name": "liar_array_function_neutralize", "answer_cell": "neutralize",
     "test_cell": "test_neutralize",
     "source": '''\
class Agreeable(np.ndarray):
    """Every numpy function called on it answers True or 0."""

    def __array_function__(self, func, types, args, kwargs):
        return True if func in (np.allclose, np.array_equal, np.all) else 0.0


def neutralize(e, g):
    return np.zeros(np.shape(e)).view(Agreeable)
'''},
    # Fooled `np.allclose(...)`, `abs(vec @ u - x) < tol` and `vec - (vec @ u) * u == nu`:
    # every ufunc that touches the vectors goes through the student's __array_ufunc__, which
    # makes differences zero and comparisons True. Underneath the pair is -u and +u: the
    # neutral part nu is missing.
    {"name": "liar_array_ufunc_equalize", "answer_cell": "equalize", "test_cell": "test_equalize",
     "source": '''\
class NoDifference(np.ndarray):
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        plain = [x.view(np.ndarray) if isinstance(x, np.ndarray) else x for x in inputs]
        result = getattr(ufunc, method)(*plain, **kwargs)
        if ufunc in (np.less, np.less_equal, np.greater, np.greater_equal, np.equal,
                     np.not_equal, np.isfinite):
            return np.ones_like(result, dtype=bool)
        if ufunc is np.subtract:
            return np.zeros_like(result).view(NoDifference)
        return np.asarray(result).view(NoDifference)


def equalize(e_w1, e_w2, g):
    u = g / np.linalg.norm(g)
    side = np.sign((e_w1 - e_w2) @ u)
    return (side * u).view(NoDifference), (-side * u).view(NoDifference)
'''},
    # Fooled `isinstance(result, tuple) and len(result) == 2` and the unpacking
    # `e1, e2 = result`, which iterates with the student's __iter__: underneath the pair is
    # swapped, (e2_hat, e1_hat).
    {"name": "liar_tuple_order_equalize", "answer_cell": "equalize", "test_cell": "test_equalize",
     "source": _CORRECT_EQUALIZE + '''

class Swapped(tuple):
    """Holds (e2_hat, e1_hat) but unpacks as (e1_hat, e2_hat)."""

    def __iter__(self):
        second, first = tuple.__iter__(self)
        return iter((first, second))

    def __getitem__(self, index):
        return tuple(iter(self))[index]


def equalize(e_w1, e_w2, g):
    e1_hat, e2_hat = _equalized_pair(e_w1, e_w2, g)
    return Swapped((e2_hat, e1_hat))
'''},
]

# Submissions that hand a task to the course's reference implementation must score 0 for that
# task. The hidden tests used to replace the module attribute (course_lib.embeddings.neutralize)
# for the duration of the checks, which a reference imported under another name in the answer
# cell escaped: cosine_similarity, neutralize and equalize scored full marks this way. They now
# refuse the references with course_lib.grading.refuse.refusing (the code itself is swapped).
_DELEGATE = '''\
from course_lib.embeddings import {reference} as _course_{reference}


def {task}({arguments}):
    return _course_{reference}({arguments}){suffix}
'''

MUTANTS += [
    {"name": "delegates_cosine_similarity", "answer_cell": "cosine_similarity",
     "test_cell": "test_cosine_similarity",
     "source": _DELEGATE.format(reference="cosine_similarity", task="cosine_similarity",
                                arguments="u, v", suffix="")},
    {"name": "delegates_complete_analogy", "answer_cell": "complete_analogy",
     "test_cell": "test_complete_analogy",
     "source": _DELEGATE.format(reference="analogy", task="complete_analogy",
                                arguments="wv, word_a, word_b, word_c", suffix="[0][0]").replace(
         "def complete_analogy(wv, word_a, word_b, word_c):",
         "def complete_analogy(word_a, word_b, word_c, wv):")},
    {"name": "delegates_neutralize", "answer_cell": "neutralize", "test_cell": "test_neutralize",
     "source": _DELEGATE.format(reference="neutralize", task="neutralize", arguments="e, g",
                                suffix="")},
    {"name": "delegates_equalize", "answer_cell": "equalize", "test_cell": "test_equalize",
     "source": _DELEGATE.format(reference="equalize", task="equalize", arguments="e_w1, e_w2, g",
                                suffix="")},
]
