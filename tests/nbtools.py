"""Helpers for the notebook tests: nbgrader regions, releases and synthetic submissions.

Kept in tests/ (instructor side); nothing here is published or imported by course_lib.
"""

from __future__ import annotations

import copy
import html
import importlib.util
import re
import shutil
import socket
import subprocess
from pathlib import Path

import nbformat

SOLUTION_RE = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
HIDDEN_RE = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)

# Lines too generic to count as a leak if they appear elsewhere (they also occur in stubs,
# visible tests or ordinary prose).
MIN_LEAK_CHARS = 16


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


# The Chinese copy of assignment <a> is the assignment <a>_zh (scripts/translations.py notebooks).
CHINESE_SUFFIX = "_zh"


def assignments(repo: Path) -> list[str]:
    """The English assignments (``solutions/<a>/``): the graded classes, mutants and intake
    repair are theirs. The Chinese copies, which share their code cells, are
    :func:`chinese_assignments`."""
    return sorted(p.name for p in (repo / "solutions").iterdir()
                  if p.is_dir() and not p.name.endswith(CHINESE_SUFFIX))


def chinese_assignments(repo: Path) -> list[str]:
    """The Chinese assignments (``solutions/<a>_zh/``), generated from the English ones."""
    return sorted(p.name for p in (repo / "solutions").iterdir()
                  if p.is_dir() and p.name.endswith(CHINESE_SUFFIX))


def source_notebooks(repo: Path) -> list[Path]:
    """Every instructor source notebook, English and Chinese (what the leak and drift checks
    protect)."""
    return sorted((repo / "solutions").glob("*/*.ipynb"))


def secret_lines(nb_path: Path) -> list[str]:
    """Every non-trivial line that only the instructor may see.

    That is: lines inside solution regions of code cells, whole markdown answers
    of manually graded cells, and lines inside hidden-test blocks.
    """
    nb = nbformat.read(nb_path, as_version=4)
    lines: list[str] = []
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        src = cell.source
        chunks: list[str] = []
        if meta.get("solution") and cell.cell_type == "code":
            chunks += SOLUTION_RE.findall(src)
        elif meta.get("solution") and cell.cell_type == "markdown":
            chunks.append(src)
        chunks += HIDDEN_RE.findall(src)
        for chunk in chunks:
            for line in chunk.splitlines():
                norm = " ".join(line.split())
                if len(norm) >= MIN_LEAK_CHARS:
                    lines.append(norm)
    return lines


def hidden_test_lines(nb) -> list[str]:
    """Every non-trivial line of the hidden-test blocks of a notebook (whitespace-normalised).

    The subset of :func:`secret_lines` that a student's feedback must not show either (the
    feedback does show the student's own answers, so solution lines are no leak there).
    ``nb`` is a notebook or the path of one.
    """
    if isinstance(nb, (str, Path)):
        nb = nbformat.read(nb, as_version=4)
    lines = (" ".join(line.split()) for cell in nb.cells if cell.cell_type == "code"
             for block in HIDDEN_RE.findall(cell.source) for line in block.splitlines())
    return [line for line in lines if len(line) >= MIN_LEAK_CHARS]


def _visible_source(nb_path: Path) -> str:
    """What the instructor source shows students: every cell with its solution regions, hidden
    blocks and manually graded answers removed."""
    nb = nbformat.read(nb_path, as_version=4)
    parts = []
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta.get("solution") and cell.cell_type == "markdown":
            continue
        parts.append(HIDDEN_RE.sub("", SOLUTION_RE.sub("", cell.source)))
    return "\n".join(parts)


def public_lines(repo: Path) -> set[str]:
    """Every line (normalised, >= MIN_LEAK_CHARS) that students see anyway: the course_lib
    package, and the visible part of every instructor source (its release).

    course_lib is installed by every student, so a line it contains is public: finding it in a
    release or in the book is not a leak, whichever solution also happens to contain it
    (``super().__init__()``, ``with torch.no_grad():``). Likewise a hidden line that is also a
    visible line of some assignment (``raise AssertionError(``) gives nothing away.
    """
    texts = [path.read_text() for path in (repo / "course_lib").rglob("*.py")]
    texts += [_visible_source(path) for path in source_notebooks(repo)]
    lines: set[str] = set()
    for text in texts:
        for line in text.splitlines():
            norm = " ".join(line.split())
            if len(norm) >= MIN_LEAK_CHARS:
                lines.add(norm)
    return lines


