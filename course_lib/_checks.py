"""Input validation shared by the numerical modules: errors that name the array and the shape."""

from __future__ import annotations

from typing import Sequence

import numpy as np


def check_array(name: str, value, expected: Sequence[int | None], symbols: str) -> np.ndarray:
    """Return ``value`` as an ndarray after checking its shape.

    Parameters
    ----------
    name : str
        The argument's name, used in the message (``"xt"``, ``"parameters['Waa']"``).
    expected : sequence of int or None
        The expected shape; ``None`` matches any size on that axis.
    symbols : str
        The shape in the notes' symbols, e.g. ``"(n_x, m)"``, shown in the message.

    Raises
    ------
    TypeError
        If ``value`` is not a numpy array.
    ValueError
        If the number of axes or a size differs, e.g.
        ``xt has shape (3, 5) but (n_x, m) = (4, 5) was expected``.
    """
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be a numpy array of shape {symbols}, got {type(value).__name__}")
    shown = "(" + ", ".join("?" if s is None else str(s) for s in expected) + ("," if len(expected) == 1 else "") + ")"
    if value.ndim != len(expected) or any(e is not None and e != s for e, s in zip(expected, value.shape)):
        raise ValueError(f"{name} has shape {value.shape} but {symbols} = {shown} was expected")
    return value


def check_keys(name: str, mapping, keys: Sequence[str]) -> None:
    """Raise ``KeyError`` naming every missing key of ``mapping``."""
    missing = [k for k in keys if k not in mapping]
    if missing:
        raise KeyError(f"{name} is missing {missing}; it needs {list(keys)}")
