"""nbgrader's Execute step, made robust to submissions that crash the kernel or flood the output.

nbgrader 0.9 gives up on a whole submission when the kernel dies in any cell (``os._exit()``,
a segmentation fault, the sandbox's memory limit): the student gets no grade and no feedback
at all. And it stores every byte a cell prints, so a loop that prints gigabytes reaches the
gradebook's notebook copy and the grader's memory. :class:`RobustExecute` replaces
``nbgrader.preprocessors.Execute`` in the autograde pipeline:

* **a dead kernel costs one cell, not the submission.** The cell where the kernel died (or that
  ran past the time limit and could not be interrupted) gets an error output that says so (the student sees it in the feedback); a new kernel
  is started, the cells before it are run again (outputs unchanged) to rebuild the state,
  and grading goes on with the next cell. A test cell that needs what the crashed cell would
  have defined then fails, so exactly the affected tasks lose their points;
* **output is capped per cell** (``max_output_bytes``): beyond it, outputs are dropped and one
  note says how much was cut.

Enable in ``nbgrader_config.py`` (the course's configuration does)::

    c.Autograde.autograde_preprocessors = [...]  # see nbgrader_config.py
"""

from __future__ import annotations

import copy
import json
import re
import secrets

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Integer, List, Unicode

KERNEL_DIED = "KernelDied"

# Sent to the kernel before any student code runs: import the modules the tests use, keep a
# copy of each one's attributes (and of the code of each function among them), and return a
# function that puts them all back. It runs again before every test cell, so a student who
# replaced numpy.array_equal, a course_lib reference, a check of course_lib.checks or a builtin
# by something that always agrees (or swapped such a function's __code__) is graded by the real
# ones.
GUARD_SOURCE = """
def {name}_install(module_names):
    import builtins, importlib, sys, types
    for module_name in module_names:
        try:
            importlib.import_module(module_name)
        except Exception:
            pass
    roots = {{name.split(".")[0] for name in module_names}} | {{"builtins"}}
    saved = {{}}
    for module_name, module in list(sys.modules.items()):
        if module is not None and module_name.split(".")[0] in roots:
            try:
                saved[module_name] = (module, dict(vars(module)))
            except TypeError:
                pass
    missing = object()
    # A function's body can be replaced without rebinding its name (f.__code__ = ...): keep
    # the code, defaults and keyword defaults of every function these modules hold.
    function_type = types.FunctionType
    functions = {{}}
    for module, attributes in saved.values():
        for value in attributes.values():
            if type(value) is function_type and id(value) not in functions:
                functions[id(value)] = (value, value.__code__, value.__defaults__,
                                        value.__kwdefaults__)

    def restore():
        for module_name, (module, attributes) in saved.items():
            if sys.modules.get(module_name) is not module:
                sys.modules[module_name] = module
            current = vars(module)
            for key, value in attributes.items():
                if current.get(key, missing) is not value:
                    try:
                        setattr(module, key, value)
                    except (AttributeError, TypeError):
                        pass
        for function, code, defaults, kwdefaults in functions.values():
            try:
                if function.__code__ is not code:
                    function.__code__ = code
                if function.__defaults__ is not defaults:
                    function.__defaults__ = defaults
                if function.__kwdefaults__ is not kwdefaults:
                    function.__kwdefaults__ = kwdefaults
            except (TypeError, ValueError):
                pass
        get_ipython().user_ns["__builtins__"] = builtins
        # A trace or profile hook runs code of the student's during the tests: remove it.
        sys.settrace(None)
        sys.setprofile(None)
        threading = sys.modules.get("threading")
        if threading is not None:
            threading.settrace(None)
            threading.setprofile(None)
        # A torch function or dispatch mode that a cell entered and never left changes what
        # every torch operation computes: leave them all.
        torch = sys.modules.get("torch")
        if torch is not None:
            for depth, pop in (("_len_torch_function_stack", "_pop_torch_function_stack"),
                               ("_len_torch_dispatch_stack", "_pop_torch_dispatch_stack")):
                try:
                    while getattr(torch._C, depth)() > 0:
                        getattr(torch._C, pop)()
                except Exception:
                    pass
    return restore

{name} = {name}_install({modules!r})
del {name}_install
"""
IMPORT_RE = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import\s+([\w, ]+)|import\s+([\w., ]+))", re.M)


def _size(output: NotebookNode) -> int:
    return len(json.dumps(output, default=str))


