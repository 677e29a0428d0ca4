"""Figures of the RNN chapters: the unrolled network and its hidden states.

Every figure in the book is drawn by code. This module holds the RNN figures that more than one
chapter can reuse (the forward pass in chapter 2, backpropagation through time in chapter 3,
bidirectional RNNs later). matplotlib is imported inside each function, so ``import course_lib``
keeps working without it.

Conventions (as in the notes and :mod:`course_lib.plots`)
---------------------------------------------------------
* Time steps are labelled 1-based (``t = 1 .. T_x``), like ``a^{<t>}`` in the text.
* Hidden states are drawn as an ``(n_a, T_x)`` matrix: one column per time step, one row per
  unit of ``a^{<t>}``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .plots import _check_labels, _new_ax


def _sup(t) -> str:
    """``<t>`` in the notes' notation, as matplotlib mathtext."""
    return r"^{\langle " + str(t) + r" \rangle}"


def plot_unrolled_rnn(
    T: int = 4,
    input_labels: Sequence[str] | None = None,
    show_outputs: bool = True,
    show_weights: bool = True,
    ax=None,
    title: str | None = None,
):
    """Draw a one-layer RNN unrolled over ``T`` time steps.

    One box per time step computes ``a^{<t>}``. The input ``x^{<t>}`` enters from below through
    ``W_ax``, the previous activation ``a^{<t-1>}`` from the left through ``W_aa`` (starting from
    the initial activation ``a^{<0>}``), and the prediction ``ŷ^{<t>}`` leaves upwards through
    ``W_ya``. The same weight names appear at every step because the weights are shared.

    Parameters
    ----------
    T : int, default 4
        Number of time steps (boxes), at least 1.
    input_labels : sequence of str, length T, optional
        A word written under each input, e.g. the tokens of a sentence.
    show_outputs : bool, default True
        Draw the outputs ``ŷ^{<t>}`` and their ``W_ya`` arrows (False for a hidden layer).
    show_weights : bool, default True
        Write ``W_aa``, ``W_ax`` and ``W_ya`` next to the arrows.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is created if omitted.
    title : str, optional

    Returns
    -------
    matplotlib Axes
        The boxes are ``FancyBboxPatch`` patches (``T`` of them, left to right) and the arrows
        ``FancyArrowPatch`` patches: ``T`` recurrent, ``T`` input and, if drawn, ``T`` output
        arrows.

    Raises
    ------
    ValueError
        If ``T`` is not a positive integer or ``input_labels`` does not have ``T`` entries.
    """
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    if not isinstance(T, (int, np.integer)) or T < 1:
        raise ValueError(f"T must be a positive integer, got {T!r}")
    _check_labels(input_labels, T, "input_labels")
    gap, w, h = 2.2, 1.1, 0.9          # distance between steps, box width and height
    y_x, y_yhat = -1.9, 1.9            # heights of the inputs and the outputs
    x_lim = (-gap - 0.1, (T - 1) * gap + w / 2 + 0.4)
    y_lim = (y_x - (0.9 if input_labels is not None else 0.5),
             y_yhat + 0.45 if show_outputs else h / 2 + 0.5)
    # Equal aspect: size the figure like the drawing (0.8 inch per unit), plus room for a title.
    ax = _new_ax(ax, figsize=(0.8 * (x_lim[1] - x_lim[0]), 0.8 * (y_lim[1] - y_lim[0]) + 0.4))

    def arrow(start, end, colour):
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14,
                                     linewidth=1.4, color=colour, shrinkA=2, shrinkB=2))

    ax.text(-gap + w / 2, 0, "$a" + _sup(0) + "$", ha="center", va="center", fontsize=13)
    for t in range(1, T + 1):
        cx = (t - 1) * gap
        ax.add_patch(FancyBboxPatch((cx - w / 2, -h / 2), w, h, boxstyle="round,pad=0.05",
                                    facecolor="#dbe9f6", edgecolor="#2b6ca3", linewidth=1.5))
        ax.text(cx, 0, "$a" + _sup(t) + "$", ha="center", va="center", fontsize=13)

        # a^{<t-1>} -> a^{<t>}: the recurrent connection
        left = cx - gap + (w / 2 if t > 1 else w / 2 + 0.35)
        arrow((left + 0.05, 0), (cx - w / 2 - 0.05, 0), "#2ca02c")
        # x^{<t>} -> a^{<t>}
        ax.text(cx, y_x, "$x" + _sup(t) + "$", ha="center", va="center", fontsize=13)
        arrow((cx, y_x + 0.3), (cx, -h / 2 - 0.08), "#d08c00")
        if input_labels is not None:
            ax.text(cx, y_x - 0.5, f"“{input_labels[t - 1]}”", ha="center", va="center",
                    fontsize=10, color="0.3")
        # a^{<t>} -> ŷ^{<t>}
        if show_outputs:
            ax.text(cx, y_yhat, r"$\hat{y}" + _sup(t) + "$", ha="center", va="center",
                    fontsize=13)
            arrow((cx, h / 2 + 0.08), (cx, y_yhat - 0.32), "#7b3fa0")
        if show_weights:
            ax.text(cx - gap / 2, 0.17, "$W_{aa}$", ha="center", va="bottom", fontsize=10,
                    color="#2ca02c")
            ax.text(cx + 0.1, (y_x - h / 2) / 2 - 0.1, "$W_{ax}$", ha="left", va="center",
                    fontsize=10, color="#d08c00")
            if show_outputs:
                ax.text(cx + 0.1, (y_yhat + h / 2) / 2, "$W_{ya}$", ha="left", va="center",
                        fontsize=10, color="#7b3fa0")

    ax.set_xlim(*x_lim)
    ax.set_ylim(*y_lim)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


