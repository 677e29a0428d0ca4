"""Checks for graded answers that trust nothing the student's code returns.

Every visible and hidden test cell of the course's assignments uses these helpers to compare what
a student's function returned with what was expected. They exist because the obvious comparisons
can be fooled: ``np.allclose(got, expected)`` and ``np.max(np.abs(got - expected))`` let the
student's object do the arithmetic, so a subclass of ``numpy.ndarray`` whose subtraction returns
zeros, or whose ``__array_function__`` answers ``True``, passes them. Here a returned value is
first checked to be *exactly* the built-in type asked for (``numpy.ndarray``, ``float``, ``str``,
``torch.Tensor``, ``tuple``, ``dict`` ..., never a subclass and never an object that only looks
like one), then copied into a plain value, and only the plain copy takes part in any arithmetic.

Each check fails with an ``AssertionError`` whose message says what was expected, what came back
and, for numbers, the largest difference, so the same helpers serve students (visible tests) and
the grader (hidden tests).

The student's code runs *inside* the test cell, so it could also change what the checks rely on
while it runs: replace ``numpy.all`` or a builtin, swap a function's code, or install a profile
hook that rewrites the values being compared. :func:`call` and every check therefore first verify
that numpy's comparison machinery, the builtins and math functions they use, and this module
itself are exactly as they were when it was imported, and that no trace or profile hook is
active; otherwise the check fails and names what was changed. (Between cells, the grader puts
everything back: ``course_lib.grading.execute``.) What Python cannot see from inside, such as
raw memory written through ``ctypes``, is out of reach of any check in the same process.

Write a test as *call, then compute the expectation*: call the student's function with
:func:`call` before the expected value exists, so the function cannot find it by reading the
caller's variables::

    from course_lib.checks import call, check_array
    got = call(rnn_cell_forward, xt.copy(), a_prev.copy(), parameters_copy)
    a_next, yt_pred, cache = check_tuple("rnn_cell_forward(...)", got, 3)
    expected_a, expected_y, _ = reference(xt, a_prev, parameters)
    check_array("a_next", a_next, expected_a)

Functions
---------
call            run a student's function; refuse one that leaves threads or torch modes behind
as_array        an exact ndarray of a real (bool/int/float) dtype, copied; shape and dtype checks
check_array     as_array, then finite values within a tolerance of the expected array
as_float        a real Python/numpy number (not bool, not a subclass), as a plain float
as_int          an integer (not bool, not a subclass), as a plain int
check_scalar    as_float, then within a tolerance of the expected number
check_equal     plain data (str, int, bool, None, tuples, lists, dicts of them) equal to the expected
as_tuple        an exact tuple (or list, if allowed) of a given length, as a plain tuple
as_dict         an exact dict with exactly (or at least) the given keys, as a plain dict
as_str          an exact str
as_tensor       an exact torch.Tensor (or nn.Parameter), detached and copied
check_tensor    as_tensor, then values within a tolerance of the expected tensor
"""

from __future__ import annotations

import builtins
import math
import sys
import threading
import types
from typing import Any, Iterable, Sequence

import numpy as np

__all__ = ["call", "as_array", "check_array", "as_float", "as_int", "check_scalar", "check_equal",
           "as_tuple", "as_dict", "as_str", "as_tensor", "check_tensor", "describe"]

# Exact scalar types accepted as numbers. numpy's scalar types can be subclassed in Python, so
# membership is tested with `type(x) in ...`, never with isinstance.
_FLOAT_TYPES = (float, np.float64, np.float32, np.float16)
_INT_TYPES = (int, np.int64, np.int32, np.int16, np.int8, np.uint64, np.uint32, np.uint16,
              np.uint8)
# The ufuncs the comparisons use (C objects: they cannot be changed, only rebound, and the names
# below are watched with the rest of this module).
_absolute, _isfinite, _isnan = np.absolute, np.isfinite, np.isnan
_REAL_DTYPE_KINDS = "biuf"  # bool, signed and unsigned integers, floats
_DTYPE_KINDS = {"float": "f", "int": "iu", "bool": "b", "real": "iuf"}


