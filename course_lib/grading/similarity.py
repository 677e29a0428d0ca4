"""Which answers of a class look copied: a report for an instructor to read, not a verdict.

``python -m course_lib.grading.similarity ASSIGNMENT [--course-dir .] [--out DIR]`` reads every
``submitted/<student>/<assignment>/*.ipynb`` (nbgrader's layout) and, for each answer cell
(an nbgrader solution code cell, matched by its ``grade_id``), compares every pair of students
and every student with the ``course_lib`` reference of the cell: the functions and classes of
the same name in the course_lib modules the notebook's test cells import, and whatever the
hidden tests refuse to let that task *call* (``task="..."`` in ``refusing``), since a student
can still paste its source text. It
writes ``similarity.html`` (per answer cell: the ranked pairs, and the top pairs side by side
with the matching parts highlighted) and ``similarity.csv`` (one row per cell and pair).

Two measures, both blind to names, layout, comments and docstrings:

* **tokens**: copydetect's winnowed fingerprints (Schleimer, Wilkerson and Aiken, 2003) over the
  pygments token stream in which every name becomes ``V``, every string ``S``, and whitespace
  and comments disappear; the score of a pair is the larger of the two shares of each side's
  fingerprinted code that also occurs in the other. It finds copied runs of code, but a run
  that is cut by moving a statement is lost.
* **statements**: each statement (and the header of each ``for``/``if``/``def``...) is turned
  into a canonical form: names the cell binds become ``V`` (names it uses from outside, such as
  ``np.tanh`` or ``softmax``, stay), operands of ``+`` and ``*`` and the items of a dict are
  sorted, ``a, b = x, y`` counts as two assignments. The score is the Dice coefficient of the two
  multisets of canonical statements. It does not care in which order the statements come, so it
  sees through reordered independent statements, where the token measure cannot.

The score that ranks the pairs is the larger of the two, so a copy that one measure misses is
still seen by the other. Code that every student received is subtracted first: the released
stub of the cell (signature, docstring, ``raise NotImplementedError()``) and every other code
cell of the release (setup, test cells), for both measures. A student who left a cell as
released therefore scores 0 with everyone.

Short functions whose every line is dictated by the task make honest answers alike; the report
says how each score was computed so that a person can judge the evidence.
"""

from __future__ import annotations

import argparse
import ast
import copy
import csv
import hashlib
import html
import importlib
import inspect
import re
import sys
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import nbformat

from .intake import _readable

REFERENCE = "course_lib"
# copydetect: a fingerprint is a k-gram of the filtered token text (names are one character
# "V", so 16 characters span about eight tokens: `V=V.V(V,V)+V.V(V`); winnowing keeps the
# smallest hash of every window of WINDOW k-grams, which guarantees that every shared run of
# K + WINDOW - 1 characters is found. copydetect's default k of 25 suits whole files; answer
# cells are a few lines, and on the synthetic class of tests/test_similarity.py k = 12 let
# forced one-liners of honest students match, k = 20 lost a reformatted copy of course_lib.
K = 16
WINDOW = 4
CSV_FIELDS = ["cell", "rank", "student_a", "student_b", "score", "token_score",
              "statement_score", "shared_statements", "note"]


# --------------------------------------------------------------------------- reading


@dataclass
class AnswerCell:
    """One answer cell of the release, and the code every student was given with it."""

    label: str                      # grade_id, or notebook/grade_id when there are several
    notebook: str
    grade_id: str
    stub: str
    names: list[str]                # functions and classes the stub defines
    boilerplate: list[str]          # the stub and every other code cell of the release
    reference: str = ""             # the course_lib source of those names ("" if none)
    reference_note: str = ""


