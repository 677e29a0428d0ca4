"""Bidirectional and deep recurrent networks (note 004, "双向循环神经网络", "深层循环神经网络").

Both are built from the sequence forward functions of the cell modules; nothing here computes a
cell itself. The ``cell`` argument picks one::

    "rnn"   course_lib.rnn.rnn_forward(x, a0, parameters, g1=..., g2=...)     -> (a, y_hat, caches)
    "gru"   course_lib.gru.gru_forward(x, a0, parameters, variant=...)        -> (a, y_hat, caches)
    "lstm"  course_lib.lstm.lstm_forward(x, a0, parameters, peephole=...)     -> (a, y, c, caches)

and ``cell_options`` (a dict) passes the keyword arguments after ``parameters``. Only the
states ``a`` are used: each cell's own output layer (``Wya``/``Wy``, ``by`` in its parameter
dict) is ignored and may be absent (as in the dicts ``gru.from_torch_gru`` and
``lstm.from_torch_lstm`` return); the model's output layer ``Wy``, ``by`` is passed separately.

Shapes are those of :mod:`course_lib.rnn`: x (n_x, m, T_x), a (n_a, m, T_x), y_hat (n_y, m, T_x).

Bidirectional RNN::

    a→^{<t>} = cell(a→^{<t-1>}, x^{<t>})        t = 1 .. T_x      (from a→^{<0>} = a0_fwd)
    a←^{<t>} = cell(a←^{<t+1>}, x^{<t>})        t = T_x .. 1      (from a←^{<T_x+1>} = a0_bwd)
    ŷ^{<t>}  = softmax(W_y [a→^{<t>}; a←^{<t>}] + b_y)

The backward direction is the same cell run over the time-reversed input, with its states
reversed back, so that a_bwd[:, :, t-1] is a←^{<t>}. ``torch.nn.RNN/GRU/LSTM(bidirectional=True)``
return [a→^{<t>}; a←^{<t>}] concatenated along the feature axis in the same way.

Deep RNN (layer l = 1 .. L, a^{[0]<t>} = x^{<t>})::

    a^{[l]<t>} = cell^{[l]}(a^{[l]<t-1>}, a^{[l-1]<t>})
               = g(W_a^{[l]} [a^{[l]<t-1>}; a^{[l-1]<t>}] + b_a^{[l]})     for cell = "rnn"
    ŷ^{<t>}    = softmax(W_y a^{[L]<t>} + b_y)
"""

from __future__ import annotations

import importlib

import numpy as np

from . import gru, rnn
from ._checks import check_array
from .rnn import softmax

CELLS = ("rnn", "gru", "lstm")
# each cell module's own output layer, and a weight whose first axis is n_a
_CELL_OUTPUT_KEYS = {"rnn": ("Wya", "by", "Waa"), "gru": ("Wy", "by", "Wc"), "lstm": ("Wy", "by", "Wc")}


def _check_cell(cell: str) -> None:
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {CELLS}, got {cell!r}")


def _sequence_forward(cell: str):
    """The cell module's sequence forward function; course_lib.lstm is imported only when asked for."""
    if cell == "rnn":
        return rnn.rnn_forward
    if cell == "gru":
        return gru.gru_forward
    # lstm.py may be written after this module: import it only when it is asked for
    try:
        lstm = importlib.import_module(".lstm", __package__)
    except ModuleNotFoundError as err:
        if err.name != f"{__package__}.lstm":
            raise  # lstm.py exists but one of its own imports failed: show that error
        raise ImportError(f"cell='lstm' needs {__package__}.lstm (lstm_forward), "
                          f"which could not be imported: {err}") from err
    return lstm.lstm_forward


def _with_unused_output_layer(parameters, cell: str):
    """``parameters``, plus a one-class placeholder output layer if it has none.

    The cell modules validate the whole dict, output layer included, although the models here
    never read it; the placeholder lets hidden-layer-only dicts through.
    """
    w, b, w_hidden = _CELL_OUTPUT_KEYS[cell]
    if not isinstance(parameters, dict) or (w in parameters and b in parameters):
        return parameters
    if not isinstance(parameters.get(w_hidden), np.ndarray) or parameters[w_hidden].ndim != 2:
        return parameters  # let the cell module report what is wrong
    n_a = parameters[w_hidden].shape[0]
    return {**parameters, w: np.zeros((1, n_a)), b: np.zeros((1, 1))}


def run_cell(x, a0, parameters, cell: str = "rnn", cell_options: dict | None = None) -> np.ndarray:
    """The hidden states a^{<1>} .. a^{<T_x>} (n_a, m, T_x) of one cell run left to right over x."""
    _check_cell(cell)
    forward = _sequence_forward(cell)
    return forward(x, a0, _with_unused_output_layer(parameters, cell), **(cell_options or {}))[0]


def _with_context(err: Exception, context: str) -> Exception:
    """The same kind of error, its message prefixed by where it happened."""
    return type(err)(f"{context}: {err}")


def _output_layer(a, Wy, by, symbols: str) -> np.ndarray:
    """ŷ^{<t>} = softmax(W_y a^{<t>} + b_y) at every step; a is (n, m, T_x)."""
    n_y = check_array("Wy", Wy, (None, a.shape[0]), f"(n_y, {symbols})").shape[0]
    check_array("by", by, (n_y, 1), "(n_y, 1)")
    return softmax(np.einsum("ya,amt->ymt", Wy, a) + by[:, :, None])


