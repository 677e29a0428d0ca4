"""Shared fixtures: repository paths, the venv's tools and one strict book build per session."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

# One BLAS/OpenMP thread per process (the Makefile exports the same): the course's matrices are
# small, and the tests run on every core already, so a second thread per process only spins.
# Set before anything imports numpy or torch; the kernels that grading starts inherit it.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
# nbgrader runs `alembic` (its gradebook migrations) from PATH: make the venv's tools visible
# even when the venv is not activated.
os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"


def tool(name: str) -> str:
    """Path of a console script installed in the same venv as this Python."""
    path = BIN / name
    if not path.exists():
        raise FileNotFoundError(f"{name} is not installed next to {sys.executable}; run `make test`")
    return str(path)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


def _run_id(config) -> str:
    """One id per test run, the same in every pytest-xdist worker of that run."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        return workerinput["testrunuid"]
    if not hasattr(config, "_course_run_id"):
        config._course_run_id = uuid.uuid4().hex
    return config._course_run_id


def _book_status(run_id: str) -> tuple[Path, Path]:
    folder = REPO / "_build"
    folder.mkdir(exist_ok=True)
    return folder / f".book-build-{run_id}.status", folder / f".book-build-{run_id}.log"


def _start_book_build(run_id: str) -> subprocess.Popen | None:
    """Start the strict book build in the background, once per run (the first worker to ask
    wins; the others wait for its status file)."""
    status, log = _book_status(run_id)
    try:
        os.close(os.open(f"{status}.claimed", os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return None  # another worker of this run builds the book
    for old in (REPO / "_build").glob(".book-build-*"):
        if run_id not in old.name:
            old.unlink(missing_ok=True)
    env = dict(os.environ, PYTHONHASHSEED="0")  # build_book.py sets the inline backend
    env.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: threads only add overhead
    # make book's command: the chapters run in parallel into the cache, then the strict build
    build = " ".join(shlex.quote(a) for a in
                     [sys.executable, str(REPO / "scripts" / "build_book.py")])
    # The exit status is written only when the build is over: waiting workers poll for it.
    script = (f"{build} > {shlex.quote(str(log))} 2>&1; echo $? > {shlex.quote(str(status))}.tmp"
              f" && mv {shlex.quote(str(status))}.tmp {shlex.quote(str(status))}")
    return subprocess.Popen(["/bin/sh", "-c", script], cwd=REPO, env=env,
                            start_new_session=True)


_book_build: subprocess.Popen | None = None


@pytest.hookimpl(optionalhook=True)  # pytest -p no:xdist works too
def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist: every test of one assignment's graded class on the same worker (so the
    class is graded once); every other test module is a unit of its own (so its module-scoped
    fixtures, such as the adversarial class, are set up once), given to whichever worker is
    free. (xdist's own --dist loadgroup does not work with pytest 9: it renames node ids.)"""
    from xdist.scheduler import LoadScopeScheduling

    class ByGradedClass(LoadScopeScheduling):
        def __init__(self, config, log=None):
            super().__init__(config, log)
            # Keep the order of pytest_collection_modifyitems (xdist would otherwise sort the
            # units by their number of tests, which puts the graded classes after the quick
            # modules and leaves the long units for the end).
            config.option.loadscopereorder = False

        def _split_scope(self, nodeid: str) -> str:
            return class_scope(nodeid) or spread_scope(nodeid) or super()._split_scope(nodeid)

    return ByGradedClass(config, log)


SPREAD_ID = "spread-"


def spread_scope(nodeid: str) -> str | None:
    """A test whose parameter id starts with ``spread-`` is a scheduling unit of its own, so that
    the long tests of one module (the browser visits of the book, in two halves; the strict
    builds) can run on both workers at the end of the run instead of one after another."""
    if "[" in nodeid and nodeid[nodeid.index("[") + 1:].startswith(SPREAD_ID):
        return nodeid
    return None


# Modules whose module-scoped class of students takes minutes: scheduled right after the graded
# classes, so that no long unit is left for the end of the run.
SLOW_MODULES = ("test_adversarial.py", "test_gradebook_postgres.py")


def _schedule_rank(item) -> tuple[int, int, str]:
    """Where a test goes in the run: the graded classes first (each takes minutes, and a long
    unit started last leaves the other worker idle), then the units that need the book (it
    builds in the background from the start of the run and is ready by then; the long browser
    visits first), then the other slow classes, and last the quick modules, whose many short
    units keep both workers busy to the end.

    (No unit of one long test may come near the end: a pytest-xdist worker runs a test only
    once it holds the next one, so two such units there could run one after the other on one
    worker while the other waits.)"""
    scope = class_scope(item.nodeid)
    if scope is not None:
        return 0, 0, scope
    module = item.nodeid.split("::", 1)[0]
    if spread_scope(item.nodeid) is not None:  # a unit of its own: only its own needs count
        if "built_book" in getattr(item, "fixturenames", ()):
            return 1, 0, item.nodeid
        return 2, 1, item.nodeid  # the strict builds of a broken chapter: seconds each
    if module.endswith(SLOW_MODULES):
        return 2, 0, module
    needs_book = any("built_book" in getattr(i, "fixturenames", ())
                     for i in _module_items(item) if spread_scope(i.nodeid) is None)
    return (1, 1, module) if needs_book else (3, 0, module)


def _module_items(item):
    return getattr(item.session, "_course_items_by_module", {}).get(
        item.nodeid.split("::", 1)[0], [item])


def pytest_collection_modifyitems(session, config, items):
    """Order the tests for two workers (see _schedule_rank), and start the strict book build in
    the background as soon as a selected test needs it.

    The build runs while the first tests use the cores, instead of after them.
    """
    by_module: dict[str, list] = {}
    for item in items:
        by_module.setdefault(item.nodeid.split("::", 1)[0], []).append(item)
    session._course_items_by_module = by_module
    items.sort(key=_schedule_rank)  # stable: each module keeps its own order
    global _book_build
    if _book_build is None and any("built_book" in getattr(i, "fixturenames", ()) for i in items):
        _book_build = _start_book_build(_run_id(config))


def pytest_sessionfinish(session, exitstatus):
    """Stop an unfinished build that nobody needs any more; under xdist another worker may
    still wait for it, so a worker lets it finish unless the run was interrupted."""
    if _book_build is None or _book_build.poll() is not None:
        return
    config = session.config
    is_worker = hasattr(config, "workerinput")
    if (not is_worker or config.option.collectonly
            or exitstatus == pytest.ExitCode.INTERRUPTED):
        os.killpg(_book_build.pid, 9)
    _book_build.wait()


@pytest.fixture(scope="session")
def built_book(request) -> Path:
    """Build the book strictly (warnings are errors, code errors fail) and return _build/html.

    The build was started in the background at collection time (by this worker or another
    one); this waits for its status file. It uses the execution cache in
    _build/.jupyter_cache, so a second run is fast.
    """
    global _book_build
    run_id = _run_id(request.config)
    if _book_build is None:
        _book_build = _start_book_build(run_id)
    status, log = _book_status(run_id)
    deadline = time.monotonic() + 1800
    while not status.exists():
        assert time.monotonic() < deadline, "the book build did not finish within 30 minutes"
        time.sleep(1)
    code = int(status.read_text().strip() or 1)
    if code != 0:
        pytest.fail(f"strict book build failed (exit {code}):\n{log.read_text()[-6000:]}")
    html = REPO / "_build" / "html"
    assert (html / "index.html").exists(), "the build did not produce _build/html/index.html"
    return html


from grading_class import class_scope, fresh_release, graded  # noqa: E402,F401  (shared)