@dataclass
class Student:
    """What one student handed in, and what could not be read."""

    name: str
    cells: dict[str, str] = field(default_factory=dict)   # label -> source
    notes: list[str] = field(default_factory=list)


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _defined_names(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [node.name for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]


def _trees(sources: list[str]):
    """The syntax trees of the sources that are valid Python."""
    for source in sources:
        try:
            yield ast.parse(source)
        except SyntaxError:
            continue


def _imports(node: ast.AST) -> list[tuple[str, str, str]]:
    """What an import statement brings in: (local name, ``module:attr`` it stands for, module)."""
    if isinstance(node, ast.Import):
        return [(alias.asname, alias.name + ":", alias.name) if alias.asname
                else (alias.name.split(".")[0], alias.name.split(".")[0] + ":", alias.name)
                for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        if node.module == REFERENCE:   # from course_lib import rnn: a module
            return [(alias.asname or alias.name, f"{REFERENCE}.{alias.name}:",
                     f"{REFERENCE}.{alias.name}") for alias in node.names]
        return [(alias.asname or alias.name, f"{node.module}:{alias.name}", node.module)
                for alias in node.names]
    return []


def _is_course_module(name: str) -> bool:
    return name.startswith(REFERENCE + ".") and not name.startswith(REFERENCE + ".grading")


def _imported_course_modules(sources: list[str]) -> list[str]:
    """The ``course_lib`` modules that these code cells import (not the grading helpers)."""
    found: list[str] = []
    for tree in _trees(sources):
        for node in ast.walk(tree):
            for _, _, module in _imports(node):
                if _is_course_module(module) and module not in found:
                    found.append(module)
    return found


def _course_object(path: str):
    """The course_lib object at ``module:attr.attr`` (``__dict__[key]`` steps allowed), or None."""
    module_name, _, rest = path.partition(":")
    try:
        obj = importlib.import_module(module_name)
    except Exception:  # a module that cannot be imported here gives no reference
        return None
    for step in filter(None, rest.split(".")):
        if step.startswith("__dict__[") and step.endswith("]"):
            obj = getattr(obj, "__dict__", {}).get(step[len("__dict__["):-1])
        else:
            obj = getattr(obj, step, None)
        if obj is None:
            return None
    return getattr(obj, "__func__", obj)   # a classmethod or staticmethod taken from __dict__


def _dotted(node: ast.AST) -> list[str] | None:
    """``a.b["c"].d`` as ["a", "b", '__dict__[c]'...]: only names, attributes, constant keys."""
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return base + [node.attr] if base else None
    if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute)
            and node.value.attr == "__dict__" and isinstance(node.slice, ast.Constant)):
        base = _dotted(node.value.value)
        return base + [f"__dict__[{node.slice.value}]"] if base else None
    return None


def refused_references(sources: list[str]) -> dict[str, list[str]]:
    """What the (hidden) tests refuse to let each task call: task name -> ``module:attr`` paths.

    The tests name them in calls with a ``task="..."`` keyword (``refusing(..., task=...)`` of
    course_lib.grading.refuse, or a helper around it); every argument that is a course_lib
    module's attribute, through the names the cells import, is a reference of that task.
    """
    aliases: dict[str, str] = {}
    calls: list[ast.Call] = []
    for tree in _trees(sources):
        for node in ast.walk(tree):
            aliases.update((local, path) for local, path, _ in _imports(node))
            if isinstance(node, ast.Call):
                calls.append(node)
    found: dict[str, list[str]] = {}
    for call in calls:
        task = next((k.value.value for k in call.keywords if k.arg == "task"
                     and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)), None)
        if task is None:
            continue
        for arg in call.args:
            steps = _dotted(arg)
            if not steps or steps[0] not in aliases:
                continue
            base = aliases[steps[0]]
            path = base + ("." if not base.endswith(":") else "") + ".".join(steps[1:])
            path = path.rstrip(".")
            if _is_course_module(path.replace(":", ".")) and path not in found.get(task, []):
                found.setdefault(task, []).append(path)
    return found


def find_reference(names: list[str], modules: list[str],
                   refused: dict[str, list[str]] | None = None) -> tuple[str, str]:
    """The course_lib source that an answer defining ``names`` could have been copied from.

    For each name: what the tests refuse to let that task call (``refused``, see
    :func:`refused_references`), and a function or class of the same name in one of the
    course_lib ``modules`` that the notebook's test cells import.

    Returns
    -------
    source : str
        The sources found, one after another ("" if none).
    note : str
        Which course_lib objects were found for each name, or that none exists.
    """
    refused = refused or {}
    parts, said, seen = [], [], set()
    for name in names:
        paths = list(refused.get(name, []))
        for module_name in modules:
            candidate = f"{module_name}:{name}"
            obj = _course_object(candidate)
            if ((inspect.isfunction(obj) or inspect.isclass(obj))
                    and obj.__module__ == module_name and candidate not in paths):
                paths.append(candidate)
        shown = []
        for path in paths:
            obj = _course_object(path)
            try:
                source = inspect.getsource(obj)
            except (TypeError, OSError):
                continue
            shown.append(re.sub(r"\.__dict__\[(\w+)\]", r".\1", path.replace(":", ".")))
            if path not in seen:
                seen.add(path)
                parts.append(textwrap.dedent(source))
        said.append(f"{name}: {', '.join(shown)}" if shown else f"{name}: no course_lib reference")
    return "\n\n".join(parts), "; ".join(said)