def bidirectional_forward(x, a0_fwd, a0_bwd, params_fwd, params_bwd, cell: str = "rnn", *,
                          Wy, by, cell_options: dict | None = None):
    """A bidirectional RNN (BRNN) over the whole sequence.

    Implements ``a→^{<t>} = cell(a→^{<t-1>}, x^{<t>})`` left to right,
    ``a←^{<t>} = cell(a←^{<t+1>}, x^{<t>})`` right to left, and
    ``ŷ^{<t>} = softmax(W_y [a→^{<t>}; a←^{<t>}] + b_y)``.

    Parameters
    ----------
    x : ndarray (n_x, m, T_x)
    a0_fwd : ndarray (n_a, m)
        a→^{<0>}, the forward direction's initial state.
    a0_bwd : ndarray (n_a', m)
        a←^{<T_x+1>}, the backward direction's initial state (it enters at the last step).
    params_fwd, params_bwd : dict
        Each direction's own cell parameters, as the cell module's ``initialize_parameters``
        or ``from_torch_*`` makes them (their output layer is not used and may be absent).
    cell : {"rnn", "gru", "lstm"}
    Wy : ndarray (n_y, n_a + n_a'), keyword-only
        Output weights acting on [a→^{<t>}; a←^{<t>}].
    by : ndarray (n_y, 1), keyword-only
    cell_options : dict, optional
        Keyword arguments for the cell's sequence forward, e.g. ``{"variant": "torch"}`` (GRU),
        ``{"g1": "relu"}`` (RNN), ``{"peephole": True}`` (LSTM).

    Returns
    -------
    a_fwd : ndarray (n_a, m, T_x)       a_fwd[:, :, t-1] = a→^{<t>}
    a_bwd : ndarray (n_a', m, T_x)      a_bwd[:, :, t-1] = a←^{<t>}
    y_hat : ndarray (n_y, m, T_x)

    Raises
    ------
    ValueError
        Unknown ``cell``; a shape that does not fit (the message says which direction).
    ImportError
        ``cell="lstm"`` while course_lib.lstm is not available.
    """
    _check_cell(cell)
    check_array("x", x, (None, None, None), "(n_x, m, T_x)")
    try:
        a_fwd = run_cell(x, a0_fwd, params_fwd, cell, cell_options)
    except ValueError as err:
        raise _with_context(err, "forward direction (a0_fwd, params_fwd)") from err
    try:
        # right to left = the same cell over x^{<T_x>}, ..., x^{<1>}; then put a← back in time order
        a_bwd = run_cell(x[:, :, ::-1], a0_bwd, params_bwd, cell, cell_options)[:, :, ::-1]
    except ValueError as err:
        raise _with_context(err, "backward direction (a0_bwd, params_bwd)") from err
    a_both = np.concatenate([a_fwd, a_bwd], axis=0)
    y_hat = _output_layer(a_both, Wy, by, "n_a + n_a'")
    return a_fwd, np.ascontiguousarray(a_bwd), y_hat


def deep_rnn_forward(x, a0s, layer_params, cell: str = "rnn", *, Wy, by,
                     cell_options: dict | None = None):
    """A deep (stacked) RNN: layer l reads layer l-1's states as its input sequence.

    Implements ``a^{[l]<t>} = cell^{[l]}(a^{[l]<t-1>}, a^{[l-1]<t>})`` with a^{[0]<t>} = x^{<t>},
    e.g. ``a^{[2]<3>} = g(W_a^{[2]} [a^{[2]<2>}; a^{[1]<3>}] + b_a^{[2]})`` for the plain RNN,
    and ``ŷ^{<t>} = softmax(W_y a^{[L]<t>} + b_y)``.

    Parameters
    ----------
    x : ndarray (n_x, m, T_x)
    a0s : list of L ndarrays, a0s[l-1] of shape (n_a^{[l]}, m)
        a^{[l]<0>} for each layer.
    layer_params : list of L dicts
        Layer l's cell parameters; its input size is n_x for l = 1 and n_a^{[l-1]} after.
    cell : {"rnn", "gru", "lstm"}
        The same kind of cell in every layer.
    Wy : ndarray (n_y, n_a^{[L]}), keyword-only
    by : ndarray (n_y, 1), keyword-only
    cell_options : dict, optional
        As in :func:`bidirectional_forward`, used for every layer.

    Returns
    -------
    a_layers : list of L ndarrays, a_layers[l-1] of shape (n_a^{[l]}, m, T_x)
        a_layers[l-1][:, :, t-1] is a^{[l]<t>}.
    y_hat : ndarray (n_y, m, T_x)

    Raises
    ------
    ValueError
        Unknown ``cell``; ``a0s`` and ``layer_params`` of different lengths or empty; a layer
        whose sizes do not fit its input (the message names the layer and the input size).
    """
    _check_cell(cell)
    check_array("x", x, (None, None, None), "(n_x, m, T_x)")
    if len(layer_params) == 0:
        raise ValueError("layer_params is empty: a deep RNN needs at least one layer")
    if len(a0s) != len(layer_params):
        raise ValueError(f"a0s has {len(a0s)} initial states but layer_params has "
                         f"{len(layer_params)} layers; give one a^{{[l]<0>}} per layer")
    a_layers = []
    layer_input = x
    for l, (a0, parameters) in enumerate(zip(a0s, layer_params), start=1):
        try:
            a = run_cell(layer_input, a0, parameters, cell, cell_options)
        except ValueError as err:
            source = "x" if l == 1 else f"a^[{l - 1}] (layer {l - 1}'s states)"
            raise _with_context(err, f"layer {l} (layer_params[{l - 1}], a0s[{l - 1}]) reads "
                                     f"{source} of {layer_input.shape[0]} features per step") from err
        a_layers.append(a)
        layer_input = a
    return a_layers, _output_layer(a_layers[-1], Wy, by, "n_a^[L]")
