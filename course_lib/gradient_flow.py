"""How far back a gradient reaches in a vanilla RNN: the Jacobians of the hidden state.

For the hidden layer of :mod:`course_lib.rnn`, with any of three activations g,

::

    z^{<t>} = W_aa a^{<t-1>} + W_ax x^{<t>} + b_a,        a^{<t>} = g(z^{<t>}),

one step back is the Jacobian

::

    ∂a^{<t>}/∂a^{<t-1>} = diag(g'(z^{<t>})) W_aa                       (n_a, n_a)

and, by the chain rule, k steps back from the last step T is their product, later steps on the
left::

    ∂a^{<T>}/∂a^{<T-k>} = diag(g'(z^{<T>})) W_aa · diag(g'(z^{<T-1>})) W_aa ⋯ diag(g'(z^{<T-k+1>})) W_aa

(the identity for k = 0). Every function here computes these matrices **exactly** in float64, one
example at a time, so that a chapter can plot their norms against the distance k. The backward
pass of a loss only ever needs a vector times this product (``rnn_cell_backward``'s ``da_prev``);
the full matrix tells how much *any* gradient arriving at a^{<T>} can grow or shrink on its way
back to a^{<T-k>}: its spectral norm (largest singular value) is the largest factor.

The bound used in the chapter follows from ``‖diag(d) W‖₂ ≤ max|d| · ‖W‖₂``::

    ‖∂a^{<T>}/∂a^{<T-k>}‖₂ ≤ (γ ‖W_aa‖₂)^k,    γ = max g' = 1 (tanh), 1/4 (sigmoid), 1 (relu)

Shapes follow :mod:`course_lib.rnn`: x (n_x, m, T), a0 (n_a, m), hidden states (n_a, m, T).
Jacobians are stacked with the example first: (m, T, n_a, n_a). Checked against torch autograd in
``tests/test_gradient_flow.py``.
"""

from __future__ import annotations

import numpy as np

from . import rnn
from ._checks import check_array, check_keys

__all__ = [
    "ACTIVATIONS",
    "DERIVATIVE_BOUNDS",
    "activation",
    "activation_derivative",
    "hidden_forward",
    "step_jacobians",
    "jacobians_to_last",
    "jacobian_norms_by_distance",
    "input_jacobian_norms",
    "spectral_radius",
    "scale_to_spectral_radius",
    "random_orthogonal",
]

ACTIVATIONS = ("tanh", "sigmoid", "relu")
#: γ = max over z of g'(z): tanh'(0) = 1, σ'(0) = 1/4, relu'(z) = 1 for z > 0.
DERIVATIVE_BOUNDS = {"tanh": 1.0, "sigmoid": 0.25, "relu": 1.0}


def _check_activation(g1: str) -> str:
    if g1 not in ACTIVATIONS:
        raise ValueError(f"g1 must be one of {ACTIVATIONS}, got {g1!r}")
    return g1


# --------------------------------------------------------------------------- activations
def activation(z: np.ndarray, g1: str) -> np.ndarray:
    """``g(z)`` for g1 = "tanh", "sigmoid" (``course_lib.rnn.sigmoid``) or "relu" (max(z, 0))."""
    _check_activation(g1)
    z = np.asarray(z, dtype=np.float64)
    if g1 == "tanh":
        return np.tanh(z)
    if g1 == "sigmoid":
        return rnn.sigmoid(z)
    return np.maximum(z, 0.0)


def activation_derivative(z: np.ndarray, g1: str) -> np.ndarray:
    """``g'(z)``: ``1 - tanh(z)²``, ``σ(z)(1 - σ(z))`` or ``[z > 0]`` (0 at the kink z = 0).

    Written in terms of z, not of a = g(z): for relu, a = 0 does not say whether z was negative.
    """
    _check_activation(g1)
    z = np.asarray(z, dtype=np.float64)
    if g1 == "tanh":
        return 1.0 - np.tanh(z) ** 2
    if g1 == "sigmoid":
        s = rnn.sigmoid(z)
        return s * (1.0 - s)
    return (z > 0).astype(np.float64)