def release_cells(course: Path, assignment: str) -> list[AnswerCell]:
    """The answer cells of every notebook in ``<course>/assignments/<assignment>/``.

    Raises
    ------
    FileNotFoundError
        If the release folder or its notebooks are missing.
    """
    release = course / "assignments" / assignment
    notebooks = sorted(release.glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(
            f"no released notebook in {release}: run `nbgrader generate_assignment {assignment}` "
            "first, or give --course-dir")
    source_dir = course / "solutions" / assignment
    cells: list[AnswerCell] = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        answers = [c for c in code if _nbgrader(c).get("solution") and _nbgrader(c).get("grade_id")]
        tests = [c.source for c in code if not _nbgrader(c).get("solution")]
        test_sources = list(tests)
        source_nb = source_dir / path.name
        if source_nb.exists():  # hidden tests may import more of course_lib than visible ones
            readable, _ = _readable(source_nb)
            if readable is not None:
                test_sources += [c.source for c in readable.cells
                                 if c.cell_type == "code" and not _nbgrader(c).get("solution")]
        modules = _imported_course_modules(test_sources)
        refused = refused_references(test_sources)
        for cell in answers:
            grade_id = _nbgrader(cell)["grade_id"]
            label = grade_id if len(notebooks) == 1 else f"{path.stem}/{grade_id}"
            names = _defined_names(cell.source)
            reference, note = find_reference(names, modules, refused) if names else ("", "")
            cells.append(AnswerCell(
                label=label, notebook=path.name, grade_id=grade_id, stub=cell.source,
                names=names, boilerplate=tests + [a.source for a in answers],
                reference=reference,
                reference_note=note or "the stub defines no function: no course_lib reference"))
    return cells


def read_students(course: Path, assignment: str, cells: list[AnswerCell]) -> list[Student]:
    """Every student's answer cells; what could not be read is noted, never fatal.

    Raises
    ------
    FileNotFoundError
        If ``<course>/submitted`` does not exist.
    """
    submitted = course / "submitted"
    if not submitted.is_dir():
        raise FileNotFoundError(f"no folder {submitted}: collect the submissions first")
    students = []
    by_notebook: dict[str, list[AnswerCell]] = {}
    for cell in cells:
        by_notebook.setdefault(cell.notebook, []).append(cell)
    for folder in sorted(p for p in submitted.iterdir() if p.is_dir() and not p.name.startswith(".")):
        student = Student(folder.name)
        students.append(student)
        work = folder / assignment
        if not work.is_dir():
            student.notes.append(f"nothing handed in for {assignment}")
            continue
        for name, wanted in by_notebook.items():
            path = work / name
            if (work / (name + ".unreadable")).exists():
                student.notes.append(f"{name}: the notebook handed in could not be read "
                                     "(intake kept it as .unreadable)")
            if not path.exists():
                others = sorted(p for p in work.glob("*.ipynb"))
                if len(others) == 1 and len(by_notebook) == 1:
                    student.notes.append(f"{name} missing; read {others[0].name} instead")
                    path = others[0]
                else:
                    student.notes.append(f"{name} missing")
                    continue
            nb, why = _readable(path)
            if nb is None:
                student.notes.append(f"{path.name} could not be read: {why}")
                continue
            found = {_nbgrader(c).get("grade_id"): c.source for c in nb.cells
                     if c.cell_type == "code" and _nbgrader(c).get("solution")}
            # Cells without nbgrader metadata (an editor that drops it, code pasted into a new
            # cell): the one that defines the stub's functions stands in for a missing cell.
            plain = [c.source for c in nb.cells
                     if c.cell_type == "code" and not _nbgrader(c).get("grade_id")]
            for cell in wanted:
                if cell.grade_id in found:
                    student.cells[cell.label] = found[cell.grade_id]
                    continue
                stand_in = next((source for source in plain if cell.names
                                 and set(cell.names) <= set(_defined_names(source))), None)
                if stand_in is None:
                    student.notes.append(f"answer cell {cell.grade_id} missing")
                else:
                    student.cells[cell.label] = stand_in
                    student.notes.append(f"answer cell {cell.grade_id} missing; compared the "
                                         f"cell without nbgrader metadata that defines "
                                         f"{', '.join(cell.names)}")
    return students


# --------------------------------------------------------------------------- the two measures

_COMMUTATIVE = (ast.Add, ast.Mult, ast.BitAnd, ast.BitOr, ast.BitXor)


def _bound_names(tree: ast.AST) -> set[str]:
    """Names the code binds itself: assigned, deleted, parameters, functions and classes."""
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound.update(node.names)
    return bound


class _Canonical(ast.NodeTransformer):
    """Rewrite a statement so that renaming and reordering of operands do not change it."""

    def __init__(self, bound: set[str]):
        self.bound = bound

    def visit_Name(self, node):
        return ast.Name(id="V", ctx=node.ctx) if node.id in self.bound else node

    def visit_arg(self, node):
        return ast.arg(arg="V")

    def _without_docstring(self, node):
        body = node.body
        if (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.copy_location(ast.Pass(), body[0])]
        return node

    def visit_FunctionDef(self, node):
        node = self._without_docstring(node)
        node.name = "F" if node.name in self.bound else node.name
        node.returns = None
        return self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        node = self._without_docstring(node)
        node.name = "C"
        return self.generic_visit(node)

    def visit_BinOp(self, node):
        node = self.generic_visit(node)
        if not isinstance(node.op, _COMMUTATIVE):
            return node
        operands, todo = [], [node]
        while todo:   # flatten a + b + c (any grouping) into its operands
            item = todo.pop()
            if isinstance(item, ast.BinOp) and type(item.op) is type(node.op):
                todo += [item.left, item.right]
            else:
                operands.append(item)
        operands.sort(key=ast.dump)
        result = operands[0]
        for operand in operands[1:]:
            result = ast.BinOp(left=result, op=type(node.op)(), right=operand)
        return result

    def visit_Dict(self, node):
        node = self.generic_visit(node)
        items = sorted(zip(node.keys, node.values),
                       key=lambda kv: ast.dump(kv[0]) if kv[0] is not None else "")
        node.keys = [k for k, _ in items]
        node.values = [v for _, v in items]
        return node

    def visit_Call(self, node):
        node = self.generic_visit(node)
        node.keywords.sort(key=lambda k: k.arg or "")
        return node


_BODIES = ("body", "orelse", "finalbody", "handlers")


def _header(stmt: ast.stmt) -> ast.stmt:
    """A compound statement without the statements inside it (``for V in range(V): pass``)."""
    head = copy.copy(stmt)
    for name in _BODIES:
        if getattr(head, name, None):
            setattr(head, name, [ast.Pass()] if name == "body" else [])
    return head


def _split_tuple_assign(stmt: ast.stmt) -> list[ast.stmt]:
    """``a, b = x, y`` as the two assignments ``a = x`` and ``b = y``."""
    if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], (ast.Tuple, ast.List))
            and isinstance(stmt.value, (ast.Tuple, ast.List))
            and len(stmt.targets[0].elts) == len(stmt.value.elts)
            and not any(isinstance(e, ast.Starred) for e in stmt.targets[0].elts)):
        return [ast.Assign(targets=[t], value=v, lineno=stmt.lineno, end_lineno=stmt.end_lineno)
                for t, v in zip(stmt.targets[0].elts, stmt.value.elts)]
    return [stmt]


