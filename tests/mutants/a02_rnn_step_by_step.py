"""Plausible wrong answers for Assignment 2 (building an RNN step by step).

Each mutant replaces the source of one answer cell of
``solutions/a02_rnn_step_by_step/a02_rnn_step_by_step.ipynb`` (found by its nbgrader
``grade_id``) with a complete answer that a student could plausibly write.
A mutant must make its own test cell (``test_cell``) fail on at least one
assertion, visible or hidden, and leave every other test cell passing, which
shows that the tests catch the mistake and that the graded cells are independent
(the tests of rnn_forward and rnn_backward put the reference cell functions in place
of the student's while they run, so a wrong cell function costs points only once).

The answer cells may use the names defined by the notebook's locked cells: ``np`` and
``softmax`` (setup), ``relative_error`` and ``buggy_rnn_cell_backward`` (before Task 5).
"""

# The correct numerical_gradient, shared by the find_buggy_gradient mutants whose mistake
# is elsewhere in the cell (the answer cell holds both functions).
_NUMERICAL_GRADIENT = '''\
def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        f_plus = f()
        x[index] = original - eps
        f_minus = f()
        x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad
'''


def _find_buggy_gradient(choose_name: str) -> str:
    """A correct gradient check whose last lines (choosing the name) are ``choose_name``."""
    return '''\
def find_buggy_gradient(cell_backward_fn, seed=0):
    rng = np.random.default_rng(seed)
    xt = rng.standard_normal((3, 2))
    a_prev = rng.standard_normal((4, 2))
    da_next = rng.standard_normal((4, 2))
    parameters = {"Wax": 0.5 * rng.standard_normal((4, 3)),
                  "Waa": 0.5 * rng.standard_normal((4, 4)),
                  "Wya": 0.5 * rng.standard_normal((2, 4)),
                  "ba": 0.5 * rng.standard_normal((4, 1)),
                  "by": 0.5 * rng.standard_normal((2, 1))}

    def f():
        a_next = np.tanh(parameters["Waa"] @ a_prev + parameters["Wax"] @ xt + parameters["ba"])
        return float(np.sum(da_next * a_next))

    a_next = np.tanh(parameters["Waa"] @ a_prev + parameters["Wax"] @ xt + parameters["ba"])
    grads = cell_backward_fn(da_next, (a_next, a_prev, xt, parameters))
    arrays = {"dxt": xt, "da_prev": a_prev, "dWax": parameters["Wax"],
              "dWaa": parameters["Waa"], "dba": parameters["ba"]}
    errors = {}
    for name, array in arrays.items():
        errors[name] = relative_error(grads[name], numerical_gradient(f, array))
''' + choose_name


