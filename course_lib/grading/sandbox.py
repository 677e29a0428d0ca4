"""Run a student's notebook kernel inside a sandbox (bubblewrap), for autograding.

nbgrader executes every submission in a Jupyter kernel that, by default, has all the rights of
the instructor who runs ``nbgrader autograde``. :class:`SandboxedKernelManager` starts that
kernel instead inside `bubblewrap <https://github.com/containers/bubblewrap>`_ (Debian package
``bubblewrap``, command ``bwrap``), with resource limits:

* **files**: the kernel sees the operating system's programs and libraries (``/usr``), the
  Python installation and its packages, the ``course_lib`` package, an empty private ``/tmp``
  and home, and its own working folder (the student's folder in ``autograded/``), nothing
  else: no ``solutions/``, no gradebook, no other student's submission, no instructor home;
* **network**: a network namespace of its own, with no interface but a loopback that nothing
  listens on: it cannot connect anywhere, not even to the grader's machine;
* **processes**: its own PID namespace (it cannot see or signal the grader's processes), no
  capabilities, killed with its parent; at most ``max_processes`` processes (a ``pids``
  cgroup), so a fork bomb stops there;
* **resources**: CPU seconds (``RLIMIT_CPU``), address space (``RLIMIT_AS``), the size of any
  file it writes (``RLIMIT_FSIZE``) and open files (``RLIMIT_NOFILE``), set with ``prlimit``.

The kernel cannot reach a TCP port of the grader (it has no network), so the kernel and the
grader talk over Jupyter's ``ipc`` transport: Unix sockets in a private folder that is the
only thing the two share.

Use it from ``nbgrader_config.py``::

    c.Execute.kernel_manager_class = "course_lib.grading.sandbox.SandboxedKernelManager"

(the course's configuration does this unless the environment variable ``COURSE_SANDBOX`` is
``0``). ``tests/test_sandbox.py`` proves every restriction listed here.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Integer, List, Unicode, default

PIDS_CGROUP_ROOT = Path("/sys/fs/cgroup/pids")  # cgroup v1, as on the course's machines

# Files of /etc that programs need to run; the rest of /etc (passwords, keys) stays hidden.
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "localtime",
             "nsswitch.conf", "passwd", "group", "fonts", "mime.types", "ssl/certs")


class SandboxError(RuntimeError):
    """The sandbox cannot be set up on this machine."""


def _python_paths() -> list[Path]:
    """Folders holding the Python that runs kernels, its packages, and course_lib."""
    import course_lib

    paths = {Path(sys.base_prefix), Path(sys.prefix), Path(course_lib.__file__).parent}
    exe = Path(sys.executable)
    paths.add(exe.resolve().parent.parent)
    return sorted(p for p in paths if p.exists())


def _matplotlib_font_caches() -> list[Path]:
    """The grader's matplotlib font lists (``fontlist-v*.json`` in matplotlib's cache folder),
    found without importing matplotlib.

    The sandbox's HOME and MPLCONFIGDIR are an empty /tmp, so matplotlib would rebuild the list
    of the machine's fonts in every kernel (half a second, more with many fonts installed). The
    fonts inside the sandbox are the machine's (/usr is bound read-only), so the grader's list
    is valid there: it is bound read-only into /tmp."""
    if os.environ.get("MPLCONFIGDIR"):
        folder = Path(os.environ["MPLCONFIGDIR"])
    else:
        folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "matplotlib"
    return sorted(folder.glob("fontlist-v*.json")) if folder.is_dir() else []


_OUR_CGROUPS: set[Path] = set()
STALE_CGROUP_SECONDS = 3600


def _remove_empty_cgroups() -> None:
    """Remove empty pids cgroups: ours, and anybody's left over for an hour.

    Another grader may have just made a group whose kernel has not joined it yet: such a group
    is empty too, so only this process's groups are removed as soon as they are empty.
    """
    for group in PIDS_CGROUP_ROOT.glob("course-sandbox-*"):
        try:
            stale = time.time() - group.stat().st_mtime > STALE_CGROUP_SECONDS
            if (group in _OUR_CGROUPS or stale) and not (group / "cgroup.procs").read_text().strip():
                group.rmdir()
                _OUR_CGROUPS.discard(group)
        except OSError:
            pass


class SandboxedKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` whose kernel runs in bubblewrap with resource limits."""

    cpu_seconds = Integer(600, config=True, help="RLIMIT_CPU of the kernel, in CPU seconds")
    memory_bytes = Integer(6 * 1024**3, config=True,
                           help="RLIMIT_AS of the kernel (virtual memory), in bytes")
    file_size_bytes = Integer(64 * 1024**2, config=True,
                              help="RLIMIT_FSIZE: the largest file the kernel may write")
    open_files = Integer(512, config=True, help="RLIMIT_NOFILE of the kernel")
    max_processes = Integer(64, config=True,
                            help="most processes (and threads) in the sandbox (pids cgroup)")
    require_process_limit = Bool(True, config=True,
                                 help="refuse to start if the pids cgroup cannot be made")
    extra_read_only = List(Unicode(), config=True,
                           help="more folders the kernel may read (e.g. a data folder)")
    bwrap = Unicode("bwrap", config=True, help="the bubblewrap executable")

    @default("transport")
    def _default_transport(self):
        return "ipc"

    async def _async_pre_start_kernel(self, **kw):
        if shutil.which(self.bwrap) is None:
            raise SandboxError(f"{self.bwrap!r} is not installed: apt-get install bubblewrap")
        # The connection file and the ipc sockets live in a private folder, shared with the
        # kernel and nothing else.
        self._sandbox_dir = tempfile.mkdtemp(prefix="course-sandbox-")
        self.connection_file = os.path.join(self._sandbox_dir, "kernel.json")
        self.ip = os.path.join(self._sandbox_dir, "kernel-ipc")
        self._sandbox_cwd = os.path.abspath(kw.get("cwd") or os.getcwd())
        self._cgroup = self._make_pids_cgroup()
        # A signal sent to the process we start reaches bubblewrap, not the kernel inside its
        # PID namespace: interrupt (e.g. on a cell timeout) with a message instead, which the
        # kernel turns into a SIGINT to itself.
        if self.kernel_spec is not None:
            self.kernel_spec.interrupt_mode = "message"
        return await super()._async_pre_start_kernel(**kw)

    def _make_pids_cgroup(self) -> Path | None:
        _remove_empty_cgroups()
        group = PIDS_CGROUP_ROOT / f"course-sandbox-{uuid.uuid4().hex[:12]}"
        try:
            group.mkdir()
            _OUR_CGROUPS.add(group)
            (group / "pids.max").write_text(str(self.max_processes))
            return group
        except OSError as exc:
            if group.exists():
                group.rmdir()
            if self.require_process_limit:
                raise SandboxError(f"cannot limit the sandbox's processes: cannot create the "
                                   f"pids cgroup {group} ({exc})") from exc
            return None

    def sandbox_command(self, cmd: list[str]) -> list[str]:
        """``cmd`` wrapped in the cgroup, prlimit and bwrap."""
        bwrap = [
            shutil.which(self.bwrap), "--unshare-all", "--die-with-parent", "--new-session",
            "--cap-drop", "ALL", "--hostname", "sandbox",
            "--unsetenv", "JPY_PARENT_PID",  # its parent is outside the PID namespace
            "--setenv", "HOME", "/tmp", "--setenv", "MPLCONFIGDIR", "/tmp",
            "--ro-bind", "/usr", "/usr",
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
        ]
        for cache in _matplotlib_font_caches():
            bwrap += ["--ro-bind", str(cache), f"/tmp/{cache.name}"]
        for name in ("bin", "lib", "lib64", "sbin"):
            target = Path("/") / name
            if target.is_symlink():
                bwrap += ["--symlink", os.readlink(target), str(target)]
            elif target.exists():
                bwrap += ["--ro-bind", str(target), str(target)]
        for name in ETC_FILES:
            path = Path("/etc") / name
            if path.exists():
                bwrap += ["--ro-bind", str(path), str(path)]
        for path in _python_paths() + [Path(p) for p in self.extra_read_only]:
            bwrap += ["--ro-bind", str(path), str(path)]
        bwrap += ["--bind", self._sandbox_dir, self._sandbox_dir,
                  "--bind", self._sandbox_cwd, self._sandbox_cwd, "--chdir", self._sandbox_cwd]
        limits = [shutil.which("prlimit") or "prlimit",
                  f"--cpu={self.cpu_seconds}", f"--as={self.memory_bytes}",
                  f"--fsize={self.file_size_bytes}", f"--nofile={self.open_files}", "--"]
        if self._cgroup is not None:
            # Join the cgroup first: every process started below inherits it.
            join = ["/bin/sh", "-c", f'echo $$ > "{self._cgroup}/cgroup.procs" && exec "$@"',
                    "sandbox"]
            return join + limits + bwrap + ["--"] + cmd
        return limits + bwrap + ["--"] + cmd

    def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
        return self.sandbox_command(super().format_kernel_cmd(extra_arguments))

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if restart:
            return
        shutil.rmtree(getattr(self, "_sandbox_dir", ""), ignore_errors=True)
        group = getattr(self, "_cgroup", None)
        if group is not None and group.exists():
            try:
                group.rmdir()
            except OSError:
                pass  # a process is still exiting; the empty group costs nothing