def _parse(source: str) -> ast.Module | None:
    """The cell's syntax tree; IPython lines (``%magic``, ``!shell``) are blanked first."""
    try:
        return ast.parse(source)
    except SyntaxError:
        pass
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def statement_fingerprints(source: str) -> tuple[Counter, dict[str, list[tuple[int, int]]]] | None:
    """Canonical statements of ``source``: how often each occurs, and on which lines.

    Returns None when the code is not valid Python (the token measure still applies).
    """
    tree = _parse(source)
    if tree is None:
        return None
    # The tree is ours: canonicalise it in place, once, then read each statement off it.
    tree = _Canonical(_bound_names(tree)).visit(tree)
    counts: Counter = Counter()
    lines: dict[str, list[tuple[int, int]]] = {}

    def visit(statements):
        for stmt in statements:
            if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr)
                                              and isinstance(stmt.value, ast.Constant)):
                continue   # docstrings, bare constants and `pass` say nothing about the author
            inner = [getattr(stmt, name, None) or [] for name in _BODIES]
            if any(inner):
                first_inner = min(s.lineno for block in inner for s in block)
                span = (stmt.lineno, max(stmt.lineno, first_inner - 1))
                pieces = [_header(stmt)]
            else:
                span = (stmt.lineno, stmt.end_lineno or stmt.lineno)
                pieces = _split_tuple_assign(stmt)
            for piece in pieces:
                text = ast.unparse(piece)
                counts[text] += 1
                lines.setdefault(text, []).append(span)
            for block in inner:
                if block and isinstance(block[0], ast.ExceptHandler):
                    for handler in block:
                        visit(handler.body)
                else:
                    visit(block)

    visit(tree.body)
    return counts, lines


