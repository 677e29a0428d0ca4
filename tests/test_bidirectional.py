"""course_lib.bidirectional against torch.nn.RNN/GRU(bidirectional=True, num_layers=2) and by hand."""

import sys
import types

import numpy as np
import pytest
import torch

import course_lib
from course_lib import bidirectional as bd
from course_lib import gru, rnn

N_A, N_X, N_Y, M, T_X = 5, 4, 3, 2, 6


def rnn_params(n_a, n_x, seed):
    """RNN parameters with non-zero biases (the output layer is a cell's own and stays unused)."""
    p = rnn.initialize_parameters(n_a, n_x, N_Y, seed=seed)
    p["ba"] = np.random.default_rng(seed + 100).standard_normal((n_a, 1)) * 0.3
    return p


def inputs(seed=0, n_a_fwd=N_A, n_a_bwd=N_A):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N_X, M, T_X))
    a0_fwd = rng.standard_normal((n_a_fwd, M)) * 0.5
    a0_bwd = rng.standard_normal((n_a_bwd, M)) * 0.5
    Wy = rng.standard_normal((N_Y, n_a_fwd + n_a_bwd)) * 0.5
    by = rng.standard_normal((N_Y, 1)) * 0.1
    return x, a0_fwd, a0_bwd, Wy, by


def copy_rnn_direction(net, suffix, p):
    """torch: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)  <->  W_ax, W_aa, b_a."""
    getattr(net, "weight_ih" + suffix).copy_(torch.tensor(p["Wax"]))
    getattr(net, "weight_hh" + suffix).copy_(torch.tensor(p["Waa"]))
    getattr(net, "bias_ih" + suffix).copy_(torch.tensor(p["ba"][:, 0]))
    getattr(net, "bias_hh" + suffix).zero_()


def to_torch_layout(x):
    """(n_x, m, T_x) -> torch's default (T_x, m, n_x)."""
    return torch.tensor(x.transpose(2, 1, 0))


def from_torch_layout(out):
    return out.detach().numpy().transpose(2, 1, 0)


# --------------------------------------------------------------------------- bidirectional
def test_bidirectional_rnn_matches_torch_nn_rnn_bidirectional():
    x, a0_fwd, a0_bwd, Wy, by = inputs(seed=1)
    p_fwd, p_bwd = rnn_params(N_A, N_X, seed=2), rnn_params(N_A, N_X, seed=3)
    a_fwd, a_bwd, y_hat = bd.bidirectional_forward(x, a0_fwd, a0_bwd, p_fwd, p_bwd, "rnn", Wy=Wy, by=by)
    net = torch.nn.RNN(N_X, N_A, bidirectional=True, dtype=torch.float64)
    with torch.no_grad():
        copy_rnn_direction(net, "_l0", p_fwd)
        copy_rnn_direction(net, "_l0_reverse", p_bwd)
        # h0 is (num_directions, m, n_a): [a→^{<0>}, a←^{<T_x+1>}]
        out, h_n = net(to_torch_layout(x), torch.tensor(np.stack([a0_fwd.T, a0_bwd.T])))
    # torch's output concatenates [forward; backward] along the feature axis
    out = from_torch_layout(out)
    assert np.max(np.abs(a_fwd - out[:N_A])) <= 1e-12
    assert np.max(np.abs(a_bwd - out[N_A:])) <= 1e-12
    # the backward direction ends at t = 1: its final state is a←^{<1>}
    assert np.max(np.abs(a_bwd[:, :, 0] - h_n[1].numpy().T)) <= 1e-12
    ref_y = torch.softmax(torch.tensor(Wy) @ torch.tensor(out).permute(2, 0, 1) + torch.tensor(by), dim=1)
    assert np.max(np.abs(y_hat - ref_y.numpy().transpose(1, 2, 0))) <= 1e-12


