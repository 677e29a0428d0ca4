"""Plotting helpers for the book's figures.

Every figure in the book is drawn by code; the helpers that more than one
chapter needs live here. matplotlib is imported inside each function, so
``import course_lib`` keeps working on a machine without matplotlib.

Conventions (as in the notes)
-----------------------------
* Time steps are labelled 1-based on the axes (``t = 1 .. T_x``), like
  ``x^{<t>}`` in the text, although arrays are indexed 0-based.
* A one-hot matrix has one row per vocabulary index and one column per step.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def _check_labels(labels, expected: int, name: str) -> None:
    if labels is not None and len(labels) != expected:
        raise ValueError(f"{name} has {len(labels)} entries, expected {expected}")


def _new_ax(ax, figsize):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_one_hot(
    X: np.ndarray,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    ax=None,
    title: str | None = None,
):
    """Show a one-hot matrix as an image: rows = vocabulary index, columns = time step.

    Parameters
    ----------
    X : ndarray of shape (n_x, T)
        One-hot columns, e.g. from :func:`course_lib.text.one_hot`. All-zero
        columns (padding) are allowed.
    row_labels : sequence of str, length n_x, optional
        Token of every vocabulary index (``vocab.tokens``). Without labels the
        rows are numbered by their 0-based index.
    col_labels : sequence of str, length T, optional
        Label under each column, e.g. the words of the sentence. The default
        is ``t = 1 .. T``.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is created if omitted.
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ValueError
        If ``X`` is not two-dimensional or a label list has the wrong length.
    """
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n_x, T), got shape {X.shape}")
    n_x, T = X.shape
    _check_labels(row_labels, n_x, "row_labels")
    _check_labels(col_labels, T, "col_labels")
    ax = _new_ax(ax, figsize=(0.45 * T + 2.5, 0.13 * n_x + 1.5))
    ax.imshow(X, cmap="Greys", vmin=0, vmax=1, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(T))
    if col_labels is None:
        col_labels = [str(t) for t in range(1, T + 1)]
    ax.set_xticklabels(col_labels, rotation=60, ha="right")
    ax.set_xlabel("time step t")
    if row_labels is not None:
        ax.set_yticks(range(n_x))
        ax.set_yticklabels([f"{i} {tok}" for i, tok in enumerate(row_labels)], fontsize=6)
    ax.set_ylabel("vocabulary index (0-based) and token")
    # Thin grid lines between cells make single ones easy to count.
    ax.set_xticks(np.arange(-0.5, T, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, n_x, 1), minor=True)
    ax.grid(which="minor", color="0.85", linewidth=0.4)
    ax.tick_params(which="minor", length=0)
    if title:
        ax.set_title(title)
    return ax


def plot_mask(
    mask: np.ndarray,
    row_labels: Sequence[str] | None = None,
    ax=None,
    title: str | None = None,
):
    """Show a batch mask of shape (m, T_x): dark = real token, light = padding.

    Parameters
    ----------
    mask : ndarray of bool, shape (m, T_x)
        As returned by :func:`course_lib.text.pad_batch` or ``batch_one_hot``.
    row_labels : sequence of str, length m, optional
        A label for every example (e.g. its first words).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ValueError
        If ``mask`` is not a 2-D boolean array or ``row_labels`` has the wrong length.
    """
    mask = np.asarray(mask)
    if mask.ndim != 2 or mask.dtype != bool:
        raise ValueError(
            f"mask must be a 2-D bool array of shape (m, T_x), got {mask.dtype} {mask.shape}"
        )
    m, T = mask.shape
    _check_labels(row_labels, m, "row_labels")
    ax = _new_ax(ax, figsize=(0.45 * T + 2.5, 0.45 * m + 1.5))
    ax.imshow(mask, cmap="Blues", vmin=-0.3, vmax=1, aspect="auto", interpolation="nearest")
    for i in range(m):
        for t in range(T):
            ax.text(t, i, "1" if mask[i, t] else "0", ha="center", va="center", fontsize=8,
                    color="white" if mask[i, t] else "0.4")
    ax.set_xticks(range(T))
    ax.set_xticklabels([str(t) for t in range(1, T + 1)])
    ax.set_xlabel("time step t")
    ax.set_yticks(range(m))
    if row_labels is None:
        row_labels = [f"i = {i}" for i in range(1, m + 1)]
    ax.set_yticklabels(row_labels)
    ax.set_ylabel("example i")
    if title:
        ax.set_title(title)
    return ax
