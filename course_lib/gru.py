"""The gated recurrent unit (GRU) in numpy, in the notes' notation (note 004, "GRU 单元").

In a GRU the memory cell *is* the activation: c^{<t>} = a^{<t>}. Shapes follow :mod:`course_lib.rnn`
(column vectors, examples along axis 1, time along axis 2)::

    x      (n_x, m, T_x)       x[:, :, t-1] is x^{<t>}
    c = a  (n_a, m, T_x)       c[:, :, t-1] is c^{<t>};   a0 is c^{<0>} = a^{<0>}, (n_a, m)
    y_hat  (n_y, m, T_x)
    Wu, Wr, Wc (n_a, n_a + n_x)    bu, br, bc (n_a, 1)    Wy (n_y, n_a)    by (n_y, 1)

Each W multiplies the stacked column [c^{<t-1>}; x^{<t>}] of shape (n_a + n_x, m), so its first
n_a columns act on c^{<t-1>} and the last n_x on x^{<t>}.

Equations, ``variant="notes"`` (Cho et al. 2014; Chung et al. 2014; note 004)::

    Γr  = σ(W_r [c^{<t-1>}; x^{<t>}] + b_r)                 relevance (reset) gate
    c̃   = tanh(W_c [Γr * c^{<t-1>}; x^{<t>}] + b_c)         candidate
    Γu  = σ(W_u [c^{<t-1>}; x^{<t>}] + b_u)                 update gate
    c^{<t>} = Γu * c̃ + (1 - Γu) * c^{<t-1>}
    ŷ^{<t>} = softmax(W_y c^{<t>} + b_y)

The simplified GRU of the notes has no Γr: c̃ = tanh(W_c [c^{<t-1>}; x^{<t>}] + b_c).

``variant="torch"`` (what ``torch.nn.GRU`` and cuDNN compute) differs only in the candidate:
Γr multiplies the hidden part *after* the matrix product, and that part has its own bias
``bch`` (n_a, 1). Writing W_c = [W_cc | W_cx] (the c^{<t-1>} and x^{<t>} columns)::

    c̃   = tanh(W_cx x^{<t>} + b_c + Γr * (W_cc c^{<t-1>} + b_ch))

The two variants agree when Γr = 1 (and b_ch = 0) and differ otherwise: the same parameters give
different states (``tests/test_gru.py::test_notes_and_torch_variants_differ_measurably``).

Mapping to ``torch.nn.GRU`` (rows of ``weight_ih_l0``/``weight_hh_l0`` are stacked as r, z, n)::

    torch                                     notes (this module)
    ----------------------------------------  -------------------------------------------------
    h_t                                       c^{<t>} = a^{<t>}
    r = σ(W_ir x + b_ir + W_hr h + b_hr)      Γr:  W_r = [W_hr | W_ir],   b_r = b_ir + b_hr
    z = σ(W_iz x + b_iz + W_hz h + b_hz)      1 - Γu:  W_u = -[W_hz | W_iz],  b_u = -(b_iz + b_hz)
    n = tanh(W_in x + b_in                    c̃ (variant="torch"):  W_c = [W_hn | W_in],
             + r * (W_hn h + b_hn))               b_c = b_in,  b_ch = b_hn
    h_t = (1 - z) * n + z * h_{t-1}           c^{<t>} = Γu * c̃ + (1 - Γu) * c^{<t-1>}
    (no output layer; an nn.Linear)           W_y, b_y

torch's z is the *keep* gate, z = 1 - Γu (σ(-s) = 1 - σ(s) turns one into the other by negating
weights and biases). Hence note 002's "reset gate 1 and update gate 0 is a plain RNN" is in
torch's convention; in note 004's it is Γr = 1 and Γu = 1.

Forward functions return ``(out, cache)``-style tuples and backward functions take
``(dout, cache)``, as in :mod:`course_lib.rnn`. ``tests/test_gru.py`` checks them against
``torch.nn.GRU``, torch autograd and centred differences.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_array, check_keys
from .rnn import sequence_loss, sigmoid, softmax

GATE_NAMES = ("Wu", "bu", "Wr", "br", "Wc", "bc")
SIMPLE_GATE_NAMES = ("Wu", "bu", "Wc", "bc")
OUTPUT_NAMES = ("Wy", "by")
VARIANTS = ("notes", "torch")


# --------------------------------------------------------------------------- parameters
def initialize_parameters(n_a: int, n_x: int, n_y: int, seed: int = 0, scale: float | None = None,
                          variant: str = "notes") -> dict[str, np.ndarray]:
    """Random GRU parameters in float64, reproducible from ``seed``.

    Weights are drawn from N(0, s²) with s = ``scale``, or by default s = 1/sqrt(fan_in)
    (fan_in = n_a + n_x for the gates, n_a for the output layer). Biases start at zero.

    Parameters
    ----------
    n_a, n_x, n_y : int
        Hidden size, input size, number of output classes.
    seed : int
    scale : float, optional
    variant : {"notes", "torch"}
        ``"torch"`` also returns the hidden-part candidate bias ``bch`` (zeros).

    Returns
    -------
    dict with Wu, Wr, Wc (n_a, n_a + n_x), bu, br, bc (n_a, 1), Wy (n_y, n_a), by (n_y, 1)
    [and bch (n_a, 1)].

    Raises
    ------
    ValueError
        If a size is not a positive integer or ``variant`` is unknown.
    """
    for name, v in (("n_a", n_a), ("n_x", n_x), ("n_y", n_y)):
        if not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    _check_variant(variant)
    rng = np.random.default_rng(seed)
    s_g = scale if scale is not None else 1.0 / np.sqrt(n_a + n_x)
    s_y = scale if scale is not None else 1.0 / np.sqrt(n_a)
    parameters = {}
    for gate in ("u", "r", "c"):
        parameters["W" + gate] = rng.standard_normal((n_a, n_a + n_x)) * s_g
        parameters["b" + gate] = np.zeros((n_a, 1))
    parameters["Wy"] = rng.standard_normal((n_y, n_a)) * s_y
    parameters["by"] = np.zeros((n_y, 1))
    if variant == "torch":
        parameters["bch"] = np.zeros((n_a, 1))
    return parameters


def _check_variant(variant: str) -> None:
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")


def _gate_dimensions(parameters: dict, variant: str = "notes", gates=GATE_NAMES) -> tuple[int, int]:
    """``(n_a, n_x)`` of the gate parameters (output layer not needed), after checking shapes."""
    _check_variant(variant)
    check_keys("parameters", parameters, tuple(gates) + (("bch",) if variant == "torch" else ()))
    n_a, n_ax = check_array("parameters['Wc']", parameters["Wc"], (None, None),
                            "(n_a, n_a + n_x)").shape
    n_x = n_ax - n_a
    if n_x < 1:
        raise ValueError(f"parameters['Wc'] has shape {parameters['Wc'].shape}: it needs "
                         f"n_a + n_x > n_a columns (one per entry of [c_prev; xt])")
    for gate in ("u", "r", "c"):
        if "W" + gate in gates:
            check_array(f"parameters['W{gate}']", parameters["W" + gate], (n_a, n_a + n_x),
                        "(n_a, n_a + n_x)")
            check_array(f"parameters['b{gate}']", parameters["b" + gate], (n_a, 1), "(n_a, 1)")
    if variant == "torch":
        check_array("parameters['bch']", parameters["bch"], (n_a, 1), "(n_a, 1)")
    return n_a, n_x


def dimensions(parameters: dict, variant: str = "notes", gates=GATE_NAMES) -> tuple[int, int, int]:
    """``(n_a, n_x, n_y)`` of a GRU parameter dict, after checking every shape agrees.

    ``variant="torch"`` also requires ``bch`` (n_a, 1). ``gates`` lists the gate parameters
    needed (the simplified GRU has no Wr, br).
    """
    n_a, n_x = _gate_dimensions(parameters, variant, gates)
    check_keys("parameters", parameters, OUTPUT_NAMES)
    n_y = check_array("parameters['Wy']", parameters["Wy"], (None, n_a), "(n_y, n_a)").shape[0]
    check_array("parameters['by']", parameters["by"], (n_y, 1), "(n_y, 1)")
    return n_a, n_x, n_y


def _check_step_inputs(xt, c_prev, n_a, n_x) -> int:
    m = check_array("xt", xt, (n_x, None), "(n_x, m)").shape[1]
    check_array("c_prev", c_prev, (n_a, m), "(n_a, m)")
    return m


def _check_sequence_inputs(x, a0, n_a, n_x) -> tuple[int, int]:
    _, m, T_x = check_array("x", x, (n_x, None, None), "(n_x, m, T_x)").shape
    check_array("a0", a0, (n_a, m), "(n_a, m)")
    return m, T_x


# --------------------------------------------------------------------------- simplified GRU
def simple_gru_cell_forward(xt, c_prev, parameters):
    """One step of the notes' simplified GRU (update gate only).

    Implements ``c̃ = tanh(W_c [c^{<t-1>}; x^{<t>}] + b_c)``,
    ``Γu = σ(W_u [c^{<t-1>}; x^{<t>}] + b_u)``, ``c^{<t>} = Γu * c̃ + (1 - Γu) * c^{<t-1>}``
    and ``ŷ^{<t>} = softmax(W_y c^{<t>} + b_y)``.

    Parameters
    ----------
    xt : ndarray (n_x, m)
    c_prev : ndarray (n_a, m)
        c^{<t-1>} = a^{<t-1>}.
    parameters : dict
        Wu, bu, Wc, bc, Wy, by (Wr, br are ignored if present).

    Returns
    -------
    c_next : ndarray (n_a, m)
    yt_hat : ndarray (n_y, m)
    cache : tuple ``(c_next, c_prev, xt, c_tilde, gamma_u)``, e.g. to plot the gate.
    """
    n_a, n_x, _ = dimensions(parameters, gates=SIMPLE_GATE_NAMES)
    _check_step_inputs(xt, c_prev, n_a, n_x)
    concat = np.vstack([c_prev, xt])
    c_tilde = np.tanh(parameters["Wc"] @ concat + parameters["bc"])
    gamma_u = sigmoid(parameters["Wu"] @ concat + parameters["bu"])
    c_next = gamma_u * c_tilde + (1 - gamma_u) * c_prev
    yt_hat = softmax(parameters["Wy"] @ c_next + parameters["by"])
    return c_next, yt_hat, (c_next, c_prev, xt, c_tilde, gamma_u)


def simple_gru_forward(x, a0, parameters):
    """The simplified GRU over a sequence, from c^{<0>} = ``a0``.

    Returns
    -------
    c : ndarray (n_a, m, T_x)       c^{<1>} .. c^{<T_x>} (= a^{<t>})
    y_hat : ndarray (n_y, m, T_x)
    caches : list of T_x caches from :func:`simple_gru_cell_forward`
    """
    n_a, n_x, n_y = dimensions(parameters, gates=SIMPLE_GATE_NAMES)
    m, T_x = _check_sequence_inputs(x, a0, n_a, n_x)
    c, y_hat, caches = np.zeros((n_a, m, T_x)), np.zeros((n_y, m, T_x)), []
    c_prev = a0
    for t in range(T_x):
        c_prev, y_hat[:, :, t], cache = simple_gru_cell_forward(x[:, :, t], c_prev, parameters)
        c[:, :, t] = c_prev
        caches.append(cache)
    return c, y_hat, caches


# --------------------------------------------------------------------------- full GRU forward
def gru_cell_forward(xt, c_prev, parameters, variant: str = "notes"):
    """One step of the full GRU.

    Implements (``variant="notes"``)::

        Γr = σ(W_r [c^{<t-1>}; x^{<t>}] + b_r)
        c̃  = tanh(W_c [Γr * c^{<t-1>}; x^{<t>}] + b_c)
        Γu = σ(W_u [c^{<t-1>}; x^{<t>}] + b_u)
        c^{<t>} = Γu * c̃ + (1 - Γu) * c^{<t-1>},     ŷ^{<t>} = softmax(W_y c^{<t>} + b_y)

    ``variant="torch"`` replaces the candidate by
    ``c̃ = tanh(W_cx x^{<t>} + b_c + Γr * (W_cc c^{<t-1>} + b_ch))`` with W_c = [W_cc | W_cx],
    which is exactly ``torch.nn.GRU`` (see the module docstring for the weight mapping).

    Parameters
    ----------
    xt : ndarray (n_x, m)
    c_prev : ndarray (n_a, m)
        c^{<t-1>} = a^{<t-1>}.
    parameters : dict
        Wu, bu, Wr, br, Wc, bc, Wy, by; plus bch (n_a, 1) for ``variant="torch"``.
    variant : {"notes", "torch"}

    Returns
    -------
    c_next : ndarray (n_a, m)
    yt_hat : ndarray (n_y, m)
    cache : tuple
        ``(c_next, c_prev, xt, gamma_r, c_tilde, gamma_u, hidden, parameters, variant)``,
        what :func:`gru_cell_backward` needs; ``hidden`` is W_cc c^{<t-1>} + b_ch for
        ``variant="torch"`` and None otherwise.

    Raises
    ------
    ValueError
        If a shape does not match the parameters (the message names the array), or the
        variant is unknown.
    """
    n_a, n_x, _ = dimensions(parameters, variant)
    _check_step_inputs(xt, c_prev, n_a, n_x)
    concat = np.vstack([c_prev, xt])
    gamma_r = sigmoid(parameters["Wr"] @ concat + parameters["br"])
    gamma_u = sigmoid(parameters["Wu"] @ concat + parameters["bu"])
    Wc = parameters["Wc"]
    if variant == "notes":
        hidden = None
        c_tilde = np.tanh(Wc @ np.vstack([gamma_r * c_prev, xt]) + parameters["bc"])
    else:
        # torch/cuDNN: the reset gate scales the already-multiplied hidden part, so the
        # hidden-to-hidden products of all three gates can be done as one matrix multiply.
        hidden = Wc[:, :n_a] @ c_prev + parameters["bch"]
        c_tilde = np.tanh(Wc[:, n_a:] @ xt + parameters["bc"] + gamma_r * hidden)
    c_next = gamma_u * c_tilde + (1 - gamma_u) * c_prev
    yt_hat = softmax(parameters["Wy"] @ c_next + parameters["by"])
    cache = (c_next, c_prev, xt, gamma_r, c_tilde, gamma_u, hidden, parameters, variant)
    return c_next, yt_hat, cache


def gru_forward(x, a0, parameters, variant: str = "notes"):
    """The full GRU over a sequence, left to right, from c^{<0>} = a^{<0>} = ``a0``.

    Parameters
    ----------
    x : ndarray (n_x, m, T_x)
    a0 : ndarray (n_a, m)
    parameters : dict (see :func:`gru_cell_forward`)
    variant : {"notes", "torch"}

    Returns
    -------
    a : ndarray (n_a, m, T_x)
        c^{<1>} .. c^{<T_x>}, which in a GRU are also the activations a^{<t>}.
    y_hat : ndarray (n_y, m, T_x)
    caches : list of T_x cell caches
    """
    n_a, n_x, n_y = dimensions(parameters, variant)
    m, T_x = _check_sequence_inputs(x, a0, n_a, n_x)
    a, y_hat, caches = np.zeros((n_a, m, T_x)), np.zeros((n_y, m, T_x)), []
    c_prev = a0
    for t in range(T_x):
        c_prev, y_hat[:, :, t], cache = gru_cell_forward(x[:, :, t], c_prev, parameters, variant)
        a[:, :, t] = c_prev
        caches.append(cache)
    return a, y_hat, caches


# --------------------------------------------------------------------------- backward
def gru_cell_backward(dc_next, cache) -> dict[str, np.ndarray]:
    """Backward pass of one GRU step (gates and candidate; not the output layer).

    Parameters
    ----------
    dc_next : ndarray (n_a, m)
        dL/dc^{<t>}: everything that reaches c^{<t>}, from ŷ^{<t>} and from step t+1.
    cache : tuple from :func:`gru_cell_forward`

    Returns
    -------
    dict with dxt (n_x, m), dc_prev (n_a, m), dWu, dWr, dWc (n_a, n_a + n_x), dbu, dbr, dbc
    (n_a, 1); plus dbch (n_a, 1) for ``variant="torch"``.

    With s = [c^{<t-1>}; x^{<t>}] and s_r = [Γr * c^{<t-1>}; x^{<t>}] ("notes")::

        dc̃  = dc Γu                  dΓu = dc (c̃ - c^{<t-1>})      dc^{<t-1>} += dc (1 - Γu)
        dz_c = dc̃ (1 - c̃²)           dW_c = dz_c s_rᵀ               ds_r = W_cᵀ dz_c
        dΓr = ds_r[:n_a] c^{<t-1>}    dc^{<t-1>} += ds_r[:n_a] Γr    dxt += ds_r[n_a:]
        dz_u = dΓu Γu (1 - Γu)        dz_r = dΓr Γr (1 - Γr)
        dW_u = dz_u sᵀ   dW_r = dz_r sᵀ   ds = W_uᵀ dz_u + W_rᵀ dz_r  (split into dc, dxt)

    Every db is the sum of its dz over the examples.
    """
    c_next, c_prev, xt, gamma_r, c_tilde, gamma_u, hidden, parameters, variant = cache
    check_array("dc_next", dc_next, c_next.shape, "(n_a, m)")
    n_a = c_prev.shape[0]
    Wc = parameters["Wc"]
    concat = np.vstack([c_prev, xt])

    dc_tilde = dc_next * gamma_u
    dgamma_u = dc_next * (c_tilde - c_prev)
    dc_prev = dc_next * (1 - gamma_u)
    dz_c = dc_tilde * (1 - c_tilde**2)
    grads = {"dbc": dz_c.sum(axis=1, keepdims=True)}
    if variant == "notes":
        grads["dWc"] = dz_c @ np.vstack([gamma_r * c_prev, xt]).T
        ds_r = Wc.T @ dz_c
        dgamma_r = ds_r[:n_a] * c_prev
        dc_prev = dc_prev + ds_r[:n_a] * gamma_r
        dxt = ds_r[n_a:]
    else:
        dhidden = dz_c * gamma_r
        dgamma_r = dz_c * hidden
        grads["dWc"] = np.hstack([dhidden @ c_prev.T, dz_c @ xt.T])
        grads["dbch"] = dhidden.sum(axis=1, keepdims=True)
        dc_prev = dc_prev + Wc[:, :n_a].T @ dhidden
        dxt = Wc[:, n_a:].T @ dz_c

    dz_u = dgamma_u * gamma_u * (1 - gamma_u)
    dz_r = dgamma_r * gamma_r * (1 - gamma_r)
    grads["dWu"], grads["dbu"] = dz_u @ concat.T, dz_u.sum(axis=1, keepdims=True)
    grads["dWr"], grads["dbr"] = dz_r @ concat.T, dz_r.sum(axis=1, keepdims=True)
    ds = parameters["Wu"].T @ dz_u + parameters["Wr"].T @ dz_r
    grads["dc_prev"] = dc_prev + ds[:n_a]
    grads["dxt"] = dxt + ds[n_a:]
    return grads


def gru_backward(da, caches) -> dict[str, np.ndarray]:
    """Backpropagation through time over the GRU's gates and candidate.

    Parameters
    ----------
    da : ndarray (n_a, m, T_x)
        dL/da^{<t>} (= dL/dc^{<t>}) coming from the outputs only; the part that flows back
        from step t+1 is added here.
    caches : list from :func:`gru_forward`

    Returns
    -------
    dict with dx (n_x, m, T_x), da0 (n_a, m), dWu, dbu, dWr, dbr, dWc, dbc [, dbch].
    Parameter gradients are sums over time: the same weights are used at every step.
    """
    if not caches:
        raise ValueError("caches is empty: run gru_forward on at least one time step")
    c1, c0, x1, _, _, _, _, parameters, variant = caches[0]
    n_a, m = c1.shape
    n_x, T_x = x1.shape[0], len(caches)
    check_array("da", da, (n_a, m, T_x), "(n_a, m, T_x)")
    names = GATE_NAMES + (("bch",) if variant == "torch" else ())
    grads = {"d" + k: np.zeros_like(parameters[k]) for k in names}
    grads["dx"] = np.zeros((n_x, m, T_x))
    dc_prev = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        step = gru_cell_backward(da[:, :, t] + dc_prev, caches[t])
        grads["dx"][:, :, t] = step["dxt"]
        for k in names:
            grads["d" + k] += step["d" + k]
        dc_prev = step["dc_prev"]
    grads["da0"] = dc_prev
    return grads


def gru_loss_and_gradients(x, y, a0, parameters, mask=None, variant: str = "notes"):
    """Forward pass, the sequence loss and BPTT for every parameter and for x and a0.

    The loss is :func:`course_lib.rnn.sequence_loss` with softmax outputs: cross-entropy summed
    over t, averaged over the m examples (``mask`` (m, T_x) leaves out padded steps). As for the
    RNN, dL/dz_y^{<t>} = (ŷ^{<t>} - y^{<t>}) / m.

    Parameters
    ----------
    x : ndarray (n_x, m, T_x)
    y : ndarray (n_y, m, T_x), one-hot
    a0 : ndarray (n_a, m)
    parameters : dict
    mask : ndarray (m, T_x) of bool, optional
    variant : {"notes", "torch"}

    Returns
    -------
    loss : float
    grads : dict with dWu, dbu, dWr, dbr, dWc, dbc, dWy, dby [, dbch], dx, da0
    """
    a, y_hat, caches = gru_forward(x, a0, parameters, variant)
    loss = sequence_loss(y_hat, y, "softmax", mask)
    dz_y = (y_hat - y) / x.shape[1]
    if mask is not None:
        dz_y = dz_y * np.asarray(mask)[None, :, :]
    grads = gru_backward(np.einsum("ya,ymt->amt", parameters["Wy"], dz_y), caches)
    grads["dWy"] = np.einsum("ymt,amt->ya", dz_y, a)
    grads["dby"] = dz_y.sum(axis=(1, 2))[:, None]
    return loss, grads


# --------------------------------------------------------------------------- torch interop
def to_torch_gru(parameters, batch_first: bool = True):
    """A float64 ``torch.nn.GRU(n_x, n_a)`` holding these gate weights.

    Uses the mapping in the module docstring: r <- Γr, z <- 1 - Γu (negated W_u, b_u),
    n <- the ``variant="torch"`` candidate (b_hn = ``bch``, zero if absent). The module
    computes the ``"torch"`` variant, so for parameters meant for ``variant="notes"`` its states
    differ from :func:`gru_forward`'s unless Γr = 1. The output layer (Wy, by) is not part of
    ``nn.GRU``: it is ignored and may be absent.

    Layouts: with ``batch_first=True`` (the course's torch convention) torch reads
    ``(m, T_x, n_x)``, i.e. ``x.transpose(1, 2, 0)``; with ``batch_first=False`` it reads
    ``(T_x, m, n_x)``, i.e. ``x.transpose(2, 1, 0)``. The initial state is ``a0.T[None]``,
    (1, m, n_a). Constructing the module does not change the global torch random state.
    """
    import torch  # only the torch interop needs torch

    n_a, n_x = _gate_dimensions(parameters, "torch" if "bch" in parameters else "notes")
    with torch.random.fork_rng(devices=[]):
        module = torch.nn.GRU(n_x, n_a, batch_first=batch_first, dtype=torch.float64)
    p = parameters
    bch = p.get("bch", np.zeros((n_a, 1)))
    # rows r, z, n; the first n_a columns of each W act on c^{<t-1>} (torch's h)
    w_hh = np.vstack([p["Wr"][:, :n_a], -p["Wu"][:, :n_a], p["Wc"][:, :n_a]])
    w_ih = np.vstack([p["Wr"][:, n_a:], -p["Wu"][:, n_a:], p["Wc"][:, n_a:]])
    # torch has two biases per gate where the notes have one: put the notes' bias on the input
    # side and zero on the hidden side, except for n, whose hidden bias is b_ch.
    b_ih = np.concatenate([p["br"][:, 0], -p["bu"][:, 0], p["bc"][:, 0]])
    b_hh = np.concatenate([np.zeros(2 * n_a), bch[:, 0]])
    with torch.no_grad():
        for name, value in (("weight_hh_l0", w_hh), ("weight_ih_l0", w_ih),
                            ("bias_ih_l0", b_ih), ("bias_hh_l0", b_hh)):
            getattr(module, name).copy_(torch.from_numpy(np.ascontiguousarray(value)))
    return module


def from_torch_gru(module, output_layer=None, *, layer: int = 0,
                   reverse: bool = False) -> dict[str, np.ndarray]:
    """The ``variant="torch"`` parameters (float64) of one layer and direction of ``nn.GRU``.

    Inverse of :func:`to_torch_gru` (table in the module docstring)::

        W_r = [W_hr | W_ir]      b_r = b_ir + b_hr
        W_u = -[W_hz | W_iz]     b_u = -(b_iz + b_hz)       (Γu = 1 - z)
        W_c = [W_hn | W_in]      b_c = b_in,  b_ch = b_hn   (kept apart: b_hn is scaled by Γr)

    Parameters
    ----------
    module : torch.nn.GRU
    output_layer : torch.nn.Linear (n_a -> n_y), optional
        If given, also return Wy = ``weight`` and by = ``bias`` (as a column); otherwise the dict
        has only the gate arrays and Wy, by must be added before :func:`gru_forward`
        (:mod:`course_lib.bidirectional` does not need them).
    layer : int, keyword-only
        Which layer of a stacked GRU (``weight_ih_l{layer}``).
    reverse : bool, keyword-only
        The backward direction of a bidirectional GRU (``weight_ih_l{layer}_reverse``).

    Returns
    -------
    dict with Wu, bu, Wr, br, Wc, bc, bch [, Wy, by].

    Raises
    ------
    TypeError
        If ``module`` is not an ``nn.GRU`` (or ``output_layer`` not an ``nn.Linear``).
    ValueError
        If the layer or direction does not exist, or the output layer has the wrong size.
    """
    import torch

    if not isinstance(module, torch.nn.GRU):
        raise TypeError(f"module must be a torch.nn.GRU, got {type(module).__name__}")
    if not 0 <= layer < module.num_layers or (reverse and not module.bidirectional):
        raise ValueError(f"the GRU has num_layers={module.num_layers}, "
                         f"bidirectional={module.bidirectional}: no layer={layer}, reverse={reverse}")
    suffix = f"_l{layer}" + ("_reverse" if reverse else "")

    def numpy64(t):
        return t.detach().to(device="cpu", dtype=torch.float64).numpy().copy()

    def tensor(name):
        return numpy64(getattr(module, name + suffix))

    n_a = module.hidden_size
    w_ih, w_hh = tensor("weight_ih"), tensor("weight_hh")
    if module.bias:
        b_ih, b_hh = tensor("bias_ih"), tensor("bias_hh")
    else:
        b_ih = b_hh = np.zeros(3 * n_a)
    r, z, n = slice(0, n_a), slice(n_a, 2 * n_a), slice(2 * n_a, 3 * n_a)
    parameters = {
        "Wu": -np.hstack([w_hh[z], w_ih[z]]), "bu": -(b_ih[z] + b_hh[z])[:, None],
        "Wr": np.hstack([w_hh[r], w_ih[r]]), "br": (b_ih[r] + b_hh[r])[:, None],
        "Wc": np.hstack([w_hh[n], w_ih[n]]), "bc": b_ih[n][:, None], "bch": b_hh[n][:, None],
    }
    if output_layer is not None:
        if not isinstance(output_layer, torch.nn.Linear):
            raise TypeError(f"output_layer must be a torch.nn.Linear, got {type(output_layer).__name__}")
        if output_layer.in_features != n_a:
            raise ValueError(f"output_layer has in_features={output_layer.in_features} but "
                             f"n_a = {n_a} was expected")
        parameters["Wy"] = numpy64(output_layer.weight)
        parameters["by"] = (numpy64(output_layer.bias) if output_layer.bias is not None
                            else np.zeros(output_layer.out_features))[:, None]
    return parameters