@dataclass
class Code:
    """One side of a comparison: a student's cell, or the course_lib reference."""

    who: str
    source: str
    tokens: TokenFingerprint
    statements: Counter
    statement_lines: dict[str, list[tuple[int, int]]]
    parsed: bool


@dataclass
class TokenFingerprint:
    """The attributes of ``copydetect.CodeFingerprint`` that ``copydetect.compare_files`` reads.

    Built here rather than by ``CodeFingerprint`` because copydetect 0.5.0 hashes k-grams with
    Python's ``hash()``, which changes from one process to the next (``PYTHONHASHSEED``), so
    the winnowed fingerprints and the scores would too. Everything else is copydetect's: its
    token filter, its winnowing and (in :func:`compare`) its overlap and slice computation.
    """

    filename: str
    raw_code: str
    filtered_code: str
    offsets: object
    hashes: set
    hash_idx: dict
    k: int
    token_coverage: float


def _kgram_hashes(text: str, k: int):
    """A stable 64-bit hash of every k-character substring of ``text``."""
    import numpy as np

    return np.array([int.from_bytes(hashlib.blake2b(text[i:i + k].encode("utf-8"),
                                                    digest_size=8).digest(), "little", signed=True)
                     for i in range(len(text) - k + 1)], dtype=np.int64)


def token_fingerprint(source: str, who: str, window: int | None = None, boilerplate=None):
    """copydetect's filtered token text of ``source``, winnowed, less the boilerplate hashes."""
    import numpy as np
    from copydetect.utils import filter_code, get_token_coverage, winnow

    filtered, offsets = filter_code(source, who + ".py", language="python")
    hashes = _kgram_hashes(filtered, K)
    hashes, index = winnow(hashes, window or WINDOW, remove_duplicates=False)
    if boilerplate is not None and len(boilerplate):
        keep = ~np.isin(hashes, boilerplate)
        hashes, index = hashes[keep], index[keep]
    by_hash: dict[int, list[int]] = {}
    for value, i in zip(hashes.tolist(), index.tolist()):
        by_hash.setdefault(value, []).append(i)
    return TokenFingerprint(who, source, filtered, offsets, set(by_hash), by_hash, K,
                            get_token_coverage(by_hash, K, len(filtered)))


class Boilerplate:
    """What every student received, in the form each measure subtracts."""

    def __init__(self, sources: list[str]):
        import numpy as np

        hashes: list[int] = []
        self.statements: set[str] = set()
        self.lines: set[str] = set()
        for i, source in enumerate(sources):
            hashes.extend(token_fingerprint(source, f"boilerplate{i}", window=1).hashes)
            found = statement_fingerprints(source)
            if found is not None:
                self.statements.update(found[0])
            self.lines.update(line.strip() for line in source.splitlines() if line.strip())
        self.hashes = np.unique(np.array(hashes, dtype=np.int64))

    def code(self, who: str, source: str) -> Code:
        """``source`` fingerprinted by both measures, without what the release contains."""
        found = statement_fingerprints(source)
        counts, lines = found if found is not None else (Counter(), {})
        own = Counter({text: n for text, n in counts.items() if text not in self.statements})
        return Code(who, source, token_fingerprint(source, who, boilerplate=self.hashes), own,
                    lines, found is not None)


@dataclass
class Pair:
    """The comparison of two answers to one cell."""

    cell: str
    a: str
    b: str
    token_score: float | None = None
    statement_score: float | None = None
    shared: int = 0
    note: str = ""
    rank: int | None = None
    slices: tuple = ((), ())         # token matches: (start, end) character ranges per side
    lines: tuple = ((), ())          # shared statements: (first, last) line ranges per side

    @property
    def score(self) -> float | None:
        if self.token_score is None:
            return None
        return max(self.token_score, self.statement_score or 0.0)


def compare(cell: str, a: Code, b: Code) -> Pair:
    """Both measures for one pair (see the module docstring)."""
    from copydetect import compare_files

    _, (share_a, share_b), (slices_a, slices_b) = compare_files(a.tokens, b.tokens)
    shared = a.statements & b.statements
    n_shared, total = sum(shared.values()), sum(a.statements.values()) + sum(b.statements.values())
    pair = Pair(cell, a.who, b.who, token_score=float(max(share_a, share_b)),
                statement_score=(2.0 * n_shared / total) if total else 0.0, shared=n_shared)
    if len(slices_a):
        pair.slices = (list(zip(slices_a[0].tolist(), slices_a[1].tolist())),
                       list(zip(slices_b[0].tolist(), slices_b[1].tolist())))
    pair.lines = tuple([span for text in shared for span in code.statement_lines.get(text, [])]
                       for code in (a, b))
    notes = [f"{c.who}: no code of its own beyond the release" for c in (a, b)
             if not c.statements and c.tokens.token_coverage == 0]
    notes += [f"{c.who}: not valid Python, tokens only" for c in (a, b) if not c.parsed]
    pair.note = "; ".join(notes)
    return pair


