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
