"""Shared fixtures: repository paths, the venv's tools and one strict book build per session."""

from __future__ import annotations

import os
import subprocess
import sys
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


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Build the book strictly (warnings are errors, code errors fail) and return _build/html.

    Uses the execution cache in _build/.jupyter_cache, so a second run is fast.
    """
    env = dict(os.environ, PYTHONHASHSEED="0", MPLBACKEND="Agg")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: threads only add overhead
    proc = subprocess.run(
        [tool("jupyter-book"), "build", str(REPO), "-W", "-n", "--keep-going"],
        cwd=REPO, capture_output=True, text=True, env=env, timeout=1800,
    )
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        pytest.fail(f"strict book build failed (exit {proc.returncode}):\n{log[-6000:]}")
    html = REPO / "_build" / "html"
    assert (html / "index.html").exists(), "the build did not produce _build/html/index.html"
    return html
