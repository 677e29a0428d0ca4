"""course_lib.rnn against independent references: torch autograd, torch.nn.RNN, finite differences."""

import numpy as np
import pytest
import torch

from course_lib import rnn
from course_lib.gradcheck import gradient_check

N_A, N_X, N_Y, M, T_X = 5, 4, 3, 2, 6


def make_problem(g2="softmax", seed=0, g1="tanh"):
    rng = np.random.default_rng(seed)
    parameters = rnn.initialize_parameters(N_A, N_X, N_Y, seed=seed + 1)
    parameters["ba"] = rng.standard_normal((N_A, 1)) * 0.1
    parameters["by"] = rng.standard_normal((N_Y, 1)) * 0.1
    x = rng.standard_normal((N_X, M, T_X))
    a0 = rng.standard_normal((N_A, M)) * 0.5
    if g2 == "softmax":
        y = np.eye(N_Y)[:, rng.integers(0, N_Y, size=(M, T_X))]
    else:
        y = rng.integers(0, 2, size=(N_Y, M, T_X)).astype(float)
    mask = np.ones((M, T_X), dtype=bool)
    mask[1, 4:] = False
    return x, y, a0, parameters, mask


def torch_reference(x, y, a0, parameters, g1, g2, mask):
    """The same computation written directly in torch (float64), differentiated by autograd."""
    t = {k: torch.tensor(v, requires_grad=True) for k, v in parameters.items()}
    tx = torch.tensor(x, requires_grad=True)
    ta0 = torch.tensor(a0, requires_grad=True)
    act = torch.tanh if g1 == "tanh" else torch.relu
    a_prev, loss = ta0, 0.0
    m = x.shape[1]
    for step in range(x.shape[2]):
        a_prev = act(t["Waa"] @ a_prev + t["Wax"] @ tx[:, :, step] + t["ba"])
        z = t["Wya"] @ a_prev + t["by"]
        yt = torch.tensor(y[:, :, step])
        if g2 == "softmax":
            per_example = -(yt * torch.log_softmax(z, dim=0)).sum(dim=0)
        else:
            per_example = torch.nn.functional.binary_cross_entropy_with_logits(
                z, yt, reduction="none").sum(dim=0)
        loss = loss + (per_example * torch.tensor(mask[:, step], dtype=torch.float64)).sum() / m
    loss.backward()
    grads = {"d" + k: v.grad.numpy() for k, v in t.items()}
    grads["dx"], grads["da0"] = tx.grad.numpy(), ta0.grad.numpy()
    return float(loss.detach()), grads


@pytest.mark.parametrize("g1", ["tanh", "relu"])
@pytest.mark.parametrize("g2", ["softmax", "sigmoid"])
def test_loss_and_bptt_match_torch_autograd(g1, g2):
    x, y, a0, parameters, mask = make_problem(g2, seed=3, g1=g1)
    loss, grads = rnn.rnn_loss_and_gradients(x, y, a0, parameters, g1, g2, mask)
    ref_loss, ref_grads = torch_reference(x, y, a0, parameters, g1, g2, mask)
    assert abs(loss - ref_loss) <= 1e-10
    assert set(grads) == set(ref_grads)
    for name, g in grads.items():
        assert g.shape == ref_grads[name].shape, name
        assert np.max(np.abs(g - ref_grads[name])) <= 1e-10, name


