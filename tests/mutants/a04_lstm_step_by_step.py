"""Plausible wrong answers for Assignment 4 (an LSTM and a GRU step by step).

Each mutant replaces the source of one answer cell of
``solutions/a04_lstm_step_by_step/a04_lstm_step_by_step.ipynb`` (found by its nbgrader
``grade_id``) with a complete answer that a student could plausibly write.
A mutant must make its own test cell (``test_cell``) fail on at least one
assertion, visible or hidden, and leave every other test cell passing, which
shows that the tests catch the mistake and that the graded cells are independent
(the tests of lstm_forward put the reference lstm_cell_forward in place of the student's
while they run, and the tests of lstm_cell_backward build the cache with the reference
forward pass, so a wrong cell function costs points only once).

The answer cells may use the names defined by the notebook's locked setup cell: ``np``,
``sigmoid`` and ``softmax``.
"""


def _lstm_cell_forward(gates: str, cell: str, activation: str, prediction: str,
                       cache: str = "(a_next, c_next, a_prev, c_prev, gamma_f, gamma_u, c_tilde, "
                                    "gamma_o, xt, parameters)",
                       doc: str = "", stacked: str = "np.vstack([a_prev, xt])") -> str:
    """An lstm_cell_forward whose lines are given; the rest is the specification."""
    return f'''\
def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    """{doc}"""
    s = {stacked}
{gates}
    c_next = {cell}
    a_next = {activation}
    yt_pred = {prediction}
    cache = {cache}
    return a_next, c_next, yt_pred, cache
'''


_GATES = '''\
    gamma_f = sigmoid(parameters["Wf"] @ s + parameters["bf"])
    gamma_u = sigmoid(parameters["Wu"] @ s + parameters["bu"])
    c_tilde = np.tanh(parameters["Wc"] @ s + parameters["bc"])
    gamma_o = sigmoid(parameters["Wo"] @ s + parameters["bo"])'''
_CELL = "gamma_f * c_prev + gamma_u * c_tilde"
_ACTIVATION = "gamma_o * np.tanh(c_next)"
_PREDICTION = 'softmax(parameters["Wy"] @ a_next + parameters["by"])'


def _lstm_forward(loop: str, doc: str, c0: str = "np.zeros((n_a, m))",
                  result: str = "a, y, c, caches") -> str:
    """An lstm_forward with the given initial cell, loop body and return value."""
    return f'''\
def lstm_forward(x, a0, parameters):
    """{doc}"""
    n_x, m, T_x = x.shape
    n_a, n_y = a0.shape[0], parameters["Wy"].shape[0]
    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    y = np.zeros((n_y, m, T_x))
    caches = []
    a_next, c_next = a0, {c0}
    for t in range(T_x):
{loop}
        a[:, :, t] = a_next
        c[:, :, t] = c_next
        y[:, :, t] = yt_pred
        caches.append(cache)
    return {result}
'''


_STEP = "        a_next, c_next, yt_pred, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)"


def _lstm_cell_backward(doc: str, dc: str = "dc_next + da_next * gamma_o * (1 - np.tanh(c_next) ** 2)",
                        d_o: str = "da_next * np.tanh(c_next) * gamma_o * (1 - gamma_o)",
                        d_f: str = "dc * c_prev * gamma_f * (1 - gamma_f)",
                        dc_prev: str = "dc * gamma_f",
                        split: str = 'g["da_prev"], g["dxt"] = d_s[:n_a], d_s[n_a:]') -> str:
    """An lstm_cell_backward whose marked lines are given; the rest is the specification."""
    return f'''\
def lstm_cell_backward(da_next, dc_next, cache):
    """{doc}"""
    (a_next, c_next, a_prev, c_prev, gamma_f, gamma_u, c_tilde, gamma_o, xt, parameters) = cache
    n_a, n_x = a_prev.shape[0], xt.shape[0]
    dc = {dc}
    dz = {{"o": {d_o},
          "c": dc * gamma_u * (1 - c_tilde ** 2),
          "u": dc * c_tilde * gamma_u * (1 - gamma_u),
          "f": {d_f}}}
    s = np.vstack([a_prev, xt])
    g = {{}}
    d_s = 0
    for gate, d in dz.items():
        g["dW" + gate] = d @ s.T
        g["db" + gate] = d.sum(axis=1, keepdims=True)
        d_s = d_s + parameters["W" + gate].T @ d
    {split}
    g["dc_prev"] = {dc_prev}
    return g
'''


