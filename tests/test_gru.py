"""course_lib.gru against independent references: torch.nn.GRU, torch autograd, finite differences."""

import numpy as np
import pytest
import torch

from course_lib import gru, rnn
from course_lib.gradcheck import gradient_check

N_A, N_X, N_Y, M, T_X = 5, 4, 3, 2, 6


def make_problem(seed=0, variant="notes"):
    """Random parameters with non-zero biases, inputs, one-hot targets and a mask with padding."""
    rng = np.random.default_rng(seed)
    parameters = gru.initialize_parameters(N_A, N_X, N_Y, seed=seed + 1, variant=variant)
    for name in parameters:
        if name.startswith("b"):
            parameters[name] = rng.standard_normal(parameters[name].shape) * 0.5
    x = rng.standard_normal((N_X, M, T_X))
    a0 = rng.standard_normal((N_A, M)) * 0.5
    y = np.eye(N_Y)[:, rng.integers(0, N_Y, size=(M, T_X))]
    mask = np.ones((M, T_X), dtype=bool)
    mask[1, 4:] = False
    return x, y, a0, parameters, mask


def torch_notes_reference(x, y, a0, parameters, mask):
    """The notes' GRU equations written directly in torch (float64), differentiated by autograd.

    Γr = σ(W_r[c;x]+b_r), c̃ = tanh(W_c[Γr*c; x]+b_c), Γu = σ(W_u[c;x]+b_u),
    c = Γu*c̃ + (1-Γu)*c, ŷ = softmax(W_y c + b_y).
    """
    t = {k: torch.tensor(v, requires_grad=True) for k, v in parameters.items()}
    tx = torch.tensor(x, requires_grad=True)
    ta0 = torch.tensor(a0, requires_grad=True)
    c, loss, states = ta0, 0.0, []
    for step in range(x.shape[2]):
        xt = tx[:, :, step]
        s = torch.cat([c, xt], dim=0)
        gamma_r = torch.sigmoid(t["Wr"] @ s + t["br"])
        c_tilde = torch.tanh(t["Wc"] @ torch.cat([gamma_r * c, xt], dim=0) + t["bc"])
        gamma_u = torch.sigmoid(t["Wu"] @ s + t["bu"])
        c = gamma_u * c_tilde + (1 - gamma_u) * c
        states.append(c)
        log_p = torch.log_softmax(t["Wy"] @ c + t["by"], dim=0)
        per_example = -(torch.tensor(y[:, :, step]) * log_p).sum(dim=0)
        loss = loss + (per_example * torch.tensor(mask[:, step], dtype=torch.float64)).sum() / x.shape[1]
    loss.backward()
    grads = {"d" + k: v.grad.numpy() for k, v in t.items()}
    grads["dx"], grads["da0"] = tx.grad.numpy(), ta0.grad.numpy()
    return float(loss.detach()), torch.stack(states, dim=2).detach().numpy(), grads


# --------------------------------------------------------------------------- torch.nn.GRU
def test_torch_variant_matches_torch_nn_gru_with_copied_weights():
    x, _, a0, parameters, _ = make_problem(seed=2, variant="torch")
    a, y_hat, _ = gru.gru_forward(x, a0, parameters, variant="torch")
    net = gru.to_torch_gru(parameters)
    # torch (batch_first) wants (m, T_x, n_x); the notes use (n_x, m, T_x)
    with torch.no_grad():
        out, h_last = net(torch.tensor(x.transpose(1, 2, 0)), torch.tensor(a0.T)[None])
    assert np.max(np.abs(a - out.numpy().transpose(2, 0, 1))) <= 1e-12
    assert np.max(np.abs(a[:, :, -1] - h_last[0].numpy().T)) <= 1e-12
    np.testing.assert_allclose(y_hat.sum(axis=0), 1.0, atol=1e-12)


