"""course_lib.lstm against independent references: torch.nn.LSTM, torch autograd, finite differences."""

import numpy as np
import pytest
import torch

from course_lib import lstm
from course_lib.gradcheck import gradient_check, relative_error

N_A, N_X, N_Y, M, T_X = 4, 3, 3, 2, 5
GATE_PARAMS = ("Wf", "bf", "Wu", "bu", "Wc", "bc", "Wo", "bo")


def make_problem(seed=0, peephole=False, scale=None):
    """Random float64 problem with nonzero biases (and peepholes) so every term is exercised."""
    rng = np.random.default_rng(seed)
    parameters = lstm.initialize_parameters(N_A, N_X, N_Y, seed=seed + 1, scale=scale,
                                            peephole=peephole)
    for k in ("bf", "bu", "bc", "bo", "by") + (lstm.PEEPHOLE_NAMES if peephole else ()):
        parameters[k] = rng.standard_normal(parameters[k].shape) * 0.5
    x = rng.standard_normal((N_X, M, T_X))
    a0 = rng.standard_normal((N_A, M)) * 0.5
    y = np.eye(N_Y)[:, rng.integers(0, N_Y, size=(M, T_X))]
    mask = np.ones((M, T_X), dtype=bool)
    mask[1, 3:] = False
    return x, y, a0, parameters, mask


def torch_lstm_by_hand(parameters, peephole, tanh_on_cell=True):
    """Return a torch function (x, a0) -> (a, c, logits) written from the equations, (n, m, T)."""
    def run(t, x, a0):
        a_prev, c_prev = a0, torch.zeros_like(a0)
        a_all, c_all, z_all = [], [], []
        for step in range(x.shape[2]):
            concat = torch.cat([a_prev, x[:, :, step]], dim=0)
            z_f = t["Wf"] @ concat + t["bf"] + (t["pf"] * c_prev if peephole else 0)
            z_u = t["Wu"] @ concat + t["bu"] + (t["pu"] * c_prev if peephole else 0)
            c_next = torch.sigmoid(z_f) * c_prev + torch.sigmoid(z_u) * torch.tanh(t["Wc"] @ concat + t["bc"])
            z_o = t["Wo"] @ concat + t["bo"] + (t["po"] * c_next if peephole else 0)
            a_next = torch.sigmoid(z_o) * (torch.tanh(c_next) if tanh_on_cell else c_next)
            a_all.append(a_next)
            c_all.append(c_next)
            z_all.append(t["Wy"] @ a_next + t["by"])
            a_prev, c_prev = a_next, c_next
        return torch.stack(a_all, 2), torch.stack(c_all, 2), torch.stack(z_all, 2)
    return run


def torch_reference(x, y, a0, parameters, mask, peephole):
    """Loss and gradients of the same computation written in torch (float64), by autograd."""
    t = {k: torch.tensor(v, requires_grad=True) for k, v in parameters.items()}
    tx = torch.tensor(x, requires_grad=True)
    ta0 = torch.tensor(a0, requires_grad=True)
    _, _, logits = torch_lstm_by_hand(parameters, peephole)(t, tx, ta0)
    per_step = -(torch.tensor(y) * torch.log_softmax(logits, dim=0)).sum(dim=0)  # (m, T_x)
    if mask is not None:
        per_step = per_step * torch.tensor(mask, dtype=torch.float64)
    loss = per_step.sum() / x.shape[1]
    loss.backward()
    grads = {"d" + k: v.grad.numpy() for k, v in t.items()}
    grads["dx"], grads["da0"] = tx.grad.numpy(), ta0.grad.numpy()
    return float(loss.detach()), grads


def copy_into_torch_lstm(parameters):
    """The test's own copy of the weights into nn.LSTM (gate order i, f, g, o = u, f, c, o).

    Written independently of lstm.to_torch_lstm; bias_hh gets a random share of the bias so
    that the "torch adds two biases" part of the mapping is exercised too.
    """
    net = torch.nn.LSTM(N_X, N_A, dtype=torch.float64)  # (T_x, m, n_x) layout
    order = ("Wu", "Wf", "Wc", "Wo")
    b = np.concatenate([parameters["b" + w[1]][:, 0] for w in order])
    share = np.random.default_rng(99).standard_normal(b.shape)
    with torch.no_grad():
        net.weight_ih_l0.copy_(torch.tensor(np.vstack([parameters[w][:, N_A:] for w in order])))
        net.weight_hh_l0.copy_(torch.tensor(np.vstack([parameters[w][:, :N_A] for w in order])))
        net.bias_ih_l0.copy_(torch.tensor(b - share))
        net.bias_hh_l0.copy_(torch.tensor(share))
    return net


