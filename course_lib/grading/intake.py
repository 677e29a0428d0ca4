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

The note is a Markdown cell at the top of the notebook, so it appears in the student's
feedback. Nothing is deleted. Running intake again changes nothing.
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

NOTE_KEY = "course_intake"


@dataclass
class Action:
    """What intake did to one student's notebook."""

    student: str
    notebook: str
    kind: str  # "unreadable", "renamed", "missing"
    detail: str


def _note(text: str):
    cell = nbformat.v4.new_markdown_cell(f"**Note from the grader.** {text}")
    cell.metadata[NOTE_KEY] = True
    return cell


def _with_note(nb, text: str):
    if not (nb.cells and nb.cells[0].get("metadata", {}).get(NOTE_KEY)):
        nb.cells.insert(0, _note(text))
    return nb


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
        target = folder / name
        blank = nbformat.read(release_dir / name, as_version=4)
        if target.exists():
            nb, why = _readable(target)
            if nb is not None:
                continue
            kept = target.with_name(name + ".unreadable")
            shutil.move(target, kept)
            nbformat.write(_with_note(blank, (
                f"The file `{name}` you handed in could not be read as a notebook ({why}). "
                f"It was graded as an empty notebook; your file is kept as `{kept.name}`.")),
                target)
            actions.append(Action(student, name, "unreadable", why))
            continue
        others = sorted(p for p in folder.glob("*.ipynb") if p.name not in expected)
        readable = [(p, nb) for p in others for nb, _ in [_readable(p)] if nb is not None]
        if len(readable) == 1:
            path, nb = readable[0]
            nbformat.write(_with_note(nb, (
                f"Your notebook was named `{path.name}`; it was graded as `{name}`, the name "
                "the assignment uses. Keep the notebook's name next time.")), target)
            actions.append(Action(student, name, "renamed", path.name))
        else:
            found = ", ".join(f"`{p.name}`" for p in others) or "no notebook"
            nbformat.write(_with_note(blank, (
                f"No notebook named `{name}` was handed in (found: {found}). It was graded "
                "as an empty notebook.")), target)
            actions.append(Action(student, name, "missing", found))
    return actions


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
    print(f"intake: {len(actions)} notebook(s) fixed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