def plot_hidden_states(
    a: np.ndarray,
    col_labels: Sequence[str] | None = None,
    ax=None,
    title: str | None = None,
    vmax: float = 1.0,
    colorbar: bool = True,
):
    """Show the hidden states of one sequence as a heat map of shape (n_a, T_x).

    Column ``t`` is ``a^{<t>}``; row ``k`` is unit ``k`` (0-based) of the hidden state. The
    colour scale is symmetric around 0 (blue negative, red positive), which suits tanh
    activations in (-1, 1).

    Parameters
    ----------
    a : ndarray of shape (n_a, T_x)
        Hidden states of one example, e.g. ``a[:, 0, :]`` from
        :func:`course_lib.rnn.rnn_forward`.
    col_labels : sequence of str, length T_x, optional
        Label under each column, e.g. the words; the default is ``1 .. T_x``.
    ax : matplotlib Axes, optional
    title : str, optional
    vmax : float, default 1.0
        The colour scale runs from ``-vmax`` to ``vmax`` (1 is the range of tanh).
    colorbar : bool, default True

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ValueError
        If ``a`` is not two-dimensional, ``vmax`` is not positive, or ``col_labels`` has the
        wrong length.
    """
    a = np.asarray(a)
    if a.ndim != 2:
        raise ValueError(f"a must have shape (n_a, T_x) (one example), got shape {a.shape}")
    if not vmax > 0:
        raise ValueError(f"vmax must be positive, got {vmax!r}")
    n_a, T = a.shape
    _check_labels(col_labels, T, "col_labels")
    ax = _new_ax(ax, figsize=(0.55 * T + 2.5, 0.3 * n_a + 1.6))
    image = ax.imshow(a, cmap="RdBu_r", vmin=-vmax, vmax=vmax, aspect="auto",
                      interpolation="nearest")
    ax.set_xticks(range(T))
    if col_labels is None:
        col_labels = [str(t) for t in range(1, T + 1)]
    ax.set_xticklabels(col_labels, rotation=45, ha="right")
    ax.set_xlabel("time step t")
    ax.set_yticks(range(n_a))
    ax.set_ylabel("unit of the hidden state (0-based)")
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label="activation value")
    if title:
        ax.set_title(title)
    return ax