MUTANTS = [
    # ------------------------------------------------------------ rnn_cell_forward
    {
        "name": "cell_forward_softmax_over_examples",
        "answer_cell": "rnn_cell_forward",
        "test_cell": "test_rnn_cell_forward",
        "source": '''\
def rnn_cell_forward(xt, a_prev, parameters):
    """Writes its own softmax and normalises along axis 1 (over the m examples)."""
    a_next = np.tanh(parameters["Waa"] @ a_prev + parameters["Wax"] @ xt + parameters["ba"])
    z = parameters["Wya"] @ a_next + parameters["by"]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    yt_pred = e / e.sum(axis=1, keepdims=True)
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)
''',
    },
    {
        "name": "cell_forward_forgets_ba",
        "answer_cell": "rnn_cell_forward",
        "test_cell": "test_rnn_cell_forward",
        "source": '''\
def rnn_cell_forward(xt, a_prev, parameters):
    """Leaves out the hidden bias b_a."""
    a_next = np.tanh(parameters["Waa"] @ a_prev + parameters["Wax"] @ xt)
    yt_pred = softmax(parameters["Wya"] @ a_next + parameters["by"])
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)
''',
    },
    {
        "name": "cell_forward_transposed_Waa",
        "answer_cell": "rnn_cell_forward",
        "test_cell": "test_rnn_cell_forward",
        "source": '''\
def rnn_cell_forward(xt, a_prev, parameters):
    """Multiplies by W_aa^T (as in the backward pass): runs, since W_aa is square, but is wrong."""
    a_next = np.tanh(parameters["Waa"].T @ a_prev + parameters["Wax"] @ xt + parameters["ba"])
    yt_pred = softmax(parameters["Wya"] @ a_next + parameters["by"])
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)
''',
    },
    {
        "name": "cell_forward_prediction_from_a_prev",
        "answer_cell": "rnn_cell_forward",
        "test_cell": "test_rnn_cell_forward",
        "source": '''\
def rnn_cell_forward(xt, a_prev, parameters):
    """Computes y_hat^<t> from a^<t-1> instead of the new activation a^<t>."""
    a_next = np.tanh(parameters["Waa"] @ a_prev + parameters["Wax"] @ xt + parameters["ba"])
    yt_pred = softmax(parameters["Wya"] @ a_prev + parameters["by"])
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)
''',
    },
    {
        "name": "cell_forward_cache_in_wrong_order",
        "answer_cell": "rnn_cell_forward",
        "test_cell": "test_rnn_cell_forward",
        "source": '''\
def rnn_cell_forward(xt, a_prev, parameters):
    """Right values, but the cache lists the inputs first: (a_prev, xt, a_next, parameters)."""
    a_next = np.tanh(parameters["Waa"] @ a_prev + parameters["Wax"] @ xt + parameters["ba"])
    yt_pred = softmax(parameters["Wya"] @ a_next + parameters["by"])
    return a_next, yt_pred, (a_prev, xt, a_next, parameters)
''',
    },
    # ------------------------------------------------------------ rnn_forward
    {
        "name": "forward_always_starts_from_a0",
        "answer_cell": "rnn_forward",
        "test_cell": "test_rnn_forward",
        "source": '''\
def rnn_forward(x, a0, parameters):
    """Passes a0 to every step instead of the previous step's activation."""
    n_x, m, T_x = x.shape
    a = np.zeros((parameters["Waa"].shape[0], m, T_x))
    y_pred = np.zeros((parameters["Wya"].shape[0], m, T_x))
    caches = []
    for t in range(T_x):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a0, parameters)
        a[:, :, t] = a_next
        y_pred[:, :, t] = yt_pred
        caches.append(cache)
    return a, y_pred, (caches, x)
''',
    },
    {
        "name": "forward_stores_only_the_last_step",
        "answer_cell": "rnn_forward",
        "test_cell": "test_rnn_forward",
        "source": '''\
def rnn_forward(x, a0, parameters):
    """The line that stores a^<t> ended up after the loop: only a^<T_x> is kept."""
    n_x, m, T_x = x.shape
    a = np.zeros((parameters["Waa"].shape[0], m, T_x))
    y_pred = np.zeros((parameters["Wya"].shape[0], m, T_x))
    caches = []
    a_next = a0
    for t in range(T_x):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)
        y_pred[:, :, t] = yt_pred
        caches.append(cache)
    a[:, :, t] = a_next
    return a, y_pred, (caches, x)
''',
    },
    {
        "name": "forward_runs_right_to_left",
        "answer_cell": "rnn_forward",
        "test_cell": "test_rnn_forward",
        "source": '''\
def rnn_forward(x, a0, parameters):
    """Reads the sequence from its last step to its first."""
    n_x, m, T_x = x.shape
    a = np.zeros((parameters["Waa"].shape[0], m, T_x))
    y_pred = np.zeros((parameters["Wya"].shape[0], m, T_x))
    caches = []
    a_next = a0
    for t in reversed(range(T_x)):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)
        a[:, :, t] = a_next
        y_pred[:, :, t] = yt_pred
        caches.append(cache)
    return a, y_pred, (caches, x)
''',
    },
    {
        "name": "forward_caches_without_x",
        "answer_cell": "rnn_forward",
        "test_cell": "test_rnn_forward",
        "source": '''\
def rnn_forward(x, a0, parameters):
    """Right a and y_pred, but returns the list of caches alone, without x."""
    n_x, m, T_x = x.shape
    a = np.zeros((parameters["Waa"].shape[0], m, T_x))
    y_pred = np.zeros((parameters["Wya"].shape[0], m, T_x))
    caches = []
    a_next = a0
    for t in range(T_x):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)
        a[:, :, t] = a_next
        y_pred[:, :, t] = yt_pred
        caches.append(cache)
    return a, y_pred, caches
''',
    },
    # ------------------------------------------------------------ rnn_cell_backward
    {
        "name": "cell_backward_forgets_tanh_derivative",
        "answer_cell": "rnn_cell_backward",
        "test_cell": "test_rnn_cell_backward",
        "source": '''\
def rnn_cell_backward(da_next, cache):
    """Treats tanh as if its derivative were 1: dz = da_next."""
    a_next, a_prev, xt, parameters = cache
    dz = da_next
    return {"dxt": parameters["Wax"].T @ dz, "da_prev": parameters["Waa"].T @ dz,
            "dWax": dz @ xt.T, "dWaa": dz @ a_prev.T,
            "dba": np.sum(dz, axis=1, keepdims=True)}
''',
    },
    {
        "name": "cell_backward_dWaa_uses_a_next",
        "answer_cell": "rnn_cell_backward",
        "test_cell": "test_rnn_cell_backward",
        "source": '''\
def rnn_cell_backward(da_next, cache):
    """Multiplies dz by a^<t> instead of a^<t-1> in dWaa."""
    a_next, a_prev, xt, parameters = cache
    dz = da_next * (1 - a_next ** 2)
    return {"dxt": parameters["Wax"].T @ dz, "da_prev": parameters["Waa"].T @ dz,
            "dWax": dz @ xt.T, "dWaa": dz @ a_next.T,
            "dba": np.sum(dz, axis=1, keepdims=True)}
''',
    },
    {
        "name": "cell_backward_tanh_applied_twice",
        "answer_cell": "rnn_cell_backward",
        "test_cell": "test_rnn_cell_backward",
        "source": '''\
def rnn_cell_backward(da_next, cache):
    """Writes tanh'(z) = 1 - tanh(z)^2 with z replaced by a_next, which is already tanh(z)."""
    a_next, a_prev, xt, parameters = cache
    dz = da_next * (1 - np.tanh(a_next) ** 2)
    return {"dxt": parameters["Wax"].T @ dz, "da_prev": parameters["Waa"].T @ dz,
            "dWax": dz @ xt.T, "dWaa": dz @ a_prev.T,
            "dba": np.sum(dz, axis=1, keepdims=True)}
''',
    },
    {
        "name": "cell_backward_da_prev_without_transpose",
        "answer_cell": "rnn_cell_backward",
        "test_cell": "test_rnn_cell_backward",
        "source": '''\
def rnn_cell_backward(da_next, cache):
    """Uses W_aa instead of W_aa^T for da_prev (it runs, since W_aa is square)."""
    a_next, a_prev, xt, parameters = cache
    dz = da_next * (1 - a_next ** 2)
    return {"dxt": parameters["Wax"].T @ dz, "da_prev": parameters["Waa"] @ dz,
            "dWax": dz @ xt.T, "dWaa": dz @ a_prev.T,
            "dba": np.sum(dz, axis=1, keepdims=True)}
''',
    },
    {
        "name": "cell_backward_dba_loses_its_column_axis",
        "answer_cell": "rnn_cell_backward",
        "test_cell": "test_rnn_cell_backward",
        "source": '''\
def rnn_cell_backward(da_next, cache):
    """Sums dz over the examples without keepdims: dba has shape (n_a,), not (n_a, 1)."""
    a_next, a_prev, xt, parameters = cache
    dz = da_next * (1 - a_next ** 2)
    return {"dxt": parameters["Wax"].T @ dz, "da_prev": parameters["Waa"].T @ dz,
            "dWax": dz @ xt.T, "dWaa": dz @ a_prev.T,
            "dba": np.sum(dz, axis=1)}
''',
    },
    # ------------------------------------------------------------ rnn_backward
    {
        "name": "backward_overwrites_weight_gradients",
        "answer_cell": "rnn_backward",
        "test_cell": "test_rnn_backward",
        "source": '''\
def rnn_backward(da, caches):
    """Assigns the weight gradients at each step instead of adding them up."""
    cell_caches, x = caches
    n_a, m, T_x = da.shape
    dx = np.zeros((x.shape[0], m, T_x))
    da_prevt = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        step = rnn_cell_backward(da[:, :, t] + da_prevt, cell_caches[t])
        dx[:, :, t] = step["dxt"]
        dWax = step["dWax"]
        dWaa = step["dWaa"]
        dba = step["dba"]
        da_prevt = step["da_prev"]
    return {"dx": dx, "da0": da_prevt, "dWax": dWax, "dWaa": dWaa, "dba": dba}
''',
    },
    {
        "name": "backward_ignores_gradient_from_next_step",
        "answer_cell": "rnn_backward",
        "test_cell": "test_rnn_backward",
        "source": '''\
def rnn_backward(da, caches):
    """Feeds each step only da[:, :, t], dropping what flows back from step t + 1."""
    cell_caches, x = caches
    n_a, m, T_x = da.shape
    n_x = x.shape[0]
    dx = np.zeros((n_x, m, T_x))
    dWax, dWaa, dba = np.zeros((n_a, n_x)), np.zeros((n_a, n_a)), np.zeros((n_a, 1))
    for t in reversed(range(T_x)):
        step = rnn_cell_backward(da[:, :, t], cell_caches[t])
        dx[:, :, t] = step["dxt"]
        dWax += step["dWax"]
        dWaa += step["dWaa"]
        dba += step["dba"]
        da_prevt = step["da_prev"]
    return {"dx": dx, "da0": da_prevt, "dWax": dWax, "dWaa": dWaa, "dba": dba}
''',
    },
    {
        "name": "backward_goes_forward_in_time",
        "answer_cell": "rnn_backward",
        "test_cell": "test_rnn_backward",
        "source": '''\
def rnn_backward(da, caches):
    """Loops over t = 1, ..., T_x (forwards), so the gradient from step t + 1 is not known yet."""
    cell_caches, x = caches
    n_a, m, T_x = da.shape
    n_x = x.shape[0]
    dx = np.zeros((n_x, m, T_x))
    dWax, dWaa, dba = np.zeros((n_a, n_x)), np.zeros((n_a, n_a)), np.zeros((n_a, 1))
    da_prevt = np.zeros((n_a, m))
    for t in range(T_x):
        step = rnn_cell_backward(da[:, :, t] + da_prevt, cell_caches[t])
        dx[:, :, t] = step["dxt"]
        dWax += step["dWax"]
        dWaa += step["dWaa"]
        dba += step["dba"]
        da_prevt = step["da_prev"]
    return {"dx": dx, "da0": da_prevt, "dWax": dWax, "dWaa": dWaa, "dba": dba}
''',
    },
    {
        "name": "backward_da0_is_the_upstream_gradient_of_step_1",
        "answer_cell": "rnn_backward",
        "test_cell": "test_rnn_backward",
        "source": '''\
def rnn_backward(da, caches):
    """Everything right except da0, taken as da[:, :, 0] instead of the last da_prev."""
    cell_caches, x = caches
    n_a, m, T_x = da.shape
    n_x = x.shape[0]
    dx = np.zeros((n_x, m, T_x))
    dWax, dWaa, dba = np.zeros((n_a, n_x)), np.zeros((n_a, n_a)), np.zeros((n_a, 1))
    da_prevt = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        step = rnn_cell_backward(da[:, :, t] + da_prevt, cell_caches[t])
        dx[:, :, t] = step["dxt"]
        dWax += step["dWax"]
        dWaa += step["dWaa"]
        dba += step["dba"]
        da_prevt = step["da_prev"]
    return {"dx": dx, "da0": da[:, :, 0], "dWax": dWax, "dWaa": dWaa, "dba": dba}
''',
    },
    # ------------------------------------------------------------ find_buggy_gradient
    {
        "name": "gradcheck_forward_differences",
        "answer_cell": "find_buggy_gradient",
        "test_cell": "test_find_buggy_gradient",
        "source": '''\
def numerical_gradient(f, x, eps=1e-6):
    """One-sided differences (f(x + eps) - f(x)) / eps: errors of order eps, not eps**2."""
    grad = np.zeros_like(x, dtype=float)
    f_here = f()
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        grad[index] = (f() - f_here) / eps
        x[index] = original
    return grad

''' + _find_buggy_gradient('''\
    worst = max(errors, key=errors.get)
    return (worst if errors[worst] > 1e-7 else None), errors
'''),
    },
    {
        "name": "gradcheck_does_not_restore_x",
        "answer_cell": "find_buggy_gradient",
        "test_cell": "test_find_buggy_gradient",
        "source": '''\
def numerical_gradient(f, x, eps=1e-6):
    """Forgets to put each entry back: x ends up shifted by -eps everywhere."""
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        f_plus = f()
        x[index] = original - eps
        f_minus = f()
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad

''' + _find_buggy_gradient('''\
    worst = max(errors, key=errors.get)
    return (worst if errors[worst] > 1e-7 else None), errors
'''),
    },
    {
        "name": "gradcheck_returns_the_first_key",
        "answer_cell": "find_buggy_gradient",
        "test_cell": "test_find_buggy_gradient",
        "source": _NUMERICAL_GRADIENT + "\n" + _find_buggy_gradient('''\
    # Meant to return the worst gradient, but returns whichever comes first.
    return next(iter(errors)), errors
'''),
    },
    {
        "name": "gradcheck_tolerance_far_too_strict",
        "answer_cell": "find_buggy_gradient",
        "test_cell": "test_find_buggy_gradient",
        "source": _NUMERICAL_GRADIENT + "\n" + _find_buggy_gradient('''\
    # Flags the first gradient whose error is not (almost) zero: 1e-12 is below the
    # rounding noise of centred differences, so correct gradients get flagged too.
    for name, error in errors.items():
        if error > 1e-12:
            return name, errors
    return None, errors
'''),
    },
    {
        "name": "gradcheck_always_names_the_worst",
        "answer_cell": "find_buggy_gradient",
        "test_cell": "test_find_buggy_gradient",
        "source": _NUMERICAL_GRADIENT + "\n" + _find_buggy_gradient('''\
    # No threshold: even a correct backward pass gets a culprit.
    return max(errors, key=errors.get), errors
'''),
    },
    {
        "name": "gradcheck_hardcodes_the_visible_answer",
        "answer_cell": "find_buggy_gradient",
        "test_cell": "test_find_buggy_gradient",
        "source": _NUMERICAL_GRADIENT + "\n" + _find_buggy_gradient('''\
    # Read the answer off buggy_rnn_cell_backward instead of the errors.
    return "dWaa", errors
'''),
    },
]