def run_torch_lstm(net, x, a0):
    """Our (n_x, m, T_x) layout -> torch's (T_x, m, n_x) and back; returns a, c_last."""
    with torch.no_grad():
        out, (h_n, c_n) = net(torch.tensor(x).permute(2, 1, 0),
                              (torch.tensor(a0.T)[None], torch.zeros(1, x.shape[1], a0.shape[0],
                                                                      dtype=torch.float64)))
    return out.permute(2, 1, 0).numpy(), h_n[0].numpy().T, c_n[0].numpy().T


# --------------------------------------------------------------------------- forward vs torch
def test_forward_matches_torch_nn_lstm_with_copied_weights():
    x, _, a0, parameters, _ = make_problem(seed=2)
    a, y_pred, c, caches = lstm.lstm_forward(x, a0, parameters)
    a_torch, h_last, c_last = run_torch_lstm(copy_into_torch_lstm(parameters), x, a0)
    assert a.shape == (N_A, M, T_X) and c.shape == (N_A, M, T_X) and y_pred.shape == (N_Y, M, T_X)
    assert len(caches) == T_X
    assert np.max(np.abs(a - a_torch)) <= 1e-12
    assert np.max(np.abs(a[:, :, -1] - h_last)) <= 1e-12
    assert np.max(np.abs(c[:, :, -1] - c_last)) <= 1e-12
    with torch.no_grad():
        logits = torch.tensor(parameters["Wy"]) @ torch.tensor(a_torch).reshape(N_A, -1)
        y_torch = torch.softmax(logits + torch.tensor(parameters["by"]), dim=0).reshape(N_Y, M, T_X)
    assert np.max(np.abs(y_pred - y_torch.numpy())) <= 1e-12


def test_cell_forward_starts_from_given_state_and_sequence_from_zero_cell():
    x, _, a0, parameters, _ = make_problem(seed=4)
    a, y_pred, c, _ = lstm.lstm_forward(x, a0, parameters)
    a1, c1, y1, _ = lstm.lstm_cell_forward(x[:, :, 0], a0, np.zeros((N_A, M)), parameters)
    np.testing.assert_array_equal(a[:, :, 0], a1)
    np.testing.assert_array_equal(c[:, :, 0], c1)
    np.testing.assert_array_equal(y_pred[:, :, 0], y1)
    np.testing.assert_allclose(y_pred.sum(axis=0), 1.0, atol=1e-12)


def test_zero_peepholes_equal_the_standard_lstm():
    x, _, a0, parameters, _ = make_problem(seed=5)
    with_zero = dict(parameters, pf=np.zeros((N_A, 1)), pu=np.zeros((N_A, 1)), po=np.zeros((N_A, 1)))
    a, y_pred, c, _ = lstm.lstm_forward(x, a0, parameters)
    a_p, y_p, c_p, _ = lstm.lstm_forward(x, a0, with_zero, peephole=True)
    np.testing.assert_array_equal(a, a_p)
    np.testing.assert_array_equal(c, c_p)


def test_peephole_forward_matches_torch_by_hand():
    x, _, a0, parameters, _ = make_problem(seed=6, peephole=True)
    a, y_pred, c, _ = lstm.lstm_forward(x, a0, parameters, peephole=True)
    t = {k: torch.tensor(v) for k, v in parameters.items()}
    a_t, c_t, z_t = torch_lstm_by_hand(parameters, True)(t, torch.tensor(x), torch.tensor(a0))
    assert np.max(np.abs(a - a_t.numpy())) <= 1e-12
    assert np.max(np.abs(c - c_t.numpy())) <= 1e-12
    assert np.max(np.abs(y_pred - torch.softmax(z_t, dim=0).numpy())) <= 1e-12


