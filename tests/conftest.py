"""Shared fixtures: repository paths, the venv's tools and one strict book build per session."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

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


def _start_book_build() -> subprocess.Popen:
    env = dict(os.environ, PYTHONHASHSEED="0", MPLBACKEND="Agg")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: threads only add overhead
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(
        [tool("jupyter-book"), "build", str(REPO), "-W", "-n", "--keep-going"],
        cwd=REPO, stdout=log, stderr=subprocess.STDOUT, text=True, env=env)
    proc.log = log
    return proc


_book_build: subprocess.Popen | None = None


def pytest_collection_modifyitems(session, config, items):
    """Start the strict book build in the background as soon as a selected test needs it.

    The build executes the chapters in one kernel, on one core; started early, it runs while
    the first tests (unit tests, single-threaded) use the other core, instead of after them.
    """
    global _book_build
    if _book_build is None and any("built_book" in getattr(i, "fixturenames", ()) for i in items):
        _book_build = _start_book_build()


def pytest_sessionfinish(session, exitstatus):
    if _book_build is not None and _book_build.poll() is None:
        _book_build.kill()
        _book_build.wait()


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Build the book strictly (warnings are errors, code errors fail) and return _build/html.

    The build was started in the background at collection time; this waits for it. It uses
    the execution cache in _build/.jupyter_cache, so a second run is fast.
    """
    global _book_build
    proc = _book_build or _start_book_build()
    _book_build = proc
    proc.wait(timeout=1800)
    proc.log.seek(0)
    log = proc.log.read()
    if proc.returncode != 0:
        pytest.fail(f"strict book build failed (exit {proc.returncode}):\n{log[-6000:]}")
    html = REPO / "_build" / "html"
    assert (html / "index.html").exists(), "the build did not produce _build/html/index.html"
    return html