def _gru_cell_forward(doc: str,
                      candidate: str = ('np.tanh(parameters["Wc"] @ np.vstack([gamma_r * c_prev, xt])'
                                        ' + parameters["bc"])'),
                      cell: str = "gamma_u * c_tilde + (1 - gamma_u) * c_prev",
                      prediction: str = 'softmax(parameters["Wy"] @ c_next + parameters["by"])',
                      cache: str = "(c_next, c_prev, xt, gamma_r, c_tilde, gamma_u, parameters)") -> str:
    """A gru_cell_forward whose marked lines are given; the rest is the specification."""
    return f'''\
def gru_cell_forward(xt, c_prev, parameters):
    """{doc}"""
    n_a = c_prev.shape[0]
    s = np.vstack([c_prev, xt])
    gamma_r = sigmoid(parameters["Wr"] @ s + parameters["br"])
    gamma_u = sigmoid(parameters["Wu"] @ s + parameters["bu"])
    c_tilde = {candidate}
    c_next = {cell}
    yt_pred = {prediction}
    return c_next, yt_pred, {cache}
'''


MUTANTS = [
    # ------------------------------------------------------------ lstm_cell_forward
    {
        "name": "cell_forward_activation_without_tanh",
        "answer_cell": "lstm_cell_forward",
        "test_cell": "test_lstm_cell_forward",
        "source": _lstm_cell_forward(
            _GATES, _CELL, "gamma_o * c_next", _PREDICTION,
            doc="Copies note 004 literally: a^<t> = Gamma_o * c^<t>, without the tanh."),
    },
    {
        "name": "cell_forward_forget_and_update_swapped",
        "answer_cell": "lstm_cell_forward",
        "test_cell": "test_lstm_cell_forward",
        "source": _lstm_cell_forward(
            _GATES, "gamma_u * c_prev + gamma_f * c_tilde", _ACTIVATION, _PREDICTION,
            doc="Mixes up the gates: the update gate keeps the old cell, the forget gate writes."),
    },
    {
        "name": "cell_forward_softmax_over_examples",
        "answer_cell": "lstm_cell_forward",
        "test_cell": "test_lstm_cell_forward",
        "source": _lstm_cell_forward(
            _GATES, _CELL, _ACTIVATION,
            'np.exp(parameters["Wy"] @ a_next + parameters["by"]) / '
            'np.exp(parameters["Wy"] @ a_next + parameters["by"]).sum(axis=1, keepdims=True)',
            doc="Writes its own softmax and normalises along axis 1 (over the m examples)."),
    },
    {
        "name": "cell_forward_candidate_through_sigmoid",
        "answer_cell": "lstm_cell_forward",
        "test_cell": "test_lstm_cell_forward",
        "source": _lstm_cell_forward(
            _GATES.replace('c_tilde = np.tanh(', 'c_tilde = sigmoid('), _CELL, _ACTIVATION,
            _PREDICTION, doc="Treats the candidate like a gate: sigmoid instead of tanh."),
    },
    {
        "name": "cell_forward_input_stacked_on_top",
        "answer_cell": "lstm_cell_forward",
        "test_cell": "test_lstm_cell_forward",
        "source": _lstm_cell_forward(
            _GATES, _CELL, _ACTIVATION, _PREDICTION, stacked="np.vstack([xt, a_prev])",
            doc="Stacks [x^<t>; a^<t-1>]: the shapes still fit, the weights meet the wrong rows."),
    },
    {
        "name": "cell_forward_cache_gates_in_wrong_order",
        "answer_cell": "lstm_cell_forward",
        "test_cell": "test_lstm_cell_forward",
        "source": _lstm_cell_forward(
            _GATES, _CELL, _ACTIVATION, _PREDICTION,
            cache="(a_next, c_next, a_prev, c_prev, gamma_u, gamma_f, gamma_o, c_tilde, xt, parameters)",
            doc="Right values, but the cache lists the gates as u, f, o, c."),
    },
    {
        "name": "cell_forward_delegates_to_course_lib",
        "answer_cell": "lstm_cell_forward",
        "test_cell": "test_lstm_cell_forward",
        "source": '''\
from course_lib.lstm import lstm_cell_forward as library_step


def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    """Right results, computed by the course library (caught only by the hidden tests)."""
    a_next, c_next, yt_pred, cache = library_step(xt, a_prev, c_prev, parameters)
    return a_next, c_next, yt_pred, cache[:10]
''',
    },
    # ------------------------------------------------------------ lstm_forward
    {
        "name": "forward_a0_used_as_c0",
        "answer_cell": "lstm_forward",
        "test_cell": "test_lstm_forward",
        "source": _lstm_forward(_STEP, c0="a0",
                                doc="Starts the memory cell from a0 instead of zeros."),
    },
    {
        "name": "forward_cell_reset_at_every_step",
        "answer_cell": "lstm_forward",
        "test_cell": "test_lstm_forward",
        "source": _lstm_forward(
            "        a_next, c_next, yt_pred, cache = lstm_cell_forward(x[:, :, t], a_next, "
            "np.zeros((n_a, m)), parameters)",
            doc="Passes an empty cell to every step: the memory is never carried over."),
    },
    {
        "name": "forward_always_starts_from_a0",
        "answer_cell": "lstm_forward",
        "test_cell": "test_lstm_forward",
        "source": _lstm_forward(
            "        a_next, c_next, yt_pred, cache = lstm_cell_forward(x[:, :, t], a0, "
            "c_next, parameters)",
            doc="Passes a0 to every step instead of the previous step's activation."),
    },
    {
        "name": "forward_returns_c_before_y",
        "answer_cell": "lstm_forward",
        "test_cell": "test_lstm_forward",
        "source": _lstm_forward(_STEP, result="a, c, y, caches",
                                doc="Right arrays, returned as (a, c, y, caches)."),
    },
    {
        "name": "forward_delegates_to_course_lib",
        "answer_cell": "lstm_forward",
        "test_cell": "test_lstm_forward",
        "source": '''\
from course_lib.lstm import lstm_forward as library_forward


def lstm_forward(x, a0, parameters):
    """Right results, computed by the course library (caught only by the hidden tests)."""
    a, y, c, caches = library_forward(x, a0, parameters)
    return a, y, c, [cache[:10] for cache in caches]
''',
    },
    # ------------------------------------------------------------ lstm_cell_backward
    {
        "name": "cell_backward_dc_prev_without_forget_gate",
        "answer_cell": "lstm_cell_backward",
        "test_cell": "test_lstm_cell_backward",
        "source": _lstm_cell_backward(
            dc_prev="dc", doc="Hands dc back to c^<t-1> unchanged, forgetting the factor Gamma_f."),
    },
    {
        "name": "cell_backward_dc_without_tanh_derivative",
        "answer_cell": "lstm_cell_backward",
        "test_cell": "test_lstm_cell_backward",
        "source": _lstm_cell_backward(
            dc="dc_next + da_next * gamma_o",
            doc="Differentiates a = Gamma_o * tanh(c) as if tanh were the identity."),
    },
    {
        "name": "cell_backward_ignores_dc_next",
        "answer_cell": "lstm_cell_backward",
        "test_cell": "test_lstm_cell_backward",
        "source": _lstm_cell_backward(
            dc="da_next * gamma_o * (1 - np.tanh(c_next) ** 2)",
            doc="Keeps only the path through a^<t>: the gradient from step t + 1 is lost."),
    },
    {
        "name": "cell_backward_output_gate_without_tanh",
        "answer_cell": "lstm_cell_backward",
        "test_cell": "test_lstm_cell_backward",
        "source": _lstm_cell_backward(
            d_o="da_next * c_next * gamma_o * (1 - gamma_o)",
            doc="Differentiates the notes' slip a = Gamma_o * c for the output gate."),
    },
    {
        "name": "cell_backward_forget_gate_times_new_cell",
        "answer_cell": "lstm_cell_backward",
        "test_cell": "test_lstm_cell_backward",
        "source": _lstm_cell_backward(
            d_f="dc * c_next * gamma_f * (1 - gamma_f)",
            doc="Multiplies the forget gate's gradient by c^<t> instead of c^<t-1>."),
    },
    {
        "name": "cell_backward_x_rows_taken_first",
        "answer_cell": "lstm_cell_backward",
        "test_cell": "test_lstm_cell_backward",
        "source": _lstm_cell_backward(
            split='g["dxt"], g["da_prev"] = d_s[:n_x], d_s[n_x:]',
            doc="Splits [da_prev; dxt] as if x^<t> were on top of the stacked column."),
    },
    {
        "name": "cell_backward_delegates_to_course_lib",
        "answer_cell": "lstm_cell_backward",
        "test_cell": "test_lstm_cell_backward",
        "source": '''\
from course_lib.lstm import lstm_cell_backward as library_backward


def lstm_cell_backward(da_next, dc_next, cache):
    """Right gradients, computed by the course library (caught only by the hidden tests)."""
    return library_backward(da_next, dc_next, tuple(cache) + (False,))
''',
    },
    # ------------------------------------------------------------ gru_cell_forward
    {
        "name": "gru_relevance_gate_after_the_product",
        "answer_cell": "gru_cell_forward",
        "test_cell": "test_gru_cell_forward",
        "source": _gru_cell_forward(
            candidate='np.tanh(parameters["Wc"][:, n_a:] @ xt + parameters["bc"] '
                      '+ gamma_r * (parameters["Wc"][:, :n_a] @ c_prev))',
            doc="torch.nn.GRU's candidate: Gamma_r scales W_cc c^<t-1>, not c^<t-1>."),
    },
    {
        "name": "gru_update_gate_the_wrong_way_round",
        "answer_cell": "gru_cell_forward",
        "test_cell": "test_gru_cell_forward",
        "source": _gru_cell_forward(
            cell="(1 - gamma_u) * c_tilde + gamma_u * c_prev",
            doc="torch's convention for z: Gamma_u keeps the old cell."),
    },
    {
        "name": "gru_without_relevance_gate",
        "answer_cell": "gru_cell_forward",
        "test_cell": "test_gru_cell_forward",
        "source": _gru_cell_forward(
            candidate='np.tanh(parameters["Wc"] @ s + parameters["bc"])',
            doc="The simplified GRU: Gamma_r is computed but never used."),
    },
    {
        "name": "gru_softmax_over_examples",
        "answer_cell": "gru_cell_forward",
        "test_cell": "test_gru_cell_forward",
        "source": _gru_cell_forward(
            prediction='np.exp(parameters["Wy"] @ c_next + parameters["by"]) / '
                       'np.exp(parameters["Wy"] @ c_next + parameters["by"]).sum(axis=1, keepdims=True)',
            doc="Normalises the prediction over the m examples (axis 1) instead of the classes."),
    },
    {
        "name": "gru_cache_gates_swapped",
        "answer_cell": "gru_cell_forward",
        "test_cell": "test_gru_cell_forward",
        "source": _gru_cell_forward(
            cache="(c_next, c_prev, xt, gamma_u, c_tilde, gamma_r, parameters)",
            doc="Right values, but the cache holds Gamma_u where Gamma_r belongs."),
    },
    {
        "name": "gru_delegates_to_course_lib",
        "answer_cell": "gru_cell_forward",
        "test_cell": "test_gru_cell_forward",
        "source": '''\
from course_lib.gru import gru_cell_forward as library_gru_step


def gru_cell_forward(xt, c_prev, parameters):
    """Right results, computed by the course library (caught only by the hidden tests)."""
    c_next, yt_pred, cache = library_gru_step(xt, c_prev, parameters)
    c_next, c_prev, xt, gamma_r, c_tilde, gamma_u, _, parameters, _ = cache
    return c_next, yt_pred, (c_next, c_prev, xt, gamma_r, c_tilde, gamma_u, parameters)
''',
    },
]