def test_note_004_output_without_tanh_differs_from_torch():
    # Note 004 writes a^{<t>} = Γo * c^{<t>}; torch (and every standard LSTM) uses
    # a^{<t>} = Γo * tanh(c^{<t>}). The slip is not a rounding matter: the states differ.
    x, _, a0, parameters, _ = make_problem(seed=2)
    t = {k: torch.tensor(v) for k, v in parameters.items()}
    with torch.no_grad():
        a_note, _, _ = torch_lstm_by_hand(parameters, False, tanh_on_cell=False)(
            t, torch.tensor(x), torch.tensor(a0))
    a_torch, _, _ = run_torch_lstm(copy_into_torch_lstm(parameters), x, a0)
    a_ours, _, _, _ = lstm.lstm_forward(x, a0, parameters)
    assert np.max(np.abs(a_note.numpy() - a_torch)) > 1e-3
    assert np.max(np.abs(a_ours - a_torch)) <= 1e-12


# --------------------------------------------------------------------------- torch mapping
def test_to_torch_lstm_reproduces_the_forward_pass_batch_first():
    x, _, a0, parameters, _ = make_problem(seed=8)
    a, _, c, _ = lstm.lstm_forward(x, a0, parameters)
    state = torch.random.get_rng_state()
    net = lstm.to_torch_lstm(parameters)
    assert torch.equal(state, torch.random.get_rng_state()), "global torch RNG was touched"
    assert net.batch_first and net.weight_ih_l0.dtype == torch.float64
    assert net.weight_ih_l0.shape == (4 * N_A, N_X) and net.weight_hh_l0.shape == (4 * N_A, N_A)
    with torch.no_grad():
        out, (h_n, c_n) = net(torch.tensor(x.transpose(1, 2, 0)),  # (m, T_x, n_x)
                              (torch.tensor(a0.T)[None], torch.zeros(1, M, N_A, dtype=torch.float64)))
    assert np.max(np.abs(a - out.numpy().transpose(2, 0, 1))) <= 1e-12
    assert np.max(np.abs(c[:, :, -1] - c_n[0].numpy().T)) <= 1e-12


def test_from_torch_lstm_inverts_to_torch_and_reads_both_biases():
    _, _, _, parameters, _ = make_problem(seed=9)
    back = lstm.from_torch_lstm(lstm.to_torch_lstm(parameters, batch_first=False))
    assert set(back) == set(GATE_PARAMS)
    for k in GATE_PARAMS:
        np.testing.assert_array_equal(back[k], parameters[k])
    # a torch-initialised module with two nonzero biases and a Linear head
    torch.manual_seed(0)
    net, head = torch.nn.LSTM(N_X, N_A, dtype=torch.float64), torch.nn.Linear(N_A, N_Y, dtype=torch.float64)
    p = lstm.from_torch_lstm(net, output_layer=head)
    assert list(p) == list(lstm.PARAMETER_NAMES)
    x, _, a0, _, _ = make_problem(seed=10)
    a, y_pred, _, _ = lstm.lstm_forward(x, a0, p)
    a_torch, _, _ = run_torch_lstm(net, x, a0)
    assert np.max(np.abs(a - a_torch)) <= 1e-12
    with torch.no_grad():
        y_torch = torch.softmax(head(torch.tensor(a_torch.transpose(1, 2, 0))), dim=-1).numpy()
    assert np.max(np.abs(y_pred - y_torch.transpose(2, 0, 1))) <= 1e-12


def test_torch_conversion_errors():
    _, _, _, parameters, _ = make_problem(seed=1, peephole=True)
    with pytest.raises(ValueError, match="no peephole"):
        lstm.to_torch_lstm(parameters)
    zero = dict(parameters, **{k: np.zeros((N_A, 1)) for k in lstm.PEEPHOLE_NAMES})
    assert lstm.to_torch_lstm(zero).hidden_size == N_A
    with pytest.raises(ValueError, match="num_layers=2"):
        lstm.from_torch_lstm(torch.nn.LSTM(N_X, N_A, num_layers=2))
    with pytest.raises(ValueError, match="bidirectional=True"):
        lstm.from_torch_lstm(torch.nn.LSTM(N_X, N_A, bidirectional=True))
    with pytest.raises(TypeError, match="torch.nn.LSTM"):
        lstm.from_torch_lstm(torch.nn.GRU(N_X, N_A))


