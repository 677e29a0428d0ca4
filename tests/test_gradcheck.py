"""course_lib.gradcheck: centred differences and relative error."""

import numpy as np
import pytest

from course_lib.gradcheck import gradient_check, numerical_gradient, relative_error


def test_numerical_gradient_of_a_known_function_and_restores_x():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    grad = numerical_gradient(lambda: float(np.sum(x**3)), x)
    np.testing.assert_allclose(grad, 3 * before**2, rtol=1e-8)
    np.testing.assert_array_equal(x, before)


def test_relative_error_is_zero_for_equal_and_large_for_different():
    g = np.array([1.0, 2.0])
    assert relative_error(g, g) == 0.0
    assert relative_error(g, -g) == pytest.approx(1.0)
    assert relative_error(np.zeros(2), np.zeros(2)) == 0.0


def test_gradient_check_reports_per_array_and_catches_errors():
    W = np.array([[0.3, -0.1], [0.2, 0.4]])
    v = np.array([1.0, 2.0])
    f = lambda: float(np.tanh(W @ v).sum())  # noqa: E731
    right = ((1 - np.tanh(W @ v) ** 2)[:, None] * v[None, :])
    assert gradient_check(f, {"W": W}, {"W": right})["W"] < 1e-9
    assert gradient_check(f, {"W": W}, {"W": right.T})["W"] > 1e-2


def test_errors():
    with pytest.raises(ValueError, match="shape"):
        relative_error(np.zeros(2), np.zeros(3))
    with pytest.raises(TypeError, match="float64"):
        numerical_gradient(lambda: 0.0, np.zeros(2, dtype=np.float32))
    with pytest.raises(KeyError, match="no analytic gradient for 'W'"):
        gradient_check(lambda: 0.0, {"W": np.zeros(2)}, {})