# --------------------------------------------------------------------------- the report


@dataclass
class Report:
    """Everything the HTML and the CSV show."""

    assignment: str
    cells: list[AnswerCell]
    students: list[Student]
    pairs: dict[str, list[Pair]]     # label -> ranked pairs
    codes: dict[tuple[str, str], str]  # (label, who) -> source
    released: dict[str, set[str]]    # label -> the stripped lines of the release


def build_report(assignment: str, course_dir: str | Path = ".") -> Report:
    """Compare every pair of students, and each with course_lib, in every answer cell."""
    course = Path(course_dir)
    cells = release_cells(course, assignment)
    students = read_students(course, assignment, cells)
    pairs: dict[str, list[Pair]] = {}
    codes: dict[tuple[str, str], str] = {}
    released: dict[str, set[str]] = {}
    boilerplates: dict[tuple[str, ...], Boilerplate] = {}   # the same for a notebook's cells
    for cell in cells:
        boiler = boilerplates.setdefault(tuple(cell.boilerplate), None) or Boilerplate(cell.boilerplate)
        boilerplates[tuple(cell.boilerplate)] = boiler
        released[cell.label] = boiler.lines
        present = [s for s in students if cell.label in s.cells]
        code = {s.name: boiler.code(s.name, s.cells[cell.label]) for s in present}
        for s in present:
            codes[(cell.label, s.name)] = s.cells[cell.label]
        ranked = []
        names = [s.name for s in students]
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                if a in code and b in code:
                    ranked.append(compare(cell.label, code[a], code[b]))
                else:
                    missing = [n for n in (a, b) if n not in code]
                    ranked.append(Pair(cell.label, a, b, note="not compared: no answer cell from "
                                       + " and ".join(missing) + " (see the students table)"))
        if cell.reference:
            ref = boiler.code(REFERENCE, cell.reference)
            codes[(cell.label, REFERENCE)] = cell.reference
            for name in names:
                if name in code:
                    ranked.append(compare(cell.label, code[name], ref))
                else:
                    ranked.append(Pair(cell.label, name, REFERENCE,
                                       note=f"not compared: no answer cell from {name}"))
        scored = sorted((p for p in ranked if p.score is not None),
                        key=lambda p: (-p.score, -(p.statement_score or 0), p.a, p.b))
        for rank, pair in enumerate(scored, start=1):
            pair.rank = rank
        pairs[cell.label] = scored + [p for p in ranked if p.score is None]
    return Report(assignment, cells, students, pairs, codes, released)


def _cell_text(value) -> str:
    """A CSV field that a spreadsheet will not run as a formula (student ids are folder names)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_csv(report: Report, path: Path) -> None:
    """One row per (answer cell, student A, student B or "course_lib"), ranked within a cell."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for cell in report.cells:
            for p in report.pairs[cell.label]:
                writer.writerow({
                    "cell": cell.label, "rank": p.rank if p.rank is not None else "",
                    "student_a": _cell_text(p.a), "student_b": _cell_text(p.b),
                    "score": "" if p.score is None else f"{p.score:.3f}",
                    "token_score": "" if p.token_score is None else f"{p.token_score:.3f}",
                    "statement_score": "" if p.statement_score is None else f"{p.statement_score:.3f}",
                    "shared_statements": p.shared if p.score is not None else "",
                    "note": _cell_text(p.note)})


