"""Make every submission gradable before ``nbgrader autograde`` sees it, and say what was done.

nbgrader skips a student whose notebook is not valid JSON, is missing, or was renamed: the
student gets no grade and no feedback, only a line in the grader's log. ``intake`` looks at
each ``submitted/<student>/<assignment>/`` folder first and, for every notebook the release
expects:

* **unreadable** (not JSON, not a notebook): the file is kept as ``<name>.unreadable`` and the
  release's blank notebook takes its place, so the student scores 0 with a note that says why;
* **missing, with exactly one other notebook in the folder** (a renamed notebook): that one is
  graded under the expected name (the original file stays), with a note;
* **missing, with no other notebook** (or several): the blank release is graded, with a note
  listing what was there.

Then every notebook's *structure* is compared with the release
(:func:`course_lib.grading.repair.repair_notebook`): graded cells whose nbgrader metadata was
edited, removed or duplicated, that were moved or turned from code into Markdown, get the
release's metadata, type and place back; deleted graded cells are put back from the release
(an answer cell blank, so that task scores 0); a stripped kernelspec is restored. Without
this, ``nbgrader autograde`` stops with an error for such a student and records no score. The
notebook as handed in is kept as ``<name>.before_repair``.

The note is a Markdown cell at the top of the notebook, so it appears in the student's
feedback; it lists every repair. Nothing is deleted. Running intake again changes nothing.
``python -m course_lib.grading.parallel`` runs it before grading; with plain nbgrader run
``python -m course_lib.grading.intake ASSIGNMENT`` first.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course_lib.grading.repair import repair_notebook

NOTE_KEY = "course_intake"


@dataclass
class Action:
    """What intake did to one student's notebook."""

    student: str
    notebook: str
    kind: str  # "unreadable", "renamed", "missing", "repaired", "not repaired"
    detail: str


def _note(text: str):
    cell = nbformat.v4.new_markdown_cell(f"**Note from the grader.** {text}")
    cell.metadata[NOTE_KEY] = True
    return cell


def _has_note(nb) -> bool:
    return bool(nb.cells and nb.cells[0].get("metadata", {}).get(NOTE_KEY))


def _with_note(nb, text: str):
    if not _has_note(nb):
        nb.cells.insert(0, _note(text))
    return nb


def _add_to_note(nb, text: str):
    """Append ``text`` to the note at the top of ``nb`` (a new note if it has none)."""
    if _has_note(nb):
        nb.cells[0].source = f"{nb.cells[0].source}\n\n{text}"
    else:
        nb.cells.insert(0, _note(text))
    return nb


def _kept_copy(path: Path) -> Path:
    """A name next to ``path`` for the notebook as handed in, that is not taken yet."""
    kept = path.with_name(path.name + ".before_repair")
    n = 2
    while kept.exists():
        kept, n = path.with_name(f"{path.name}.before_repair.{n}"), n + 1
    return kept


def repair_file(target: Path, release, student: str) -> list[Action]:
    """Repair the structure of the readable notebook ``target`` against ``release``.

    The notebook as handed in is kept next to it (``*.before_repair``) before it is rewritten
    with the repairs and a note that lists them. Nothing happens when nothing is wrong.
    """
    nb = nbformat.read(target, as_version=4)
    try:
        report = repair_notebook(nb, release, skip=lambda c: c.get("metadata", {}).get(NOTE_KEY))
        nbformat.validate(nb)
    except Exception as exc:  # a bug here must not stop the intake of the whole class
        return [Action(student, target.name, "not repaired",
                       f"the structural repair failed ({type(exc).__name__}: {exc}); the "
                       "notebook is graded as handed in")]
    if not report.changed:
        return []
    kept = _kept_copy(target)
    shutil.copy2(target, kept)
    items = "\n".join(f"- {m}" for m in report.messages)
    _add_to_note(nb, (
        "The structure of your notebook was damaged (graded cells changed, moved or deleted); "
        f"it was repaired before grading:\n\n{items}\n\nThe notebook as you handed it in is "
        f"kept unchanged, as `{kept.name}`."))
    nbformat.write(nb, target)
    actions = [Action(student, target.name, "repaired", ", ".join(report.tags))]
    actions += [Action(student, target.name, "not repaired", p) for p in report.problems]
    return actions


def _readable(path: Path):
    """The notebook at ``path``, or the reason it cannot be read."""
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        return nb, None
    except Exception as exc:  # JSON errors, schema errors, encoding errors: all unreadable
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"


def intake_folder(folder: Path, release_dir: Path, student: str) -> list[Action]:
    """Fix one student's folder for one assignment (see the module docstring)."""
    actions = []
    expected = sorted(p.name for p in release_dir.glob("*.ipynb"))
    for name in expected:
        actions += _intake_notebook(folder, release_dir, name, expected, student)
        actions += repair_file(folder / name, nbformat.read(release_dir / name, as_version=4),
                               student)
    return actions


def _intake_notebook(folder: Path, release_dir: Path, name: str, expected: list[str],
                     student: str) -> list[Action]:
    """Make ``folder / name`` a readable notebook (it was unreadable, renamed or missing)."""
    target = folder / name
    blank = nbformat.read(release_dir / name, as_version=4)
    if target.exists():
        nb, why = _readable(target)
        if nb is not None:
            return []
        kept = target.with_name(name + ".unreadable")
        shutil.move(target, kept)
        nbformat.write(_with_note(blank, (
            f"The file `{name}` you handed in could not be read as a notebook ({why}). "
            f"It was graded as an empty notebook; your file is kept as `{kept.name}`.")),
            target)
        return [Action(student, name, "unreadable", why)]
    others = sorted(p for p in folder.glob("*.ipynb") if p.name not in expected)
    readable = [(p, nb) for p in others for nb, _ in [_readable(p)] if nb is not None]
    if len(readable) == 1:
        path, nb = readable[0]
        nbformat.write(_with_note(nb, (
            f"Your notebook was named `{path.name}`; it was graded as `{name}`, the name "
            "the assignment uses. Keep the notebook's name next time.")), target)
        return [Action(student, name, "renamed", path.name)]
    found = ", ".join(f"`{p.name}`" for p in others) or "no notebook"
    nbformat.write(_with_note(blank, (
        f"No notebook named `{name}` was handed in (found: {found}). It was graded "
        "as an empty notebook.")), target)
    return [Action(student, name, "missing", found)]


def intake(assignment: str, course_dir: str | Path = ".") -> list[Action]:
    """Run :func:`intake_folder` over every student who submitted ``assignment``."""
    course_dir = Path(course_dir)
    release_dir = course_dir / "assignments" / assignment
    if not any(release_dir.glob("*.ipynb")):
        raise FileNotFoundError(f"no released notebook in {release_dir}: run "
                                f"`nbgrader generate_assignment {assignment}` first")
    actions = []
    for folder in sorted((course_dir / "submitted").glob(f"*/{assignment}")):
        if folder.is_dir():
            actions += intake_folder(folder, release_dir, folder.parent.name)
    return actions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_lib.grading.intake",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("assignment")
    parser.add_argument("--course-dir", default=".")
    args = parser.parse_args(argv)
    try:
        actions = intake(args.assignment, args.course_dir)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for a in actions:
        print(f"{a.student}: {a.notebook}: {a.kind} ({a.detail})")
    print(f"intake: {len({(a.student, a.notebook) for a in actions})} notebook(s) fixed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
