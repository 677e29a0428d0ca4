"""A vanilla recurrent neural network in numpy, in the notes' notation.

Shapes (column vectors, examples along axis 1, time along axis 2)::

    x      (n_x, m, T_x)     x[:, :, t-1] is x^{<t>}
    a      (n_a, m, T_x)     a[:, :, t-1] is a^{<t>};   a0 is a^{<0>}, (n_a, m)
    y_hat  (n_y, m, T_y)     here T_y = T_x (one output per step)
    Wax (n_a, n_x)   Waa (n_a, n_a)   Wya (n_y, n_a)   ba (n_a, 1)   by (n_y, 1)

Equations (one time step)::

    a^{<t>}     = g1(W_aa a^{<t-1>} + W_ax x^{<t>} + b_a)        g1 = tanh (or relu)
    ŷ^{<t>}     = g2(W_ya a^{<t>} + b_y)                          g2 = softmax (or sigmoid)

Every forward function returns ``(out, cache)``; every backward function takes the upstream
gradient and the cache, as in cs231n's layers. Backward passes are checked against torch
autograd and centred differences in ``tests/test_rnn.py``.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_array, check_keys

PARAMETER_NAMES = ("Wax", "Waa", "Wya", "ba", "by")
HIDDEN_ACTIVATIONS = ("tanh", "relu")
OUTPUT_ACTIVATIONS = ("softmax", "sigmoid")


# --------------------------------------------------------------------------- activations
def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over axis 0 (the class axis of a column vector or a batch of columns).

    Subtracting the column maximum first changes nothing mathematically (softmax is invariant
    to adding a constant to every logit) but keeps ``exp`` from overflowing.
    """
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function 1 / (1 + e^{-z}), evaluated without overflow for large |z|."""
    out = np.empty_like(z, dtype=np.float64)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def _g1(z: np.ndarray, name: str) -> np.ndarray:
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    raise ValueError(f"g1 must be one of {HIDDEN_ACTIVATIONS}, got {name!r}")


def _g1_prime_from_output(a: np.ndarray, name: str) -> np.ndarray:
    """g1'(z) written in terms of a = g1(z): tanh' = 1 - a², relu' = [a > 0]."""
    if name == "tanh":
        return 1.0 - a**2
    return (a > 0).astype(a.dtype)


def _g2(z: np.ndarray, name: str) -> np.ndarray:
    if name == "softmax":
        return softmax(z)
    if name == "sigmoid":
        return sigmoid(z)
    raise ValueError(f"g2 must be one of {OUTPUT_ACTIVATIONS}, got {name!r}")


# --------------------------------------------------------------------------- parameters
def initialize_parameters(n_a: int, n_x: int, n_y: int, seed: int = 0,
                          scale: float | None = None) -> dict[str, np.ndarray]:
    """Random RNN parameters in float64, reproducible from ``seed``.

    Weights are drawn from N(0, s²) with s = ``scale``, or by default s = 1/sqrt(fan_in)
    (fan_in = n_a + n_x for the recurrent layer, n_a for the output layer), which keeps
    the pre-activations of order one. Biases start at zero.

    Returns
    -------
    dict with Wax (n_a, n_x), Waa (n_a, n_a), Wya (n_y, n_a), ba (n_a, 1), by (n_y, 1)
    """
    for name, v in (("n_a", n_a), ("n_x", n_x), ("n_y", n_y)):
        if not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    rng = np.random.default_rng(seed)
    s_a = scale if scale is not None else 1.0 / np.sqrt(n_a + n_x)
    s_y = scale if scale is not None else 1.0 / np.sqrt(n_a)
    return {
        "Wax": rng.standard_normal((n_a, n_x)) * s_a,
        "Waa": rng.standard_normal((n_a, n_a)) * s_a,
        "Wya": rng.standard_normal((n_y, n_a)) * s_y,
        "ba": np.zeros((n_a, 1)),
        "by": np.zeros((n_y, 1)),
    }


def dimensions(parameters: dict) -> tuple[int, int, int]:
    """``(n_a, n_x, n_y)`` of a parameter dict, after checking every shape agrees."""
    check_keys("parameters", parameters, PARAMETER_NAMES)
    n_a, n_x = check_array("parameters['Wax']", parameters["Wax"], (None, None), "(n_a, n_x)").shape
    check_array("parameters['Waa']", parameters["Waa"], (n_a, n_a), "(n_a, n_a)")
    n_y = check_array("parameters['Wya']", parameters["Wya"], (None, n_a), "(n_y, n_a)").shape[0]
    check_array("parameters['ba']", parameters["ba"], (n_a, 1), "(n_a, 1)")
    check_array("parameters['by']", parameters["by"], (n_y, 1), "(n_y, 1)")
    return n_a, n_x, n_y


