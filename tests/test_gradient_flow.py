"""course_lib.gradient_flow against torch autograd (float64), course_lib.rnn and the chain-rule bound."""

import numpy as np
import pytest
import torch

from course_lib import gradient_flow as gf
from course_lib import rnn

N_A, N_X, M, T = 5, 3, 2, 7
TORCH_ACT = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}


def make_problem(seed=0, rho=1.2):
    rng = np.random.default_rng(seed)
    parameters = {
        "Wax": rng.standard_normal((N_A, N_X)),
        "Waa": gf.scale_to_spectral_radius(rng.standard_normal((N_A, N_A)), rho),
        "ba": 0.1 * rng.standard_normal((N_A, 1)),
    }
    x = rng.standard_normal((N_X, M, T))
    a0 = 0.5 * rng.standard_normal((N_A, M))
    return x, a0, parameters


def torch_states(x, a0, parameters, g1, i):
    """Example i's forward pass in torch: returns f(a_t, t) = a^{<T>} computed from a^{<t>} = a_t."""
    Waa, Wax, ba = (torch.tensor(parameters[k]) for k in ("Waa", "Wax", "ba"))
    xs = torch.tensor(x[:, i, :])
    act = TORCH_ACT[g1]

    def from_step(a_t, t):             # a_t is a^{<t>} (t 1-based); run steps t+1 .. T
        a = a_t
        for s in range(t, T):          # 0-based column s is x^{<s+1>}
            a = act(Waa @ a + Wax @ xs[:, s] + ba[:, 0])
        return a

    return from_step