def test_bidirectional_gru_torch_variant_matches_torch_nn_gru_bidirectional():
    torch.manual_seed(0)
    net = torch.nn.GRU(N_X, N_A, bidirectional=True, dtype=torch.float64)
    p_fwd = gru.from_torch_gru(net)
    p_bwd = gru.from_torch_gru(net, reverse=True)
    x, a0_fwd, a0_bwd, Wy, by = inputs(seed=4)
    a_fwd, a_bwd, _ = bd.bidirectional_forward(x, a0_fwd, a0_bwd, p_fwd, p_bwd, "gru", Wy=Wy, by=by,
                                               cell_options={"variant": "torch"})
    with torch.no_grad():
        out, _ = net(to_torch_layout(x), torch.tensor(np.stack([a0_fwd.T, a0_bwd.T])))
    out = from_torch_layout(out)
    assert np.max(np.abs(a_fwd - out[:N_A])) <= 1e-12
    assert np.max(np.abs(a_bwd - out[N_A:])) <= 1e-12


def test_backward_direction_is_the_cell_over_the_reversed_sequence():
    x, a0_fwd, a0_bwd, Wy, by = inputs(seed=5, n_a_bwd=3)  # the two directions may differ in size
    p_fwd = gru.initialize_parameters(N_A, N_X, N_Y, seed=6)
    p_bwd = gru.initialize_parameters(3, N_X, N_Y, seed=7)
    a_fwd, a_bwd, y_hat = bd.bidirectional_forward(x, a0_fwd, a0_bwd, p_fwd, p_bwd, "gru", Wy=Wy, by=by)
    assert a_fwd.shape == (N_A, M, T_X) and a_bwd.shape == (3, M, T_X) and y_hat.shape == (N_Y, M, T_X)
    # a←^{<T_x>} is the first step of the backward cell: it has seen x^{<T_x>} only
    c_last, _, _ = gru.gru_cell_forward(x[:, :, -1], a0_bwd, p_bwd)
    np.testing.assert_allclose(a_bwd[:, :, -1], c_last, atol=1e-15)
    # a←^{<t>} = cell(a←^{<t+1>}, x^{<t>})
    c_2, _, _ = gru.gru_cell_forward(x[:, :, 1], a_bwd[:, :, 2], p_bwd)
    np.testing.assert_allclose(a_bwd[:, :, 1], c_2, atol=1e-15)


def test_future_inputs_reach_the_prediction_only_in_the_bidirectional_model():
    """Note 004's "Teddy" example: ŷ^{<t>} must see x^{<t'>}, t' > t, to tell the two senses apart."""
    x, a0_fwd, a0_bwd, Wy, by = inputs(seed=8)
    p_fwd, p_bwd = rnn_params(N_A, N_X, seed=9), rnn_params(N_A, N_X, seed=10)
    t, t_future = 2, 4                       # x[:, :, 4] is x^{<5>}, ŷ[:, :, 2] is ŷ^{<3>}
    x_changed = x.copy()
    x_changed[:, :, t_future] += 1.0

    a_fwd, _, y_bi = bd.bidirectional_forward(x, a0_fwd, a0_bwd, p_fwd, p_bwd, Wy=Wy, by=by)
    a_fwd2, _, y_bi2 = bd.bidirectional_forward(x_changed, a0_fwd, a0_bwd, p_fwd, p_bwd, Wy=Wy, by=by)
    assert np.max(np.abs(y_bi[:, :, t] - y_bi2[:, :, t])) > 1e-3
    np.testing.assert_array_equal(a_fwd[:, :, :t_future], a_fwd2[:, :, :t_future])

    _, y_uni, _ = rnn.rnn_forward(x, a0_fwd, p_fwd)
    _, y_uni2, _ = rnn.rnn_forward(x_changed, a0_fwd, p_fwd)
    np.testing.assert_array_equal(y_uni[:, :, :t_future], y_uni2[:, :, :t_future])
    assert np.max(np.abs(y_uni[:, :, t_future] - y_uni2[:, :, t_future])) > 1e-3


