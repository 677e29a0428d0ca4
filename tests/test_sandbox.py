"""Student code graded in the sandbox (course_lib/grading/sandbox.py) is confined.

A probe notebook runs in a sandboxed kernel, exactly as nbgrader would start it for a student
whose folder is ``course/autograded/alice/a01``, next to a decoy course: solutions, a gradebook,
another student's folder and an instructor's home, each holding a secret. Each test checks one
restriction from the probe's report. Resource limits are set low here so they bite quickly.
The last test grades a real submission with ``nbgrader autograde`` and the course's configuration.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import nbformat
import pytest
from traitlets.config import Config

from conftest import REPO, tool
from nbtools import completed_submission, generate_release

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None,
                                reason="bubblewrap missing: `make test` installs it")

SECRET = "instructor-secret-7f3a"
LIMITS = {"cpu_seconds": 3, "memory_bytes": 3 * 1024**3, "file_size_bytes": 1024**2,
          "max_processes": 40}


def sandbox_config(**limits) -> Config:
    return Config({"SandboxedKernelManager": dict(LIMITS, **limits)})


def run_in_sandbox(cells: list[str], cwd: Path, timeout: int = 60, **limits):
    """Execute ``cells`` in a sandboxed kernel started in ``cwd``; return the notebook."""
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", allow_errors=True,
        kernel_manager_class="course_lib.grading.sandbox.SandboxedKernelManager",
        config=sandbox_config(**limits), resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


def text_of(cell) -> str:
    return "".join(o.get("text", "") + o.get("evalue", "") for o in cell.outputs)


@pytest.fixture(scope="module")
def decoy(tmp_path_factory):
    """A course with secrets all around the folder the probe runs in, and a TCP listener."""
    root = tmp_path_factory.mktemp("decoy")
    course = root / "course"
    secrets = {
        "solutions": course / "solutions" / "a01" / "a01.ipynb",
        "gradebook": course / "gradebook.db",
        "other_student": course / "autograded" / "bob" / "a01" / "a01.ipynb",
        "instructor_home": root / "home" / "instructor" / ".ssh" / "id_ed25519",
    }
    for path in secrets.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(SECRET)
    workdir = course / "autograded" / "alice" / "a01"
    workdir.mkdir(parents=True)

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []

    def accept():
        try:
            accepted.append(listener.accept())
        except OSError:
            pass

    threading.Thread(target=accept, daemon=True).start()
    yield {"secrets": secrets, "workdir": workdir, "port": listener.getsockname()[1],
           "accepted": accepted}
    listener.close()


@pytest.fixture(scope="module")
def probe(decoy):
    """Run the probe once; return its JSON report."""
    paths = {k: str(v) for k, v in decoy["secrets"].items()}
    paths["course_dir"] = str(decoy["secrets"]["gradebook"].parent)
    paths["repo_solutions"] = str(REPO / "solutions")
    paths["grader_home"] = str(Path.home())
    cells = [f"""
import json, os, socket, subprocess
report = {{}}
paths = {json.dumps(paths)}
for name, path in paths.items():
    try:
        with open(path) as f:
            report['read_' + name] = f.read()
    except OSError as exc:
        report['read_' + name] = type(exc).__name__
    report['exists_' + name] = os.path.exists(path)
for name in ('grader_home', 'course_dir'):
    try:
        report['listdir_' + name] = sorted(os.listdir(paths[name]))
    except OSError as exc:
        report['listdir_' + name] = type(exc).__name__
try:
    open(os.path.join(os.path.dirname(paths['other_student']), 'planted.txt'), 'w').write('x')
    report['write_other_student'] = 'written'
except OSError as exc:
    report['write_other_student'] = type(exc).__name__
open('my_own_file.txt', 'w').write('fine')
report['write_own_folder'] = os.path.exists('my_own_file.txt')

def connect(host, port):
    s = socket.socket()
    s.settimeout(3)
    try:
        s.connect((host, port))
        return 'connected'
    except OSError as exc:
        return type(exc).__name__
    finally:
        s.close()

report['connect_grader_port'] = connect('127.0.0.1', {decoy['port']})
report['connect_outside'] = connect('1.1.1.1', 53)
try:
    socket.getaddrinfo('pypi.org', 443)
    report['dns'] = 'resolved'
except OSError as exc:
    report['dns'] = type(exc).__name__
try:
    os.kill({os.getpid()}, 0)
    report['signal_grader'] = 'visible'
except OSError as exc:
    report['signal_grader'] = type(exc).__name__

children = []
try:
    for _ in range(500):
        children.append(subprocess.Popen(['sleep', '30']))
    report['processes'] = len(children)
except OSError as exc:
    report['processes'] = f'stopped at {{len(children)}}: {{type(exc).__name__}}'
for child in children:
    child.kill()
    child.wait()

