"""course_lib.checks: honest answers pass, with helpful messages; objects that lie are refused.

Every liar here passed the comparisons the test cells used before (``np.allclose``,
``np.max(np.abs(got - expected))``, ``abs(got - expected) < tol``, ``got == expected``), which the
first test of each kind proves, so the refusal is what makes the difference.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
import torch

from course_lib import checks

EXPECTED = np.arange(6, dtype=float).reshape(2, 3) / 7


# ----- liars -----------------------------------------------------------------------------------

class ZeroDifference(np.ndarray):
    """Subtraction always gives zeros; comparisons always say equal."""

    def __sub__(self, other):
        return np.zeros(np.shape(other))

    def __rsub__(self, other):
        return np.zeros(np.shape(other))

    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)


class UfuncLiar(np.ndarray):
    """Every ufunc (subtract, absolute, isclose's arithmetic) returns zeros or True."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        shape = np.broadcast_shapes(*(np.shape(np.asarray(i).view(np.ndarray)) if not isinstance(i, UfuncLiar) else i.shape for i in inputs))
        return np.zeros(shape, dtype=bool if ufunc in (np.less_equal, np.isfinite) else float) \
            if ufunc is not np.less_equal else np.ones(shape, dtype=bool)


class FunctionLiar(np.ndarray):
    """Every numpy function (allclose, array_equal, max ...) answers True or 0."""

    def __array_function__(self, func, types, args, kwargs):
        return True if func in (np.allclose, np.array_equal, np.all) else 0.0


class ArrayLiar:
    """Not an array at all: it only has shape, dtype, and an __array__ that reads the caller's
    variable called `expected`."""

    shape = EXPECTED.shape
    dtype = EXPECTED.dtype
    size = EXPECTED.size

    def __array__(self, dtype=None, copy=None):
        import sys

        frame = sys._getframe(1)
        while frame is not None:
            if "expected" in frame.f_locals:
                return np.asarray(frame.f_locals["expected"])
            frame = frame.f_back
        return np.zeros(self.shape)

    def __sub__(self, other):
        return np.zeros(self.shape)


class FloatLiar(float):
    def __sub__(self, other):
        return 0.0

    def __rsub__(self, other):
        return 0.0

    def __abs__(self):
        return 0.0

    def __eq__(self, other):
        return True

    def __float__(self):
        return 0.5

    __hash__ = float.__hash__


class StrLiar(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


class TrueObject:
    """Comparisons return itself, and it is always truthy."""

    def __eq__(self, other):
        return self

    def __bool__(self):
        return True

    def __lt__(self, other):
        return self

    __sub__ = __rsub__ = __abs__ = lambda self, *a: self


class TupleLiar(tuple):
    def __len__(self):
        return 3


class DictLiar(dict):
    def __getitem__(self, key):
        return EXPECTED


class TensorLiar(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func in (torch.allclose, torch.equal):
            return True
        return super().__torch_function__(func, types, args, kwargs or {})


def _old_array_check(got, expected, atol=1e-10):
    """The comparison the test cells made before course_lib.checks."""
    assert isinstance(got, np.ndarray) and got.shape == expected.shape
    assert float(np.max(np.abs(got - expected))) <= atol
    assert np.allclose(got, expected, rtol=0, atol=atol)


# ----- arrays ----------------------------------------------------------------------------------

def test_check_array_accepts_the_right_array_and_returns_a_private_copy():
    got = EXPECTED.copy()
    plain = checks.check_array("a", got, EXPECTED)
    assert type(plain) is np.ndarray and np.array_equal(plain, EXPECTED)
    plain[0, 0] = 99
    assert got[0, 0] == 0


@pytest.mark.parametrize("liar", [ZeroDifference, FunctionLiar])
def test_array_subclasses_fooled_the_old_check_and_are_refused(liar):
    wrong = np.full(EXPECTED.shape, 5.0).view(liar)
    _old_array_check(wrong, EXPECTED)  # the hole this module closes
    with pytest.raises(AssertionError, match="subclass of numpy.ndarray"):
        checks.check_array("a_next", wrong, EXPECTED)


def test_ufunc_override_subclass_is_refused():
    wrong = np.full(EXPECTED.shape, 5.0).view(UfuncLiar)
    with pytest.raises(AssertionError, match="UfuncLiar is a subclass of numpy.ndarray"):
        checks.check_array("a_next", wrong, EXPECTED)


def test_object_that_only_looks_like_an_array_is_refused():
    liar = ArrayLiar()
    expected = EXPECTED  # noqa: F841  (the liar reads this variable from the frame)
    assert np.allclose(np.asarray(liar), EXPECTED)  # it can find the expectation
    with pytest.raises(AssertionError, match="should be a numpy array.*ArrayLiar"):
        checks.check_array("y_pred", liar, EXPECTED)


@pytest.mark.parametrize("got, message", [
    (EXPECTED[:, :2].copy(), r"has shape \(2, 2\), expected \(2, 3\)"),
    (EXPECTED.astype(object), "dtype object"),
    (EXPECTED + 1e-3, r"largest difference from the expected values is 0.001 \(allowed: 1e-10\)"),
    (np.where(EXPECTED > 0.5, np.nan, EXPECTED), "NaN or infinite"),
    ([list(r) for r in EXPECTED], r"should be a numpy array of shape \(2, 3\), got a list"),
])
def test_check_array_says_what_is_wrong(got, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_array("a", got, EXPECTED)


def test_object_arrays_of_liars_are_refused():
    liars = np.array([TrueObject(), TrueObject()], dtype=object)
    with pytest.raises(AssertionError, match="dtype object"):
        checks.check_array("v", liars, np.zeros(2))


def test_integer_and_boolean_arrays_are_compared_exactly():
    checks.check_array("ids", np.array([1, 2, 3]), np.array([1, 2, 3]), atol=0, dtype="int")
    with pytest.raises(AssertionError, match="1 of its 3 entries differ"):
        checks.check_array("ids", np.array([1, 2, 4]), np.array([1, 2, 3]), atol=0)
    with pytest.raises(AssertionError, match="dtype float64, expected dtype int"):
        checks.check_array("ids", np.array([1.0, 2.0]), np.array([1, 2]), dtype="int")


def test_as_array_checks_shape_with_free_axes():
    assert checks.as_array("x", np.zeros((3, 4)), shape=(3, None)).shape == (3, 4)
    with pytest.raises(AssertionError, match=r"expected \(2, \?\)"):
        checks.as_array("x", np.zeros((3, 4)), shape=(2, None))


# ----- scalars and plain data ------------------------------------------------------------------

def test_float_liar_fooled_the_old_check_and_is_refused():
    liar = FloatLiar(123.0)
    assert abs(liar - 0.25) < 1e-10 and liar == 0.25  # the hole
    with pytest.raises(AssertionError, match="FloatLiar is a subclass of float"):
        checks.check_scalar("cosine", liar, 0.25)


def test_numpy_scalar_subclass_and_bool_are_refused():
    class F64(np.float64):
        pass

    with pytest.raises(AssertionError, match="subclass of float"):
        checks.as_float("loss", F64(0.5))
    with pytest.raises(AssertionError, match="should be a number"):
        checks.as_float("loss", True)
    assert checks.as_float("loss", np.float32(0.5)) == 0.5
    assert checks.as_float("loss", np.array(0.25)) == 0.25
    assert type(checks.as_float("loss", 3)) is float


def test_check_scalar_message_gives_both_values_and_the_difference():
    with pytest.raises(AssertionError, match=r"should be 0.5, got 0.75 \(difference 0.25"):
        checks.check_scalar("loss", 0.75, 0.5)
    with pytest.raises(AssertionError, match="finite"):
        checks.check_scalar("loss", float("nan"), 0.5)


def test_truthy_self_comparing_object_is_refused_everywhere():
    liar = TrueObject()
    assert bool(liar == "queen") and bool(abs(liar - 1.0) < 1e-9)  # the hole
    for check in (lambda: checks.check_scalar("x", liar, 1.0),
                  lambda: checks.check_equal("word", liar, "queen"),
                  lambda: checks.check_array("x", liar, EXPECTED),
                  lambda: checks.as_int("n", liar)):
        with pytest.raises(AssertionError, match="TrueObject"):
            check()


def test_str_subclass_with_lying_eq_is_refused():
    liar = StrLiar("king")
    assert liar == "queen"  # the hole
    with pytest.raises(AssertionError, match="subclass of str"):
        checks.check_equal("answer", liar, "queen")
    with pytest.raises(AssertionError, match="subclass of str"):
        checks.as_str("answer", liar)


def test_check_equal_compares_nested_plain_data_and_names_the_first_difference():
    expected = [("the", "cat"), ("cat", "sat")]
    checks.check_equal("pairs", [("the", "cat"), ("cat", "sat")], expected)
    with pytest.raises(AssertionError, match=r"pairs\[1\]\[1\] should be 'sat', got 'sit'"):
        checks.check_equal("pairs", [("the", "cat"), ("cat", "sit")], expected)
    with pytest.raises(AssertionError, match="a tuple"):
        checks.check_equal("pairs", [["the", "cat"], ["cat", "sat"]], expected)
    checks.check_equal("pairs", [["the", "cat"], ["cat", "sat"]], expected, compare_types=False)
    with pytest.raises(AssertionError, match=r"missing \['b'\]"):
        checks.check_equal("vocab", {"a": 0}, {"a": 0, "b": 1})
    with pytest.raises(AssertionError, match="subclass of str"):
        checks.check_equal("tokens", ["a", StrLiar("b")], ["a", "b"])


def test_tuple_and_dict_subclasses_are_refused():
    with pytest.raises(AssertionError, match="subclass of tuple"):
        checks.as_tuple("result", TupleLiar((1,)), 3)
    with pytest.raises(AssertionError, match="subclass of dict"):
        checks.as_dict("gradients", DictLiar(dxt=0), ["dxt"])
    assert checks.as_tuple("result", (1, 2, 3), 3) == (1, 2, 3)
    with pytest.raises(AssertionError, match="3 items, got 2"):
        checks.as_tuple("result", (1, 2), 3)
    assert checks.as_tuple("r", [1, 2], 2, allow_list=True) == (1, 2)


def test_as_dict_names_missing_and_unexpected_keys():
    with pytest.raises(AssertionError, match=r"missing \['dba'\], unexpected \['db'\]"):
        checks.as_dict("gradients", {"dxt": 1, "db": 2}, ["dxt", "dba"])
    assert checks.as_dict("g", {"dxt": 1, "extra": 2}, ["dxt"], exact=False) == {"dxt": 1, "extra": 2}


# ----- tensors ---------------------------------------------------------------------------------

def test_check_tensor_accepts_tensors_and_parameters():
    expected = torch.tensor(EXPECTED)
    checks.check_tensor("logits", expected.clone(), expected)
    checks.check_tensor("weight", torch.nn.Parameter(expected.clone()), EXPECTED)
    with pytest.raises(AssertionError, match="largest difference"):
        checks.check_tensor("logits", expected + 1, expected)
    with pytest.raises(AssertionError, match=r"has shape \(3, 2\), expected \(2, 3\)"):
        checks.check_tensor("logits", expected.T.contiguous(), expected)


def test_tensor_subclass_fooled_torch_allclose_and_is_refused():
    liar = torch.zeros(2, 3).as_subclass(TensorLiar)
    assert torch.allclose(liar, torch.ones(2, 3))  # the hole
    with pytest.raises(AssertionError, match="TensorLiar is a subclass of torch.Tensor"):
        checks.check_tensor("logits", liar, torch.ones(2, 3))


def test_a_torch_mode_left_active_by_the_student_is_detected():
    from torch.overrides import TorchFunctionMode

    class Agree(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            if func is torch.allclose:
                return True
            return func(*args, **(kwargs or {}))

    mode = Agree()

    def student():
        mode.__enter__()  # and never leaves
        return torch.zeros(3)

    try:
        with pytest.raises(AssertionError, match="torch function or dispatch mode"):
            checks.call(student)
        with pytest.raises(AssertionError, match="mode is active"):
            checks.check_tensor("x", torch.zeros(3), torch.ones(3))
    finally:
        mode.__exit__(None, None, None)
    checks.check_tensor("x", torch.ones(3), torch.ones(3))


# ----- calling ---------------------------------------------------------------------------------

def test_call_refuses_a_function_that_leaves_a_thread_running():
    stop = threading.Event()

    def student():
        result = np.zeros(3)

        def overwrite_later():
            stop.wait(5)
            result[:] = 1

        threading.Thread(target=overwrite_later, daemon=True).start()
        return result

    try:
        with pytest.raises(AssertionError, match="left 1 thread"):
            checks.call(student)
    finally:
        stop.set()
    time.sleep(0.05)
    assert checks.call(lambda a, b=1: a + b, 1, b=2) == 3


def test_calling_before_computing_the_expectation_leaves_nothing_to_read():
    """A function that searches its callers' variables for the expectation finds nothing when
    the test calls it first: the pattern every test cell follows."""
    import sys

    def reads_expectation(x):
        frame = sys._getframe(1)
        while frame is not None:
            for name in ("expected", "_expected", "ref_a"):
                if name in frame.f_locals:
                    return np.array(frame.f_locals[name])
            frame = frame.f_back
        return np.zeros_like(x)

    def test_cell(x):
        got = checks.call(reads_expectation, x.copy())
        expected = np.tanh(x)
        checks.check_array("a", got, expected)

    with pytest.raises(AssertionError, match="wrong values"):
        test_cell(EXPECTED)

    def careless_test_cell(x):  # the order this module tells tests not to use
        expected = np.tanh(x)
        got = reads_expectation(x.copy())
        checks.check_array("a", got, expected)

    careless_test_cell(EXPECTED)  # the hole the ordering closes


def test_describe_never_calls_the_students_repr():
    class Loud:
        def __repr__(self):
            raise RuntimeError("student code ran")

    assert "Loud" in checks.describe(Loud())


# ----- tampering while the student's function runs ---------------------------------------------

def test_a_function_that_patches_numpy_while_it_runs_is_refused():
    real = np.ndarray  # the checks use np.ndarray.copy on the answer

    def student():
        np.ndarray = type("FakeNdarray", (), {})
        return np.zeros(3)

    checks.check_array("warm up", np.zeros(1), np.zeros(1))
    try:
        with pytest.raises(AssertionError, match=r"numpy.ndarray changed"):
            checks.call(student)
    finally:
        np.ndarray = real
    checks.check_array("a", np.ones(3), np.ones(3))  # trusted again once put back


def test_swapping_the_code_of_a_numpy_method_helper_is_refused():
    from numpy._core import _methods

    real = _methods._all.__code__

    def student():
        _methods._all.__code__ = (lambda *args, **kwargs: True).__code__
        return np.zeros(3)

    try:
        with pytest.raises(AssertionError, match=r"the code of numpy._core._methods._all"):
            checks.call(student)
    finally:
        _methods._all.__code__ = real
    with pytest.raises(AssertionError, match="wrong values"):
        checks.check_array("a", np.zeros(3), np.ones(3))


def test_rebinding_a_check_or_a_builtin_is_refused():
    real_as_array, real_abs = checks.as_array, __builtins__["abs"] if isinstance(
        __builtins__, dict) else __builtins__.abs
    import builtins

    def student():
        checks.as_array = lambda name, got, **kwargs: np.ones(3)
        builtins.abs = lambda x: 0
        return np.zeros(3)

    try:
        with pytest.raises(AssertionError, match=r"course_lib.checks.as_array.*builtins.abs|"
                                                 r"builtins.abs.*course_lib.checks.as_array"):
            checks.call(student)
    finally:
        checks.as_array, builtins.abs = real_as_array, real_abs
    checks.check_array("a", np.ones(3), np.ones(3))


def test_a_profile_hook_left_behind_is_refused():
    import sys

    def rewrite_when_checked(frame, event, arg):
        if event == "call" and frame.f_code.co_name == "check_array":
            frame.f_locals["got"][:] = frame.f_locals["expected"]

    def student():
        sys.setprofile(rewrite_when_checked)
        return np.zeros(3)

    try:
        with pytest.raises(AssertionError, match=r"a profile function \(sys.setprofile\) was installed"):
            checks.call(student)
    finally:
        sys.setprofile(None)
    checks.check_array("a", np.ones(3), np.ones(3))


def test_tqdm_progress_bars_in_a_graded_function_are_fine():
    from tqdm import tqdm

    def student():
        total = 0
        for i in tqdm(range(3), mininterval=0, disable=False):
            total += i
        return total

    assert checks.call(student) == 3
