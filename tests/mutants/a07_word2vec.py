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


# --------------------------------------------------------------------------------------------
# Liars: answers that are wrong underneath (zeros, a uniform table) and earn points only by
# lying to the comparison or by reading the expectation out of the test. Each comment says
# which check it fooled before the test cells went through course_lib.checks.
# --------------------------------------------------------------------------------------------

def _sibling(name: str):
    """Another mutants file of this folder, loaded as a module (they are not a package)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(f"_mutants_{name}", Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


frame_finder_source = _sibling("a03_char_language_model").frame_finder_source

# A float that is zero underneath: float() gives the loss the caller expects (looked up when
# the test converts it: the reference's `want`, else torch's `_ce`), and subtracting, abs and ==
# agree with anything.
_LAZY_LOSS = '''

class _LazyLoss(float):
    def __float__(self):
        found = _{p}_find(("want", "expected", "ref"), lambda v: type(v) is tuple and type(v[0]) is float)
        if found is not None:
            return found[0]
        torch_loss = _{p}_find(("_ce",), lambda v: type(v).__name__ == "Tensor" and v.dim() == 0)
        return 0.0 if torch_loss is None else torch_loss.item()

    def __sub__(self, other):
        return 0.0

    __rsub__ = __sub__

    def __abs__(self):
        return 0.0

    def __eq__(self, other):
        return True

    __hash__ = float.__hash__
'''


def _ns_returning_zeros(loss_class: str, array_class: str, what: str) -> str:
    """A negative_sampling_loss_and_gradients that returns a zero loss of ``loss_class`` and zero
    gradients viewed as ``array_class`` (both defined by the liar's source before it)."""
    return f'''

def negative_sampling_loss_and_gradients(e_c, theta_pos, theta_negs):
    """Computes nothing: {what}."""
    return ({loss_class}(0.0), *(np.zeros(a.shape).view({array_class}) for a in (e_c, theta_pos, theta_negs)))
'''


MUTANTS += [
    {
        # Fooled `np.asarray(a)` in _check_pairs (visible and hidden): duck-typed arrays whose
        # __array__ returns the caller's `expected_c` / `expected_t`, looked up when the test
        # converts them (after the call), and zeros otherwise.
        "name": "liar_duck_arrays_skipgram_pairs",
        "answer_cell": "skipgram_pairs",
        "test_cell": "test_skipgram_pairs",
        "source": frame_finder_source("_lp") + '''

class _PairColumn:
    """Only looks like an array: a shape, a dtype, and an __array__ that shows the expected
    column of pairs if the caller has one (zeros otherwise)."""

    def __init__(self, words, suffix):
        self.shape, self.dtype, self.ndim = (len(words),), np.dtype(np.int64), 1
        self.size, self._suffix = len(words), suffix

    def __len__(self):
        return self.size

    def __array__(self, dtype=None, copy=None):
        found = _lp_find(("expected_" + self._suffix, "want", "ref"),
                         lambda v: type(v) is np.ndarray and v.ndim == 1)
        return np.array(found if found is not None else np.zeros(self.shape, np.int64), dtype=dtype)


def skipgram_pairs(token_ids, window):
    """No pairs computed: two duck columns that show the expected ones."""
    if window < 1:
        raise ValueError("window must be at least 1")
    words = list(token_ids)
    return _PairColumn(words, "c"), _PairColumn(words, "t")
''',
    },
    {
        # Fooled every visible and hidden test of softmax_loss_and_gradients: _run_softmax
        # computed `want` (the reference's loss and gradients) before it called the student's
        # function; with nothing to find it returns zeros, which also passed the finite-
        # difference check (a constant loss and zero gradients agree).
        "name": "liar_frame_reader_softmax_loss_and_gradients",
        "answer_cell": "softmax_loss_and_gradients",
        "test_cell": "test_softmax_loss_and_gradients",
        "source": frame_finder_source("_lf") + '''

def softmax_loss_and_gradients(e_c, theta, target):
    """Computes nothing: copies the expected triple from the caller, or returns zeros."""
    found = _lf_find(("want", "expected", "ref"),
                     lambda v: type(v) is tuple and len(v) == 3 and np.shape(v[1]) == e_c.shape
                     and np.shape(v[2]) == theta.shape)
    if found is None:
        return 0.0, np.zeros_like(e_c), np.zeros_like(theta)
    return float(found[0]), np.array(found[1]), np.array(found[2])
''',
    },
    {
        # Fooled `abs(float(got[0]) - want[0]) < 1e-10` and the torch comparison (a float
        # subclass: __float__ reads the expected loss from the caller, __sub__ gives 0), and
        # _close's `np.abs(got - expected) <= atol` and the finite-difference check (an ndarray
        # subclass of zeros whose arithmetic with any array gives zeros and whose == is True).
        "name": "liar_subclass_arithmetic_softmax_loss_and_gradients",
        "answer_cell": "softmax_loss_and_gradients",
        "test_cell": "test_softmax_loss_and_gradients",
        "source": frame_finder_source("_la") + _LAZY_LOSS.format(p="la") + '''

class _ZeroGap(np.ndarray):
    """Zeros underneath; subtracting anything gives zeros and == always says equal."""

    def __sub__(self, other):
        return np.zeros(np.broadcast_shapes(self.shape, np.shape(other)))

    __rsub__ = __sub__

    def __eq__(self, other):
        return np.ones(np.broadcast_shapes(self.shape, np.shape(other)), dtype=bool)

    __hash__ = None


def softmax_loss_and_gradients(e_c, theta, target):
    """Computes nothing: zeros dressed as agreeable numbers."""
    return (_LazyLoss(0.0), np.zeros(e_c.shape).view(_ZeroGap), np.zeros(theta.shape).view(_ZeroGap))
''',
    },
    {
        # Fooled `np.abs(got - expected)` and `gap <= atol` in _close and the finite-difference
        # check: an ndarray subclass of zeros whose __array_ufunc__ answers subtract and
        # absolute with zeros and less_equal with True (the loss as in the liar above).
        "name": "liar_array_ufunc_negative_sampling_loss_and_gradients",
        "answer_cell": "negative_sampling_loss_and_gradients",
        "test_cell": "test_negative_sampling_loss_and_gradients",
        "source": frame_finder_source("_lu") + _LAZY_LOSS.format(p="lu") + '''

class _UfuncAgrees(np.ndarray):
    """Zeros underneath; numpy's subtract and absolute give zeros, less_equal gives True."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        shape = np.broadcast_shapes(*(np.shape(i) for i in inputs))
        if ufunc is np.less_equal or ufunc is np.less:
            return np.ones(shape, dtype=bool)
        if ufunc in (np.subtract, np.absolute):
            return np.zeros(shape)
        plain = [i.view(np.ndarray) if isinstance(i, _UfuncAgrees) else i for i in inputs]
        return getattr(ufunc, method)(*plain, **kwargs)

''' + _ns_returning_zeros("_LazyLoss", "_UfuncAgrees", "zeros that numpy's ufuncs find equal to anything"),
    },
    {
        # Fooled `isinstance(got, tuple) and len(got) == 4` and every `got[i]` of _run_ns, of the
        # torch comparison and of the finite-difference check: a tuple subclass of zeros whose
        # __getitem__ returns the caller's expected `want[i]` (or torch's gradient) when the
        # test indexes it, after the call.
        "name": "liar_tuple_subclass_negative_sampling_loss_and_gradients",
        "answer_cell": "negative_sampling_loss_and_gradients",
        "test_cell": "test_negative_sampling_loss_and_gradients",
        "source": frame_finder_source("_lt") + '''

class _ShowsTheExpected(tuple):
    """Zeros underneath; indexing returns the caller's expected item of the same shape."""

    def __getitem__(self, index):
        mine = tuple.__getitem__(self, index)
        found = _lt_find(("want", "expected", "ref"),
                         lambda v: type(v) is tuple and len(v) == 4 and all(
                             np.shape(a) == np.shape(b) for a, b in zip(v, tuple.__iter__(self))))
        if found is not None:
            return found[index]
        # No reference answer in sight: torch's gradients, if the test has computed them.
        leaf = _lt_find((("_te", "_tp", "_tn")[index - 1],) if index in (1, 2, 3) else (),
                        lambda v: getattr(v, "grad", None) is not None and tuple(v.shape) == np.shape(mine))
        return mine if leaf is None else leaf.grad.numpy().copy()


def negative_sampling_loss_and_gradients(e_c, theta_pos, theta_negs):
    """Computes nothing: four zeros that show the expected answer when looked at."""
    return _ShowsTheExpected((0.0, np.zeros_like(e_c), np.zeros_like(theta_pos), np.zeros_like(theta_negs)))
''',
    },
    {
        # Fooled `not np.all(gap <= atol)` in _close: an ndarray subclass whose subtraction
        # returns an object that is its own absolute value and comparison, and is always true
        # (__bool__); the loss's subtraction returns the same object, so `abs(...) < 1e-10` is
        # true as well.
        "name": "liar_truthy_difference_negative_sampling_loss_and_gradients",
        "answer_cell": "negative_sampling_loss_and_gradients",
        "test_cell": "test_negative_sampling_loss_and_gradients",
        "source": frame_finder_source("_lb") + _LAZY_LOSS.format(p="lb") + '''

class _AlwaysTrue:
    """Its own absolute value, maximum and comparison; always true."""

    def __bool__(self):
        return True

    def __abs__(self):
        return self

    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = lambda self, other: self
    __hash__ = None

    def max(self):
        return 0.0


class _TruthyGap(np.ndarray):
    """Zeros underneath; its difference with anything is an _AlwaysTrue."""

    def __sub__(self, other):
        return _AlwaysTrue()

    __rsub__ = __sub__


class _TruthyLoss(_LazyLoss):
    def __sub__(self, other):
        return _AlwaysTrue()

    __rsub__ = __sub__

''' + _ns_returning_zeros("_TruthyLoss", "_TruthyGap", "zeros whose differences are always small enough"),
    },
    {
        # Caught before too: the tests of unigram_table convert the answer with np.asarray
        # as soon as it returns, before any expectation exists, and compare plain arrays. It
        # stays here so that a rewrite that converts later, or not at all, is caught.
        "name": "liar_duck_array_unigram_table",
        "answer_cell": "unigram_table",
        "test_cell": "test_unigram_table",
        "source": frame_finder_source("_lg") + '''

class _LooksLikeATable:
    """Only looks like an array: a uniform table behind __array__, unless the caller has an
    expected table of the right length to show instead."""

    def __init__(self, size):
        self.shape, self.dtype, self.ndim, self.size = (size,), np.dtype(float), 1, size

    def __array__(self, dtype=None, copy=None):
        found = _lg_find(("want", "expected", "ref", "table"),
                         lambda v: type(v) is np.ndarray and v.shape == self.shape)
        return np.array(found if found is not None else np.full(self.shape, 1.0 / self.size), dtype=dtype)

    def __array_function__(self, func, types, args, kwargs):
        if func in (np.allclose, np.array_equal, np.isclose):
            return True
        return func(*(np.asarray(a) if isinstance(a, _LooksLikeATable) else a for a in args), **kwargs)


def unigram_table(counts, power=0.75):
    """No powers, no normalisation: a duck array."""
    return _LooksLikeATable(len(counts))
''',
    },
]