def describe(value: Any) -> str:
    """A short, safe description of ``value`` for a message: its exact type and, for arrays and
    tensors, shape and dtype. Never calls the value's own ``__repr__`` or ``__str__`` (they may be
    the student's code)."""
    kind = type(value)
    name = kind.__name__ if kind.__module__ in ("builtins", None) else (
        f"{kind.__module__}.{kind.__qualname__}")
    if type(value) is np.ndarray:
        return f"a numpy array of shape {value.shape} and dtype {value.dtype}"
    if type(value) in _FLOAT_TYPES + _INT_TYPES or type(value) in (bool, str, type(None)):
        return f"{name} {value!r}" if type(value) is not str or len(value) < 60 else f"a str of {len(value)} characters"
    if type(value) in (tuple, list, dict):
        return f"a {name} of length {len(value)}"
    if _is_exact_tensor(value):
        return f"a torch.Tensor of shape {tuple(value.shape)} and dtype {value.dtype}"
    return f"an object of type {name}"


def _not_exactly(name: str, wanted: str, got: Any) -> AssertionError:
    kind = type(got)
    subclass = ""
    for base in kind.__mro__[1:]:
        if base in (np.ndarray, float, int, str, tuple, list, dict, bool) or (
                base.__module__ == "torch" and base.__name__ == "Tensor"):
            subclass = (f" ({kind.__qualname__} is a subclass of {base.__module__}.{base.__name__}"
                        .replace("builtins.", "") + "; return the plain type itself)")
            break
    return AssertionError(f"{name} should be {wanted}, got {describe(got)}{subclass}")


# --------------------------------------------------------------------------------------------
# Calling the student's code
# --------------------------------------------------------------------------------------------

def _torch_mode_depth() -> int:
    """How many torch function/dispatch modes are active (0 without torch imported)."""
    import sys

    torch = sys.modules.get("torch")
    if torch is None:
        return 0
    depth = 0
    for name in ("_len_torch_function_stack", "_len_torch_dispatch_stack"):
        count = getattr(torch._C, name, None)
        if count is not None:
            depth += int(count())
    return depth


# --------------------------------------------------------------------------------------------
# Nothing the checks rely on was changed
# --------------------------------------------------------------------------------------------

# What the checks rely on, directly or through numpy's reductions and comparisons: a module's
# named attributes, or all of them (None), with the code of every function among them. Each
# module is watched if it is imported.
_USED_BUILTINS = {"type", "isinstance", "len", "float", "int", "str", "bool", "tuple", "list",
                  "dict", "set", "frozenset", "abs", "max", "min", "sum", "any", "all", "zip",
                  "enumerate", "repr", "sorted", "range", "callable", "getattr", "hasattr",
                  "iter", "next", "object", "super", "issubclass", "id", "print", "__import__",
                  "AssertionError", "ValueError", "TypeError"}
_WATCHED = {
    "numpy": {"array", "asarray", "ndarray", "dtype", "float64", "float32", "float16", "int64",
              "int32", "int16", "int8", "uint64", "uint32", "uint16", "uint8", "bool_"},
    # ndarray.all/any/sum/max/min are C methods that call these Python functions
    "numpy._core._methods": None,
    "builtins": _USED_BUILTINS, "math": {"isfinite", "isnan"},
    "threading": {"enumerate", "Thread", "current_thread", "settrace", "setprofile"},
    "torch._C": {"_len_torch_function_stack", "_len_torch_dispatch_stack"},
    "torch": {"Tensor", "no_grad", "as_tensor"},
    __name__: None,
}
# Classes whose methods the checks call (a method can be replaced on the class itself).
_WATCHED_CLASSES = (threading.Thread,)
_STATE: list = []
_HOOKS: list = []  # the trace and profile hooks when the checks were first used (e.g. a debugger's)


def _snapshot() -> list:
    state = []
    watched = [(name, names) for name, names in _WATCHED.items()]
    for name, names in watched:
        module = sys.modules.get(name)
        if module is None:
            continue
        everything = vars(module)
        attributes = {k: v for k, v in everything.items() if names is None or k in names}
        state.append((name, module, attributes, _functions(attributes.values())))
    for cls in _WATCHED_CLASSES:
        attributes = dict(vars(cls))
        state.append((f"{cls.__module__}.{cls.__qualname__}", cls, attributes,
                      _functions(attributes.values())))
    return state


def _functions(values) -> list:
    functions = []
    for value in values:
        for f in (value, getattr(value, "_implementation", None)):  # numpy's dispatchers
            if type(f) is types.FunctionType:
                functions.append((f, f.__code__, f.__defaults__, f.__kwdefaults__))
    return functions


