"""The instructor guide (chapters/instructor_guide.md) and the README tell the truth.

Every `nbgrader` command they show must be a real subcommand with options it accepts, and the
guide's exchange (release, fetch, submit, collect) and zip-collect commands are run exactly as
written, in a temporary course, with only the exchange folder moved to a temporary place.
"""

from __future__ import annotations

import getpass
import os
import re
import shlex
import subprocess
import zipfile
from pathlib import Path

import nbformat
import pytest

from conftest import REPO, tool
from nbtools import generate_release

GUIDE = REPO / "chapters" / "instructor_guide.md"
DOCS = [GUIDE, REPO / "README.md"]
ASSIGNMENT = "a01_vocabulary"
GUIDE_EXCHANGE = "/srv/nbgrader/exchange"


def shell_lines(path: Path) -> list[str]:
    """The commands of the ```bash blocks of a Markdown file (indented blocks included), one
    per entry: a line ending in a backslash is continued by the next, as in the shell (the
    backslash and the line break are removed)."""
    lines, inside, pending = [], False, ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            assert not pending, f"{path.name}: a shell block ends with a backslash"
            inside = stripped == "```bash" if not inside else False
            continue
        if not inside:
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1]
            continue
        stripped = (pending + line).strip()
        pending = ""
        if stripped and not stripped.startswith("#"):
            lines.append(stripped)
    return lines


def nbgrader_commands(path: Path) -> list[list[str]]:
    """Each `nbgrader ...` command of a file as argv, with leading VAR=value settings dropped
    and trailing comments removed."""
    commands = []
    for line in shell_lines(path):
        argv = shlex.split(line, comments=True)
        while argv and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", argv[0]):
            argv = argv[1:]
        if argv and argv[0] == "nbgrader":
            commands.append(argv)
    return commands


def _configurable_classes() -> dict[str, list[type]]:
    """Every traitlets-configurable class that nbgrader's apps know, by name (a name can
    belong to several classes, e.g. the abstract and the default Exchange)."""
    import nbgrader.apps  # noqa: F401  (imports the apps, and with them every class they use)
    from traitlets.config import Configurable

    found, todo = {}, [Configurable]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.setdefault(sub.__name__, []).append(sub)
            todo.append(sub)
    return found


def option_problem(sub: str, arg: str) -> str | None:
    """Why ``arg`` is not an option of ``nbgrader sub``, or None if it is one.

    ``--name`` must be one of the subcommand's aliases or flags; ``--Class.trait=...`` must name
    a configurable nbgrader class and one of its configurable traits.
    """
    from nbgrader.apps.nbgraderapp import NbGraderApp
    from traitlets.utils.importstring import import_item

    name = arg[2:].split("=", 1)[0]
    if "." in name:
        cls_name, trait = name.rsplit(".", 1)
        classes = _configurable_classes().get(cls_name)
        if not classes:
            return f"no configurable class {cls_name}"
        if not any(trait in cls.class_trait_names(config=True) for cls in classes):
            return f"{cls_name} has no configurable trait {trait}"
        return None
    app = NbGraderApp.subcommands[sub][0]
    app = import_item(app) if isinstance(app, str) else app
    if name not in app.aliases and name not in app.flags:
        return f"`nbgrader {sub}` has no option --{name}"
    return None


def test_the_docs_show_nbgrader_commands():
    # If the parser found nothing, the next test would pass vacuously.
    assert len(nbgrader_commands(GUIDE)) >= 10
    assert len(nbgrader_commands(REPO / "README.md")) >= 4


def test_every_nbgrader_command_in_the_docs_is_real():
    from nbgrader.apps.nbgraderapp import NbGraderApp

    commands = [(doc.name, argv) for doc in DOCS for argv in nbgrader_commands(doc)]
    unknown = [f"{doc}: {' '.join(argv)}" for doc, argv in commands
               if len(argv) < 2 or argv[1] not in NbGraderApp.subcommands]
    assert not unknown, f"not nbgrader subcommands: {unknown}"
    bad = [f"{doc}: {why}" for doc, argv in commands for arg in argv[2:] if arg.startswith("--")
           for why in [option_problem(argv[1], arg)] if why]
    assert not bad, "\n".join(bad)


def test_the_checker_rejects_made_up_options():
    # The check above can fail: options that do not exist are refused, real ones accepted.
    assert option_problem("autograde", "--no-such-option")
    assert option_problem("autograde", "--Exchange.no_such_trait=1")
    assert option_problem("autograde", "--NoSuchClass.root=1")
    assert option_problem("autograde", "--force") is None
    assert option_problem("collect", "--Exchange.root=/tmp") is None


def _guide_command(sub: str, exchange: Path) -> list[str]:
    matches = [argv for argv in nbgrader_commands(GUIDE) if argv[1] == sub]
    assert matches, f"the guide shows no `nbgrader {sub}` command"
    return [tool("nbgrader")] + [a.replace(GUIDE_EXCHANGE, str(exchange)) for a in matches[0][1:]]


def _run(argv: list[str], cwd: Path) -> str:
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, HOME=str(cwd)))
    assert proc.returncode == 0, f"{' '.join(argv)}:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout + proc.stderr


@pytest.fixture()
def course(tmp_path) -> Path:
    generate_release(REPO, ASSIGNMENT, tmp_path / "course", tool("nbgrader"))
    return tmp_path / "course"


def test_exchange_round_trip_as_written_in_the_guide(course, tmp_path):
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    exchange.chmod(0o1777)
    student_home = tmp_path / "student"
    student_home.mkdir()

    _run(_guide_command("release_assignment", exchange), course)
    _run(_guide_command("fetch_assignment", exchange), student_home)
    fetched = student_home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert fetched.exists(), "fetch_assignment did not put the notebook in the student's folder"
    nb = nbformat.read(fetched, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("handed in through the exchange"))
    nbformat.write(nb, fetched)
    _run(_guide_command("submit", exchange), student_home)
    _run(_guide_command("collect", exchange), course)

    collected = course / "submitted" / getpass.getuser() / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert collected.exists(), f"collect did not write {collected}"
    assert "handed in through the exchange" in collected.read_text()


def test_zip_collect_as_written_in_the_guide(course):
    release = (course / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_bytes()
    archive = course / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "lms_download.zip", "w") as z:
        z.writestr(f"alice_1234_5678_{ASSIGNMENT}.ipynb", release)
        z.writestr(f"bob_1235_5679_{ASSIGNMENT}.ipynb", release)
        z.writestr("readme_from_the_lms.txt", b"not a submission")
    argv = _guide_command("zip_collect", course)
    assert argv[2] == ASSIGNMENT
    out = _run(argv, course)
    for student in ("alice", "bob"):
        got = course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        assert got.exists(), f"zip_collect did not file {student}'s notebook:\n{out[-2000:]}"
    assert sorted(p.name for p in (course / "submitted").iterdir()) == ["alice", "bob"]
