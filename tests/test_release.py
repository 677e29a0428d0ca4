"""The student release is generated, never hand-edited, and leaks nothing.

* Drift: regenerating assignments/ from solutions/ with nbgrader gives exactly what is committed,
  for the English assignments and their Chinese copies (``<a>_zh``) alike.
* Leaks: no solution line and no hidden-test line appears in assignments/ (the built book is
  checked in tests/test_book.py, with the other tests that wait for the book's build).
"""

from __future__ import annotations

import html as html_lib

import nbformat
import pytest

from conftest import REPO
from grading_class import class_id
from nbtools import (all_secrets, assignments, chinese_assignments, comparable, find_leaks,
                     public_lines, secret_lines, source_notebooks, visible_text)

ASSIGNMENTS = assignments(REPO) + chinese_assignments(REPO)


# The class id puts each case on the worker that grades that assignment's class, which
# generates the same release (fresh_release makes it once per process); the Chinese cases go
# together with the Chinese end-to-end grading (tests/test_chinese_notebooks.py), and one
# nbgrader run releases all of them.
@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=class_id)
def test_release_matches_regenerated_release(assignment, fresh_release):
    fresh = fresh_release(assignment) / "assignments" / assignment
    committed = REPO / "assignments" / assignment
    assert committed.is_dir(), f"assignments/{assignment} is missing: run `make release`"
    fresh_files = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    committed_files = sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    assert committed_files == fresh_files, "assignments/ has other files than nbgrader generates"
    for rel in fresh_files:
        if rel.suffix != ".ipynb":
            assert (committed / rel).read_bytes() == (fresh / rel).read_bytes(), f"{rel} differs"
            continue
        a = comparable(nbformat.read(committed / rel, as_version=4))
        b = comparable(nbformat.read(fresh / rel, as_version=4))
        assert len(a) == len(b), f"{rel}: {len(a) - 1} cells committed, {len(b) - 1} generated"
        for i, (x, y) in enumerate(zip(a, b)):
            assert x == y, (f"{rel}: cell {i - 1} differs from the regenerated release; "
                            "edit solutions/ and run `make release`, never edit assignments/")


def test_every_source_has_a_release_and_vice_versa():
    released = sorted(p.name for p in (REPO / "assignments").iterdir() if p.is_dir())
    assert released == sorted(ASSIGNMENTS)


def test_sources_have_secrets_to_protect():
    # If this fails, the leak tests below would pass vacuously.
    public = public_lines(REPO)
    for nb in source_notebooks(REPO):
        secrets = [s for s in secret_lines(nb) if s not in public]
        assert len(secrets) >= 5, f"{nb}: found no solution/hidden-test lines"


def test_release_contains_no_solution_or_hidden_test_line():
    secrets = all_secrets(REPO)
    for path in sorted((REPO / "assignments").rglob("*")):
        if path.is_file():
            text = path.read_text(errors="replace")
            assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, path
            leaks = find_leaks(secrets, text)
            assert not leaks, f"{path} leaks instructor lines: {leaks[:3]}"


def test_leak_detector_finds_a_planted_leak():
    # The detector itself can fail: a real solution line pasted into a page is found.
    secret = all_secrets(REPO)[0]
    page = f"<html><body><pre><span>{html_lib.escape(secret)}</span></pre></body></html>"
    assert find_leaks([secret], visible_text(page)) == [secret]