# --------------------------------------------------------------------------- LSTM cell
def test_lstm_cell_is_imported_lazily_and_called_with_the_documented_signature(monkeypatch):
    """A stand-in lstm module: the dispatch passes (x, a0, parameters, **options) and uses a."""
    calls = []

    def lstm_forward(x, a0, parameters, peephole=False):
        calls.append(peephole)
        a = np.cumsum(x[:1], axis=2) + a0[:, :, None] + parameters["shift"]
        return a, None, a * 0, []

    fake = types.ModuleType("course_lib.lstm")
    fake.lstm_forward = lstm_forward
    monkeypatch.setitem(sys.modules, "course_lib.lstm", fake)
    monkeypatch.setattr(course_lib, "lstm", fake, raising=False)
    x = np.arange(6.0).reshape(1, 1, 6)
    a_fwd, a_bwd, _ = bd.bidirectional_forward(x, np.zeros((1, 1)), np.zeros((1, 1)), {"shift": 0.0},
                                               {"shift": 100.0}, "lstm", Wy=np.ones((2, 2)),
                                               by=np.zeros((2, 1)), cell_options={"peephole": True})
    assert calls == [True, True]
    np.testing.assert_array_equal(a_fwd[0, 0], [0, 1, 3, 6, 10, 15])          # 0+1+...+t-1... forward sums
    np.testing.assert_array_equal(a_bwd[0, 0], [115, 115, 114, 112, 109, 105])  # sums of x^{<t>}..x^{<T_x>}


def test_missing_lstm_module_gives_a_clear_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "course_lib.lstm", None)
    monkeypatch.delattr(course_lib, "lstm", raising=False)
    x, a0_fwd, a0_bwd, Wy, by = inputs()
    with pytest.raises(ImportError, match=r"cell='lstm' needs course_lib.lstm"):
        bd.bidirectional_forward(x, a0_fwd, a0_bwd, {}, {}, "lstm", Wy=Wy, by=by)


def test_bidirectional_lstm_runs_lstm_forward_both_ways():
    lstm = pytest.importorskip("course_lib.lstm")
    if not hasattr(lstm, "initialize_parameters"):
        pytest.skip("course_lib.lstm has no initialize_parameters yet")
    p_fwd = lstm.initialize_parameters(N_A, N_X, N_Y, seed=11)
    p_bwd = lstm.initialize_parameters(N_A, N_X, N_Y, seed=12)
    x, a0_fwd, a0_bwd, Wy, by = inputs(seed=13)
    a_fwd, a_bwd, y_hat = bd.bidirectional_forward(x, a0_fwd, a0_bwd, p_fwd, p_bwd, "lstm", Wy=Wy, by=by)
    np.testing.assert_array_equal(a_fwd, lstm.lstm_forward(x, a0_fwd, p_fwd)[0])
    np.testing.assert_array_equal(a_bwd, lstm.lstm_forward(x[:, :, ::-1], a0_bwd, p_bwd)[0][:, :, ::-1])
    np.testing.assert_allclose(y_hat.sum(axis=0), 1.0, atol=1e-12)


def test_bidirectional_lstm_matches_torch_nn_lstm_bidirectional():
    lstm = pytest.importorskip("course_lib.lstm")
    if not all(hasattr(lstm, f) for f in ("initialize_parameters", "to_torch_lstm")):
        pytest.skip("course_lib.lstm has no initialize_parameters/to_torch_lstm yet")
    rng = np.random.default_rng(14)
    p_fwd = lstm.initialize_parameters(N_A, N_X, N_Y, seed=15)
    p_bwd = lstm.initialize_parameters(N_A, N_X, N_Y, seed=16)
    for p in (p_fwd, p_bwd):
        for k in ("bf", "bu", "bc", "bo"):
            p[k] = rng.standard_normal((N_A, 1)) * 0.3
    x, a0_fwd, a0_bwd, Wy, by = inputs(seed=17)
    a_fwd, a_bwd, _ = bd.bidirectional_forward(x, a0_fwd, a0_bwd, p_fwd, p_bwd, "lstm", Wy=Wy, by=by)
    net = torch.nn.LSTM(N_X, N_A, bidirectional=True, dtype=torch.float64)
    with torch.no_grad():
        for suffix, p in (("_l0", p_fwd), ("_l0_reverse", p_bwd)):
            one_way = lstm.to_torch_lstm(p, batch_first=False)
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(net, name + suffix).copy_(getattr(one_way, name + "_l0"))
        h0 = torch.tensor(np.stack([a0_fwd.T, a0_bwd.T]))
        out, _ = net(to_torch_layout(x), (h0, torch.zeros_like(h0)))  # lstm_forward starts at c^{<0>} = 0
    out = from_torch_layout(out)
    assert np.max(np.abs(a_fwd - out[:N_A])) <= 1e-12
    assert np.max(np.abs(a_bwd - out[N_A:])) <= 1e-12