# --------------------------------------------------------------------------- gradients
@pytest.mark.parametrize("peephole", [False, True])
@pytest.mark.parametrize("use_mask", [False, True])
def test_loss_and_bptt_match_torch_autograd(peephole, use_mask):
    x, y, a0, parameters, mask = make_problem(seed=3, peephole=peephole)
    mask = mask if use_mask else None
    loss, grads = lstm.lstm_loss_and_gradients(x, y, a0, parameters, mask, peephole)
    ref_loss, ref_grads = torch_reference(x, y, a0, parameters, mask, peephole)
    assert abs(loss - ref_loss) <= 1e-10
    assert set(grads) == set(ref_grads)
    for name, g in grads.items():
        assert g.shape == ref_grads[name].shape, name
        assert np.max(np.abs(g - ref_grads[name])) <= 1e-10, name


def test_bptt_matches_autograd_through_torch_nn_lstm():
    # A second, independent reference: nn.LSTM's own backward, mapped back to W = [W_hh | W_ih].
    x, y, a0, parameters, _ = make_problem(seed=11)
    _, grads = lstm.lstm_loss_and_gradients(x, y, a0, parameters)
    net = copy_into_torch_lstm(parameters)
    tx = torch.tensor(x.transpose(2, 1, 0), requires_grad=True)
    th0 = torch.tensor(a0.T[None], requires_grad=True)
    out, _ = net(tx, (th0, torch.zeros(1, M, N_A, dtype=torch.float64)))
    logits = out @ torch.tensor(parameters["Wy"]).T + torch.tensor(parameters["by"][:, 0])
    loss = -(torch.tensor(y.transpose(2, 1, 0)) * torch.log_softmax(logits, -1)).sum() / M
    loss.backward()
    g_ih, g_hh, g_b = net.weight_ih_l0.grad.numpy(), net.weight_hh_l0.grad.numpy(), net.bias_ih_l0.grad.numpy()
    for k, g in enumerate("ufco"):
        rows = slice(k * N_A, (k + 1) * N_A)
        assert np.max(np.abs(grads["dW" + g] - np.hstack([g_hh[rows], g_ih[rows]]))) <= 1e-10, g
        assert np.max(np.abs(grads["db" + g][:, 0] - g_b[rows])) <= 1e-10, g
    assert np.max(np.abs(grads["dx"] - tx.grad.numpy().transpose(2, 1, 0))) <= 1e-10
    assert np.max(np.abs(grads["da0"] - th0.grad[0].numpy().T)) <= 1e-10


def _check_all(parameters, x, y, a0, mask, peephole):
    _, grads = lstm.lstm_loss_and_gradients(x, y, a0, parameters, mask, peephole)
    arrays = dict(parameters, x=x, a0=a0)
    return gradient_check(
        lambda: lstm.lstm_loss_and_gradients(x, y, a0, parameters, mask, peephole)[0],
        arrays, {name: grads["d" + name] for name in arrays})


@pytest.mark.parametrize("peephole", [False, True])
def test_bptt_passes_gradient_check_for_every_parameter_x_and_a0(peephole):
    x, y, a0, parameters, mask = make_problem(seed=7, peephole=peephole)
    errors = _check_all(parameters, x, y, a0, mask, peephole)
    assert set(errors) == set(parameters) | {"x", "a0"}
    assert max(errors.values()) < 1e-7, errors


def test_cell_backward_equals_sequence_backward_for_one_step():
    x, _, a0, parameters, _ = make_problem(seed=12, peephole=True)
    _, _, _, caches = lstm.lstm_forward(x[:, :, :1], a0, parameters, peephole=True)
    da = np.random.default_rng(0).standard_normal((N_A, M, 1))
    seq = lstm.lstm_backward(da, caches)
    cell = lstm.lstm_cell_backward(da[:, :, 0], np.zeros((N_A, M)), caches[0])
    for k in ("dWf", "dbu", "dWc", "dbo", "dpf", "dpu", "dpo"):
        np.testing.assert_array_equal(seq[k], cell[k])
    np.testing.assert_array_equal(seq["da0"], cell["da_prev"])
    np.testing.assert_array_equal(seq["dx"][:, :, 0], cell["dxt"])