def test_forward_matches_torch_nn_rnn_with_copied_weights():
    x, _, a0, parameters, _ = make_problem()
    a, y_hat, _ = rnn.rnn_forward(x, a0, parameters)
    net = torch.nn.RNN(N_X, N_A, nonlinearity="tanh", dtype=torch.float64)
    with torch.no_grad():
        # torch: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)  <->  W_ax, b_a, W_aa
        net.weight_ih_l0.copy_(torch.tensor(parameters["Wax"]))
        net.weight_hh_l0.copy_(torch.tensor(parameters["Waa"]))
        net.bias_ih_l0.copy_(torch.tensor(parameters["ba"][:, 0]))
        net.bias_hh_l0.zero_()
        # torch wants (T_x, m, n_x); the notes use (n_x, m, T_x)
        out, h_last = net(torch.tensor(x).permute(2, 1, 0), torch.tensor(a0.T)[None])
    np.testing.assert_allclose(a, out.permute(2, 1, 0).numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(a[:, :, -1], h_last[0].numpy().T, rtol=0, atol=1e-12)
    np.testing.assert_allclose(y_hat.sum(axis=0), 1.0, atol=1e-12)


@pytest.mark.parametrize("g2", ["softmax", "sigmoid"])
def test_bptt_passes_gradient_check(g2):
    x, y, a0, parameters, mask = make_problem(g2, seed=7)
    _, grads = rnn.rnn_loss_and_gradients(x, y, a0, parameters, "tanh", g2, mask)
    arrays = dict(parameters, x=x, a0=a0)
    errors = gradient_check(
        lambda: rnn.rnn_loss_and_gradients(x, y, a0, parameters, "tanh", g2, mask)[0],
        arrays, {name: grads["d" + name] for name in arrays})
    assert max(errors.values()) < 1e-7, errors


def test_gradient_check_catches_a_wrong_gradient():
    x, y, a0, parameters, _ = make_problem()
    _, grads = rnn.rnn_loss_and_gradients(x, y, a0, parameters)
    wrong = dict(grads, dWaa=grads["dWaa"] * 1.01)
    errors = gradient_check(lambda: rnn.rnn_loss_and_gradients(x, y, a0, parameters)[0],
                            {"Waa": parameters["Waa"]}, {"Waa": wrong["dWaa"]})
    assert errors["Waa"] > 1e-3


def test_stacked_form_equals_two_matrix_form():
    x, _, a0, parameters, _ = make_problem()
    Wa = rnn.stack_weights(parameters)
    assert Wa.shape == (N_A, N_A + N_X)
    a_next, _, _ = rnn.rnn_cell_forward(x[:, :, 0], a0, parameters)
    stacked = rnn.rnn_cell_forward_stacked(x[:, :, 0], a0, Wa, parameters["ba"])
    np.testing.assert_allclose(stacked, a_next, rtol=0, atol=1e-14)


def test_notes_dimension_walk_through():
    # n_a = 100, n_x = 10,000: W_a = [W_aa | W_ax] is 100 x 10,100.
    p = rnn.initialize_parameters(100, 10_000, 10_000, seed=0)
    assert rnn.stack_weights(p).shape == (100, 10_100)
    assert p["Wya"].shape == (10_000, 100)


def test_cell_backward_sums_match_sequence_backward_for_one_step():
    x, _, a0, parameters, _ = make_problem()
    _, _, caches = rnn.rnn_forward(x[:, :, :1], a0, parameters)
    da = np.random.default_rng(0).standard_normal((N_A, M, 1))
    seq = rnn.rnn_backward(da, caches)
    cell = rnn.rnn_cell_backward(da[:, :, 0], caches[0])
    np.testing.assert_array_equal(seq["dWaa"], cell["dWaa"])
    np.testing.assert_array_equal(seq["da0"], cell["da_prev"])


def test_initialisation_is_seeded():
    p1, p2 = rnn.initialize_parameters(3, 4, 2, seed=5), rnn.initialize_parameters(3, 4, 2, seed=5)
    p3 = rnn.initialize_parameters(3, 4, 2, seed=6)
    assert all(np.array_equal(p1[k], p2[k]) for k in p1)
    assert not np.array_equal(p1["Wax"], p3["Wax"])
    assert {k: v.shape for k, v in p1.items()} == {
        "Wax": (3, 4), "Waa": (3, 3), "Wya": (2, 3), "ba": (3, 1), "by": (2, 1)}


def test_shape_errors_name_the_array_and_the_expected_shape():
    x, _, a0, parameters, _ = make_problem()
    with pytest.raises(ValueError, match=r"xt has shape \(3, 2\) but \(n_x, m\) = \(4, \?\)"):
        rnn.rnn_cell_forward(np.zeros((3, 2)), a0, parameters)
    with pytest.raises(ValueError, match=r"a_prev has shape \(5, 3\) but \(n_a, m\) = \(5, 2\)"):
        rnn.rnn_cell_forward(x[:, :, 0], np.zeros((5, 3)), parameters)
    with pytest.raises(ValueError, match=r"x has shape \(4, 2\) but \(n_x, m, T_x\)"):
        rnn.rnn_forward(x[:, :, 0], a0, parameters)
    bad = dict(parameters, Waa=np.zeros((5, 4)))
    with pytest.raises(ValueError, match=r"parameters\['Waa'\] has shape \(5, 4\) but \(n_a, n_a\)"):
        rnn.rnn_forward(x, a0, bad)
    with pytest.raises(KeyError, match="missing \\['by'\\]"):
        rnn.rnn_forward(x, a0, {k: v for k, v in parameters.items() if k != "by"})
    with pytest.raises(ValueError, match="g1 must be one of"):
        rnn.rnn_forward(x, a0, parameters, g1="sigmoid")
    with pytest.raises(ValueError, match=r"da has shape \(5, 2, 5\) but \(n_a, m, T_x\) = \(5, 2, 6\)"):
        _, _, caches = rnn.rnn_forward(x, a0, parameters)
        rnn.rnn_backward(np.zeros((5, 2, 5)), caches)
    with pytest.raises(TypeError, match="numpy array"):
        rnn.rnn_forward(x.tolist(), a0, parameters)


def test_softmax_and_sigmoid_are_stable_for_large_inputs():
    z = np.array([[1000.0, -1000.0], [0.0, 0.0]])
    s = rnn.softmax(z)
    assert np.all(np.isfinite(s))
    np.testing.assert_allclose(s.sum(axis=0), 1.0)
    np.testing.assert_allclose(rnn.sigmoid(np.array([-800.0, 0.0, 800.0])), [0.0, 0.5, 1.0])