METHOD = f"""
<p><b>This report is evidence for a person to judge, not a verdict.</b> A high score says that two
answers share more code than answers usually do; it does not say who copied from whom, or that
anybody did. Short functions whose lines are dictated by the task look alike in honest work too:
read the code side by side, compare with the rest of the class, and talk to the students before
you decide anything.</p>
<p>How the scores are computed, per answer cell (nbgrader solution cell, by grade_id):</p>
<ul>
<li><b>Shared boilerplate is subtracted first</b>: the released stub of the cell (signature,
docstring, <code>raise NotImplementedError()</code>) and every other code cell of the release
(setup and test cells), for both measures. A cell left as released scores 0.</li>
<li><b>token score</b>: copydetect's winnowing fingerprints over the pygments token stream, in which
every name becomes <code>V</code> and every string <code>S</code>, and whitespace and comments are
dropped, so renaming and reformatting change nothing. Fingerprints are {K}-character k-grams of
that text, winnowed with a window of {WINDOW} (every shared run of {K + WINDOW - 1} characters is
found). The score is the larger of the two shares of each answer's fingerprinted code found in
the other (so a half copied into a longer answer still shows). Highlighted in
<span class="tok">red</span>.</li>
<li><b>statement score</b>: every statement, and the header of every compound statement, in a
canonical form: names the cell binds become <code>V</code> (names from outside such as
<code>np.tanh</code> stay), operands of <code>+</code> and <code>*</code> and the items of dicts are
sorted, <code>a, b = x, y</code> counts as two assignments. The score is the Dice coefficient of
the two multisets of statements, 2&nbsp;|shared|&nbsp;/&nbsp;(|A|&nbsp;+&nbsp;|B|): the order of the
statements does not matter, so reordering independent statements does not hide a copy (the
token measure loses runs cut by a move). Lines of shared statements have a
<span class="stm">yellow</span> background.</li>
<li>Lines that also occur in the release (the stub's signature and docstring, for example) are
shown in <span class="rel">grey</span> and never highlighted.</li>
<li><b>score</b> (the ranking) is the larger of the two. Pairs against <code>course_lib</code>
compare with the source of the cell's course_lib reference: the functions and classes of the
same name in the course_lib modules the notebook's test cells import, and what the hidden tests
refuse to let the task call. Each cell says which were found, or that there is none.</li>
</ul>
"""