def _cell_backward_with_mistake(mistake):
    """A standard-LSTM cell backward written here from the equations, with one planted mistake."""
    def backward(da_next, dc_next, cache):
        a_next, c_next, a_prev, c_prev, g_f, g_u, c_tilde, g_o, xt, p, _ = cache
        tanh_c = np.tanh(c_next)
        dgamma_o = da_next * (c_next if mistake == "dgamma_o_uses_c_not_tanh_c" else tanh_c)
        dz_o = dgamma_o * g_o * (1 - g_o)
        if mistake == "missing_tanh_derivative_in_dc":
            dc = dc_next + da_next * g_o
        elif mistake == "dc_next_not_added":
            dc = da_next * g_o * (1 - tanh_c**2)
        else:
            dc = dc_next + da_next * g_o * (1 - tanh_c**2)
        dz_f = dc * c_prev * g_f * (1 - g_f)
        dz_u = dc * c_tilde * g_u * (1 - g_u)
        dz_c = dc * g_u * (1 - (c_tilde if mistake == "candidate_derivative_uses_c_tilde" else c_tilde**2))
        concat = np.vstack([a_prev, xt])
        dconcat = p["Wf"].T @ dz_f + p["Wu"].T @ dz_u + p["Wc"].T @ dz_c + p["Wo"].T @ dz_o
        out = {"dxt": dconcat[N_A:], "da_prev": dconcat[:N_A],
               "dc_prev": dc if mistake == "missing_forget_gate_in_dc_prev" else dc * g_f}
        for g, dz in zip("fuco", (dz_f, dz_u, dz_c, dz_o)):
            out["dW" + g], out["db" + g] = dz @ concat.T, dz.sum(axis=1, keepdims=True)
        return out
    return backward


@pytest.mark.parametrize("mistake", [
    None,  # the helper itself is right, so the failures below come from the planted mistake
    "missing_forget_gate_in_dc_prev",
    "missing_tanh_derivative_in_dc",
    "dc_next_not_added",
    "dgamma_o_uses_c_not_tanh_c",
    "candidate_derivative_uses_c_tilde",
])
def test_plausible_backward_mistakes_fail_the_gradient_check(mistake, monkeypatch):
    x, y, a0, parameters, mask = make_problem(seed=13)
    monkeypatch.setattr(lstm, "lstm_cell_backward", _cell_backward_with_mistake(mistake))
    errors = _check_all(parameters, x, y, a0, mask, False)
    if mistake is None:
        assert max(errors.values()) < 1e-7, errors
    else:
        assert max(errors.values()) > 1e-3, errors


