"""Autograde a whole class in parallel with nbgrader's own ``autograde`` command.

``nbgrader autograde`` grades one submission after another. This starts one ``nbgrader
autograde`` per worker (by default one per core) in the same course directory, each with
``--CourseDirectory.student_id_exclude`` set to the students of the other workers, so every
student is graded by exactly one worker, with the course's own configuration, into the
course's own gradebook. Nothing else changes: formgrader, feedback and export see an ordinary
gradebook.

Workers share the gradebook. nbgrader only writes to it briefly (when a submission starts and
when its grades are saved) and SQLite serialises writers; a SQLite URL gets a generous busy
timeout (``?timeout=``) so a worker waits for the lock instead of failing. The test suite
grades every assignment this way and compares with a serial run.

Before grading, each submission goes through :mod:`course_lib.grading.intake` (an unreadable,
missing or renamed notebook is replaced, with a note to the student, instead of being skipped).

Usage, from the course directory::

    python -m course_lib.grading.parallel a01_vocabulary            # one worker per core
    python -m course_lib.grading.parallel a01_vocabulary --workers 4 --force
    python -m course_lib.grading.parallel a01_vocabulary --feedback   # then everyone's feedback
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

SQLITE_BUSY_TIMEOUT = 300  # seconds a worker waits for another worker's write to finish


@dataclass
class WorkerResult:
    """What one ``nbgrader autograde`` worker did."""

    students: list[str]
    returncode: int
    seconds: float
    log: str = field(repr=False)
    step: str = "autograde"  # the nbgrader command: "autograde" or "generate_feedback"


def submitted_students(course_dir: Path, assignment: str) -> list[str]:
    """Students with a folder ``submitted/<student>/<assignment>/``, sorted."""
    submitted = Path(course_dir) / "submitted"
    if not submitted.is_dir():
        raise FileNotFoundError(f"no folder {submitted}: nothing has been submitted or collected")
    students = sorted(p.parent.name for p in submitted.glob(f"*/{assignment}") if p.is_dir())
    bad = [s for s in students if "," in s]
    if bad:
        raise ValueError(f"student ids with a comma cannot be excluded from a worker: {bad}")
    return students


def shards(students: list[str], workers: int) -> list[list[str]]:
    """Deal the students round-robin into at most ``workers`` non-empty groups."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    groups = [students[i::workers] for i in range(workers)]
    return [g for g in groups if g]


def configured_db_url(course_dir: Path) -> str | None:
    """``CourseDirectory.db_url`` from the course's nbgrader_config.py, if it sets one."""
    from traitlets.config.loader import PyFileConfigLoader

    config_file = Path(course_dir) / "nbgrader_config.py"
    if not config_file.exists():
        return None
    config = PyFileConfigLoader(config_file.name, path=str(course_dir)).load_config()
    url = config.get("CourseDirectory", {}).get("db_url")
    return str(url) if url else None


def with_busy_timeout(db_url: str, seconds: int = SQLITE_BUSY_TIMEOUT) -> str:
    """A SQLite URL with a busy timeout; other databases' URLs are returned unchanged."""
    if not db_url.startswith("sqlite:") or "timeout=" in db_url:
        return db_url
    return f"{db_url}{'&' if '?' in db_url else '?'}timeout={seconds}"


def machine_share(students: list[str], share: str | None) -> list[str]:
    """The students that machine k of n grades, for ``share`` = "k/n" (k = 1..n); all if None.

    Every machine lists the same sorted ``submitted/`` folder, so the n shares are disjoint and
    together hold every student.
    """
    if share is None:
        return students
    try:
        k, n = (int(x) for x in share.split("/"))
    except ValueError:
        raise ValueError(f"share must look like 2/3 (machine 2 of 3), got {share!r}") from None
    if not 1 <= k <= n:
        raise ValueError(f"share {share!r}: the machine number must be between 1 and {n}")
    return students[k - 1::n]