def test_from_torch_gru_reads_a_default_initialised_module():
    torch.manual_seed(0)
    net = torch.nn.GRU(N_X, N_A, batch_first=True, dtype=torch.float64)  # both biases non-zero
    linear = torch.nn.Linear(N_A, N_Y, dtype=torch.float64)
    parameters = gru.from_torch_gru(net, output_layer=linear)
    x, _, a0, _, _ = make_problem(seed=4)
    a, y_hat, _ = gru.gru_forward(x, a0, parameters, variant="torch")
    with torch.no_grad():
        out, _ = net(torch.tensor(x.transpose(1, 2, 0)), torch.tensor(a0.T)[None])
        ref_y = torch.softmax(linear(out), dim=-1)
    assert np.max(np.abs(a - out.numpy().transpose(2, 0, 1))) <= 1e-12
    assert np.max(np.abs(y_hat - ref_y.numpy().transpose(2, 0, 1))) <= 1e-12
    # torch's z is the keep gate: Γu = 1 - z, so W_u is minus torch's z rows
    z_rows = slice(N_A, 2 * N_A)
    np.testing.assert_array_equal(parameters["Wu"][:, N_A:], -net.weight_ih_l0.detach().numpy()[z_rows])


def test_to_and_from_torch_round_trip():
    _, _, _, parameters, _ = make_problem(seed=5, variant="torch")
    back = gru.from_torch_gru(gru.to_torch_gru(parameters))
    assert set(back) == set(gru.GATE_NAMES + ("bch",))  # no output layer without output_layer=
    for name in back:
        np.testing.assert_array_equal(back[name], parameters[name], err_msg=name)


def test_from_torch_gru_reads_every_layer_and_direction_and_rejects_others():
    torch.manual_seed(1)
    net = torch.nn.GRU(N_X, N_A, num_layers=2, bidirectional=True, dtype=torch.float64)
    top_reverse = gru.from_torch_gru(net, layer=1, reverse=True)
    assert top_reverse["Wc"].shape == (N_A, N_A + 2 * N_A)  # layer 2 reads [a→; a←] of layer 1
    np.testing.assert_array_equal(top_reverse["bch"][:, 0], net.bias_hh_l1_reverse.detach().numpy()[2 * N_A:])
    with pytest.raises(ValueError, match="no layer=2"):
        gru.from_torch_gru(net, layer=2)
    with pytest.raises(ValueError, match="reverse=True"):
        gru.from_torch_gru(torch.nn.GRU(N_X, N_A, dtype=torch.float64), reverse=True)
    with pytest.raises(TypeError, match="must be a torch.nn.GRU"):
        gru.from_torch_gru(torch.nn.LSTM(N_X, N_A))
    with pytest.raises(ValueError, match="in_features=3"):
        gru.from_torch_gru(net, output_layer=torch.nn.Linear(3, N_Y))


def test_to_torch_gru_leaves_the_torch_random_state_alone():
    _, _, _, parameters, _ = make_problem(seed=5)
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    gru.to_torch_gru(parameters)
    assert torch.equal(torch.rand(3), expected)


# --------------------------------------------------------------------------- torch autograd
def test_notes_variant_forward_loss_and_gradients_match_torch_autograd():
    x, y, a0, parameters, mask = make_problem(seed=3)
    a, _, _ = gru.gru_forward(x, a0, parameters)
    loss, grads = gru.gru_loss_and_gradients(x, y, a0, parameters, mask=mask)
    ref_loss, ref_a, ref_grads = torch_notes_reference(x, y, a0, parameters, mask)
    assert np.max(np.abs(a - ref_a)) <= 1e-10
    assert abs(loss - ref_loss) <= 1e-10
    assert set(grads) == set(ref_grads)
    for name, g in grads.items():
        assert g.shape == ref_grads[name].shape, name
        assert np.max(np.abs(g - ref_grads[name])) <= 1e-10, name