class RobustExecute(Execute):
    """nbgrader's Execute that survives a dying kernel and caps each cell's output."""

    max_output_bytes = Integer(
        200_000, config=True,
        help="most bytes of output kept per cell; the rest is replaced by one note")
    max_kernel_deaths = Integer(
        5, config=True, help="after this many dead kernels, the remaining cells are not run")

    guarded_packages = List(
        Unicode(), ["numpy", "torch", "course_lib", "math", "random"], config=True,
        help="packages whose attributes are put back before every test cell (with builtins), "
             "when the notebook's locked cells import them")

    def preprocess(self, nb, resources=None, km=None):
        self._crashed: set[int] = set()
        self._kept_bytes: dict[int, int] = {}
        self._guard = None
        self._guarded_modules = self.modules_to_guard(nb)
        return super().preprocess(nb, resources, km=km)

    def modules_to_guard(self, nb) -> list[str]:
        """Modules imported by the notebook's locked cells (setup and tests) that belong to a
        guarded package; ``from p import m`` counts ``p.m`` (it may be a module)."""
        names = set()
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell.cell_type != "code" or meta.get("solution") or not (
                    meta.get("locked") or meta.get("grade")):
                continue
            for source, imported, plain in IMPORT_RE.findall(cell.source):
                if source:
                    names.add(source)
                    names.update(f"{source}.{n.split()[0]}" for n in imported.split(",")
                                 if n.strip())
                else:
                    names.update(n.split()[0] for n in plain.split(",") if n.strip())
        return sorted(n for n in names if n.split(".")[0] in self.guarded_packages)

    async def _execute_aside(self, cell, index: int) -> None:
        """Execute ``cell`` in the kernel without it taking the place of notebook cell ``index``
        (nbclient stores every executed cell at its index)."""
        original = self.nb.cells[index]
        try:
            await super().async_execute_cell(cell, index, store_history=False)
        finally:
            self.nb.cells[index] = original
            self._kept_bytes.pop(index, None)

    def _run_silently(self, source: str, index: int) -> None:
        cell = NotebookNode(cell_type="code", source=source, metadata={}, outputs=[],
                            execution_count=None)
        run_sync(self._execute_aside)(cell, index)

    def _install_guard(self, index: int) -> None:
        self._guard = f"_grader_guard_{secrets.token_hex(8)}"
        self._run_silently(GUARD_SOURCE.format(name=self._guard,
                                               modules=self._guarded_modules), index)

    @staticmethod
    def _is_test_cell(cell) -> bool:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")

    def output(self, outs, msg, display_id, cell_index):
        kept = self._kept_bytes.get(cell_index, 0)
        if kept > self.max_output_bytes:
            return None  # already cut: drop silently (the note is there)
        n_before = len(outs)
        out = super().output(outs, msg, display_id, cell_index)
        if len(outs) > n_before:
            kept += sum(_size(o) for o in outs[n_before:])
            if kept > self.max_output_bytes:
                del outs[n_before:]
                outs.append(NotebookNode(
                    output_type="stream", name="stderr",
                    text=f"\n[output cut: this cell printed more than {self.max_output_bytes:,} "
                         "bytes; the grader keeps no more]\n"))
                kept = self.max_output_bytes + 1
        self._kept_bytes[cell_index] = kept
        return out

    def preprocess_cell(self, cell, resources, index):
        if len(self._crashed) >= self.max_kernel_deaths:
            if cell.cell_type == "code":
                cell.outputs = [self._error_output(
                    "NotExecuted", f"the kernel died {len(self._crashed)} times; the remaining "
                                   "cells were not run")]
            return cell, self.resources
        try:
            if self._guard is None:
                self._install_guard(index)
            if self._is_test_cell(cell):
                self._run_silently(f"{self._guard}()", index)
            return super().preprocess_cell(cell, resources, index)
        except (DeadKernelError, CellTimeoutError) as exc:
            self._crashed.add(index)
            if isinstance(exc, DeadKernelError):
                why = (KERNEL_DIED, "the Python kernel died while running this cell (os._exit(), "
                                    "a crash in compiled code, or the memory limit).")
            else:
                why = ("CellTimeoutError", f"this cell did not finish within {self.timeout} s "
                                           "and could not be interrupted.")
            cell.outputs.append(self._error_output(
                why[0], why[1] + " Grading went on in a new kernel: the cells above were run "
                                 "again, this one was skipped."))
            run_sync(self._restart_and_replay)(index)
            return cell, self.resources

    def _error_output(self, ename: str, evalue: str) -> NotebookNode:
        return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                            traceback=[f"{ename}: {evalue}"])

    async def _restart_and_replay(self, upto: int) -> None:
        """A new kernel with the state of the cells before ``upto`` (except crashed ones)."""
        if self.kc is not None:
            await ensure_async(self.kc.stop_channels())
        await ensure_async(self.km.restart_kernel(now=True))
        await self.async_start_new_kernel_client()
        # The new kernel gets its own guard before any student code runs again.
        self._guard = f"_grader_guard_{secrets.token_hex(8)}"
        guard = NotebookNode(cell_type="code", metadata={}, outputs=[], execution_count=None,
                             source=GUARD_SOURCE.format(name=self._guard,
                                                        modules=self._guarded_modules))
        await self._execute_aside(guard, upto)
        for index, cell in enumerate(self.nb.cells[:upto]):
            if cell.cell_type != "code" or index in self._crashed or not cell.source.strip():
                continue
            try:
                await self._execute_aside(copy.deepcopy(cell), index)
            except (DeadKernelError, CellTimeoutError):
                # It crashes now although it did not before: skip it from now on too.
                self._crashed.add(index)
                await ensure_async(self.km.restart_kernel(now=True))
                await self.async_start_new_kernel_client()
