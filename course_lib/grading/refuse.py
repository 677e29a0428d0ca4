"""Hidden tests use this to check that a graded function is the student's own code.

``course_lib`` is public and holds the reference implementation of nearly every graded
function, so a student could answer ``def one_hot(indices, n_x): return text.one_hot(indices,
n_x)``. Inside ``with refusing(text.one_hot, task="one_hot"):`` every call of the reference
raises an ``AssertionError`` that says so, however the student reached it (``text.one_hot``,
``from course_lib.text import one_hot as f``, a bound copy): the function's code object itself
is swapped for the duration of the block, then put back.
"""

from __future__ import annotations

import types
from contextlib import contextmanager


def _refusal(name: str, task: str) -> types.CodeType:
    namespace: dict = {}
    message = (f"{task} must be your own code: it called the course's reference implementation "
               f"{name} (course_lib), which scores 0 for this task")
    exec(f"def refused(*args, **kwargs):\n    raise AssertionError({message!r})\n", namespace)
    return namespace["refused"].__code__


def _plain_function(obj):
    """The function object behind a function, method, classmethod or staticmethod."""
    obj = getattr(obj, "__func__", obj)
    if not isinstance(obj, types.FunctionType):
        raise TypeError(f"refusing() needs Python functions, got {obj!r}")
    return obj


@contextmanager
def refusing(*functions, task: str = "this task"):
    """Make every call of ``functions`` fail with a clear message inside the block.

    Parameters
    ----------
    *functions : functions or methods
        The reference implementations the graded function must not call.
    task : str
        The graded function's name, for the message.
    """
    plain = [_plain_function(f) for f in functions]
    saved = [(f, f.__code__) for f in plain]
    try:
        for f in plain:
            if f.__code__.co_freevars:
                raise TypeError(f"cannot refuse {f.__qualname__}: it is a closure")
            f.__code__ = _refusal(f"{f.__module__}.{f.__qualname__}", task)
        yield
    finally:
        for f, code in saved:
            f.__code__ = code