# Submissions that hand a task to the course's reference implementation (course_lib is
# installed for every student) must score 0 for that task: the hidden tests refuse the call.
MUTANTS += [
    {
        "name": "delegates_rnn_cell_forward",
        "answer_cell": "rnn_cell_forward",
        "test_cell": "test_rnn_cell_forward",
        "source": '''\
from course_lib.rnn import rnn_cell_forward as _course_cell


def rnn_cell_forward(xt, a_prev, parameters):
    a_next, yt_pred, cache = _course_cell(xt, a_prev, parameters)
    return a_next, yt_pred, cache[:4]
''',
    },
    {
        "name": "delegates_rnn_cell_backward",
        "answer_cell": "rnn_cell_backward",
        "test_cell": "test_rnn_cell_backward",
        "source": '''\
def rnn_cell_backward(da_next, cache):
    from course_lib import rnn
    return rnn.rnn_cell_backward(da_next, tuple(cache) + ("tanh",))
''',
    },
]

# ---------------------------------------------------------------------------------------------
# Liars (issue #11): answers that are wrong underneath (zeros, a wrong order, a wrong key, a
# wrong name, no computation at all) but come back as objects that pretend to be right. Each
# comment says which check of the test cells it fooled before they went through
# course_lib.checks; each must now lose exactly its own cell.
# ---------------------------------------------------------------------------------------------