try:
    import numpy as np
    big = np.ones(6 * 1024**3 // 8)
    report['memory'] = 'allocated'
    del big
except MemoryError:
    report['memory'] = 'MemoryError'
try:
    with open('big_file.bin', 'wb') as f:
        f.write(b'0' * (4 * 1024**2))
    report['file_size'] = 'written'
except OSError as exc:
    report['file_size'] = f'{{type(exc).__name__}} after {{os.path.getsize("big_file.bin")}} bytes'
    os.remove('big_file.bin')
print(json.dumps(report))
"""]
    nb = run_in_sandbox(cells, decoy["workdir"])
    out = text_of(nb.cells[0])
    try:
        return json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        pytest.fail(f"the probe did not report:\n{out}")


@pytest.mark.parametrize("secret", ["solutions", "gradebook", "other_student", "instructor_home"])
def test_student_code_cannot_read_what_is_outside_its_folder(probe, secret):
    assert probe[f"read_{secret}"] == "FileNotFoundError", probe[f"read_{secret}"]
    assert probe[f"exists_{secret}"] is False


def test_student_code_sees_neither_the_repository_nor_the_graders_home(probe):
    assert probe["exists_repo_solutions"] is False
    # The path down to its own folder exists (bubblewrap makes the mount point), nothing else.
    assert probe["listdir_course_dir"] == ["autograded"], probe["listdir_course_dir"]
    home = probe["listdir_grader_home"]
    assert home == "FileNotFoundError" or not set(home) - {".pyenv"}, home


def test_student_code_writes_only_into_its_own_folder(probe, decoy):
    assert probe["write_own_folder"] is True
    assert probe["write_other_student"] in ("FileNotFoundError", "PermissionError", "OSError")
    assert not (decoy["secrets"]["other_student"].parent / "planted.txt").exists()


def test_student_code_cannot_open_network_connections(probe, decoy):
    assert probe["connect_grader_port"] == "ConnectionRefusedError", probe["connect_grader_port"]
    assert probe["connect_outside"] in ("OSError", "TimeoutError", "ConnectionRefusedError")
    assert probe["dns"] == "gaierror"
    assert not decoy["accepted"], "the sandboxed kernel reached the grader's TCP port"


def test_student_code_cannot_see_or_signal_the_graders_processes(probe):
    assert probe["signal_grader"] == "ProcessLookupError"


def test_student_code_is_limited_in_processes(probe):
    assert str(probe["processes"]).startswith("stopped at"), probe["processes"]
    started = int(probe["processes"].split()[2].rstrip(":"))
    assert started < LIMITS["max_processes"], probe["processes"]


def test_student_code_is_limited_in_memory(probe):
    assert probe["memory"] == "MemoryError"


def test_student_code_is_limited_in_file_size(probe):
    assert probe["file_size"] == f"OSError after {LIMITS['file_size_bytes']} bytes", probe["file_size"]


def test_student_code_is_limited_in_cpu_time(decoy):
    t0 = time.monotonic()
    with pytest.raises(Exception) as info:  # the kernel is killed: nbclient reports it dead
        run_in_sandbox(["while True:\n    pass"], decoy["workdir"], timeout=60)
    elapsed = time.monotonic() - t0
    assert "DeadKernel" in type(info.value).__name__ or "died" in str(info.value), info.value
    assert elapsed < 40, f"a CPU-bound cell ran {elapsed:.0f} s with a {LIMITS['cpu_seconds']} s limit"


def test_sandbox_refuses_to_start_without_bubblewrap(decoy):
    from course_lib.grading.sandbox import SandboxError

    with pytest.raises(Exception) as info:
        run_in_sandbox(["1"], decoy["workdir"], bwrap="no-such-bwrap")
    assert isinstance(info.value, SandboxError) or "bubblewrap" in str(info.value)


def test_nbgrader_autograde_grades_the_solution_in_the_sandbox(tmp_path):
    """The course's own configuration grades inside the sandbox (the default): the solution
    still scores full marks, and the kernel cannot see the course's solutions."""
    assignment = "a01_vocabulary"
    course = tmp_path / "course"
    release_dir = generate_release(REPO, assignment, course, tool("nbgrader"))
    (release_path,) = release_dir.glob("*.ipynb")
    release = nbformat.read(release_path, as_version=4)
    source = nbformat.read(REPO / "solutions" / assignment / release_path.name, as_version=4)
    nb = completed_submission(release, source)
    spy = (f"import os\nprint('SPY', os.path.exists({str(course / 'solutions')!r}), "
           f"os.path.exists({str(course / 'gradebook.db')!r}))\n")
    nb.cells.insert(0, nbformat.v4.new_code_cell(spy))
    folder = course / "submitted" / "alice" / assignment
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / release_path.name)

    env = {k: v for k, v in os.environ.items() if k != "COURSE_SANDBOX"}  # the default
    proc = subprocess.run([tool("nbgrader"), "autograde", assignment], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    graded = (course / "autograded" / "alice" / assignment / release_path.name).read_text()
    assert "SPY False False" in graded, "the kernel was not sandboxed (it saw the course)"

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        sub = gb.find_submission(assignment, "alice")
        assert sub.code_score == sub.max_code_score > 0, (sub.code_score, sub.max_code_score)