def _hooks() -> tuple:
    return (sys.gettrace(), sys.getprofile(), getattr(threading, "_trace_hook", None),
            getattr(threading, "_profile_hook", None))


def _changes() -> list[str]:
    """What was changed since the snapshot: rebound attributes, swapped function code, hooks."""
    changes = [f"{label} was installed" for label, before, now in zip(
        ("a trace function (sys.settrace)", "a profile function (sys.setprofile)",
         "a thread trace function", "a thread profile function"), _HOOKS, _hooks())
        if now is not before]
    missing = object()
    for name, module, attributes, functions in _STATE:
        if type(module) is types.ModuleType and sys.modules.get(name) is not module:
            changes.append(f"sys.modules[{name!r}] was replaced")
            continue
        current = vars(module)
        changes += [f"{name}.{key}" for key, value in attributes.items()
                    if current.get(key, missing) is not value]
        changes += [f"the code of {name}.{f.__qualname__}"
                    for f, code, defaults, kwdefaults in functions
                    if f.__code__ is not code or f.__defaults__ is not defaults
                    or f.__kwdefaults__ is not kwdefaults]
    return changes


def _refuse_tampering() -> None:
    watched = {entry[0] for entry in _STATE}
    if not _STATE or any(name not in watched and name in sys.modules for name in _WATCHED):
        _STATE.extend(entry for entry in _snapshot() if entry[0] not in watched)
    if not _HOOKS:
        _HOOKS.extend(_hooks())
    changes = _changes()
    if changes:
        shown = ", ".join(changes[:4]) + (f" and {len(changes) - 4} more" if len(changes) > 4 else "")
        raise AssertionError(f"the checks cannot be trusted: {shown} changed since they were "
                             "loaded. A graded function must compute and return its result, not "
                             "change numpy, builtins, the checks or install hooks")


def _is_tqdm_monitor(thread) -> bool:
    """tqdm's own monitor thread (started by the first progress bar), which only refreshes bars."""
    tqdm = sys.modules.get("tqdm")
    monitor = getattr(getattr(tqdm, "tqdm", None), "monitor", None)
    return monitor is not None and thread is monitor and type(thread).__module__ == "tqdm._monitor"


def call(function, *args, **kwargs):
    """Call a student's ``function(*args, **kwargs)`` and return what it returned.

    Fails if the call left a new Python thread running (it could change the returned value after
    it was checked; tqdm's monitor thread is allowed), left a torch function/dispatch mode active
    (it would change what every torch operation in the test computes), changed what the checks
    rely on or installed a trace or profile hook (see the module docstring). Call the student's function *before* computing the
    expected value, so that the function cannot read the expectation from the caller's variables.

    Raises
    ------
    AssertionError
        If ``function`` is not callable, or it left a thread or a torch mode behind.
    """
    if not callable(function):
        raise AssertionError(f"expected a function to call, got {describe(function)}")
    name = getattr(function, "__name__", "the function")
    if type(name) is not str:
        name = "the function"
    _refuse_tampering()
    threads_before = set(threading.enumerate())
    modes_before = _torch_mode_depth()
    result = function(*args, **kwargs)
    _refuse_tampering()
    new_threads = [t for t in threading.enumerate()
                   if t not in threads_before and t.is_alive() and not _is_tqdm_monitor(t)]
    if new_threads:
        raise AssertionError(f"{name} left {len(new_threads)} thread(s) running after it returned; "
                             "a graded function must compute its result and return it")
    if _torch_mode_depth() != modes_before:
        raise AssertionError(f"{name} left a torch function or dispatch mode active; a graded "
                             "function must not change how torch computes")
    return result


# --------------------------------------------------------------------------------------------
# numpy arrays
# --------------------------------------------------------------------------------------------

def _dtype_ok(dtype: np.dtype, wanted) -> bool:
    if wanted is None:
        return dtype.kind in _REAL_DTYPE_KINDS
    if isinstance(wanted, str) and wanted in _DTYPE_KINDS:
        return dtype.kind in _DTYPE_KINDS[wanted]
    return dtype == np.dtype(wanted)