def all_secrets(repo: Path) -> list[str]:
    """Solution and hidden-test lines of every source, except what course_lib already publishes
    (what the release and the built book must never show)."""
    public = public_lines(repo)
    return [s for nb in source_notebooks(repo) for s in secret_lines(nb) if s not in public]


def visible_text(page: str) -> str:
    """Text of an HTML page with tags removed and entities decoded (highlighted code is split
    over many spans, and ``"`` becomes ``&quot;``)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def find_leaks(secrets: list[str], haystack: str) -> list[str]:
    """Secret lines that occur (whitespace-normalised) in ``haystack``."""
    flat = " ".join(haystack.split())
    return [s for s in secrets if s in flat]


def generate_release(repo: Path, assignment: str, course_dir: Path, nbgrader: str,
                     together: tuple[str, ...] = ()) -> Path:
    """Copy the course config and source into ``course_dir`` and run nbgrader generate_assignment.

    ``together``: more assignments to release in the same nbgrader run (one process and one
    gradebook for all, which saves nbgrader's start-up for each): ``course_dir`` then holds
    just their sources and nbgrader releases ``*``."""
    course_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(repo / "nbgrader_config.py", course_dir / "nbgrader_config.py")
    released = (assignment, *together)
    for name in released:
        src = course_dir / "solutions" / name
        if not src.exists():
            shutil.copytree(repo / "solutions" / name, src,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    proc = subprocess.run([nbgrader, "generate_assignment", "*" if together else assignment,
                           "--force"], cwd=course_dir, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment failed:\n{proc.stdout}\n{proc.stderr}")
    missing = [n for n in released if not (course_dir / "assignments" / n).is_dir()]
    if missing:
        raise RuntimeError(f"nbgrader generate_assignment released no {missing}:\n{proc.stderr}")
    return course_dir / "assignments" / assignment


def comparable(nb) -> list[tuple]:
    """What the drift test compares: each cell's type, source and metadata, plus notebook metadata."""
    return [("notebook", nb.metadata)] + [
        (c.cell_type, c.source, c.metadata) for c in nb.cells
    ]


def cell_by_grade_id(nb, grade_id: str):
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade_id") == grade_id:
            return cell
    raise KeyError(f"no cell with grade_id {grade_id!r}")


MARKER_LINE_RE = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.M)


def tasks(release_nb) -> list[tuple[str, str]]:
    """The code tasks of a release, in order: (answer cell grade_id, test cell grade_id).

    A task's test cell is the first graded test cell after its answer cell.
    """
    pairs, answer = [], None
    for cell in release_nb.cells:
        meta = nbgrader_meta(cell)
        if meta.get("solution") and cell.cell_type == "code":
            answer = meta["grade_id"]
        elif meta.get("grade") and not meta.get("solution") and answer is not None:
            pairs.append((answer, meta["grade_id"]))
            answer = None
    return pairs


def delete(nb, *grade_ids: str):
    """A deep copy of ``nb`` without the cells ``grade_ids`` (a student deleted them)."""
    nb = copy.deepcopy(nb)
    for gid in grade_ids:
        nb.cells.remove(cell_by_grade_id(nb, gid))
    return nb


def strip_markers(src: str) -> str:
    """The solution as a student would type it: the code without nbgrader's marker lines."""
    return MARKER_LINE_RE.sub("", src)


def completed_submission(release_nb, source_nb, replace: dict[str, str] | None = None):
    """A released notebook with every answer cell filled in from the instructor source.

    ``replace`` maps an answer cell's grade_id to other source (e.g. a wrong implementation).
    Test cells are kept exactly as released, as a student would have them.
    """
    nb = copy.deepcopy(release_nb)
    replace = replace or {}
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if not meta.get("solution"):
            continue
        gid = meta["grade_id"]
        if gid in replace:
            cell.source = replace[gid]
        else:
            cell.source = strip_markers(cell_by_grade_id(source_nb, gid).source)
    return nb


def load_mutants(repo: Path, assignment: str) -> list[dict]:
    """The plausible wrong answers of ``tests/mutants/<assignment>.py`` (its MUTANTS list)."""
    path = repo / "tests" / "mutants" / f"{assignment}.py"
    spec = importlib.util.spec_from_file_location(f"mutants_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MUTANTS


def auto_scores(course: Path, assignment: str) -> dict[str, dict[str, float | None]]:
    """Each student's autograded score per graded cell, from the course's SQLite gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {sub.student.id: {g.name: g.auto_score for nb in sub.notebooks for g in nb.grades}
                for sub in gb.find_assignment(assignment).submissions}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
