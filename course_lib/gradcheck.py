"""Numerical gradient checking with centred differences.

Used by the chapters (to show a derived gradient is right), by the assignments (to find a planted
bug) and by the tests. Work in float64: with ``eps = 1e-6`` a correct gradient then agrees with the
centred difference to a relative error of about 1e-9 or better, while a wrong one is off by far
more than 1e-7.
"""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np


def relative_error(analytic: np.ndarray, numeric: np.ndarray, floor: float = 1e-12) -> float:
    """Relative error ``||a - n|| / max(||a|| + ||n||, floor)`` between two gradients.

    Parameters
    ----------
    analytic, numeric : ndarray
        Arrays of the same shape.
    floor : float
        Guards the division when both gradients are (almost) zero.

    Raises
    ------
    ValueError
        If the shapes differ.
    """
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    if a.shape != n.shape:
        raise ValueError(f"analytic gradient has shape {a.shape}, numeric gradient {n.shape}")
    return float(np.linalg.norm(a - n) / max(np.linalg.norm(a) + np.linalg.norm(n), floor))


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Centred-difference gradient of the scalar ``f()`` with respect to the array ``x``.

    ``x`` is perturbed **in place**, one entry at a time, and restored, so ``f`` must read ``x``
    (e.g. a closure over a parameter dict). Implements
    ``df/dx_i ≈ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)``.

    Raises
    ------
    TypeError
        If ``x`` is not a float64 array (float32 differences are too coarse to check anything).
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(f"x must be a float64 numpy array, got {getattr(x, 'dtype', type(x))}")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        f_plus = f()
        x[i] = old - eps
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def gradient_check(
    f: Callable[[], float],
    arrays: Mapping[str, np.ndarray],
    analytic: Mapping[str, np.ndarray],
    eps: float = 1e-6,
) -> dict[str, float]:
    """Relative error of each analytic gradient against centred differences.

    Parameters
    ----------
    f : callable
        ``f()`` returns the scalar loss computed from the current contents of ``arrays``.
    arrays : mapping name -> float64 ndarray
        The arrays to differentiate with respect to (perturbed in place and restored).
    analytic : mapping name -> ndarray
        The gradients to check; ``analytic[name]`` has the shape of ``arrays[name]``.

    Returns
    -------
    dict name -> float
        Relative error per array; below ~1e-7 means the gradient is right.

    Raises
    ------
    KeyError
        If a gradient is missing for one of ``arrays``.
    """
    errors = {}
    for name, x in arrays.items():
        if name not in analytic:
            raise KeyError(f"no analytic gradient for {name!r}; got {sorted(analytic)}")
        errors[name] = relative_error(analytic[name], numerical_gradient(f, x, eps))
    return errors