def test_torch_variant_gradients_match_torch_nn_gru_autograd():
    x, y, a0, parameters, _ = make_problem(seed=6, variant="torch")
    loss, grads = gru.gru_loss_and_gradients(x, y, a0, parameters, variant="torch")
    net = gru.to_torch_gru(parameters)
    tx = torch.tensor(x.transpose(1, 2, 0), requires_grad=True)
    Wy = torch.tensor(parameters["Wy"], requires_grad=True)
    by = torch.tensor(parameters["by"][:, 0], requires_grad=True)
    out, _ = net(tx, torch.tensor(a0.T)[None])
    log_p = torch.log_softmax(out @ Wy.T + by, dim=-1)              # (m, T_x, n_y)
    ref = -(torch.tensor(y.transpose(1, 2, 0)) * log_p).sum() / M
    ref.backward()
    assert abs(loss - ref.item()) <= 1e-10
    assert np.max(np.abs(grads["dx"] - tx.grad.numpy().transpose(2, 0, 1))) <= 1e-10
    assert np.max(np.abs(grads["dWy"] - Wy.grad.numpy())) <= 1e-10
    # torch's gradient with respect to the n rows of weight_hh is dW_c's c^{<t-1>} columns
    n_rows = slice(2 * N_A, 3 * N_A)
    assert np.max(np.abs(grads["dWc"][:, :N_A] - net.weight_hh_l0.grad.numpy()[n_rows])) <= 1e-10
    assert np.max(np.abs(grads["dbch"][:, 0] - net.bias_hh_l0.grad.numpy()[n_rows])) <= 1e-10
    # and dW_u is minus the z rows (Γu = 1 - z)
    z_rows = slice(N_A, 2 * N_A)
    assert np.max(np.abs(grads["dWu"][:, N_A:] + net.weight_ih_l0.grad.numpy()[z_rows])) <= 1e-10


# --------------------------------------------------------------------------- finite differences
@pytest.mark.parametrize("variant", gru.VARIANTS)
def test_gradient_check_every_parameter_x_and_a0(variant):
    x, y, a0, parameters, mask = make_problem(seed=7, variant=variant)
    x, y, mask = x[:, :, :4], y[:, :, :4], mask[:, :4]  # four steps keep the differences fast
    _, grads = gru.gru_loss_and_gradients(x, y, a0, parameters, mask=mask, variant=variant)
    arrays = dict(parameters, x=x, a0=a0)

    def f():
        return gru.gru_loss_and_gradients(x, y, a0, parameters, mask=mask, variant=variant)[0]

    errors = gradient_check(f, arrays, {k: grads["d" + k] for k in arrays})
    assert max(errors.values()) < 1e-7, errors


def test_cell_backward_matches_torch_autograd_for_one_step():
    _, _, _, parameters, _ = make_problem(seed=8)
    rng = np.random.default_rng(8)
    xt, c_prev, dc_next = rng.standard_normal((N_X, M)), rng.standard_normal((N_A, M)), rng.standard_normal((N_A, M))
    c_next, _, cache = gru.gru_cell_forward(xt, c_prev, parameters)
    step = gru.gru_cell_backward(dc_next, cache)
    t = {k: torch.tensor(parameters[k], requires_grad=True) for k in gru.GATE_NAMES}
    tx, tc = torch.tensor(xt, requires_grad=True), torch.tensor(c_prev, requires_grad=True)
    s = torch.cat([tc, tx])
    gamma_r = torch.sigmoid(t["Wr"] @ s + t["br"])
    gamma_u = torch.sigmoid(t["Wu"] @ s + t["bu"])
    c_tilde = torch.tanh(t["Wc"] @ torch.cat([gamma_r * tc, tx]) + t["bc"])
    out = gamma_u * c_tilde + (1 - gamma_u) * tc
    (out * torch.tensor(dc_next)).sum().backward()
    assert np.max(np.abs(c_next - out.detach().numpy())) <= 1e-12
    assert np.max(np.abs(step["dxt"] - tx.grad.numpy())) <= 1e-12
    assert np.max(np.abs(step["dc_prev"] - tc.grad.numpy())) <= 1e-12
    for k in gru.GATE_NAMES:
        assert np.max(np.abs(step["d" + k] - t[k].grad.numpy())) <= 1e-12, k


# --------------------------------------------------------------------------- the two variants
def test_notes_and_torch_variants_differ_measurably():
    """Γr before the product (Cho et al.) vs after it (torch/cuDNN): not the same function."""
    x, _, a0, parameters, _ = make_problem(seed=9, variant="torch")
    parameters["bch"][:] = 0.0  # even with no extra bias the two differ
    a_notes, _, _ = gru.gru_forward(x, a0, parameters, variant="notes")
    a_torch, _, _ = gru.gru_forward(x, a0, parameters, variant="torch")
    assert np.max(np.abs(a_notes - a_torch)) > 1e-2