# --------------------------------------------------------------------------- forward
def _check_hidden_parameters(parameters) -> tuple[int, int]:
    check_keys("parameters", parameters, ("Wax", "Waa", "ba"))
    n_a, n_x = check_array("parameters['Wax']", parameters["Wax"], (None, None),
                           "(n_a, n_x)").shape
    check_array("parameters['Waa']", parameters["Waa"], (n_a, n_a), "(n_a, n_a)")
    check_array("parameters['ba']", parameters["ba"], (n_a, 1), "(n_a, 1)")
    return n_a, n_x


def hidden_forward(x, a0, parameters, g1: str = "tanh"):
    """The hidden layer of a vanilla RNN, keeping the pre-activations.

    Implements ``z^{<t>} = W_aa a^{<t-1>} + W_ax x^{<t>} + b_a`` and ``a^{<t>} = g1(z^{<t>})``.
    For tanh and relu, ``a`` equals the ``a`` of :func:`course_lib.rnn.rnn_forward`; this version
    also allows a sigmoid hidden layer and returns ``z``, which g'(z) needs.

    Parameters
    ----------
    x : ndarray (n_x, m, T)
    a0 : ndarray (n_a, m)
    parameters : dict
        At least Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1); other keys are ignored.
    g1 : {"tanh", "sigmoid", "relu"}

    Returns
    -------
    a : ndarray (n_a, m, T)
        Hidden states a^{<1>} .. a^{<T>}.
    z : ndarray (n_a, m, T)
        Pre-activations z^{<1>} .. z^{<T>}.

    Raises
    ------
    ValueError
        Unknown activation or a shape that does not match the parameters.
    """
    _check_activation(g1)
    n_a, n_x = _check_hidden_parameters(parameters)
    _, m, T = check_array("x", x, (n_x, None, None), "(n_x, m, T)").shape
    check_array("a0", a0, (n_a, m), "(n_a, m)")
    a = np.zeros((n_a, m, T))
    z = np.zeros((n_a, m, T))
    a_prev = a0
    for t in range(T):
        z[:, :, t] = parameters["Waa"] @ a_prev + parameters["Wax"] @ x[:, :, t] + parameters["ba"]
        a_prev = a[:, :, t] = activation(z[:, :, t], g1)
    return a, z


# --------------------------------------------------------------------------- Jacobians
def step_jacobians(z, Waa, g1: str = "tanh") -> np.ndarray:
    """One-step Jacobians ``∂a^{<t>}/∂a^{<t-1>} = diag(g'(z^{<t>})) W_aa`` for every t and example.

    Parameters
    ----------
    z : ndarray (n_a, m, T)
        Pre-activations from :func:`hidden_forward`.
    Waa : ndarray (n_a, n_a)
    g1 : {"tanh", "sigmoid", "relu"}

    Returns
    -------
    ndarray (m, T, n_a, n_a)
        ``J[i, t-1]`` is ∂a^{<t>}/∂a^{<t-1>} for example i (row r scaled by g'(z_r^{<t>})).
    """
    _check_activation(g1)
    n_a = check_array("Waa", Waa, (None, None), "(n_a, n_a)").shape[0]
    check_array("Waa", Waa, (n_a, n_a), "(n_a, n_a)")
    check_array("z", z, (n_a, None, None), "(n_a, m, T)")
    d = activation_derivative(z, g1).transpose(1, 2, 0)       # (m, T, n_a)
    return d[..., :, None] * Waa                               # diag(d) @ Waa, row by row


def jacobians_to_last(J) -> np.ndarray:
    """``∂a^{<T>}/∂a^{<t>}`` for every t, from the one-step Jacobians.

    Accumulated from the last step backwards, like BPTT: ``D^{<T>} = I`` and
    ``D^{<t-1>} = D^{<t>} · ∂a^{<t>}/∂a^{<t-1>}``.

    Parameters
    ----------
    J : ndarray (m, T, n_a, n_a)
        From :func:`step_jacobians`.

    Returns
    -------
    ndarray (m, T, n_a, n_a)
        ``D[i, t-1]`` is ∂a^{<T>}/∂a^{<t>} for example i; ``D[i, T-1]`` is the identity.
    """
    m, T, n_a, _ = check_array("J", J, (None, None, None, None), "(m, T, n_a, n_a)").shape
    check_array("J", J, (m, T, n_a, n_a), "(m, T, n_a, n_a)")
    D = np.empty_like(J, dtype=np.float64)
    D[:, T - 1] = np.eye(n_a)
    for t in range(T - 1, 0, -1):                  # 0-based: D[:, t-1] = D[:, t] @ J[:, t]
        D[:, t - 1] = D[:, t] @ J[:, t]
    return D