# --------------------------------------------------------------------------- deep RNN
def test_two_layer_rnn_matches_torch_nn_rnn_num_layers_2():
    rng = np.random.default_rng(14)
    layers = [rnn_params(N_A, N_X, seed=15), rnn_params(N_A, N_A, seed=16)]
    a0s = [rng.standard_normal((N_A, M)) * 0.5 for _ in layers]
    x, _, _, _, by = inputs(seed=17)
    Wy = rng.standard_normal((N_Y, N_A))
    a_layers, y_hat = bd.deep_rnn_forward(x, a0s, layers, "rnn", Wy=Wy, by=by)
    net = torch.nn.RNN(N_X, N_A, num_layers=2, dtype=torch.float64)
    with torch.no_grad():
        for l, p in enumerate(layers):
            copy_rnn_direction(net, f"_l{l}", p)
        out, h_n = net(to_torch_layout(x), torch.tensor(np.stack([a.T for a in a0s])))
    assert np.max(np.abs(a_layers[1] - from_torch_layout(out))) <= 1e-12
    for l in range(2):  # h_n holds each layer's last state a^{[l]<T_x>}
        assert np.max(np.abs(a_layers[l][:, :, -1] - h_n[l].numpy().T)) <= 1e-12
    ref_y = rnn.softmax(np.einsum("ya,amt->ymt", Wy, from_torch_layout(out)) + by[:, :, None])
    assert np.max(np.abs(y_hat - ref_y)) <= 1e-12


def test_a2_at_step_3_is_computed_from_a1_at_3_and_a2_at_2():
    """Note 004: a^{[2]<3>} = g(W_a^{[2]} [a^{[2]<2>}, a^{[1]<3>}] + b_a^{[2]})."""
    rng = np.random.default_rng(18)
    layers = [rnn_params(N_A, N_X, seed=19), rnn_params(3, N_A, seed=20)]  # layer 2 is narrower
    a0s = [rng.standard_normal((N_A, M)), rng.standard_normal((3, M))]
    x = rng.standard_normal((N_X, M, T_X))
    (a1, a2), y_hat = bd.deep_rnn_forward(x, a0s, layers, Wy=np.ones((N_Y, 3)), by=np.zeros((N_Y, 1)))
    Wa2 = np.hstack([layers[1]["Waa"], layers[1]["Wax"]])                   # (n_a^[2], n_a^[2] + n_a^[1])
    a2_3 = np.tanh(Wa2 @ np.vstack([a2[:, :, 1], a1[:, :, 2]]) + layers[1]["ba"])
    np.testing.assert_allclose(a2[:, :, 2], a2_3, rtol=0, atol=1e-15)
    assert a1.shape == (N_A, M, T_X) and a2.shape == (3, M, T_X) and y_hat.shape == (N_Y, M, T_X)


def test_two_layer_gru_torch_variant_matches_torch_nn_gru_num_layers_2():
    torch.manual_seed(2)
    net = torch.nn.GRU(N_X, N_A, num_layers=2, dtype=torch.float64)
    layers = [gru.from_torch_gru(net, layer=l) for l in range(2)]  # gate arrays only: no Wy, by
    rng = np.random.default_rng(24)
    a0s = [rng.standard_normal((N_A, M)) * 0.5 for _ in layers]
    x = rng.standard_normal((N_X, M, T_X))
    (a1, a2), _ = bd.deep_rnn_forward(x, a0s, layers, "gru", Wy=np.ones((N_Y, N_A)), by=np.zeros((N_Y, 1)),
                                      cell_options={"variant": "torch"})
    with torch.no_grad():
        out, h_n = net(to_torch_layout(x), torch.tensor(np.stack([a.T for a in a0s])))
    assert np.max(np.abs(a2 - from_torch_layout(out))) <= 1e-12
    assert np.max(np.abs(a1[:, :, -1] - h_n[0].numpy().T)) <= 1e-12