def test_variants_agree_when_the_relevance_gate_is_one():
    x, _, a0, parameters, _ = make_problem(seed=9, variant="torch")
    parameters["bch"][:] = 0.0
    parameters["br"][:] = 40.0  # Γr = σ(40 + ...) = 1 to machine precision
    a_notes, _, _ = gru.gru_forward(x, a0, parameters, variant="notes")
    a_torch, _, _ = gru.gru_forward(x, a0, parameters, variant="torch")
    assert np.max(np.abs(a_notes - a_torch)) <= 1e-12


# --------------------------------------------------------------------------- the notes' claims
def test_update_gate_near_zero_keeps_the_memory_for_100_steps():
    """Note 004: with Γu ≈ 0, c^{<t>} ≈ c^{<t-1>}, so c^{<0>} survives many steps."""
    rng = np.random.default_rng(10)
    parameters = gru.initialize_parameters(N_A, N_X, N_Y, seed=10)
    parameters["bu"][:] = -10.0
    x = rng.standard_normal((N_X, M, 100))
    a0 = rng.uniform(-1, 1, (N_A, M))
    a, _, caches = gru.gru_forward(x, a0, parameters)
    gamma_u = np.stack([cache[5] for cache in caches])
    assert gamma_u.max() < 1e-3
    # each step moves c by Γu (c̃ - c_prev), at most 2 Γu: after 100 steps c^{<0>} is still there
    assert np.max(np.abs(a[:, :, -1] - a0)) < 0.05
    # ... whereas a plain RNN of the same size has forgotten a^{<0>}
    p_rnn = rnn.initialize_parameters(N_A, N_X, N_Y, seed=10)
    a_rnn, _, _ = rnn.rnn_forward(x, a0, p_rnn)
    a_rnn_other, _, _ = rnn.rnn_forward(x, -a0, p_rnn)
    assert np.max(np.abs(a_rnn[:, :, -1] - a_rnn_other[:, :, -1])) < 1e-6


def test_update_gate_one_overwrites_the_memory():
    """Γu = 1: c^{<t>} = c̃^{<t>}; with Γr = 1 too this is the plain RNN with W_a = W_c."""
    rng = np.random.default_rng(11)
    parameters = gru.initialize_parameters(N_A, N_X, N_Y, seed=11)
    parameters["bu"][:] = 40.0
    parameters["br"][:] = 40.0
    x = rng.standard_normal((N_X, M, 8))
    a0 = rng.uniform(-1, 1, (N_A, M))
    a, _, caches = gru.gru_forward(x, a0, parameters)
    np.testing.assert_allclose(a[:, :, 0], caches[0][4], atol=1e-12)  # c^{<1>} = c̃^{<1>}
    p_rnn = {"Waa": parameters["Wc"][:, :N_A], "Wax": parameters["Wc"][:, N_A:],
             "ba": parameters["bc"], "Wya": parameters["Wy"], "by": parameters["by"]}
    a_rnn, _, _ = rnn.rnn_forward(x, a0, p_rnn)
    assert np.max(np.abs(a - a_rnn)) <= 1e-12
    # and c^{<0>} is forgotten as fast as the RNN forgets it: a different a0 changes little later
    a_other, _, _ = gru.gru_forward(x, -a0, parameters)
    assert np.max(np.abs(a[:, :, -1] - a_other[:, :, -1])) < 0.1 * np.max(np.abs(a[:, :, 0] - a_other[:, :, 0]))


def test_simplified_gru_equals_full_gru_with_relevance_gate_one():
    x, _, a0, parameters, _ = make_problem(seed=12)
    c_simple, y_simple, _ = gru.simple_gru_forward(x, a0, parameters)
    parameters["br"][:] = 40.0
    c_full, y_full, _ = gru.gru_forward(x, a0, parameters)
    assert np.max(np.abs(c_simple - c_full)) <= 1e-12
    assert np.max(np.abs(y_simple - y_full)) <= 1e-12
    simple = {k: parameters[k] for k in gru.SIMPLE_GATE_NAMES + gru.OUTPUT_NAMES}  # no Wr, br
    c_one, _, _ = gru.simple_gru_cell_forward(x[:, :, 0], a0, simple)
    np.testing.assert_array_equal(c_one, c_simple[:, :, 0])