# --------------------------------------------------------------------------- forward
def rnn_cell_forward(xt, a_prev, parameters, g1: str = "tanh", g2: str = "softmax"):
    """One time step.

    Implements ``a^{<t>} = g1(W_aa a^{<t-1>} + W_ax x^{<t>} + b_a)`` and
    ``ŷ^{<t>} = g2(W_ya a^{<t>} + b_y)``.

    Parameters
    ----------
    xt : ndarray (n_x, m)
        Input at step t, one column per example.
    a_prev : ndarray (n_a, m)
        Hidden state a^{<t-1>}.
    parameters : dict
        Wax, Waa, Wya, ba, by (see module docstring).
    g1, g2 : str
        Hidden activation ("tanh" or "relu"); output activation ("softmax" or "sigmoid").

    Returns
    -------
    a_next : ndarray (n_a, m)
    yt_hat : ndarray (n_y, m)
    cache : tuple
        ``(a_next, a_prev, xt, parameters, g1)``, what :func:`rnn_cell_backward` needs.

    Raises
    ------
    ValueError
        If a shape does not match the parameters (the message names the array).
    """
    n_a, n_x, n_y = dimensions(parameters)
    m = check_array("xt", xt, (n_x, None), "(n_x, m)").shape[1]
    check_array("a_prev", a_prev, (n_a, m), "(n_a, m)")
    a_next = _g1(parameters["Waa"] @ a_prev + parameters["Wax"] @ xt + parameters["ba"], g1)
    yt_hat = _g2(parameters["Wya"] @ a_next + parameters["by"], g2)
    return a_next, yt_hat, (a_next, a_prev, xt, parameters, g1)


def rnn_forward(x, a0, parameters, g1: str = "tanh", g2: str = "softmax"):
    """The whole sequence, left to right, from ``a^{<0>} = a0``.

    Parameters
    ----------
    x : ndarray (n_x, m, T_x)
    a0 : ndarray (n_a, m)
    parameters : dict
    g1, g2 : str

    Returns
    -------
    a : ndarray (n_a, m, T_x)
        Hidden states a^{<1>} .. a^{<T_x>}.
    y_hat : ndarray (n_y, m, T_x)
        Predictions ŷ^{<1>} .. ŷ^{<T_x>}.
    caches : list of T_x cell caches
    """
    n_a, n_x, n_y = dimensions(parameters)
    _, m, T_x = check_array("x", x, (n_x, None, None), "(n_x, m, T_x)").shape
    check_array("a0", a0, (n_a, m), "(n_a, m)")
    a = np.zeros((n_a, m, T_x))
    y_hat = np.zeros((n_y, m, T_x))
    caches = []
    a_prev = a0
    for t in range(T_x):
        a_prev, y_hat[:, :, t], cache = rnn_cell_forward(x[:, :, t], a_prev, parameters, g1, g2)
        a[:, :, t] = a_prev
        caches.append(cache)
    return a, y_hat, caches


def stack_weights(parameters) -> np.ndarray:
    """``W_a = [W_aa | W_ax]``, shape (n_a, n_a + n_x): the notes' compressed notation."""
    dimensions(parameters)
    return np.hstack([parameters["Waa"], parameters["Wax"]])


def rnn_cell_forward_stacked(xt, a_prev, Wa, ba, g1: str = "tanh") -> np.ndarray:
    """``a^{<t>} = g1(W_a [a^{<t-1>}; x^{<t>}] + b_a)``; equals :func:`rnn_cell_forward`'s a_next."""
    n_a = check_array("Wa", Wa, (None, None), "(n_a, n_a + n_x)").shape[0]
    m = check_array("a_prev", a_prev, (n_a, None), "(n_a, m)").shape[1]
    check_array("xt", xt, (Wa.shape[1] - n_a, m), "(n_x, m)")
    check_array("ba", ba, (n_a, 1), "(n_a, 1)")
    return _g1(Wa @ np.vstack([a_prev, xt]) + ba, g1)


# --------------------------------------------------------------------------- losses
def step_losses(y_hat, y, g2: str = "softmax") -> np.ndarray:
    """Per-example, per-step loss L^{(i)<t>}, shape (m, T_y).

    * softmax: ``L = -Σ_k y_k log ŷ_k`` (y one-hot over n_y classes);
    * sigmoid: ``L = -[y log ŷ + (1 - y) log(1 - ŷ)]`` summed over the n_y independent outputs.

    Both are the cross-entropy between the label distribution y and the prediction ŷ.
    """
    check_array("y_hat", y_hat, (None, None, None), "(n_y, m, T_y)")
    check_array("y", y, y_hat.shape, "(n_y, m, T_y)")
    tiny = 1e-300  # log(0) guard; never changes a loss that is finite
    if g2 == "softmax":
        return -(y * np.log(y_hat + tiny)).sum(axis=0)
    if g2 == "sigmoid":
        return -(y * np.log(y_hat + tiny) + (1 - y) * np.log(1 - y_hat + tiny)).sum(axis=0)
    raise ValueError(f"g2 must be one of {OUTPUT_ACTIVATIONS}, got {g2!r}")