def test_deep_gru_stacks_gru_forward():
    rng = np.random.default_rng(21)
    layers = [gru.initialize_parameters(N_A, N_X, N_Y, seed=22), gru.initialize_parameters(N_A, N_A, N_Y, seed=23)]
    a0s = [rng.standard_normal((N_A, M)) for _ in layers]
    x = rng.standard_normal((N_X, M, T_X))
    (a1, a2), _ = bd.deep_rnn_forward(x, a0s, layers, "gru", Wy=np.ones((N_Y, N_A)), by=np.zeros((N_Y, 1)))
    np.testing.assert_array_equal(a1, gru.gru_forward(x, a0s[0], layers[0])[0])
    np.testing.assert_array_equal(a2, gru.gru_forward(a1, a0s[1], layers[1])[0])


# --------------------------------------------------------------------------- errors
def test_unknown_cell_is_a_clear_error():
    x, a0_fwd, a0_bwd, Wy, by = inputs()
    p = rnn_params(N_A, N_X, seed=0)
    with pytest.raises(ValueError, match=r"cell must be one of \('rnn', 'gru', 'lstm'\), got 'lsmt'"):
        bd.bidirectional_forward(x, a0_fwd, a0_bwd, p, p, "lsmt", Wy=Wy, by=by)
    with pytest.raises(ValueError, match="cell must be one of"):
        bd.deep_rnn_forward(x, [a0_fwd], [p], "transformer", Wy=Wy[:, :N_A], by=by)


def test_mismatched_layer_sizes_name_the_layer():
    x, a0, _, _, by = inputs()
    layers = [rnn_params(N_A, N_X, seed=0), rnn_params(N_A, N_X, seed=1)]  # layer 2 should read N_A
    with pytest.raises(ValueError, match=r"layer 2 \(layer_params\[1\], a0s\[1\]\) reads a\^\[1\] .* "
                                         r"of 5 features per step: x has shape \(5, 2, 6\) but "
                                         r"\(n_x, m, T_x\) = \(4, \?, \?\)"):
        bd.deep_rnn_forward(x, [a0, a0], layers, Wy=np.ones((N_Y, N_A)), by=by)
    with pytest.raises(ValueError, match=r"a0s has 1 initial states but layer_params has 2 layers"):
        bd.deep_rnn_forward(x, [a0], layers, Wy=np.ones((N_Y, N_A)), by=by)
    with pytest.raises(ValueError, match="layer_params is empty"):
        bd.deep_rnn_forward(x, [], [], Wy=np.ones((N_Y, N_A)), by=by)
    good = [layers[0], rnn_params(N_A, N_A, seed=2)]
    with pytest.raises(ValueError, match=r"Wy has shape \(3, 4\) but \(n_y, n_a\^\[L\]\) = \(\?, 5\)"):
        bd.deep_rnn_forward(x, [a0, a0], good, Wy=np.ones((N_Y, 4)), by=by)


def test_bidirectional_shape_errors_name_the_direction():
    x, a0_fwd, a0_bwd, Wy, by = inputs()
    p = rnn_params(N_A, N_X, seed=0)
    with pytest.raises(ValueError, match=r"backward direction \(a0_bwd, params_bwd\): a0 has shape \(4, 2\)"):
        bd.bidirectional_forward(x, a0_fwd, a0_bwd[:4], p, p, Wy=Wy, by=by)
    with pytest.raises(ValueError, match=r"forward direction \(a0_fwd, params_fwd\): x has shape"):
        bd.bidirectional_forward(x, a0_fwd, a0_bwd, rnn_params(N_A, N_X + 1, seed=0), p, Wy=Wy, by=by)
    with pytest.raises(ValueError, match=r"Wy has shape \(3, 5\) but \(n_y, n_a \+ n_a'\) = \(\?, 10\)"):
        bd.bidirectional_forward(x, a0_fwd, a0_bwd, p, p, Wy=Wy[:, :N_A], by=by)
    with pytest.raises(TypeError):  # Wy, by are keyword-only: no silent mix-up with cell_options
        bd.bidirectional_forward(x, a0_fwd, a0_bwd, p, p, "rnn", Wy, by)