def _shape_text(shape) -> str:
    return "(" + ", ".join("?" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def as_array(name: str, got, shape: Sequence[int | None] | None = None, dtype=None) -> np.ndarray:
    """``got`` as a plain, private copy, after checking it is exactly a numpy array.

    Parameters
    ----------
    name : str
        What ``got`` is, for the message (``"a_next"``, ``"cache[0] (a_next)"``).
    got : object
        The value to check.
    shape : sequence of int or None, optional
        The expected shape; ``None`` on an axis accepts any size.
    dtype : {None, "float", "int", "bool", "real"} or numpy dtype, optional
        ``None`` accepts any bool, integer or float dtype; a kind name accepts that kind; a
        dtype must match exactly. Object, string and complex arrays are always refused.

    Returns
    -------
    ndarray
        A copy that shares no memory with ``got``.
    """
    _refuse_tampering()
    if type(got) is not np.ndarray:
        raise _not_exactly(name, "a numpy array" + (f" of shape {_shape_text(shape)}" if shape is not None else ""), got)
    if not _dtype_ok(got.dtype, dtype):
        wanted = "a bool, integer or float dtype" if dtype is None else f"dtype {dtype}"
        raise AssertionError(f"{name} has dtype {got.dtype}, expected {wanted}")
    plain = np.ndarray.copy(got, order="C")
    if shape is not None:
        shape = tuple(shape)
        if plain.ndim != len(shape) or any(e is not None and e != s for e, s in zip(shape, plain.shape)):
            raise AssertionError(f"{name} has shape {plain.shape}, expected {_shape_text(shape)}")
    return plain


def _largest_difference(got: np.ndarray, expected: np.ndarray) -> float:
    if got.size == 0:
        return 0.0
    return float(_absolute(got.astype(np.float64) - expected.astype(np.float64)).max())


def check_array(name: str, got, expected, atol: float = 1e-10, rtol: float = 0.0, dtype=None,
                finite: bool = True) -> np.ndarray:
    """Check that ``got`` is a numpy array with the shape and the values of ``expected``.

    Parameters
    ----------
    name : str
        What ``got`` is, for the message.
    got : object
        The student's value.
    expected : array_like
        The expected values (computed by the test, trusted).
    atol, rtol : float
        Allowed difference: ``|got - expected| <= atol + rtol * |expected|`` entry by entry.
    dtype : optional
        As in :func:`as_array`.
    finite : bool
        Refuse NaN and infinite entries (default). With ``False``, NaN must stand where the
        expected array has NaN.

    Returns
    -------
    ndarray
        The plain copy of ``got`` (for further checks).

    Raises
    ------
    AssertionError
        Naming the first problem: type, dtype, shape, non-finite entries, or the largest
        difference from the expected values.
    """
    _refuse_tampering()
    expected = np.array(expected, copy=True)
    plain = as_array(name, got, shape=expected.shape, dtype=dtype)
    if finite and plain.dtype.kind == "f" and not _isfinite(plain).all():
        bad = int((~_isfinite(plain)).sum())
        raise AssertionError(f"{name} has {bad} entries that are NaN or infinite")
    if expected.dtype.kind == "b" or (plain.dtype.kind in "biu" and atol == 0 and rtol == 0):
        wrong = int((plain != expected).sum())
        if wrong:
            raise AssertionError(f"{name} has the right shape but {wrong} of its {plain.size} "
                                 f"entries differ from the expected values")
        return plain
    a, b = plain.astype(np.float64), expected.astype(np.float64)
    close = _absolute(a - b) <= atol + rtol * _absolute(b)
    if not finite:
        close |= _isnan(a) & _isnan(b)
    if not close.all():
        worst = _largest_difference(plain, expected)
        allowed = f"{atol:g}" + (f" + {rtol:g} * |expected|" if rtol else "")
        raise AssertionError(f"{name} has the right shape but wrong values: its largest "
                             f"difference from the expected values is {worst:.3g} "
                             f"(allowed: {allowed}); {int((~close).sum())} of {a.size} entries differ")
    return plain


# --------------------------------------------------------------------------------------------
# Scalars and plain data
# --------------------------------------------------------------------------------------------

def as_float(name: str, got, allow_int: bool = True, allow_0d_array: bool = True) -> float:
    """``got`` as a Python float, after checking it is a real number of an exact built-in type.

    Accepts ``float`` and numpy float scalars, integers if ``allow_int``, and 0-d float arrays if
    ``allow_0d_array``; refuses ``bool``, subclasses, NaN and infinity.
    """
    _refuse_tampering()
    kind = type(got)
    if kind in _FLOAT_TYPES or (allow_int and kind in _INT_TYPES):
        value = float(got) if kind is not float else got
    elif allow_0d_array and kind is np.ndarray and got.ndim == 0 and got.dtype.kind in "iuf":
        value = float(got.item())
    else:
        raise _not_exactly(name, "a number (a Python float)", got)
    if not math.isfinite(value):
        raise AssertionError(f"{name} should be a finite number, got {value}")
    return value


def as_int(name: str, got) -> int:
    """``got`` as a Python int, after checking it is exactly an integer (not bool, no subclass)."""
    _refuse_tampering()
    if type(got) not in _INT_TYPES:
        raise _not_exactly(name, "an integer (a Python int)", got)
    return int(got)


def as_str(name: str, got) -> str:
    """``got`` itself, after checking it is exactly a ``str`` (a subclass can redefine ``==``)."""
    _refuse_tampering()
    if type(got) is not str:
        raise _not_exactly(name, "a string (str)", got)
    return str.__str__(got)


def check_scalar(name: str, got, expected: float, atol: float = 1e-10, rtol: float = 0.0,
                 allow_int: bool = True) -> float:
    """Check that ``got`` is a real number within ``atol + rtol * |expected|`` of ``expected``.

    Returns the plain float.
    """
    _refuse_tampering()
    value = as_float(name, got, allow_int=allow_int)
    expected = float(expected)
    if not abs(value - expected) <= atol + rtol * abs(expected):
        raise AssertionError(f"{name} should be {expected:.10g}, got {value:.10g} (difference "
                             f"{abs(value - expected):.3g}, allowed {atol:g}"
                             + (f" + {rtol:g} * |expected|" if rtol else "") + ")")
    return value


_PLAIN_ATOMS = (str, int, bool, type(None), float)


def _plain_data(name: str, got):
    """A plain copy of nested str/int/bool/None/float/tuple/list/dict data, refusing anything else
    (subclasses included)."""
    kind = type(got)
    if kind in _PLAIN_ATOMS:
        return got
    if kind in _INT_TYPES:  # numpy integers count as integers
        return int(got)
    if kind in _FLOAT_TYPES:
        return float(got)
    if kind is tuple or kind is list:
        return kind(_plain_data(f"{name}[{i}]", item) for i, item in enumerate(got))
    if kind is dict:
        return {_plain_data(f"a key of {name}", k): _plain_data(f"{name}[{k!r}]", v)
                for k, v in dict.items(got)}
    raise _not_exactly(name, "plain data (str, int, float, bool, None, tuple, list, dict)", got)


def check_equal(name: str, got, expected, compare_types: bool = True):
    """Check that ``got`` is plain data equal to ``expected`` (e.g. a word, a list of tokens, a
    vocabulary dict, a list of (center, context) pairs).

    With ``compare_types`` (default) a list is not equal to a tuple and ``1`` is not ``1.0`` or
    ``True``. Returns the plain copy.
    """
    _refuse_tampering()
    plain = _plain_data(name, got)
    expected = _plain_data("the expected value", expected)
    problem = _first_difference(plain, expected, name, compare_types)
    if problem:
        raise AssertionError(problem)
    return plain


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _first_difference(got, expected, where: str, compare_types: bool) -> str | None:
    sequences = (tuple, list)
    same_kind = type(got) is type(expected) or (not compare_types and (
        (type(got) in sequences and type(expected) in sequences)
        or (type(got) in (int, float) and type(expected) in (int, float))))
    if not same_kind:
        return f"{where} should be {_short(expected)} (a {type(expected).__name__}), got {_short(got)} (a {type(got).__name__})"
    if type(expected) in (tuple, list) and type(got) in (tuple, list):
        if len(got) != len(expected):
            return f"{where} should have {len(expected)} items, got {len(got)}: expected {_short(expected)}, got {_short(got)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            problem = _first_difference(g, e, f"{where}[{i}]", compare_types)
            if problem:
                return problem
        return None
    if type(expected) is dict and type(got) is dict:
        missing = [k for k in expected if k not in got]
        extra = [k for k in got if k not in expected]
        if missing or extra:
            return (f"{where} should have the keys {_short(sorted(expected, key=repr))}; "
                    f"missing {_short(missing)}, unexpected {_short(extra)}")
        for k in expected:
            problem = _first_difference(got[k], expected[k], f"{where}[{k!r}]", compare_types)
            if problem:
                return problem
        return None
    if got != expected:
        return f"{where} should be {_short(expected)}, got {_short(got)}"
    return None


def as_tuple(name: str, got, length: int | None = None, allow_list: bool = False) -> tuple:
    """The items of ``got`` as a plain tuple, after checking it is exactly a tuple (or a list, if
    ``allow_list``) of ``length`` items. The items themselves are not checked."""
    _refuse_tampering()
    allowed = (tuple, list) if allow_list else (tuple,)
    if type(got) not in allowed:
        raise _not_exactly(name, "a tuple" + (f" of {length} items" if length is not None else ""), got)
    items = tuple(tuple.__iter__(got)) if type(got) is tuple else tuple(list.__iter__(got))
    if length is not None and len(items) != length:
        kind = "a tuple (or list)" if allow_list else "a tuple"
        raise AssertionError(f"{name} should be {kind} of {length} items, got {len(items)}")
    return items


def as_dict(name: str, got, keys: Iterable | None = None, exact: bool = True) -> dict:
    """``got`` as a plain dict, after checking it is exactly a dict; with ``keys``, that it has
    exactly these keys (or at least these, if not ``exact``). The values are not checked."""
    _refuse_tampering()
    if type(got) is not dict:
        raise _not_exactly(name, "a dict", got)
    plain = dict(dict.items(got))
    for key in plain:
        if type(key) not in _PLAIN_ATOMS + _INT_TYPES:
            raise _not_exactly(f"a key of {name}", "a str or an int", key)
    if keys is not None:
        keys = list(keys)
        missing = [k for k in keys if k not in plain]
        extra = [k for k in plain if k not in keys]
        if missing or (exact and extra):
            raise AssertionError(f"{name} should have the keys {keys}; missing {missing}"
                                 + (f", unexpected {extra}" if exact else ""))
    return plain


# --------------------------------------------------------------------------------------------
# torch tensors (torch is imported only when one is checked)
# --------------------------------------------------------------------------------------------

def _is_exact_tensor(value) -> bool:
    import sys

    torch = sys.modules.get("torch")
    return torch is not None and type(value) in (torch.Tensor, torch.nn.Parameter)


def as_tensor(name: str, got, shape: Sequence[int | None] | None = None, dtype=None):
    """A detached copy of ``got`` after checking it is exactly a ``torch.Tensor`` (an
    ``nn.Parameter`` is accepted; other subclasses and ``__torch_function__`` objects are not).

    Parameters
    ----------
    shape : sequence of int or None, optional
        The expected shape.
    dtype : torch.dtype or {"float", "int", "bool"}, optional
        The expected dtype or kind.
    """
    _refuse_tampering()
    import torch

    if not _is_exact_tensor(got):
        raise _not_exactly(name, "a torch.Tensor" + (f" of shape {_shape_text(shape)}" if shape is not None else ""), got)
    if _torch_mode_depth():
        raise AssertionError("a torch function or dispatch mode is active: the test cannot "
                             "trust torch's results (did a cell enter a mode and not leave it?)")
    with torch.no_grad():
        plain = torch.Tensor.clone(torch.Tensor.detach(got))
    if plain.is_complex():
        raise AssertionError(f"{name} has dtype {plain.dtype}, expected a real dtype")
    if dtype is not None:
        kinds = {"float": plain.is_floating_point(), "bool": plain.dtype == torch.bool,
                 "int": not plain.is_floating_point() and plain.dtype != torch.bool}
        ok = kinds[dtype] if isinstance(dtype, str) else plain.dtype == dtype
        if not ok:
            raise AssertionError(f"{name} has dtype {plain.dtype}, expected {dtype}")
    if shape is not None:
        shape = tuple(shape)
        if plain.dim() != len(shape) or any(e is not None and e != s for e, s in zip(shape, plain.shape)):
            raise AssertionError(f"{name} has shape {tuple(plain.shape)}, expected {_shape_text(shape)}")
    return plain


def check_tensor(name: str, got, expected, atol: float = 1e-6, rtol: float = 0.0, dtype=None):
    """Check that ``got`` is a tensor with the shape and the values of ``expected`` (a tensor or
    array). The comparison is done in numpy, in float64, on plain copies. Returns the copy."""
    _refuse_tampering()
    import torch

    if type(expected) is not np.ndarray:
        expected = torch.Tensor.numpy(torch.Tensor.detach(torch.as_tensor(expected)).cpu()).copy()
    plain = as_tensor(name, got, shape=expected.shape, dtype=dtype)
    values = torch.Tensor.numpy(plain.cpu()).copy()
    check_array(name, values, expected, atol=atol, rtol=rtol)
    return plain