STYLE = """
body { font-family: sans-serif; margin: 1.5em; max-width: 110em; }
table { border-collapse: collapse; margin: 0.5em 0 1em 0; }
td, th { border: 1px solid #bbb; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
th { background: #eee; }
.side { display: flex; gap: 1em; }
.side > div { flex: 1; min-width: 0; }
pre { background: #fafafa; border: 1px solid #ddd; padding: 0.5em; overflow-x: auto; font-size: 0.85em; }
.tok { background: #f6b0b0; }
.stm { background: #fff2a8; display: inline-block; min-width: 100%; }
.rel { color: #999; }
.ref { font-weight: bold; }
.note { color: #555; font-size: 0.9em; }
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def render_code(source: str, char_ranges, line_ranges, released=frozenset()) -> str:
    """``source`` as escaped HTML: token matches in ``.tok``, shared statements' lines in ``.stm``.

    A line that also occurs in the release (``released``: stripped lines) is shown in ``.rel``
    and never highlighted: every student was given it.
    """
    marked = bytearray(len(source))
    for start, end in char_ranges:
        marked[max(0, start):max(0, end)] = b"\x01" * (max(0, end) - max(0, start))
    shared_lines = {n for first, last in line_ranges for n in range(first, last + 1)}
    out, pos = [], 0
    for number, line in enumerate(source.split("\n"), start=1):
        if line.strip() and line.strip() in released:
            out.append(f'<span class="rel">{_e(line)}</span>')
            pos += len(line) + 1
            continue
        pieces, i = [], 0
        while i < len(line):
            j = i
            while j < len(line) and marked[pos + j] == marked[pos + i]:
                j += 1
            text = _e(line[i:j])
            pieces.append(f'<span class="tok">{text}</span>' if marked[pos + i] else text)
            i = j
        body = "".join(pieces) or " "
        out.append(f'<span class="stm">{body}</span>' if number in shared_lines else body)
        pos += len(line) + 1
    return "\n".join(out)


def _fmt(value) -> str:
    return "" if value is None else f"{value:.3f}"


def write_html(report: Report, path: Path, top: int = 30, show: int = 10) -> None:
    """The report page: method, students, then per answer cell the ranked pairs."""
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'>"
             f"<title>Similarity: {_e(report.assignment)}</title><style>{STYLE}</style></head><body>",
             f"<h1>Similarity of answers: {_e(report.assignment)}</h1>",
             f"<p class='note'>{len(report.students)} students, {len(report.cells)} answer cells; "
             f"made {when} by <code>python -m course_lib.grading.similarity</code>. "
             "The same comparisons, all of them, are in similarity.csv.</p>",
             METHOD, "<h2>Students</h2><table><tr><th>student</th><th>answer cells read</th>"
             "<th>notes</th></tr>"]
    for s in report.students:
        parts.append(f"<tr><td>{_e(s.name)}</td><td>{len(s.cells)} of {len(report.cells)}</td>"
                     f"<td>{_e('; '.join(s.notes))}</td></tr>")
    parts.append("</table>")
    for cell in report.cells:
        ranked = report.pairs[cell.label]
        parts.append(f"<h2 id='{_e(cell.label)}'>Answer cell {_e(cell.label)}</h2>")
        parts.append(f"<p>course_lib reference: {_e(cell.reference_note)}</p>")
        scored = [p for p in ranked if p.rank is not None]
        parts.append(f"<p class='note'>{len(scored)} pairs compared; the top {min(top, len(scored))} "
                     f"are listed, the top {min(show, len(scored))} shown side by side.</p>")
        parts.append("<table><tr><th>rank</th><th>A</th><th>B</th><th>score</th><th>token score</th>"
                     "<th>statement score</th><th>shared statements</th><th>note</th></tr>")
        for p in scored[:top]:
            b = f"<span class='ref'>{_e(p.b)}</span>" if p.b == REFERENCE else _e(p.b)
            parts.append(f"<tr><td><a href='#{_e(cell.label)}-{p.rank}'>{p.rank}</a></td>"
                         f"<td>{_e(p.a)}</td><td>{b}</td><td>{_fmt(p.score)}</td>"
                         f"<td>{_fmt(p.token_score)}</td><td>{_fmt(p.statement_score)}</td>"
                         f"<td>{p.shared}</td><td>{_e(p.note)}</td></tr>")
        parts.append("</table>")
        skipped = [p for p in ranked if p.rank is None]
        if skipped:
            absent = sorted({n for p in skipped for n in (p.a, p.b)
                             if n != REFERENCE and (cell.label, n) not in report.codes})
            parts.append("<p class='note'>Not compared (no answer cell could be read, see the "
                         "students table): " + _e(", ".join(absent)) + "</p>")
        for p in scored[:show]:
            parts.append(f"<h3 id='{_e(cell.label)}-{p.rank}'>{_e(cell.label)}, rank {p.rank}: "
                         f"{_e(p.a)} and {_e(p.b)} (score {_fmt(p.score)}: tokens "
                         f"{_fmt(p.token_score)}, statements {_fmt(p.statement_score)})</h3>"
                         "<div class='side'>")
            for who, slices, lines in ((p.a, p.slices[0], p.lines[0]), (p.b, p.slices[1], p.lines[1])):
                source = report.codes[(cell.label, who)]
                shown = render_code(source, slices, lines, report.released[cell.label])
                parts.append(f"<div><b>{_e(who)}</b><pre>{shown}</pre></div>")
            parts.append("</div>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")


def write_report(assignment: str, course_dir: str | Path = ".", out: str | Path | None = None,
                 top: int = 30, show: int = 10) -> tuple[Path, Path, Report]:
    """Build the report and write ``similarity.html`` and ``similarity.csv`` into ``out``.

    ``out`` defaults to ``<course>/similarity/<assignment>/``. The folder gets a ``.gitignore``
    of ``*``: the report contains students' code and must not enter the repository.
    """
    report = build_report(assignment, course_dir)
    folder = Path(out) if out is not None else Path(course_dir) / "similarity" / assignment
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# students' code: never commit\n*\n", encoding="utf-8")
    html_path, csv_path = folder / "similarity.html", folder / "similarity.csv"
    write_html(report, html_path, top=top, show=show)
    write_csv(report, csv_path)
    return html_path, csv_path, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_lib.grading.similarity",
        description="Rank pairs of students (and each against course_lib) by the similarity of "
                    "their answer cells; writes similarity.html and similarity.csv.")
    parser.add_argument("assignment")
    parser.add_argument("--course-dir", default=".", help="the course directory (default: .)")
    parser.add_argument("--out", default=None,
                        help="output folder (default: <course-dir>/similarity/<assignment>)")
    parser.add_argument("--top", type=int, default=30, help="pairs listed per cell in the HTML")
    parser.add_argument("--show", type=int, default=10, help="pairs shown side by side per cell")
    args = parser.parse_args(argv)
    if args.top < 0 or args.show < 0:
        parser.error("--top and --show must be 0 or more")
    try:
        html_path, csv_path, report = write_report(args.assignment, args.course_dir, args.out,
                                                   args.top, args.show)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for cell in report.cells:
        best = next((p for p in report.pairs[cell.label] if p.rank == 1), None)
        if best is not None:
            print(f"{cell.label}: highest {best.a} / {best.b} {best.score:.3f}")
    trouble = [s for s in report.students if s.notes]
    for s in trouble:
        print(f"note: {s.name}: {'; '.join(s.notes)}")
    print(f"wrote {html_path} and {csv_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
