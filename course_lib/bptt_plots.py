"""Figures for the chapter on backpropagation through time (BPTT).

Two pictures, both drawn by code:

* :func:`plot_unrolled_graph` draws an RNN unrolled over ``T`` time steps, with the forward
  computation (inputs up to outputs, ``a^{<t-1>}`` to ``a^{<t>}``, left to right) and the
  backward pass (losses down to parameters, ``a^{<t>}`` to ``a^{<t-1>}``, right to left: "through
  time") as arrows of two colours;
* :func:`plot_gradient_flow` draws gradient norms against the distance ``T - t`` on a log scale,
  one line per setting, with optional dashed reference lines ``rho ** k``.

matplotlib is imported inside each function, so ``import course_lib`` keeps working on a machine
without matplotlib. Time steps are labelled 1-based, as in the text.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from .plots import _new_ax

FORWARD_COLOUR = "0.15"
BACKWARD_COLOUR = "tab:red"
PARAMETER_COLOUR = "tab:green"
NODE_HALF_WIDTH, NODE_HALF_HEIGHT = 0.5, 0.36  # a node's box, padding included, in data units


def _node(ax, xy, text, facecolor):
    from matplotlib.patches import FancyBboxPatch

    pad = 0.05
    w, h = 2 * (NODE_HALF_WIDTH - pad), 2 * (NODE_HALF_HEIGHT - pad)
    ax.add_patch(FancyBboxPatch((xy[0] - w / 2, xy[1] - h / 2), w, h,
                                boxstyle=f"round,pad={pad},rounding_size=0.12",
                                facecolor=facecolor, edgecolor="0.3", linewidth=1.0, zorder=2))
    ax.text(xy[0], xy[1], text, ha="center", va="center", fontsize=12, zorder=3)


def _edge_point(centre, towards, gap=0.06):
    """Where the segment from a node's centre towards ``towards`` leaves the node's box."""
    d = towards - centre
    scale = min(NODE_HALF_WIDTH / abs(d[0]) if d[0] else np.inf,
                NODE_HALF_HEIGHT / abs(d[1]) if d[1] else np.inf)
    return centre + d * scale + d / np.linalg.norm(d) * gap


def _arrow(ax, start, end, colour, gid, offset=0.0, linestyle="-"):
    """An arrow from the box around ``start`` to the box around ``end`` (node centres).

    ``offset`` moves the arrow sideways, to the left of its direction of travel, so that an arrow
    and its twin in the opposite direction are drawn side by side instead of on top of each other.
    """
    from matplotlib.patches import FancyArrowPatch

    start = np.asarray(start, dtype=float)
    end = np.asarray(end, dtype=float)
    d = (end - start) / np.linalg.norm(end - start)
    shift = offset * np.array([-d[1], d[0]])
    arrow = FancyArrowPatch(_edge_point(start + shift, end + shift),
                            _edge_point(end + shift, start + shift), arrowstyle="-|>",
                            mutation_scale=13, color=colour, linewidth=1.6, linestyle=linestyle,
                            shrinkA=0, shrinkB=0, zorder=1)
    arrow.set_gid(gid)
    ax.add_patch(arrow)
    return arrow


def plot_unrolled_graph(T: int = 4, ax=None, backward: bool = True, title: str | None = None):
    """Draw the computation graph of an RNN unrolled over ``T`` steps.

    Nodes, bottom to top: ``x^{<t>}``, ``a^{<t>}`` (with ``a^{<0>}`` on the left),
    ``ŷ^{<t>}``, ``L^{<t>}`` and the sequence loss ``L = Σ_t L^{<t>}``. Forward arrows are
    dark grey; backward arrows (the gradient of ``L``) are red, drawn beside the forward ones and
    pointing the other way. Green labels name the parameters, which are the same at every step.

    Parameters
    ----------
    T : int, default 4
        Number of time steps to draw (1 to 8).
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is created if omitted.
    backward : bool, default True
        Also draw the backward (red) arrows.
    title : str, optional

    Returns
    -------
    matplotlib Axes
        Every arrow has a gid: ``"forward"`` or ``"backward"``.

    Raises
    ------
    ValueError
        If ``T`` is not an integer between 1 and 8.
    """
    if not isinstance(T, (int, np.integer)) or not 1 <= T <= 8:
        raise ValueError(f"T must be an integer between 1 and 8, got {T!r}")
    from matplotlib.lines import Line2D

    ax = _new_ax(ax, figsize=(2.1 * T + 2.6, 6.6))
    dx = 2.2
    row = {"x": 0.0, "a": 1.7, "y": 3.4, "Lt": 5.1, "L": 6.8}
    col = {t: dx * t for t in range(T + 1)}
    L_xy = (col[T] / 2 + dx / 2, row["L"])
    b = 0.13  # sideways offset that separates a backward arrow from its forward twin

    _node(ax, (col[0], row["a"]), r"$a^{\langle 0 \rangle}$", "#fff2cc")
    _node(ax, L_xy, r"$\mathcal{L}$", "#e4d7f5")
    for t in range(1, T + 1):
        c = col[t]
        _node(ax, (c, row["x"]), rf"$x^{{\langle {t} \rangle}}$", "#dae8fc")
        _node(ax, (c, row["a"]), rf"$a^{{\langle {t} \rangle}}$", "#fff2cc")
        _node(ax, (c, row["y"]), rf"$\hat{{y}}^{{\langle {t} \rangle}}$", "#d5e8d4")
        _node(ax, (c, row["Lt"]), rf"$\mathcal{{L}}^{{\langle {t} \rangle}}$", "#f8cecc")
        # The label y^{<t>} enters the loss of step t from the side.
        ax.annotate(rf"$y^{{\langle {t} \rangle}}$", xy=(c + NODE_HALF_WIDTH + 0.04, row["Lt"]),
                    xytext=(c + 1.05, row["Lt"]), fontsize=10, color="0.4", ha="left",
                    va="center", arrowprops=dict(arrowstyle="-|>", color="0.5", lw=1))

        _arrow(ax, (c, row["x"]), (c, row["a"]), FORWARD_COLOUR, "forward", b)
        _arrow(ax, (col[t - 1], row["a"]), (c, row["a"]), FORWARD_COLOUR, "forward", b)
        _arrow(ax, (c, row["a"]), (c, row["y"]), FORWARD_COLOUR, "forward", b)
        _arrow(ax, (c, row["y"]), (c, row["Lt"]), FORWARD_COLOUR, "forward", b)
        _arrow(ax, (c, row["Lt"]), L_xy, FORWARD_COLOUR, "forward", b)

        ax.text(c - 0.28, (row["x"] + row["a"]) / 2, r"$W_{ax}, b_a$", color=PARAMETER_COLOUR,
                fontsize=9, ha="right", va="center")
        ax.text((col[t - 1] + c) / 2, row["a"] + 0.36, r"$W_{aa}$", color=PARAMETER_COLOUR,
                fontsize=9, ha="center", va="bottom")
        ax.text(c - 0.28, (row["a"] + row["y"]) / 2, r"$W_{ya}, b_y$", color=PARAMETER_COLOUR,
                fontsize=9, ha="right", va="center")

        if backward:
            _arrow(ax, L_xy, (c, row["Lt"]), BACKWARD_COLOUR, "backward", b)
            _arrow(ax, (c, row["Lt"]), (c, row["y"]), BACKWARD_COLOUR, "backward", b)
            _arrow(ax, (c, row["y"]), (c, row["a"]), BACKWARD_COLOUR, "backward", b)
            _arrow(ax, (c, row["a"]), (col[t - 1], row["a"]), BACKWARD_COLOUR, "backward", b)
            _arrow(ax, (c, row["a"]), (c, row["x"]), BACKWARD_COLOUR, "backward", b,
                   linestyle="--")

    handles = [Line2D([], [], color=FORWARD_COLOUR, lw=1.6, label="forward pass")]
    if backward:
        handles.append(Line2D([], [], color=BACKWARD_COLOUR, lw=1.6,
                              label="backward pass (gradient of $\\mathcal{L}$)"))
        handles.append(Line2D([], [], color=BACKWARD_COLOUR, lw=1.6, ls="--",
                              label="gradient for $x$ (used only if $x$ is learned)"))
    handles.append(Line2D([], [], color=PARAMETER_COLOUR, lw=0, marker="s",
                          label="shared parameters (same at every step)"))
    ax.legend(handles=handles, loc="upper left", fontsize=9, frameon=False)
    ax.set_xlim(col[0] - 0.9, col[T] + 1.6)
    ax.set_ylim(row["x"] - 0.6, row["L"] + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


def plot_gradient_flow(
    norms: Mapping[str, np.ndarray],
    ax=None,
    reference_rates: Mapping[str, float] | None = None,
    title: str | None = None,
):
    """Gradient norms against the distance ``k = T - t``, on a logarithmic y axis.

    Parameters
    ----------
    norms : mapping label -> 1-D array of positive floats
        ``norms[label][k]`` is the norm of the gradient at distance ``k`` from the last step
        (``k = 0`` is step ``T`` itself).
    ax : matplotlib Axes, optional
    reference_rates : mapping label -> float, optional
        For each label, a dashed line ``norms[label][0] * rate ** k`` in the same colour.
    title : str, optional

    Returns
    -------
    matplotlib Axes
        One solid line per label, in the order given, then the dashed reference lines.

    Raises
    ------
    ValueError
        If a norm array is not 1-D, is empty, or has an entry that is not positive and finite
        (a log scale cannot show it), or a reference rate names an unknown label.
    """
    for label, v in norms.items():
        v = np.asarray(v, dtype=np.float64)
        if v.ndim != 1 or v.size == 0:
            raise ValueError(
                f"norms[{label!r}] must be a non-empty 1-D array, got shape {v.shape}")
        if not np.all(np.isfinite(v) & (v > 0)):
            raise ValueError(
                f"norms[{label!r}] must be positive and finite to plot on a log scale")
    reference_rates = dict(reference_rates or {})
    unknown = sorted(set(reference_rates) - set(norms))
    if unknown:
        raise ValueError(f"reference_rates names labels not in norms: {unknown}")

    ax = _new_ax(ax, figsize=(7, 4.2))
    colours = {}
    for label, v in norms.items():
        v = np.asarray(v, dtype=np.float64)
        (line,) = ax.plot(np.arange(v.size), v, lw=2, label=label)
        colours[label] = line.get_color()
    for label, rate in reference_rates.items():
        v = np.asarray(norms[label], dtype=np.float64)
        k = np.arange(v.size)
        ax.plot(k, v[0] * float(rate) ** k, ls="--", lw=1, color=colours[label],
                label=rf"${rate:g}^{{k}}$ (reference)")
    ax.set_yscale("log")
    ax.set_xlabel("distance k = T − t (steps back from the last step)")
    ax.set_ylabel("gradient norm")
    ax.grid(True, which="major", color="0.9")
    ax.legend(fontsize=9)
    if title:
        ax.set_title(title)
    return ax
