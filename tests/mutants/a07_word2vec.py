"""Plausible wrong answers for Assignment 7 (word2vec: pairs, softmax, negative sampling, table).

Each mutant replaces the source of one answer cell of
``solutions/a07_word2vec/a07_word2vec.ipynb`` (found by its nbgrader ``grade_id``) with a
complete answer that a student could plausibly write. A mutant must make its own test cell
(``test_cell``) fail on at least one assertion, visible or hidden, and leave every other test
cell passing: the four graded functions do not call each other, so a wrong answer costs points
only once.

The answer cells may use the names defined by the notebook's locked setup cell: ``np``,
``sigmoid``, ``log_sigmoid`` and ``softmax``.
"""


def _pairs(offsets: str, doc: str, loops: str = "position") -> str:
    """A skipgram_pairs with the given list of offsets (and loop order)."""
    if loops == "position":
        body = f'''\
    for i in range(len(ids)):
        for o in {offsets}:
            if 0 <= i + o < len(ids):
                contexts.append(ids[i])
                targets.append(ids[i + o])'''
    else:
        body = f'''\
    for o in {offsets}:
        for i in range(len(ids)):
            if 0 <= i + o < len(ids):
                contexts.append(ids[i])
                targets.append(ids[i + o])'''
    return f'''\
def skipgram_pairs(token_ids, window):
    """{doc}"""
    if window < 1:
        raise ValueError("window must be >= 1")
    ids = list(token_ids)
    contexts, targets = [], []
{body}
    return np.array(contexts, dtype=int), np.array(targets, dtype=int)
'''


_ALL_OFFSETS = "[o for o in range(-window, window + 1) if o != 0]"


def _softmax(probabilities: str, loss: str, grad_scores: str, doc: str) -> str:
    return f'''\
def softmax_loss_and_gradients(e_c, theta, target):
    """{doc}"""
    m = e_c.shape[1]
    cols = np.arange(m)
    z = theta.T @ e_c
    y_hat = {probabilities}
    loss = {loss}
    y = np.zeros_like(z)
    y[target, cols] = 1.0
    dz = {grad_scores}
    return float(loss), theta @ dz, e_c @ dz.T
'''


_CORRECT_LOSS = "np.mean(np.log(np.exp(z - z.max(axis=0)).sum(axis=0)) + z.max(axis=0) - z[target, cols])"


def _negative(loss_negatives: str, push: str, d_e_c: str, pull: str, doc: str) -> str:
    return f'''\
def negative_sampling_loss_and_gradients(e_c, theta_pos, theta_negs):
    """{doc}"""
    m = e_c.shape[1]
    s = np.sum(theta_pos * e_c, axis=0)
    s_neg = np.einsum("dmk,dm->mk", theta_negs, e_c)
    loss = np.mean(-log_sigmoid(s) - {loss_negatives}.sum(axis=1))
    pull = {pull}
    push = {push}
    d_e_c = {d_e_c}
    return float(loss), d_e_c, pull * e_c, e_c[:, :, None] * push[None]
'''


_PULL = "(sigmoid(s) - 1.0) / m"
_PUSH = "sigmoid(s_neg) / m"
_D_E_C = 'pull * theta_pos + np.einsum("dmk,mk->dm", theta_negs, push)'


def _table(body: str, doc: str) -> str:
    return f'''\
def unigram_table(counts, power=0.75):
    """{doc}"""
    f = np.asarray(counts, dtype=float)
{body}
'''