# Liars: answers that are wrong underneath but return objects that pretend to be right. Each one
# fooled the comparison named in its comment (`isinstance`, `np.allclose`,
# `np.max(np.abs(got - expected))`, `set(got)`, indexing) before the test cells checked exact
# types and compared plain copies (course_lib.checks), and called the student's function before
# computing the expectation.

# An ndarray subclass whose arithmetic and comparisons say "no difference": `got - expected` is
# all zeros and `got == expected` all True, so np.allclose (which computes abs(x - y) <= atol)
# and np.max(np.abs(got - expected)) both agree with any expectation.
_ZERO_DIFFERENCE = '''\
class NoDifference(np.ndarray):
    def __sub__(self, other):
        return np.zeros(np.broadcast_shapes(self.shape, np.shape(other)))

    __rsub__ = __sub__

    def __eq__(self, other):
        return np.ones(np.broadcast_shapes(self.shape, np.shape(other)), dtype=bool)


def zeros(shape):
    return np.zeros(shape).view(NoDifference)
'''

# An ndarray subclass whose __array_function__ answers True for np.allclose, except for the
# first `skip` calls on an array: the first visible test asserts that the answer is *not* close
# to a known wrong formula (note 004's slip, torch's GRU) before it compares it with the
# expectation, so the liar's first answer skips those calls.
_FUNCTION_LIAR = '''\
class AgreesAfterwards(np.ndarray):
    skip = 0

    def __array_finalize__(self, obj):
        self.calls = 0

    def __array_function__(self, func, types, args, kwargs):
        if func in (np.allclose, np.array_equal):
            self.calls += 1
            return self.calls > self.skip
        plain = [a.view(np.ndarray) if isinstance(a, AgreesAfterwards) else a for a in args]
        return func(*plain, **kwargs)


def zeros(shape, skip=0):
    array = np.zeros(shape).view(AgreesAfterwards)
    array.skip = skip
    return array
'''