@pytest.mark.parametrize("g1", gf.ACTIVATIONS)
def test_jacobians_to_last_match_torch_autograd(g1):
    x, a0, parameters = make_problem(seed=1)
    a, z = gf.hidden_forward(x, a0, parameters, g1)
    D = gf.jacobians_to_last(gf.step_jacobians(z, parameters["Waa"], g1))
    assert D.shape == (M, T, N_A, N_A)
    for i in range(M):
        f = torch_states(x, a0, parameters, g1, i)
        for t in range(1, T + 1):
            ref = torch.autograd.functional.jacobian(lambda v: f(v, t), torch.tensor(a[:, i, t - 1]))
            np.testing.assert_allclose(D[i, t - 1], ref.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("g1", gf.ACTIVATIONS)
def test_input_jacobian_norms_match_torch_autograd(g1):
    x, a0, parameters = make_problem(seed=2)
    norms = gf.input_jacobian_norms(x, a0, parameters, g1)
    fro = gf.input_jacobian_norms(x, a0, parameters, g1, ord="fro")
    Waa, Wax, ba = (torch.tensor(parameters[k]) for k in ("Waa", "Wax", "ba"))
    act = TORCH_ACT[g1]
    for i in range(M):
        def last_state(xs):
            a = torch.tensor(a0[:, i])
            for s in range(T):
                a = act(Waa @ a + Wax @ xs[:, s] + ba[:, 0])
            return a
        J = torch.autograd.functional.jacobian(last_state, torch.tensor(x[:, i, :]))  # (n_a, n_x, T)
        for t in range(T):
            ref = J[:, :, t].numpy()
            np.testing.assert_allclose(norms[i, t], np.linalg.norm(ref, 2), rtol=1e-10, atol=1e-14)
            np.testing.assert_allclose(fro[i, t], np.linalg.norm(ref), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("g1", ["tanh", "relu"])
def test_hidden_forward_equals_rnn_forward(g1):
    x, a0, parameters = make_problem(seed=3)
    full = dict(parameters, Wya=np.ones((2, N_A)), by=np.zeros((2, 1)))
    a, z = gf.hidden_forward(x, a0, parameters, g1)
    a_ref, _, _ = rnn.rnn_forward(x, a0, full, g1=g1)
    np.testing.assert_array_equal(a, a_ref)
    np.testing.assert_array_equal(a, gf.activation(z, g1))


@pytest.mark.parametrize("g1", gf.ACTIVATIONS)
def test_activation_derivative_matches_centred_differences_and_bound(g1):
    z = np.linspace(-6, 6, 1001) + 1e-3          # avoid relu's kink at exactly 0
    eps = 1e-6
    numeric = (gf.activation(z + eps, g1) - gf.activation(z - eps, g1)) / (2 * eps)
    np.testing.assert_allclose(gf.activation_derivative(z, g1), numeric, atol=1e-8)
    assert gf.activation_derivative(z, g1).max() <= gf.DERIVATIVE_BOUNDS[g1]
    assert np.isclose(gf.activation_derivative(np.array([1e-3]), g1)[0],
                      gf.DERIVATIVE_BOUNDS[g1], atol=1e-5)
    # At z = 0 (relu's kink) use torch's convention, relu'(0) = 0, so autograd agrees everywhere.
    z0 = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    TORCH_ACT[g1](z0).sum().backward()
    assert gf.activation_derivative(np.zeros(1), g1)[0] == z0.grad.item()


@pytest.mark.parametrize("g1", gf.ACTIVATIONS)
@pytest.mark.parametrize("rho", [0.5, 1.5, 3.0])
def test_norms_by_distance_obey_the_product_bound(g1, rho):
    x, a0, parameters = make_problem(seed=4, rho=rho)
    norms = gf.jacobian_norms_by_distance(x, a0, parameters, g1)
    assert norms.shape == (M, T)
    np.testing.assert_allclose(norms[:, 0], 1.0)                 # k = 0: the identity
    per_step = gf.DERIVATIVE_BOUNDS[g1] * np.linalg.norm(parameters["Waa"], 2)
    assert np.all(norms <= per_step ** np.arange(T) * (1 + 1e-12))


def test_norm_at_distance_k_is_the_product_of_k_step_jacobians():
    x, a0, parameters = make_problem(seed=5)
    _, z = gf.hidden_forward(x, a0, parameters, "tanh")
    J = gf.step_jacobians(z, parameters["Waa"], "tanh")
    norms = gf.jacobian_norms_by_distance(x, a0, parameters, "tanh", ord="fro")
    product = np.eye(N_A)
    for k in range(1, T):
        product = product @ J[0, T - k]             # ∂a<T>/∂a<T-1> ⋯ ∂a<T-k+1>/∂a<T-k>
        assert np.isclose(norms[0, k], np.linalg.norm(product))


def test_identity_recurrence_with_relu_gives_norm_one_or_zero():
    """IRNN: W_aa = I, relu. The product is a diagonal 0/1 mask: norm exactly 1 or exactly 0."""
    rng = np.random.default_rng(0)
    parameters = {"Wax": rng.standard_normal((N_A, N_X)), "Waa": np.eye(N_A),
                  "ba": np.zeros((N_A, 1))}
    x = rng.standard_normal((N_X, M, 40))
    norms = gf.jacobian_norms_by_distance(x, np.zeros((N_A, M)), parameters, "relu")
    assert set(np.unique(norms)) <= {0.0, 1.0}
    assert np.all(np.diff(norms, axis=1) <= 0)       # once dead, the path stays dead


def test_random_orthogonal_and_spectral_radius():
    Q = gf.random_orthogonal(6, seed=3)
    np.testing.assert_allclose(Q.T @ Q, np.eye(6), atol=1e-12)
    np.testing.assert_array_equal(Q, gf.random_orthogonal(6, seed=3))
    assert np.isclose(gf.spectral_radius(2.5 * Q), 2.5)
    assert np.isclose(np.linalg.norm(2.5 * Q, 2), 2.5)
    W = gf.scale_to_spectral_radius(np.random.default_rng(0).standard_normal((6, 6)), 1.5)
    assert np.isclose(gf.spectral_radius(W), 1.5)
    assert np.isclose(gf.spectral_radius(np.array([[0.0, -2.0], [2.0, 0.0]])), 2.0)  # complex λ


def test_bad_input_is_refused_with_a_message():
    x, a0, parameters = make_problem()
    with pytest.raises(ValueError, match="g1 must be one of"):
        gf.hidden_forward(x, a0, parameters, "softplus")
    with pytest.raises(ValueError, match=r"x has shape"):
        gf.hidden_forward(x[:2], a0, parameters)
    with pytest.raises(ValueError, match=r"a0 has shape"):
        gf.hidden_forward(x, a0[:, :1], parameters)
    with pytest.raises(KeyError, match="Waa"):
        gf.hidden_forward(x, a0, {"Wax": parameters["Wax"], "ba": parameters["ba"]})
    with pytest.raises(ValueError, match="ord must be"):
        gf.jacobian_norms_by_distance(x, a0, parameters, ord=1)
    with pytest.raises(ValueError, match="spectral radius 0"):
        gf.scale_to_spectral_radius(np.array([[0.0, 1.0], [0.0, 0.0]]), 1.0)
    with pytest.raises(ValueError, match="rho must be"):
        gf.scale_to_spectral_radius(np.eye(2), -1.0)
    with pytest.raises(ValueError, match="n must be"):
        gf.random_orthogonal(0)
    with pytest.raises(ValueError, match=r"Waa has shape"):
        gf.step_jacobians(np.zeros((N_A, M, T)), np.zeros((N_A, N_A + 1)))