def _matrix_norms(M, ord) -> np.ndarray:
    if ord not in (2, "fro"):
        raise ValueError(f"ord must be 2 (spectral norm) or 'fro' (Frobenius), got {ord!r}")
    return np.linalg.norm(M, ord, axis=(-2, -1))


def jacobian_norms_by_distance(x, a0, parameters, g1: str = "tanh", ord=2) -> np.ndarray:
    """``‖∂a^{<T>}/∂a^{<T-k>}‖`` for k = 0 .. T-1, per example.

    Parameters
    ----------
    x, a0, parameters, g1
        As in :func:`hidden_forward`.
    ord : 2 or "fro", default 2
        2: spectral norm (largest singular value), the most any vector arriving at a^{<T>} can be
        stretched on its way back; "fro": Frobenius norm.

    Returns
    -------
    ndarray (m, T)
        ``norms[i, k]`` for example i at distance k; ``norms[:, 0]`` is the norm of the identity
        (1 for ord=2). Ready for :func:`course_lib.bptt_plots.plot_gradient_flow`.
    """
    _, z = hidden_forward(x, a0, parameters, g1)
    D = jacobians_to_last(step_jacobians(z, parameters["Waa"], g1))
    return _matrix_norms(D, ord)[:, ::-1].copy()   # column k: t = T - k


def input_jacobian_norms(x, a0, parameters, g1: str = "tanh", ord=2) -> np.ndarray:
    """``‖∂a^{<T>}/∂x^{<t>}‖`` for t = 1 .. T: how strongly each input moves the last state.

    ``∂a^{<T>}/∂x^{<t>} = ∂a^{<T>}/∂a^{<t>} · diag(g'(z^{<t>})) W_ax``.

    Returns
    -------
    ndarray (m, T)
        ``norms[i, t-1]`` for example i and input x^{<t>} (indexed by t, not by distance).
    """
    _, z = hidden_forward(x, a0, parameters, g1)
    D = jacobians_to_last(step_jacobians(z, parameters["Waa"], g1))
    d = activation_derivative(z, g1).transpose(1, 2, 0)        # (m, T, n_a)
    return _matrix_norms(D @ (d[..., :, None] * parameters["Wax"]), ord)


# --------------------------------------------------------------------------- W_aa
def spectral_radius(W) -> float:
    """``max |λ|`` over the eigenvalues λ of a square matrix W."""
    n = check_array("W", W, (None, None), "(n, n)").shape[0]
    check_array("W", W, (n, n), "(n, n)")
    return float(np.abs(np.linalg.eigvals(W)).max())


def scale_to_spectral_radius(W, rho: float) -> np.ndarray:
    """``W · rho / spectral_radius(W)``: the same matrix, rescaled to spectral radius ``rho``.

    Raises
    ------
    ValueError
        If ``rho`` is negative or not finite, or W has spectral radius 0 (it cannot be rescaled).
    """
    if not np.isfinite(rho) or rho < 0:
        raise ValueError(f"rho must be a finite number >= 0, got {rho!r}")
    r = spectral_radius(W)
    if r == 0:
        raise ValueError("W has spectral radius 0 (it is nilpotent) and cannot be rescaled")
    return W * (rho / r)


def random_orthogonal(n: int, seed: int = 0) -> np.ndarray:
    """A random orthogonal matrix Q (Qᵀ Q = I), uniformly distributed (Haar), from ``seed``.

    All singular values of Q are 1, so ``rho * Q`` has spectral radius **and** spectral norm
    ``rho``. QR of a Gaussian matrix, with the signs fixed so that the distribution is uniform.
    """
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    q, r = np.linalg.qr(np.random.default_rng(seed).standard_normal((n, n)))
    return q * np.sign(np.diag(r))