MUTANTS += [
    {
        # Fooled `isinstance(a_next, np.ndarray)`, the shape checks and `np.allclose` (and the
        # check that a_next is not Gamma_o * c_next, which it answers False the first time):
        # every array it returns is zeros, the cache's parameters are the ones it was given.
        "name": "liar_array_function_lstm_cell_forward",
        "answer_cell": "lstm_cell_forward",
        "test_cell": "test_lstm_cell_forward",
        "source": _FUNCTION_LIAR + '''

calls = []


def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    calls.append(None)
    n_a, m = a_prev.shape
    n_y = parameters["Wy"].shape[0]
    a_next = zeros((n_a, m), skip=1 if len(calls) == 1 else 0)
    c_next, yt_pred = zeros((n_a, m)), zeros((n_y, m))
    cache = tuple(zeros(shape) for shape in [(n_a, m)] * 8 + [xt.shape]) + (parameters,)
    return a_next, c_next, yt_pred, cache
''',
    },
    {
        # Fooled `isinstance(cache, tuple) and len(cache) == 10` and every `cache[i]`: the
        # cache really holds the gates in the wrong order (u, f, o, c, as in
        # cell_forward_cache_gates_in_wrong_order), but it is a tuple subclass whose indexing
        # puts them back where the tests look.
        "name": "liar_tuple_getitem_lstm_cell_forward",
        "answer_cell": "lstm_cell_forward",
        "test_cell": "test_lstm_cell_forward",
        "source": '''\
class ReorderedCache(tuple):
    order = (0, 1, 2, 3, 5, 4, 7, 6, 8, 9)

    def __getitem__(self, index):
        if isinstance(index, int):
            return tuple.__getitem__(self, self.order[index])
        return tuple.__getitem__(self, index)


''' + _lstm_cell_forward(
            _GATES, _CELL, _ACTIVATION, _PREDICTION,
            cache="ReorderedCache((a_next, c_next, a_prev, c_prev, gamma_u, gamma_f, gamma_o, "
                  "c_tilde, xt, parameters))",
            doc="The cache lists the gates as u, f, o, c, and its indexing hides it."),
    },
    {
        # Fooled `np.allclose` and `np.max(np.abs(got - expected))` through ndarray arithmetic:
        # a, y, c and every array of the caches are zeros that have "no difference" from
        # anything.
        "name": "liar_sub_lstm_forward",
        "answer_cell": "lstm_forward",
        "test_cell": "test_lstm_forward",
        "source": _ZERO_DIFFERENCE + '''

def lstm_forward(x, a0, parameters):
    n_x, m, T_x = x.shape
    n_a, n_y = a0.shape[0], parameters["Wy"].shape[0]
    caches = [tuple(zeros(shape) for shape in [(n_a, m)] * 8 + [(n_x, m)]) + (parameters,)
              for _ in range(T_x)]
    return zeros((n_a, m, T_x)), zeros((n_y, m, T_x)), zeros((n_a, m, T_x)), caches
''',
    },
    {
        # Reads the expectation out of the calling test's variables: the test computed ref_a,
        # ref_y and ref_c (and had x and a0) before calling lstm_forward, so it found them in
        # a caller's frame and built the caches from them. It computes nothing itself: with
        # nothing to find it returns zeros.
        "name": "liar_reads_frames_lstm_forward",
        "answer_cell": "lstm_forward",
        "test_cell": "test_lstm_forward",
        "source": '''\
import sys


def _find(shape, words, frame):
    """The first ndarray of this shape whose name contains one of `words`, in any caller."""
    while frame is not None:
        for names in (frame.f_locals, frame.f_globals):
            for name, value in list(names.items()):
                if any(word in name for word in words) and type(value) is np.ndarray \\
                        and value.shape == shape:
                    return value.copy()
        frame = frame.f_back
    return np.zeros(shape)


def lstm_forward(x, a0, parameters):
    n_x, m, T_x = x.shape
    n_a, n_y = a0.shape[0], parameters["Wy"].shape[0]
    caller = sys._getframe(1)
    a = _find((n_a, m, T_x), ["ref_a", "expected_a"], caller)
    y = _find((n_y, m, T_x), ["ref_y", "expected_y"], caller)
    c = _find((n_a, m, T_x), ["ref_c", "expected_c"], caller)
    caches = []
    for t in range(T_x):
        a_prev = a0 if t == 0 else a[:, :, t - 1]
        c_prev = np.zeros((n_a, m)) if t == 0 else c[:, :, t - 1]
        zero = np.zeros((n_a, m))
        caches.append((a[:, :, t], c[:, :, t], a_prev, c_prev, zero, zero, zero, zero,
                       x[:, :, t], parameters))
    return a, y, c, caches
''',
    },
    {
        # Fooled `np.allclose` through __array_ufunc__: subtraction and absolute value give
        # zeros and every comparison True, so isclose's abs(x - y) <= atol holds for any
        # expectation. Every gradient is zeros underneath.
        "name": "liar_ufunc_lstm_cell_backward",
        "answer_cell": "lstm_cell_backward",
        "test_cell": "test_lstm_cell_backward",
        "source": '''\
class UfuncLiar(np.ndarray):
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        plain = [np.asarray(i.view(np.ndarray) if isinstance(i, UfuncLiar) else i) for i in inputs]
        shape = np.broadcast_shapes(*(p.shape for p in plain))
        if ufunc in (np.less_equal, np.less, np.equal, np.isfinite, np.logical_and,
                     np.logical_or, np.bitwise_and, np.bitwise_or):
            return np.ones(shape, dtype=bool)
        if ufunc in (np.subtract, np.absolute):
            return np.zeros(shape).view(UfuncLiar)
        return getattr(ufunc, method)(*plain, **kwargs)


GRADIENT_SHAPES = {"dxt": "x", "da_prev": "a", "dc_prev": "a"}


def lstm_cell_backward(da_next, dc_next, cache):
    n_a, m = da_next.shape
    n_x = cache[8].shape[0]
    shapes = {"x": (n_x, m), "a": (n_a, m)}
    gradients = {key: np.zeros(shapes[kind]).view(UfuncLiar) for key, kind in GRADIENT_SHAPES.items()}
    for gate in "fuco":
        gradients["dW" + gate] = np.zeros((n_a, n_a + n_x)).view(UfuncLiar)
        gradients["db" + gate] = np.zeros((n_a, 1)).view(UfuncLiar)
    return gradients
''',
    },
    {
        # Fooled `isinstance(got, dict)`, `set(got)` and every `got[key]`: the dict really
        # holds the forget gate's weight gradient under "dWu" and the update gate's under "dWf"
        # (and likewise for the biases), but its indexing swaps them back.
        "name": "liar_dict_getitem_lstm_cell_backward",
        "answer_cell": "lstm_cell_backward",
        "test_cell": "test_lstm_cell_backward",
        "source": '''\
class SwappedGradients(dict):
    swap = {"dWf": "dWu", "dWu": "dWf", "dbf": "dbu", "dbu": "dbf"}

    def __getitem__(self, key):
        return dict.__getitem__(self, self.swap.get(key, key))


''' + _lstm_cell_backward(
            doc="Files the forget and update gradients under each other's names; its indexing "
                "hides it.").replace(
            "    return g\n",
            "    return SwappedGradients({SwappedGradients.swap.get(k, k): v for k, v in g.items()})\n"),
    },
    {
        # Fooled `isinstance(c_next, np.ndarray)` and `np.allclose`, including the two checks
        # that c_next is not torch's GRU or the swapped update gate (answered False the first
        # two times, in the first call): everything it returns is zeros.
        "name": "liar_array_function_gru_cell_forward",
        "answer_cell": "gru_cell_forward",
        "test_cell": "test_gru_cell_forward",
        "source": _FUNCTION_LIAR + '''

calls = []


def gru_cell_forward(xt, c_prev, parameters):
    calls.append(None)
    n_a, m = c_prev.shape
    n_y = parameters["Wy"].shape[0]
    c_next, yt_pred = zeros((n_a, m), skip=2 if len(calls) == 1 else 0), zeros((n_y, m))
    cache = (zeros((n_a, m)), zeros((n_a, m)), zeros(xt.shape), zeros((n_a, m)),
             zeros((n_a, m)), zeros((n_a, m)), parameters)
    return c_next, yt_pred, cache
''',
    },
    {
        # Not an array at all: shape, dtype, indexing and an __array__ that hands numpy zeros.
        # The old tests asked isinstance(got, np.ndarray) first, so it already failed them;
        # it shows that the new checks refuse look-alikes too.
        "name": "liar_duck_array_gru_cell_forward",
        "answer_cell": "gru_cell_forward",
        "test_cell": "test_gru_cell_forward",
        "source": '''\
class LooksLikeAnArray:
    def __init__(self, shape):
        self.shape, self.dtype, self.ndim, self.size = shape, np.dtype(float), len(shape), 0

    def __array__(self, dtype=None, copy=None):
        return np.zeros(self.shape)

    def __sub__(self, other):
        return np.zeros(self.shape)

    __rsub__ = __sub__

    def __getitem__(self, key):
        return np.zeros(self.shape)[key]

    def sum(self, axis=None):
        return np.ones(self.shape[1])


def gru_cell_forward(xt, c_prev, parameters):
    n_a, m = c_prev.shape
    n_y = parameters["Wy"].shape[0]
    cache = tuple(LooksLikeAnArray(s) for s in [(n_a, m), (n_a, m), xt.shape] + [(n_a, m)] * 3)
    return LooksLikeAnArray((n_a, m)), LooksLikeAnArray((n_y, m)), cache + (parameters,)
''',
    },
]
