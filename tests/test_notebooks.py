"""Every instructor notebook runs clean: nbval and nbgrader validate on solutions/."""

import subprocess
import sys

import pytest

from conftest import REPO, tool
from nbtools import source_notebooks

NOTEBOOKS = source_notebooks(REPO)


def test_there_is_at_least_one_assignment():
    assert NOTEBOOKS, "no notebooks found under solutions/*/"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_solution_notebook_passes_nbval(nb, tmp_path):
    # --nbval-lax: run every cell and fail on any error; outputs are not compared
    # (the source notebooks are stored without outputs).
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", str(nb), "-q",
         "-p", "no:cacheprovider", "--rootdir", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, f"nbval failed on {nb}:\n{proc.stdout[-4000:]}{proc.stderr[-2000:]}"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_solution_notebook_passes_nbgrader_validate(nb):
    proc = subprocess.run([tool("nbgrader"), "validate", str(nb)],
                          cwd=REPO, capture_output=True, text=True, timeout=900)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "Success! Your notebook passes all the tests." in out, out[-4000:]


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_source_notebooks_carry_no_outputs(nb):
    import nbformat

    for i, cell in enumerate(nbformat.read(nb, as_version=4).cells):
        if cell.cell_type == "code":
            assert not cell.outputs, f"{nb.name} cell {i} has stored outputs; clear them"
