"""A long short-term memory (LSTM) network in numpy, in the notes' notation.

Shapes (column vectors, examples along axis 1, time along axis 2), as in :mod:`course_lib.rnn`::

    x       (n_x, m, T_x)     x[:, :, t-1] is x^{<t>}
    a       (n_a, m, T_x)     a[:, :, t-1] is a^{<t>};   a0 is a^{<0>}, (n_a, m)
    c       (n_a, m, T_x)     c[:, :, t-1] is c^{<t>};   c^{<0>} = 0
    y_pred  (n_y, m, T_x)     one softmax prediction per step
    Wf, Wu, Wc, Wo (n_a, n_a + n_x)   applied to the stacked column [a^{<t-1>}; x^{<t>}]
    bf, bu, bc, bo (n_a, 1)   Wy (n_y, n_a)   by (n_y, 1)
    pf, pu, po     (n_a, 1)   diagonal peephole weights (only with ``peephole=True``)

Equations (one time step; ``*`` is the element-wise product, σ the logistic function)::

    Γ_f     = σ(W_f [a^{<t-1>}; x^{<t>}] + b_f)            forget gate
    Γ_u     = σ(W_u [a^{<t-1>}; x^{<t>}] + b_u)            update (input) gate
    c̃^{<t>} = tanh(W_c [a^{<t-1>}; x^{<t>}] + b_c)         candidate cell
    c^{<t>} = Γ_f * c^{<t-1>} + Γ_u * c̃^{<t>}
    Γ_o     = σ(W_o [a^{<t-1>}; x^{<t>}] + b_o)            output gate
    a^{<t>} = Γ_o * tanh(c^{<t>})
    ŷ^{<t>} = softmax(W_y a^{<t>} + b_y)

These are the equations of ``torch.nn.LSTM`` (checked in ``tests/test_lstm.py``).

.. note::
   The notes (004, "长短期记忆 LSTM") write ``a^{<t>} = Γ_o * c^{<t>}``, without the tanh.
   That is a slip: the standard LSTM (Hochreiter & Schmidhuber; Gers et al.; torch, Keras,
   TensorFlow) squashes the cell first, ``a^{<t>} = Γ_o * tanh(c^{<t>})``, which is also what
   the notes' own backward formula ``dc_prev = ... Γ_o (1 - tanh(c_next)^2) ...`` differentiates
   and what note 002 describes ("把细胞状态通过 tanh 进行处理 ... 将它和 sigmoid 门的输出相乘").
   The cell c is not bounded (it is a running sum), so without the tanh a^{<t>} is not bounded
   either. The tests show the two versions differ measurably.

Peephole connections (Gers & Schmidhuber, 2000), ``peephole=True``: the gates also look at the
cell, through *diagonal* weights (one number per unit, an element-wise product)::

    Γ_f = σ(W_f [a^{<t-1>}; x^{<t>}] + p_f * c^{<t-1>} + b_f)
    Γ_u = σ(W_u [a^{<t-1>}; x^{<t>}] + p_u * c^{<t-1>} + b_u)
    Γ_o = σ(W_o [a^{<t-1>}; x^{<t>}] + p_o * c^{<t>}   + b_o)     (the *new* cell)

``torch.nn.LSTM`` has no peepholes; with p_f = p_u = p_o = 0 the two models are the same.

Every forward function returns its outputs and a cache; every backward function takes the
upstream gradients and the cache, as in cs231n's layers.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_array, check_keys
from .rnn import sequence_loss, sigmoid, softmax

PARAMETER_NAMES = ("Wf", "bf", "Wu", "bu", "Wc", "bc", "Wo", "bo", "Wy", "by")
PEEPHOLE_NAMES = ("pf", "pu", "po")
GATE_NAMES = ("f", "u", "c", "o")  # W_f/b_f, W_u/b_u, W_c/b_c, W_o/b_o
TORCH_GATE_ORDER = ("u", "f", "c", "o")  # torch.nn.LSTM stacks i, f, g, o = Γ_u, Γ_f, c̃, Γ_o


# --------------------------------------------------------------------------- parameters
def initialize_parameters(n_a: int, n_x: int, n_y: int, seed: int = 0, scale: float | None = None,
                          forget_bias: float = 0.0, peephole: bool = False) -> dict[str, np.ndarray]:
    """Random LSTM parameters in float64, reproducible from ``seed``.

    Weights are drawn from N(0, s²) with s = ``scale``, or by default s = 1/sqrt(fan_in)
    (fan_in = n_a + n_x for the gates, n_a for the output layer), as in
    :func:`course_lib.rnn.initialize_parameters`. They are drawn in the order Wf, Wu, Wc, Wo, Wy,
    so ``forget_bias`` and ``peephole`` do not change them.

    Parameters
    ----------
    n_a, n_x, n_y : int
        Hidden units, input size, output size (positive).
    seed : int
        Seed of ``numpy.random.default_rng``.
    scale : float or None
        Standard deviation of every weight; ``None`` for 1/sqrt(fan_in).
    forget_bias : float, default 0.0
        Initial value of every entry of b_f (the other biases start at zero). A common trick
        (Gers et al. 2000; Jozefowicz et al. 2015) is ``forget_bias=1.0``: then
        Γ_f ≈ σ(1) ≈ 0.73 at the start, so the cell keeps most of its content and gradients flow
        back through ``c^{<t>} = Γ_f * c^{<t-1>} + ...`` over many steps from the first update;
        with b_f = 0, Γ_f ≈ 0.5 halves the cell at every step.
    peephole : bool, default False
        Also return peephole weights pf, pu, po (n_a, 1), initialised to **zero** so that the
        model starts as a standard LSTM.

    Returns
    -------
    dict with Wf, Wu, Wc, Wo (n_a, n_a + n_x), bf, bu, bc, bo (n_a, 1), Wy (n_y, n_a), by (n_y, 1)
    (and pf, pu, po (n_a, 1) with ``peephole=True``).

    Raises
    ------
    ValueError
        If a size is not a positive integer.
    """
    for name, v in (("n_a", n_a), ("n_x", n_x), ("n_y", n_y)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    rng = np.random.default_rng(seed)
    s_gate = scale if scale is not None else 1.0 / np.sqrt(n_a + n_x)
    s_y = scale if scale is not None else 1.0 / np.sqrt(n_a)
    parameters = {}
    for g in GATE_NAMES:
        parameters["W" + g] = rng.standard_normal((n_a, n_a + n_x)) * s_gate
        parameters["b" + g] = np.zeros((n_a, 1))
    parameters["bf"] += forget_bias
    parameters["Wy"] = rng.standard_normal((n_y, n_a)) * s_y
    parameters["by"] = np.zeros((n_y, 1))
    if peephole:
        for name in PEEPHOLE_NAMES:
            parameters[name] = np.zeros((n_a, 1))
    return {k: parameters[k] for k in PARAMETER_NAMES + (PEEPHOLE_NAMES if peephole else ())}


def dimensions(parameters: dict, peephole: bool = False) -> tuple[int, int, int]:
    """``(n_a, n_x, n_y)`` of a parameter dict, after checking every key and shape.

    Raises
    ------
    KeyError
        If a parameter is missing (pf, pu, po are required with ``peephole=True``).
    ValueError
        If a shape disagrees, or if peephole weights are present but ``peephole=False``
        (they would be silently ignored).
    """
    check_keys("parameters", parameters, PARAMETER_NAMES + (PEEPHOLE_NAMES if peephole else ()))
    n_a, n_x = _gate_dimensions(parameters, peephole)
    n_y = check_array("parameters['Wy']", parameters["Wy"], (None, n_a), "(n_y, n_a)").shape[0]
    check_array("parameters['by']", parameters["by"], (n_y, 1), "(n_y, 1)")
    return n_a, n_x, n_y


def _gate_dimensions(parameters: dict, peephole: bool) -> tuple[int, int]:
    """``(n_a, n_x)`` after checking the gate parameters (and peepholes), not Wy, by."""
    gate_names = tuple(k + g for g in GATE_NAMES for k in ("W", "b"))
    check_keys("parameters", parameters, gate_names + (PEEPHOLE_NAMES if peephole else ()))
    if not peephole:
        present = [k for k in PEEPHOLE_NAMES if k in parameters]
        if present:
            raise ValueError(f"parameters has peephole weights {present} but peephole=False; "
                             "pass peephole=True or remove them")
    n_a, n_stack = check_array("parameters['Wf']", parameters["Wf"], (None, None),
                               "(n_a, n_a + n_x)").shape
    n_x = n_stack - n_a
    if n_x < 1:
        raise ValueError(f"parameters['Wf'] has shape {parameters['Wf'].shape} but "
                         "(n_a, n_a + n_x) with n_x >= 1 was expected")
    for g in GATE_NAMES:
        check_array(f"parameters['W{g}']", parameters["W" + g], (n_a, n_a + n_x), "(n_a, n_a + n_x)")
        check_array(f"parameters['b{g}']", parameters["b" + g], (n_a, 1), "(n_a, 1)")
    if peephole:
        for name in PEEPHOLE_NAMES:
            check_array(f"parameters['{name}']", parameters[name], (n_a, 1), "(n_a, 1)")
    return n_a, n_x


# --------------------------------------------------------------------------- forward
def lstm_cell_forward(xt, a_prev, c_prev, parameters, peephole: bool = False):
    """One LSTM time step (equations in the module docstring).

    Implements ``c^{<t>} = Γ_f * c^{<t-1>} + Γ_u * c̃^{<t>}``, ``a^{<t>} = Γ_o * tanh(c^{<t>})``
    and ``ŷ^{<t>} = softmax(W_y a^{<t>} + b_y)``.

    Parameters
    ----------
    xt : ndarray (n_x, m)
        Input x^{<t>}, one column per example.
    a_prev : ndarray (n_a, m)
        Hidden state a^{<t-1>}.
    c_prev : ndarray (n_a, m)
        Memory cell c^{<t-1>}.
    parameters : dict
        Wf, bf, Wu, bu, Wc, bc, Wo, bo, Wy, by (+ pf, pu, po with ``peephole=True``).
    peephole : bool
        Use the peephole connections p_f, p_u (to c^{<t-1>}) and p_o (to c^{<t>}).

    Returns
    -------
    a_next : ndarray (n_a, m)
        a^{<t>}.
    c_next : ndarray (n_a, m)
        c^{<t>}.
    yt_pred : ndarray (n_y, m)
        ŷ^{<t>}, softmax over axis 0.
    cache : tuple
        ``(a_next, c_next, a_prev, c_prev, gamma_f, gamma_u, c_tilde, gamma_o, xt, parameters,
        peephole)``, what :func:`lstm_cell_backward` needs.

    Raises
    ------
    KeyError, ValueError
        Missing parameter or a shape that does not match (the message names the array).
    """
    n_a, n_x, n_y = dimensions(parameters, peephole)
    m = check_array("xt", xt, (n_x, None), "(n_x, m)").shape[1]
    check_array("a_prev", a_prev, (n_a, m), "(n_a, m)")
    check_array("c_prev", c_prev, (n_a, m), "(n_a, m)")
    p = parameters
    concat = np.vstack([a_prev, xt])  # [a^{<t-1>}; x^{<t>}], (n_a + n_x, m)
    z_f = p["Wf"] @ concat + p["bf"]
    z_u = p["Wu"] @ concat + p["bu"]
    if peephole:
        z_f = z_f + p["pf"] * c_prev
        z_u = z_u + p["pu"] * c_prev
    gamma_f = sigmoid(z_f)
    gamma_u = sigmoid(z_u)
    c_tilde = np.tanh(p["Wc"] @ concat + p["bc"])
    c_next = gamma_f * c_prev + gamma_u * c_tilde
    z_o = p["Wo"] @ concat + p["bo"]
    if peephole:
        z_o = z_o + p["po"] * c_next  # the output gate peeks at the *new* cell
    gamma_o = sigmoid(z_o)
    a_next = gamma_o * np.tanh(c_next)
    yt_pred = softmax(p["Wy"] @ a_next + p["by"])
    cache = (a_next, c_next, a_prev, c_prev, gamma_f, gamma_u, c_tilde, gamma_o, xt, parameters,
             peephole)
    return a_next, c_next, yt_pred, cache


def lstm_forward(x, a0, parameters, peephole: bool = False):
    """The whole sequence, left to right, from ``a^{<0>} = a0`` and ``c^{<0>} = 0``.

    Parameters
    ----------
    x : ndarray (n_x, m, T_x)
    a0 : ndarray (n_a, m)
    parameters : dict
    peephole : bool

    Returns
    -------
    a : ndarray (n_a, m, T_x)
        Hidden states a^{<1>} .. a^{<T_x>}.
    y : ndarray (n_y, m, T_x)
        Predictions ŷ^{<1>} .. ŷ^{<T_x>}.
    c : ndarray (n_a, m, T_x)
        Memory cells c^{<1>} .. c^{<T_x>}.
    caches : list of T_x cell caches
    """
    n_a, n_x, n_y = dimensions(parameters, peephole)
    _, m, T_x = check_array("x", x, (n_x, None, None), "(n_x, m, T_x)").shape
    check_array("a0", a0, (n_a, m), "(n_a, m)")
    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    y = np.zeros((n_y, m, T_x))
    caches = []
    a_next, c_next = a0, np.zeros((n_a, m))
    for t in range(T_x):
        a_next, c_next, y[:, :, t], cache = lstm_cell_forward(x[:, :, t], a_next, c_next,
                                                              parameters, peephole)
        a[:, :, t] = a_next
        c[:, :, t] = c_next
        caches.append(cache)
    return a, y, c, caches


# --------------------------------------------------------------------------- backward
def lstm_cell_backward(da_next, dc_next, cache) -> dict[str, np.ndarray]:
    """Backward pass of one LSTM step (without the output layer ŷ).

    Parameters
    ----------
    da_next : ndarray (n_a, m)
        dL/da^{<t>}: everything that reaches a^{<t>}, from ŷ^{<t>} and from step t+1.
    dc_next : ndarray (n_a, m)
        dL/dc^{<t>} that flows back from step t+1 (through c^{<t+1>} = Γ_f c^{<t>} + ...);
        the path through a^{<t>} = Γ_o tanh(c^{<t>}) is added here.
    cache : tuple from :func:`lstm_cell_forward`

    Returns
    -------
    dict with dxt (n_x, m), da_prev (n_a, m), dc_prev (n_a, m), dWf, dWu, dWc, dWo
    (n_a, n_a + n_x), dbf, dbu, dbc, dbo (n_a, 1) (+ dpf, dpu, dpo (n_a, 1) with peepholes).

    Notes
    -----
    Write dz_f, dz_u, dz_c, dz_o for the gradients of the gate *pre-activations* (the notes
    call them dΓ_f, dΓ_u, dc̃, dΓ_o) and use σ' = σ(1 - σ), tanh' = 1 - tanh²::

        dz_o    = da_next * tanh(c^{<t>}) * Γ_o (1 - Γ_o)
        dc      = dc_next + da_next * Γ_o * (1 - tanh²(c^{<t>}))   (+ p_o * dz_o with peepholes)
        dz_c    = dc * Γ_u * (1 - c̃²)
        dz_u    = dc * c̃ * Γ_u (1 - Γ_u)
        dz_f    = dc * c^{<t-1>} * Γ_f (1 - Γ_f)
        dW_*    = dz_* [a^{<t-1>}; x^{<t>}]ᵀ          db_* = Σ_examples dz_*
        [da_prev; dxt] = W_fᵀ dz_f + W_uᵀ dz_u + W_cᵀ dz_c + W_oᵀ dz_o
        dc_prev = dc * Γ_f                              (+ p_f * dz_f + p_u * dz_u with peepholes)
        dp_f = Σ dz_f * c^{<t-1>}   dp_u = Σ dz_u * c^{<t-1>}   dp_o = Σ dz_o * c^{<t>}
    """
    (a_next, c_next, a_prev, c_prev, gamma_f, gamma_u, c_tilde, gamma_o, xt, parameters,
     peephole) = cache
    check_array("da_next", da_next, a_next.shape, "(n_a, m)")
    check_array("dc_next", dc_next, c_next.shape, "(n_a, m)")
    p = parameters
    n_a = a_next.shape[0]
    tanh_c = np.tanh(c_next)
    dz_o = da_next * tanh_c * gamma_o * (1.0 - gamma_o)
    dc = dc_next + da_next * gamma_o * (1.0 - tanh_c**2)
    if peephole:
        dc = dc + p["po"] * dz_o  # c^{<t>} also feeds Γ_o through p_o
    dz_c = dc * gamma_u * (1.0 - c_tilde**2)
    dz_u = dc * c_tilde * gamma_u * (1.0 - gamma_u)
    dz_f = dc * c_prev * gamma_f * (1.0 - gamma_f)
    concat = np.vstack([a_prev, xt])
    dconcat = p["Wf"].T @ dz_f + p["Wu"].T @ dz_u + p["Wc"].T @ dz_c + p["Wo"].T @ dz_o
    dc_prev = dc * gamma_f
    if peephole:
        dc_prev = dc_prev + p["pf"] * dz_f + p["pu"] * dz_u
    grads = {"dxt": dconcat[n_a:], "da_prev": dconcat[:n_a], "dc_prev": dc_prev}
    for g, dz in (("f", dz_f), ("u", dz_u), ("c", dz_c), ("o", dz_o)):
        grads["dW" + g] = dz @ concat.T
        grads["db" + g] = dz.sum(axis=1, keepdims=True)
    if peephole:
        grads["dpf"] = (dz_f * c_prev).sum(axis=1, keepdims=True)
        grads["dpu"] = (dz_u * c_prev).sum(axis=1, keepdims=True)
        grads["dpo"] = (dz_o * c_next).sum(axis=1, keepdims=True)
    return grads


def lstm_backward(da, caches) -> dict[str, np.ndarray]:
    """Backpropagation through time over the LSTM layer.

    Parameters
    ----------
    da : ndarray (n_a, m, T_x)
        dL/da^{<t>} coming from the outputs only (``W_yᵀ dz_y^{<t>}``); the part that flows back
        from step t+1 (through a^{<t>} and c^{<t>}) is added here. dL/dc^{<T_x>} starts at zero.
    caches : list from :func:`lstm_forward`

    Returns
    -------
    dict with dx (n_x, m, T_x), da0 (n_a, m), dWf, dbf, dWu, dbu, dWc, dbc, dWo, dbo
    (+ dpf, dpu, dpo with peepholes). The weight gradients are **sums over time**: the same
    weights are used at every step. (c^{<0>} = 0 is a constant, so there is no dc0.)
    """
    if not caches:
        raise ValueError("caches is empty: run lstm_forward on at least one time step")
    a1, _, _, _, _, _, _, _, x1, parameters, peephole = caches[0]
    n_a, m = a1.shape
    n_x = x1.shape[0]
    T_x = len(caches)
    check_array("da", da, (n_a, m, T_x), "(n_a, m, T_x)")
    names = [k + g for g in GATE_NAMES for k in ("W", "b")] + (list(PEEPHOLE_NAMES) if peephole else [])
    grads = {"dx": np.zeros((n_x, m, T_x))}
    grads.update({"d" + k: np.zeros_like(parameters[k]) for k in names})
    da_prev = np.zeros((n_a, m))
    dc_prev = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        step = lstm_cell_backward(da[:, :, t] + da_prev, dc_prev, caches[t])
        grads["dx"][:, :, t] = step["dxt"]
        for k in names:
            grads["d" + k] += step["d" + k]
        da_prev, dc_prev = step["da_prev"], step["dc_prev"]
    grads["da0"] = da_prev
    return grads


def lstm_loss_and_gradients(x, y, a0, parameters, mask=None, peephole: bool = False):
    """Forward pass, softmax cross-entropy and BPTT for every parameter and for x and a0.

    The loss is :func:`course_lib.rnn.sequence_loss`: ``L = (1/m) Σ_i Σ_t L^{(i)<t>}`` with
    ``L^{(i)<t>} = -Σ_k y_k log ŷ_k``, summed over time and averaged over examples; ``mask``
    (m, T_x), bool, leaves out padded steps. As for the vanilla RNN, the gradient with respect
    to the output pre-activation is ``dz_y^{<t>} = (ŷ^{<t>} - y^{<t>}) / m``.

    Parameters
    ----------
    x : ndarray (n_x, m, T_x)
    y : ndarray (n_y, m, T_x)
        One-hot targets.
    a0 : ndarray (n_a, m)
    parameters : dict
    mask : ndarray (m, T_x) or None
    peephole : bool

    Returns
    -------
    loss : float
    grads : dict with dWf, dbf, dWu, dbu, dWc, dbc, dWo, dbo, dWy, dby, dx (n_x, m, T_x),
        da0 (n_a, m) (+ dpf, dpu, dpo with peepholes).
    """
    a, y_pred, _, caches = lstm_forward(x, a0, parameters, peephole)
    loss = sequence_loss(y_pred, y, "softmax", mask)
    m = x.shape[1]
    dz_y = (y_pred - y) / m
    if mask is not None:
        dz_y = dz_y * np.asarray(mask)[None, :, :]
    grads = lstm_backward(np.einsum("ya,ymt->amt", parameters["Wy"], dz_y), caches)
    grads["dWy"] = np.einsum("ymt,amt->ya", dz_y, a)
    grads["dby"] = dz_y.sum(axis=(1, 2))[:, None]
    return loss, grads


# --------------------------------------------------------------------------- torch
def to_torch_lstm(parameters, batch_first: bool = True):
    """A float64 ``torch.nn.LSTM`` that computes the same a^{<t>}, c^{<t>} as these parameters.

    Mapping (``:n_a`` = the a^{<t-1>} columns of W_*, ``n_a:`` = the x^{<t>} columns; torch
    stacks its four gates in the order i, f, g, o along axis 0, each block n_a rows)::

        torch block (rows)         gate         weight_ih_l0      weight_hh_l0      bias_ih_l0
        -------------------------  -----------  ----------------  ----------------  ----------
        i  [0 n_a : 1 n_a]         Γ_u update   Wu[:, n_a:]       Wu[:, :n_a]       bu
        f  [1 n_a : 2 n_a]         Γ_f forget   Wf[:, n_a:]       Wf[:, :n_a]       bf
        g  [2 n_a : 3 n_a]         c̃ candidate  Wc[:, n_a:]       Wc[:, :n_a]       bc
        o  [3 n_a : 4 n_a]         Γ_o output   Wo[:, n_a:]       Wo[:, :n_a]       bo

    torch adds two biases, ``bias_ih_l0 + bias_hh_l0``; here ``bias_hh_l0`` is set to zero.
    torch's h_t is a^{<t>} and c_t is c^{<t>}. The output layer (Wy, by) is not part of
    ``nn.LSTM``: it is ignored and may be absent (in torch it is ``nn.Linear(n_a, n_y)`` with
    weight Wy and bias by[:, 0]).

    Layouts: with ``batch_first=True`` (the course's torch convention) torch reads
    ``(m, T_x, n_x)``, i.e. ``x.transpose(1, 2, 0)``; with ``batch_first=False`` it reads
    ``(T_x, m, n_x)``, i.e. ``x.transpose(2, 1, 0)``. The initial state is
    ``(h0, c0) = (a0.T[None], zeros)``, each (1, m, n_a). Constructing the module does not
    change the global torch random state.

    Raises
    ------
    ValueError
        If the parameters hold nonzero peephole weights (``nn.LSTM`` has no peepholes).
    """
    import torch  # only this function and from_torch_lstm need torch

    has_peepholes = any(k in parameters for k in PEEPHOLE_NAMES)
    n_a, n_x = _gate_dimensions(parameters, peephole=has_peepholes)
    if has_peepholes and any(np.any(parameters[k] != 0) for k in PEEPHOLE_NAMES):
        raise ValueError("torch.nn.LSTM has no peephole connections; parameters pf, pu, po "
                         "must be zero (or absent) to convert")
    with torch.random.fork_rng(devices=[]):
        module = torch.nn.LSTM(n_x, n_a, batch_first=batch_first, dtype=torch.float64)
    W = {g: parameters["W" + g] for g in TORCH_GATE_ORDER}
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.from_numpy(np.vstack([W[g][:, n_a:] for g in TORCH_GATE_ORDER])))
        module.weight_hh_l0.copy_(torch.from_numpy(np.vstack([W[g][:, :n_a] for g in TORCH_GATE_ORDER])))
        module.bias_ih_l0.copy_(torch.from_numpy(
            np.concatenate([parameters["b" + g][:, 0] for g in TORCH_GATE_ORDER])))
        module.bias_hh_l0.zero_()
    return module


def from_torch_lstm(module, output_layer=None) -> dict[str, np.ndarray]:
    """The numpy parameters (float64) of a one-layer, one-direction ``torch.nn.LSTM``.

    Inverse of :func:`to_torch_lstm` (same table): ``W_g = [W_hh block | W_ih block]`` and
    ``b_g = (bias_ih + bias_hh) block`` as a column, for g = u, f, c, o from torch's i, f, g, o.

    Parameters
    ----------
    module : torch.nn.LSTM
        ``num_layers=1``, ``bidirectional=False``, ``proj_size=0``. With ``bias=False`` the
        biases are zero.
    output_layer : torch.nn.Linear (n_a -> n_y) or None
        If given, also return Wy = ``weight`` and by = ``bias`` (as a column); otherwise the dict
        has only the eight LSTM arrays and Wy, by must be added before a forward pass.

    Raises
    ------
    TypeError
        If ``module`` is not an ``nn.LSTM`` (or ``output_layer`` not an ``nn.Linear``).
    ValueError
        For a stacked, bidirectional or projected LSTM, or an output layer of the wrong size.
    """
    import torch

    if not isinstance(module, torch.nn.LSTM):
        raise TypeError(f"module must be a torch.nn.LSTM, got {type(module).__name__}")
    if module.num_layers != 1 or module.bidirectional or module.proj_size != 0:
        raise ValueError("only a one-layer, one-direction LSTM without projection converts: got "
                         f"num_layers={module.num_layers}, bidirectional={module.bidirectional}, "
                         f"proj_size={module.proj_size}")

    def numpy64(t):
        return t.detach().to(device="cpu", dtype=torch.float64).numpy().copy()

    n_a = module.hidden_size
    w_ih, w_hh = numpy64(module.weight_ih_l0), numpy64(module.weight_hh_l0)
    if module.bias:
        b = numpy64(module.bias_ih_l0) + numpy64(module.bias_hh_l0)
    else:
        b = np.zeros(4 * n_a)
    parameters = {}
    for k, g in enumerate(TORCH_GATE_ORDER):
        rows = slice(k * n_a, (k + 1) * n_a)
        parameters["W" + g] = np.hstack([w_hh[rows], w_ih[rows]])
        parameters["b" + g] = b[rows][:, None]
    if output_layer is not None:
        if not isinstance(output_layer, torch.nn.Linear):
            raise TypeError(f"output_layer must be a torch.nn.Linear, got {type(output_layer).__name__}")
        if output_layer.in_features != n_a:
            raise ValueError(f"output_layer has in_features={output_layer.in_features} but "
                             f"n_a = {n_a} was expected")
        parameters["Wy"] = numpy64(output_layer.weight)
        parameters["by"] = (numpy64(output_layer.bias) if output_layer.bias is not None
                            else np.zeros(output_layer.out_features))[:, None]
    return {k: parameters[k] for k in PARAMETER_NAMES if k in parameters}
