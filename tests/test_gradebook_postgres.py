"""The gradebook on a real PostgreSQL server, through nbgrader's ``db_url``.

When a class outgrows one machine, graders on several machines share one gradebook, which then
must be a database server, not a SQLite file (see the instructor guide). This test starts a
throw-away PostgreSQL server (Debian's ``postgresql``, installed by ``make test``) on
127.0.0.1, points a temporary course's ``CourseDirectory.db_url`` at it, grades a small class
with the parallel command (two workers writing at once), and reads the grades back with
``nbgrader export``.
"""

from __future__ import annotations

import csv
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from conftest import REPO, tool
from nbtools import completed_submission, free_port, nbgrader_meta

ASSIGNMENT = "a01_vocabulary"


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        pytest.fail("PostgreSQL is not installed: `make test` installs Debian's postgresql "
                    "(or: apt-get install postgresql)")
    return found[-1]


def _as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as the postgres user when we are root."""
    return ["runuser", "-u", "postgres", "--"] + cmd if os.geteuid() == 0 else cmd


@pytest.fixture(scope="module")
def postgres_url():
    data = Path(tempfile.mkdtemp(prefix="course-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    port = free_port()
    subprocess.run(_as_postgres([_pg_bin("initdb"), "-D", str(data / "db"), "-A", "trust",
                                 "-U", "grader", "--no-sync"]),
                   check=True, capture_output=True, timeout=120)
    server = subprocess.Popen(
        _as_postgres([_pg_bin("postgres"), "-D", str(data / "db"), "-p", str(port),
                      "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={data}",
                      "-c", "fsync=off"]),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while subprocess.run([_pg_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                             capture_output=True).returncode != 0:
            assert server.poll() is None, f"postgres exited:\n{server.stdout.read()[-3000:]}"
            assert time.monotonic() < deadline, "postgres did not start within 60 s"
            time.sleep(0.3)
        subprocess.run([_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "grader",
                        "gradebook"], check=True, capture_output=True, timeout=60)
        yield f"postgresql+psycopg://grader@127.0.0.1:{port}/gradebook"
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(data, ignore_errors=True)


def test_a_class_is_graded_into_a_postgresql_gradebook(postgres_url, tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    config = (REPO / "nbgrader_config.py").read_text()
    (course / "nbgrader_config.py").write_text(
        config + f"\nc.CourseDirectory.db_url = {postgres_url!r}\n")
    shutil.copytree(REPO / "solutions" / ASSIGNMENT, course / "solutions" / ASSIGNMENT)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    proc = subprocess.run([tool("nbgrader"), "generate_assignment", ASSIGNMENT], cwd=course,
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert not (course / "gradebook.db").exists(), "the course still wrote a SQLite gradebook"
    release_dir = course / "assignments" / ASSIGNMENT

    (release_path,) = release_dir.glob("*.ipynb")
    release = nbformat.read(release_path, as_version=4)
    source = nbformat.read(REPO / "solutions" / ASSIGNMENT / release_path.name, as_version=4)
    tests = {nbgrader_meta(c)["grade_id"]: nbgrader_meta(c)["points"] for c in source.cells
             if nbgrader_meta(c).get("grade") and not nbgrader_meta(c).get("solution")
             and c.cell_type == "code"}
    class_ = {"ada": completed_submission(release, source), "bo": release,
              "cy": completed_submission(release, source), "di": release}
    for student, nb in class_.items():
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / release_path.name)

    proc = subprocess.run([sys.executable, "-m", "course_lib.grading.parallel", ASSIGNMENT,
                           "--workers=2"], cwd=course, env=env, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    proc = subprocess.run([tool("nbgrader"), "export", "--to", "grades.csv"], cwd=course, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    with open(course / "grades.csv", newline="") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert set(rows) == set(class_)
    full = sum(tests.values())
    for student in ("ada", "cy"):
        assert float(rows[student]["score"]) == pytest.approx(full), rows[student]
    for student in ("bo", "di"):
        assert float(rows[student]["score"]) == 0, rows[student]

    import psycopg

    with psycopg.connect(postgres_url.replace("postgresql+psycopg", "postgresql")) as db:
        n = db.execute("SELECT COUNT(*) FROM submitted_assignment").fetchone()[0]
    assert n == len(class_), f"{n} submissions in PostgreSQL for {len(class_)} students"