# --------------------------------------------------------------------------- validation, init
def test_shape_errors_name_the_array_and_the_expected_shape():
    x, _, a0, parameters, _ = make_problem()
    c0 = np.zeros((N_A, M))
    with pytest.raises(ValueError, match=r"xt has shape \(2, 2\) but \(n_x, m\) = \(3, \?\)"):
        lstm.lstm_cell_forward(np.zeros((2, 2)), a0, c0, parameters)
    with pytest.raises(ValueError, match=r"a_prev has shape \(4, 3\) but \(n_a, m\) = \(4, 2\)"):
        lstm.lstm_cell_forward(x[:, :, 0], np.zeros((4, 3)), c0, parameters)
    with pytest.raises(ValueError, match=r"c_prev has shape \(4,\) but \(n_a, m\) = \(4, 2\)"):
        lstm.lstm_cell_forward(x[:, :, 0], a0, np.zeros(4), parameters)
    with pytest.raises(ValueError, match=r"x has shape \(3, 2\) but \(n_x, m, T_x\)"):
        lstm.lstm_forward(x[:, :, 0], a0, parameters)
    with pytest.raises(ValueError, match=r"a0 has shape \(2, 4\) but \(n_a, m\) = \(4, 2\)"):
        lstm.lstm_forward(x, a0.T, parameters)
    with pytest.raises(ValueError, match=r"parameters\['Wu'\] has shape \(4, 3\) but \(n_a, n_a \+ n_x\) = \(4, 7\)"):
        lstm.lstm_forward(x, a0, dict(parameters, Wu=np.zeros((4, 3))))
    with pytest.raises(ValueError, match=r"parameters\['bo'\] has shape \(4,\) but \(n_a, 1\)"):
        lstm.lstm_forward(x, a0, dict(parameters, bo=np.zeros(4)))
    with pytest.raises(ValueError, match=r"parameters\['Wy'\] has shape \(3, 5\) but \(n_y, n_a\) = \(\?, 4\)"):
        lstm.lstm_forward(x, a0, dict(parameters, Wy=np.zeros((3, 5))))
    with pytest.raises(ValueError, match=r"parameters\['po'\] has shape \(1, 4\) but \(n_a, 1\)"):
        lstm.lstm_forward(x, a0, dict(parameters, pf=c0[:, :1], pu=c0[:, :1], po=np.zeros((1, 4))),
                          peephole=True)
    _, _, _, caches = lstm.lstm_forward(x, a0, parameters)
    with pytest.raises(ValueError, match=r"da has shape \(4, 2, 4\) but \(n_a, m, T_x\) = \(4, 2, 5\)"):
        lstm.lstm_backward(np.zeros((4, 2, 4)), caches)
    with pytest.raises(ValueError, match=r"dc_next has shape \(4, 1\) but \(n_a, m\) = \(4, 2\)"):
        lstm.lstm_cell_backward(c0, np.zeros((4, 1)), caches[0])
    with pytest.raises(ValueError, match=r"y has shape \(3, 2, 4\) but \(n_y, m, T_y\)"):
        lstm.lstm_loss_and_gradients(x, np.zeros((3, 2, 4)), a0, parameters)
    with pytest.raises(TypeError, match="xt must be a numpy array of shape \\(n_x, m\\)"):
        lstm.lstm_cell_forward(x[:, :, 0].tolist(), a0, c0, parameters)


def test_missing_and_unexpected_parameters_are_named():
    x, _, a0, parameters, _ = make_problem()
    with pytest.raises(KeyError, match=r"missing \['bo'\]"):
        lstm.lstm_forward(x, a0, {k: v for k, v in parameters.items() if k != "bo"})
    with pytest.raises(KeyError, match=r"missing \['pf', 'pu', 'po'\]"):
        lstm.lstm_forward(x, a0, parameters, peephole=True)
    with_peep = dict(parameters, pf=np.zeros((N_A, 1)))
    with pytest.raises(ValueError, match=r"peephole weights \['pf'\] but peephole=False"):
        lstm.lstm_forward(x, a0, with_peep)
    with pytest.raises(ValueError, match="caches is empty"):
        lstm.lstm_backward(np.zeros((N_A, M, 0)), [])


def test_initialisation_is_seeded_and_has_the_documented_shapes():
    p1, p2 = lstm.initialize_parameters(3, 4, 2, seed=5), lstm.initialize_parameters(3, 4, 2, seed=5)
    p3 = lstm.initialize_parameters(3, 4, 2, seed=6)
    assert all(np.array_equal(p1[k], p2[k]) for k in p1)
    assert not np.array_equal(p1["Wf"], p3["Wf"])
    assert {k: v.shape for k, v in p1.items()} == {
        **{"W" + g: (3, 7) for g in "fuco"}, **{"b" + g: (3, 1) for g in "fuco"},
        "Wy": (2, 3), "by": (2, 1)}
    assert all(v.dtype == np.float64 for v in p1.values())
    assert all(not np.any(p1["b" + g]) for g in "fuco")
    # the forget-bias trick and peepholes change nothing else
    p4 = lstm.initialize_parameters(3, 4, 2, seed=5, forget_bias=1.0, peephole=True)
    np.testing.assert_array_equal(p4["bf"], np.ones((3, 1)))
    assert all(np.array_equal(p4[k], p1[k]) for k in p1 if k != "bf")
    assert all(p4[k].shape == (3, 1) and not np.any(p4[k]) for k in lstm.PEEPHOLE_NAMES)
    np.testing.assert_allclose(lstm.initialize_parameters(3, 4, 2, scale=0.0)["Wc"], 0.0)
    with pytest.raises(ValueError, match="n_x must be a positive integer"):
        lstm.initialize_parameters(3, 0, 2)
