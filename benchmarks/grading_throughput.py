"""How fast a class is autograded: serial nbgrader, the parallel command, and bare execution.

For each assignment, a synthetic class of N students (default 50) is made from the instructor
source exactly as the test suite makes it (``tests/nbtools.py``): a cycle of correct
submissions, untouched releases and submissions carrying the plausible mistakes of
``tests/mutants/``. The class is then graded three ways, each in a fresh temporary course:

* **serial**: ``nbgrader autograde <assignment>``, nbgrader's own command, one submission at a
  time;
* **parallel**: ``python -m course_lib.grading.parallel <assignment>``, one nbgrader per core
  sharing the gradebook (its grades are checked to equal the serial ones);
* **execute only**: the very notebooks nbgrader ran (the autograded copies, hidden tests
  included, outputs cleared) executed one after another with ``nbclient`` in one process,
  a fresh kernel each: the cost of running the students' code and nothing else.

Grading overhead = serial − execute only: what nbgrader adds per submission (its own start,
copying, checksums, restoring test cells, the gradebook).

Run from the repository root::

    .venv/bin/python benchmarks/grading_throughput.py              # 50 students, every assignment
    .venv/bin/python benchmarks/grading_throughput.py --students 6 --assignments a01_vocabulary

Results go to ``benchmarks/results/grading_throughput.{json,md}`` (not with ``--quick``).
Wall-clock times depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import nbformat  # noqa: E402
from tqdm import tqdm  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from _common import load_average, machine  # noqa: E402
from nbtools import (assignments, auto_scores, completed_submission,  # noqa: E402
                     generate_release, load_mutants)

BIN = Path(sys.executable).parent
# nbgrader runs `alembic` (its gradebook migrations) from PATH.
os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
CELL_TIMEOUT = 60
RESULTS = REPO / "benchmarks" / "results"


def synthetic_class(assignment: str, course: Path, n_students: int) -> list[str]:
    """Submit ``n_students`` notebooks into ``course``: correct, blank and mistaken ones."""
    release_dir = course / "assignments" / assignment
    (release_path,) = release_dir.glob("*.ipynb")
    release = nbformat.read(release_path, as_version=4)
    source = nbformat.read(REPO / "solutions" / assignment / release_path.name, as_version=4)
    kinds = [("correct", None), ("blank", None)] + [(m["name"], m) for m in load_mutants(REPO, assignment)]
    students = []
    for i in range(n_students):
        kind, mutant = kinds[i % len(kinds)]
        if kind == "blank":
            nb = release
        else:
            nb = completed_submission(release, source, replace=(
                {mutant["answer_cell"]: mutant["source"]} if mutant else None))
        student = f"s{i:03d}_{kind}"[:60]
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / release_path.name)
        students.append(student)
    return students


def run(cmd: list[str], cwd: Path) -> float:
    env = dict(os.environ, COURSE_CELL_TIMEOUT=str(CELL_TIMEOUT))
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return time.perf_counter() - t0


def execute_only(course: Path, assignment: str) -> float:
    """Seconds to execute every autograded notebook of ``course`` again, serially, with nbclient."""
    from nbclient import NotebookClient

    notebooks = sorted((course / "autograded").glob(f"*/{assignment}/*.ipynb"))
    t0 = time.perf_counter()
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        NotebookClient(nb, timeout=CELL_TIMEOUT, allow_errors=True, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - t0


def measure(assignment: str, n_students: int, workers: int, root: Path) -> dict:
    courses = {}
    for mode in ("serial", "parallel"):
        course = root / f"{assignment}_{mode}"
        generate_release(REPO, assignment, course, str(BIN / "nbgrader"))
        synthetic_class(assignment, course, n_students)
        courses[mode] = course
    serial = run([str(BIN / "nbgrader"), "autograde", assignment], courses["serial"])
    parallel = run([sys.executable, "-m", "course_lib.grading.parallel", assignment,
                    f"--workers={workers}"], courses["parallel"])
    same = auto_scores(courses["serial"], assignment) == auto_scores(courses["parallel"], assignment)
    bare = execute_only(courses["serial"], assignment)
    return {
        "assignment": assignment, "students": n_students, "workers": workers,
        "serial_seconds": serial, "parallel_seconds": parallel, "execute_only_seconds": bare,
        "serial_per_submission": serial / n_students,
        "parallel_per_submission": parallel / n_students,
        "execute_only_per_submission": bare / n_students,
        "speed_up": serial / parallel,
        "overhead_per_submission": (serial - bare) / n_students,
        "parallel_grades_equal_serial": same,
    }


def table(rows: list[dict]) -> str:
    head = ("| assignment | students | serial s/sub | parallel s/sub | speed-up | execute-only "
            "s/sub | nbgrader overhead s/sub | parallel = serial |")
    lines = [head, "|" + "---|" * 8]
    for r in rows:
        lines.append(
            f"| {r['assignment']} | {r['students']} | {r['serial_per_submission']:.2f} | "
            f"{r['parallel_per_submission']:.2f} | {r['speed_up']:.2f}x | "
            f"{r['execute_only_per_submission']:.2f} | {r['overhead_per_submission']:.2f} | "
            f"{'yes' if r['parallel_grades_equal_serial'] else 'NO'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--assignments", nargs="*", default=None,
                        help="default: every assignment in solutions/")
    parser.add_argument("--quick", action="store_true",
                        help="4 students, the first assignment, nothing written")
    args = parser.parse_args(argv)
    chosen = args.assignments or assignments(REPO)
    if args.quick:
        chosen, args.students = chosen[:1], 4
    unknown = sorted(set(chosen) - set(assignments(REPO)))
    if unknown:
        parser.error(f"no such assignment in solutions/: {unknown}")
    if args.students < 1:
        parser.error("--students must be at least 1")

    started, load_start = datetime.datetime.now(datetime.timezone.utc), load_average()
    sandbox = os.environ.get("COURSE_SANDBOX", "1") != "0"
    rows = []
    with tempfile.TemporaryDirectory(prefix="grading_bench_") as tmp:
        for assignment in tqdm(chosen, desc="assignments"):
            rows.append(measure(assignment, args.students, args.workers, Path(tmp)))
            if not args.quick:  # written after every assignment: a long run keeps what it did
                write_results(rows, started, load_start, sandbox)
    print(table(rows))
    return 0 if all(r["parallel_grades_equal_serial"] for r in rows) else 1


def write_results(rows: list[dict], started, load_start: str, sandbox: bool) -> None:
    meta = {
        "date": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average_start": load_start, "load_average_end": load_average(),
        "cell_timeout": CELL_TIMEOUT, "sandbox": sandbox,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "grading_throughput.json").write_text(json.dumps({"meta": meta, "rows": rows},
                                                                indent=2) + "\n")
    (RESULTS / "grading_throughput.md").write_text(
        f"# Grading throughput\n\nMeasured {meta['date']} on {meta['machine']}; load average "
        f"{meta['load_average_start']} at the start, {meta['load_average_end']} at the end; "
        f"grading {'in' if sandbox else 'without'} the sandbox (bare execution never is). "
        "Wall-clock times depend on the machine and on what else runs on it.\n\n"
        + table(rows) + "\n")


if __name__ == "__main__":
    sys.exit(main())