def test_simplified_gru_cell_matches_a_hand_computation():
    parameters = {"Wu": np.array([[0.0, 1.0]]), "bu": np.array([[0.0]]),
                  "Wc": np.array([[1.0, 0.0]]), "bc": np.array([[0.5]]),
                  "Wy": np.array([[1.0], [0.0]]), "by": np.zeros((2, 1))}
    c_prev, xt = np.array([[0.2]]), np.array([[0.0]])   # Γu = σ(0) = 1/2, c̃ = tanh(0.7)
    c_next, _, (_, _, _, c_tilde, gamma_u) = gru.simple_gru_cell_forward(xt, c_prev, parameters)
    assert gamma_u[0, 0] == 0.5
    assert c_next[0, 0] == pytest.approx(0.5 * np.tanh(0.7) + 0.5 * 0.2, abs=1e-15)


# --------------------------------------------------------------------------- errors and init
def test_shape_errors_name_the_array_and_the_expected_shape():
    x, _, a0, parameters, _ = make_problem()
    with pytest.raises(ValueError, match=r"x has shape \(3, 2, 6\) but \(n_x, m, T_x\) = \(4, \?, \?\)"):
        gru.gru_forward(x[:3], a0, parameters)
    with pytest.raises(ValueError, match=r"a0 has shape \(5, 3\) but \(n_a, m\) = \(5, 2\)"):
        gru.gru_forward(x, np.zeros((N_A, 3)), parameters)
    with pytest.raises(ValueError, match=r"c_prev has shape"):
        gru.gru_cell_forward(x[:, :, 0], np.zeros((N_A + 1, M)), parameters)
    bad = dict(parameters, Wr=parameters["Wr"][:, :-1])
    with pytest.raises(ValueError, match=r"parameters\['Wr'\] has shape \(5, 8\) but \(n_a, n_a \+ n_x\) = \(5, 9\)"):
        gru.gru_forward(x, a0, bad)
    with pytest.raises(KeyError, match="bch"):
        gru.gru_forward(x, a0, parameters, variant="torch")
    with pytest.raises(KeyError, match="Wr"):
        gru.gru_forward(x, a0, {k: v for k, v in parameters.items() if k != "Wr"})
    with pytest.raises(ValueError, match="variant must be one of"):
        gru.gru_forward(x, a0, parameters, variant="cudnn")
    _, _, caches = gru.gru_forward(x, a0, parameters)
    with pytest.raises(ValueError, match=r"da has shape"):
        gru.gru_backward(np.zeros((N_A, M, T_X - 1)), caches)
    with pytest.raises(TypeError, match="xt must be a numpy array"):
        gru.gru_cell_forward(x[:, :, 0].tolist(), a0, parameters)


def test_initialize_parameters_is_seeded_and_shaped():
    p1 = gru.initialize_parameters(N_A, N_X, N_Y, seed=3)
    p2 = gru.initialize_parameters(N_A, N_X, N_Y, seed=3)
    p3 = gru.initialize_parameters(N_A, N_X, N_Y, seed=4)
    assert set(p1) == set(gru.GATE_NAMES + gru.OUTPUT_NAMES)
    assert gru.dimensions(p1) == (N_A, N_X, N_Y)
    for k in p1:
        np.testing.assert_array_equal(p1[k], p2[k])
        assert p1[k].dtype == np.float64
    assert not np.array_equal(p1["Wc"], p3["Wc"])
    assert p1["Wu"].shape == (N_A, N_A + N_X) and p1["by"].shape == (N_Y, 1)
    assert "bch" in gru.initialize_parameters(N_A, N_X, N_Y, variant="torch")
    with pytest.raises(ValueError, match="n_a must be a positive integer"):
        gru.initialize_parameters(0, N_X, N_Y)