def autograde_parallel(assignment: str, course_dir: str | Path = ".", workers: int | None = None,
                       force: bool = False, nbgrader: str | None = None,
                       extra_args: list[str] | None = None,
                       share: str | None = None, feedback: bool = False) -> list[WorkerResult]:
    """Autograde every submission of ``assignment`` with ``workers`` nbgrader processes.

    Parameters
    ----------
    assignment : str
        The assignment's name, as in ``submitted/<student>/<assignment>/``.
    course_dir : path
        The nbgrader course directory (where ``nbgrader_config.py`` is).
    workers : int, optional
        Number of ``nbgrader autograde`` processes; default: the number of cores.
    force : bool
        Grade again students who have been graded already (``nbgrader autograde --force``).
    nbgrader : str, optional
        The ``nbgrader`` executable; default: the one next to this Python, else on PATH.
    extra_args : list of str, optional
        More options for every ``nbgrader autograde`` (e.g. ``["--Execute.timeout=120"]``).
    share : str, optional
        "k/n": grade only the k-th of n disjoint shares of the class, to spread one class over
        n machines that share the course folder and a gradebook server.
    feedback : bool
        After grading, write every graded student's feedback (``nbgrader generate_feedback``),
        with the same workers; its results follow the grading workers' in the returned list.

    Returns
    -------
    list of WorkerResult, one per worker that had students.

    Raises
    ------
    FileNotFoundError
        If the course has no ``submitted/`` folder or nbgrader cannot be found.
    ValueError
        If nobody submitted ``assignment``, or ``workers`` < 1.
    """
    course_dir = Path(course_dir).resolve()
    everyone = submitted_students(course_dir, assignment)
    if not everyone:
        raise ValueError(f"nobody submitted {assignment!r}: no folder "
                         f"{course_dir}/submitted/<student>/{assignment}/")
    students = machine_share(everyone, share)
    if not students:
        return []
    from course_lib.grading.intake import intake_folder

    release_dir = course_dir / "assignments" / assignment
    if any(release_dir.glob("*.ipynb")):
        for student in students:
            for action in intake_folder(course_dir / "submitted" / student / assignment,
                                        release_dir, student):
                print(f"intake: {action.student}: {action.notebook}: {action.kind} "
                      f"({action.detail})", file=sys.stderr)
    groups = shards(students, workers or os.cpu_count() or 1)
    nbgrader = nbgrader or _nbgrader_executable()

    db_url = configured_db_url(course_dir)
    db = [f"--CourseDirectory.db_url={with_busy_timeout(db_url)}"] if db_url else []
    base = ([nbgrader, "autograde", assignment] + (["--force"] if force else []) + db
            + list(extra_args or []))
    results = _run_sharded(base, groups, everyone, course_dir, nbgrader)
    if feedback and all(r.returncode == 0 for r in results):
        command = [nbgrader, "generate_feedback", assignment, "--force"] + db
        results += _run_sharded(command, groups, everyone, course_dir, nbgrader)
    return results


def _run_sharded(base: list[str], groups: list[list[str]], everyone: list[str],
                 course_dir: Path, nbgrader: str) -> list[WorkerResult]:
    """Run ``base`` once per group at the same time, each excluding everybody else."""
    # nbgrader runs `alembic` from PATH for the gradebook's migrations.
    env = dict(os.environ)
    env["PATH"] = f"{Path(nbgrader).parent}{os.pathsep}{env.get('PATH', '')}"
    started = []
    for group in groups:
        others = [s for s in everyone if s not in set(group)]
        cmd = base + ([f"--CourseDirectory.student_id_exclude={','.join(others)}"] if others else [])
        proc = subprocess.Popen(cmd, cwd=course_dir, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        started.append((group, proc, time.monotonic()))
    results = []
    for group, proc, t0 in started:
        log, _ = proc.communicate()
        results.append(WorkerResult(group, proc.returncode, time.monotonic() - t0, log,
                                    step=base[1]))
    return results


def _nbgrader_executable() -> str:
    here = Path(sys.executable).parent / "nbgrader"
    found = str(here) if here.exists() else shutil.which("nbgrader")
    if not found:
        raise FileNotFoundError("nbgrader is not installed (pip install -r requirements.txt)")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_lib.grading.parallel",
        description="nbgrader autograde for a whole class, one worker per core, one gradebook.")
    parser.add_argument("assignment")
    parser.add_argument("--workers", type=int, default=None,
                        help="number of nbgrader processes (default: number of cores)")
    parser.add_argument("--force", action="store_true", help="grade again who was graded")
    parser.add_argument("--course-dir", default=".", help="the course directory (default: .)")
    parser.add_argument("--share", default=None, metavar="K/N",
                        help="grade only share K of N (one share per machine)")
    parser.add_argument("--feedback", action="store_true",
                        help="then write every graded student's feedback, with the same workers")
    args, extra = parser.parse_known_args(argv)
    try:
        results = autograde_parallel(args.assignment, args.course_dir, args.workers,
                                     args.force, extra_args=extra, share=args.share,
                                     feedback=args.feedback)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    failed = [r for r in results if r.returncode != 0]
    for i, r in enumerate(results):
        state = "ok" if r.returncode == 0 else f"FAILED (exit {r.returncode})"
        print(f"worker {i}: {r.step} for {len(r.students)} students in {r.seconds:.1f} s: {state}")
    for r in failed:
        print(f"\n--- log of the worker grading {r.students[:5]}... ---\n{r.log[-5000:]}",
              file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