# The centred differences of the solution under another name, for the liars of the gradient
# check cell whose lie is elsewhere.
_HONEST_GRADIENT = _NUMERICAL_GRADIENT.replace("def numerical_gradient(", "def _honest_gradient(")
_FIND_WITH_HONEST_GRADIENT = _find_buggy_gradient('''\
    worst = max(errors, key=errors.get)
    return (worst if errors[worst] > 1e-7 else None), errors
''').replace("numerical_gradient(f, array)", "_honest_gradient(f, array)")

# An array subclass whose subtraction and == always say "no difference".
_NO_DIFFERENCE = '''\
class NoDifference(np.ndarray):
    """Zeros underneath; subtracting anything gives zeros and == always says equal."""

    def __sub__(self, other):
        return np.zeros(np.broadcast_shapes(np.shape(self), np.shape(other)))

    __rsub__ = __sub__

    def __eq__(self, other):
        return np.ones(np.broadcast_shapes(np.shape(self), np.shape(other)), dtype=bool)

    __hash__ = None
'''

# A correct rnn_backward: the mutant whose only mistake is da0, with that mistake undone.
_DA0_MUTANT = next(m["source"] for m in MUTANTS
                   if m["name"] == "backward_da0_is_the_upstream_gradient_of_step_1")

MUTANTS += [
    # Fooled `np.max(np.abs(got - expected))` and `np.allclose(got, expected)` (both subtract
    # with the student's __sub__) and the column-sum check `np.allclose(yt_pred.sum(axis=0), 1)`.
    {
        "name": "liar_sub_eq_rnn_cell_forward",
        "answer_cell": "rnn_cell_forward",
        "test_cell": "test_rnn_cell_forward",
        "source": _NO_DIFFERENCE + '''

def rnn_cell_forward(xt, a_prev, parameters):
    m = xt.shape[1]
    a_next = np.zeros((parameters["Waa"].shape[0], m)).view(NoDifference)
    yt_pred = np.zeros((parameters["Wya"].shape[0], m)).view(NoDifference)
    cache = (a_next, np.zeros_like(a_prev).view(NoDifference),
             np.zeros_like(xt).view(NoDifference), parameters)
    return a_next, yt_pred, cache
''',
    },
    # Fooled `isinstance(result, tuple) and len(result) == 3` and the unpacking
    # `a_next, yt_pred, cache = result`, which iterates with the student's __iter__.
    {
        "name": "liar_tuple_order_rnn_cell_forward",
        "answer_cell": "rnn_cell_forward",
        "test_cell": "test_rnn_cell_forward",
        "source": '''\
class Reordered(tuple):
    """Holds (yt_pred, a_next, cache), the wrong order, but unpacks as (a_next, yt_pred, cache)."""

    def __iter__(self):
        yt_pred, a_next, cache = tuple.__iter__(self)
        return iter((a_next, yt_pred, cache))

    def __getitem__(self, index):
        return tuple(iter(self))[index]


def rnn_cell_forward(xt, a_prev, parameters):
    a_next = np.tanh(parameters["Waa"] @ a_prev + parameters["Wax"] @ xt + parameters["ba"])
    yt_pred = softmax(parameters["Wya"] @ a_next + parameters["by"])
    return Reordered((yt_pred, a_next, (a_next, a_prev, xt, parameters)))
''',
    },
    # Fooled `np.max(...)` and `np.allclose(...)`: numpy functions dispatch to the student's
    # __array_function__ (the subtraction before them keeps the subclass).
    {
        "name": "liar_array_function_rnn_forward",
        "answer_cell": "rnn_forward",
        "test_cell": "test_rnn_forward",
        "source": '''\
class Agreeable(np.ndarray):
    """Zeros underneath; every numpy function called on it answers True or 0."""

    def __array_function__(self, func, types, args, kwargs):
        return True if func in (np.allclose, np.array_equal, np.all) else 0.0


def rnn_forward(x, a0, parameters):
    n_x, m, T_x = x.shape
    a = np.zeros((parameters["Waa"].shape[0], m, T_x)).view(Agreeable)
    y_pred = np.zeros((parameters["Wya"].shape[0], m, T_x)).view(Agreeable)
    caches = [(a[:, :, t], np.zeros_like(a0).view(Agreeable),
               np.zeros((n_x, m)).view(Agreeable), parameters) for t in range(T_x)]
    return a, y_pred, (caches, np.zeros_like(x).view(Agreeable))
''',
    },
    # Fooled `got - expected`, `np.abs`, `np.max` and `np.allclose`: every ufunc that touches
    # the array goes through the student's __array_ufunc__, which answers "no difference".
    {
        "name": "liar_array_ufunc_rnn_cell_backward",
        "answer_cell": "rnn_cell_backward",
        "test_cell": "test_rnn_cell_backward",
        "source": '''\
class NoDifference(np.ndarray):
    """Zeros underneath; arithmetic with it gives zeros, comparisons with it say True."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        plain = [x.view(np.ndarray) if isinstance(x, np.ndarray) else x for x in inputs]
        result = getattr(ufunc, method)(*plain, **kwargs)
        if ufunc in (np.less, np.less_equal, np.greater, np.greater_equal, np.equal,
                     np.not_equal, np.isfinite, np.logical_and, np.logical_or):
            return np.ones_like(result, dtype=bool)
        return np.zeros_like(result)


def rnn_cell_backward(da_next, cache):
    a_next, a_prev, xt, parameters = cache
    zeros = lambda shape: np.zeros(shape).view(NoDifference)
    return {"dxt": zeros(xt.shape), "da_prev": zeros(a_prev.shape),
            "dWax": zeros(parameters["Wax"].shape), "dWaa": zeros(parameters["Waa"].shape),
            "dba": zeros(parameters["ba"].shape)}
''',
    },
    # Computes nothing: it walks up the callers' frames and copies the expected gradients. It
    # fooled every check because the old cells computed `expected` before calling the student.
    {
        "name": "liar_frames_rnn_backward",
        "answer_cell": "rnn_backward",
        "test_cell": "test_rnn_backward",
        "source": '''\
import sys


def rnn_backward(da, caches):
    """Looks through the callers' variables (locals and globals) for the expected gradients."""
    n_a, m, T_x = da.shape
    n_x = caches[1].shape[0]
    shapes = {"dx": (n_x, m, T_x), "da0": (n_a, m), "dWax": (n_a, n_x), "dWaa": (n_a, n_a),
              "dba": (n_a, 1)}

    def plausible(name, value):
        return (("expected" in name or "ref" in name) and isinstance(value, dict)
                and all(isinstance(value.get(k), np.ndarray) and value[k].shape == s
                        for k, s in shapes.items()))

    frame = sys._getframe(1)
    while frame is not None:
        for scope in (frame.f_locals, frame.f_globals):
            for name, value in list(scope.items()):
                if plausible(name, value):
                    return {k: np.array(value[k]) for k in shapes}
        frame = frame.f_back
    return {k: np.zeros(s) for k, s in shapes.items()}
''',
    },
    # Fooled `set(got) == set(BPTT_NAMES)` and `got[name]`: set() iterates with the student's
    # __iter__ and indexing uses its __getitem__, so a dict without the key "dba" passed.
    {
        "name": "liar_dict_keys_rnn_backward",
        "answer_cell": "rnn_backward",
        "test_cell": "test_rnn_backward",
        "source": '''\
class Renamed(dict):
    """Stores the bias gradient under the wrong key "db", but iterates and indexes as "dba"."""

    def __iter__(self):
        return iter(["dba" if key == "db" else key for key in dict.__iter__(self)])

    def keys(self):
        return list(iter(self))

    def __getitem__(self, key):
        return dict.__getitem__(self, "db" if key == "dba" else key)


''' + _DA0_MUTANT.replace(
            '"da0": da[:, :, 0]', '"da0": da_prevt').replace(
            'return {"dx": dx, "da0": da_prevt, "dWax": dWax, "dWaa": dWaa, "dba": dba}',
            'return Renamed(dx=dx, da0=da_prevt, dWax=dWax, dWaa=dWaa, db=dba)').replace(
            "Everything right except da0, taken as da[:, :, 0] instead of the last da_prev.",
            'Right gradients, but "dba" is stored under the key "db".'),

    },
    # Fooled `float(np.max(np.abs(got - expected))) < 1e-8` and `np.allclose(estimate, ...)`:
    # numerical_gradient returns zeros whose __sub__ says there is no difference (the gradient
    # check itself uses honest centred differences under another name).
    {
        "name": "liar_sub_numerical_gradient",
        "answer_cell": "find_buggy_gradient",
        "test_cell": "test_find_buggy_gradient",
        "source": _NO_DIFFERENCE + '''

def numerical_gradient(f, x, eps=1e-6):
    return np.zeros(x.shape).view(NoDifference)


''' + _HONEST_GRADIENT + "\n" + _FIND_WITH_HONEST_GRADIENT,
    },
    # Fooled `name == wrong[0]` and `found == bad`: the name is a str whose __eq__ always says
    # equal; underneath it is not the name of any gradient.
    {
        "name": "liar_str_eq_find_buggy_gradient",
        "answer_cell": "find_buggy_gradient",
        "test_cell": "test_find_buggy_gradient",
        "source": '''\
class AnyName(str):
    """Equal to every string."""

    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


''' + _NUMERICAL_GRADIENT + "\n" + _find_buggy_gradient('''\
    worst = max(errors, key=errors.get)
    return (AnyName("the worst one") if errors[worst] > 1e-7 else None), errors
'''),
    },
    # Fooled `value > 1e-3`, `value < 1e-7` and `float(value)`: the errors are floats that hold
    # 0.0 but compare (and convert) as the relative error they claim to be.
    {
        "name": "liar_float_compare_find_buggy_gradient",
        "answer_cell": "find_buggy_gradient",
        "test_cell": "test_find_buggy_gradient",
        "source": '''\
class Claimed(float):
    """Holds 0.0, but compares and converts as the number it claims."""

    def __new__(cls, claimed):
        self = float.__new__(cls, 0.0)
        self.claimed = float(claimed)
        return self

    def __lt__(self, other):
        return self.claimed < other

    def __gt__(self, other):
        return self.claimed > other

    def __le__(self, other):
        return self.claimed <= other

    def __ge__(self, other):
        return self.claimed >= other

    def __float__(self):
        return self.claimed


''' + _NUMERICAL_GRADIENT + "\n" + _find_buggy_gradient('''\
    worst = max(errors, key=errors.get)
    return (worst if errors[worst] > 1e-7 else None), {k: Claimed(v) for k, v in errors.items()}
'''),
    },
]

MUTANTS += [
    # Computes nothing: reads the answer off the name of the backward pass it is given. The old
    # hidden cell named its planted functions "backward_with_wrong_<key>" and the correct one
    # "_correct", so the name alone passed every check (with made-up errors of 1 and 0).
    {
        "name": "liar_reads_argument_name_find_buggy_gradient",
        "answer_cell": "find_buggy_gradient",
        "test_cell": "test_find_buggy_gradient",
        "source": _NUMERICAL_GRADIENT + '''

def find_buggy_gradient(cell_backward_fn, seed=0):
    """Guesses the wrong gradient from the function's name."""
    name = getattr(cell_backward_fn, "__name__", "")
    if name == "buggy_rnn_cell_backward":
        guess = "dWaa"
    elif name.startswith("backward_with_wrong_"):
        guess = name[len("backward_with_wrong_"):]
    else:
        guess = None
    return guess, {key: (1.0 if key == guess else 0.0)
                   for key in ("dxt", "da_prev", "dWax", "dWaa", "dba")}
''',
    },
]