def sequence_loss(y_hat, y, g2: str = "softmax", mask=None) -> float:
    """``L = (1/m) Σ_i Σ_t L^{(i)<t>}``: summed over time (as in the notes), averaged over examples.

    ``mask`` (m, T_y), bool, leaves out padded steps.
    """
    losses = step_losses(y_hat, y, g2)
    if mask is not None:
        check_array("mask", np.asarray(mask), losses.shape, "(m, T_y)")
        losses = losses * mask
    return float(losses.sum() / losses.shape[0])


# --------------------------------------------------------------------------- backward
def rnn_cell_backward(da_next, cache) -> dict[str, np.ndarray]:
    """Backward pass of one step's hidden layer.

    Parameters
    ----------
    da_next : ndarray (n_a, m)
        dL/da^{<t>}: everything that reaches a^{<t>}, from ŷ^{<t>} and from step t+1.
    cache : tuple from :func:`rnn_cell_forward`

    Returns
    -------
    dict with
        dxt (n_x, m), da_prev (n_a, m), dWax (n_a, n_x), dWaa (n_a, n_a), dba (n_a, 1).

    With dz = da_next * g1'(z) (for tanh, g1'(z) = 1 - (a^{<t>})²)::

        dWax = dz x^{<t>ᵀ}   dWaa = dz a^{<t-1>ᵀ}   dba = Σ_examples dz
        dxt = W_axᵀ dz       da_prev = W_aaᵀ dz
    """
    a_next, a_prev, xt, parameters, g1 = cache
    check_array("da_next", da_next, a_next.shape, "(n_a, m)")
    dz = da_next * _g1_prime_from_output(a_next, g1)
    return {
        "dxt": parameters["Wax"].T @ dz,
        "da_prev": parameters["Waa"].T @ dz,
        "dWax": dz @ xt.T,
        "dWaa": dz @ a_prev.T,
        "dba": dz.sum(axis=1, keepdims=True),
    }


def rnn_backward(da, caches) -> dict[str, np.ndarray]:
    """Backpropagation through time over the hidden layer.

    Parameters
    ----------
    da : ndarray (n_a, m, T_x)
        dL/da^{<t>} coming from the outputs only (``W_yaᵀ dz_y^{<t>}``); the part that flows
        back from step t+1 is added here.
    caches : list from :func:`rnn_forward`

    Returns
    -------
    dict with dx (n_x, m, T_x), da0 (n_a, m), dWax, dWaa, dba.
    The weight gradients are **sums over time**: the same W is used at every step.
    """
    if not caches:
        raise ValueError("caches is empty: run rnn_forward on at least one time step")
    a1, a0, x1, parameters, _ = caches[0]
    n_a, m = a1.shape
    n_x = x1.shape[0]
    T_x = len(caches)
    check_array("da", da, (n_a, m, T_x), "(n_a, m, T_x)")
    grads = {
        "dx": np.zeros((n_x, m, T_x)),
        "dWax": np.zeros_like(parameters["Wax"]),
        "dWaa": np.zeros_like(parameters["Waa"]),
        "dba": np.zeros_like(parameters["ba"]),
    }
    da_prev = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        step = rnn_cell_backward(da[:, :, t] + da_prev, caches[t])
        grads["dx"][:, :, t] = step["dxt"]
        grads["dWax"] += step["dWax"]
        grads["dWaa"] += step["dWaa"]
        grads["dba"] += step["dba"]
        da_prev = step["da_prev"]
    grads["da0"] = da_prev
    return grads


def rnn_loss_and_gradients(x, y, a0, parameters, g1: str = "tanh", g2: str = "softmax",
                           mask=None):
    """Forward pass, :func:`sequence_loss`, and BPTT for every parameter and for x and a0.

    For softmax + cross-entropy and for sigmoid + binary cross-entropy alike, the gradient of the
    loss with respect to the output pre-activation is ``dz_y^{<t>} = (ŷ^{<t>} - y^{<t>}) / m``.

    Returns
    -------
    loss : float
    grads : dict with dWax, dWaa, dWya, dba, dby, dx (n_x, m, T_x), da0 (n_a, m)
    """
    a, y_hat, caches = rnn_forward(x, a0, parameters, g1, g2)
    loss = sequence_loss(y_hat, y, g2, mask)
    m = x.shape[1]
    dz_y = (y_hat - y) / m
    if mask is not None:
        dz_y = dz_y * np.asarray(mask)[None, :, :]
    Wya = parameters["Wya"]
    grads = rnn_backward(np.einsum("ya,ymt->amt", Wya, dz_y), caches)
    grads["dWya"] = np.einsum("ymt,amt->ya", dz_y, a)
    grads["dby"] = dz_y.sum(axis=(1, 2))[:, None]
    return loss, grads