MUTANTS = [
    # ------------------------------------------------------------ Task 1: skipgram_pairs
    {"name": "window_off_by_one", "answer_cell": "skipgram_pairs", "test_cell": "test_skipgram_pairs",
     "source": _pairs("[o for o in range(-window + 1, window) if o != 0]",
                      "Offsets up to window - 1 only: range() stops one short of window.")},
    {"name": "pairs_word_with_itself", "answer_cell": "skipgram_pairs", "test_cell": "test_skipgram_pairs",
     "source": _pairs("range(-window, window + 1)", "Offset 0 included: every word is its own target.")},
    {"name": "pairs_ordered_by_offset", "answer_cell": "skipgram_pairs", "test_cell": "test_skipgram_pairs",
     "source": _pairs(_ALL_OFFSETS, "The right pairs, but the loop over offsets is the outer one.",
                      loops="offset")},
    # ------------------------------------------------------------ Task 2: full softmax
    {"name": "softmax_over_the_batch_axis", "answer_cell": "softmax_loss_and_gradients",
     "test_cell": "test_softmax_loss_and_gradients",
     "source": _softmax("np.exp(z - z.max(axis=1, keepdims=True)) / np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True)",
                        "np.mean(-np.log(y_hat[target, cols]))", "(y_hat - y) / m",
                        "Softmax over axis 1 (the examples) instead of axis 0 (the words).")},
    {"name": "gradient_forgets_minus_y", "answer_cell": "softmax_loss_and_gradients",
     "test_cell": "test_softmax_loss_and_gradients",
     "source": _softmax("softmax(z)", _CORRECT_LOSS, "y_hat / m",
                        "dL/dz taken as y_hat instead of y_hat - y.")},
    {"name": "softmax_sum_instead_of_mean", "answer_cell": "softmax_loss_and_gradients",
     "test_cell": "test_softmax_loss_and_gradients",
     "source": _softmax("softmax(z)",
                        "np.sum(np.log(np.exp(z - z.max(axis=0)).sum(axis=0)) + z.max(axis=0) - z[target, cols])",
                        "y_hat - y", "The loss summed over the batch and gradients not divided by m.")},
    {"name": "softmax_delegates_to_course_lib", "answer_cell": "softmax_loss_and_gradients",
     "test_cell": "test_softmax_loss_and_gradients",
     "source": """\
from course_lib.word2vec import softmax_loss_and_gradients as library_version


def softmax_loss_and_gradients(e_c, theta, target):
    \"\"\"Hands the work to the course library (bound at import, so patching its name is not enough).\"\"\"
    return library_version(e_c, theta, target)
"""},
    # ------------------------------------------------------------ Task 3: negative sampling
    {"name": "negatives_without_the_minus", "answer_cell": "negative_sampling_loss_and_gradients",
     "test_cell": "test_negative_sampling_loss_and_gradients",
     "source": _negative("log_sigmoid(s_neg)", "(sigmoid(s_neg) - 1.0) / m", _D_E_C, _PULL,
                         "log sigma(theta_k.e_c) instead of log sigma(-theta_k.e_c), gradients to match.")},
    {"name": "context_gradient_ignores_negatives", "answer_cell": "negative_sampling_loss_and_gradients",
     "test_cell": "test_negative_sampling_loss_and_gradients",
     "source": _negative("log_sigmoid(-s_neg)", _PUSH, "pull * theta_pos", _PULL,
                         "dL/de_c from the true target only; the k negatives' terms are missing.")},
    {"name": "positive_gradient_sign_flipped", "answer_cell": "negative_sampling_loss_and_gradients",
     "test_cell": "test_negative_sampling_loss_and_gradients",
     "source": _negative("log_sigmoid(-s_neg)", _PUSH, _D_E_C, "(1.0 - sigmoid(s)) / m",
                         "dL/ds written as 1 - sigma(s): the true pair is pushed apart.")},
    # ------------------------------------------------------------ Task 4: sampling table
    {"name": "table_ignores_power", "answer_cell": "unigram_table", "test_cell": "test_unigram_table",
     "source": _table("    return f / f.sum()", "Plain frequencies: the power 3/4 is never applied.")},
    {"name": "table_not_normalised", "answer_cell": "unigram_table", "test_cell": "test_unigram_table",
     "source": _table("    return f ** power", "f^power without dividing by its sum.")},
    {"name": "table_normalised_before_power", "answer_cell": "unigram_table", "test_cell": "test_unigram_table",
     "source": _table("    return (f / f.sum()) ** power", "Frequencies raised to the power: no longer sums to 1.")},
    {"name": "table_delegates_to_course_lib", "answer_cell": "unigram_table", "test_cell": "test_unigram_table",
     "source": """\
import course_lib.word2vec


def unigram_table(counts, power=0.75):
    \"\"\"Hands the work to the course library.\"\"\"
    return course_lib.word2vec.unigram_table(counts, power)
"""},
]
