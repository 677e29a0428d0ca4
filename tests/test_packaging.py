"""``course_lib`` declares what it imports, and ``make lab`` serves the assignments.

``pip install -e ".[all]"`` is how a student outside ``make`` gets the course's library, so
``pyproject.toml`` must name every third-party distribution that a ``course_lib`` module imports
(at the top of the file or inside a function): in the core ``dependencies`` or in the extra of
that module's group (``MODULE_EXTRAS``). A declared distribution that its group never imports is
stale. The declared ranges must admit the versions that ``constraints.txt`` pins (the set the
suite runs on), and torch stays pinned exactly (an open torch pulls a multi-GB CUDA build).
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psutil
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from nbtools import free_port

REPO = Path(__file__).resolve().parents[1]
PACKAGE = "course_lib"
TORCH_PIN = "==2.13.0"

# The extras a module (or every module under a package) needs besides the core dependencies.
# The longest matching name wins; a module not listed needs the core only.
MODULE_EXTRAS = {
    "course_lib.plots": ("plots",),
    "course_lib.rnn_plots": ("plots",),
    "course_lib.bptt_plots": ("plots",),
    "course_lib.checks": ("torch",),  # torch only to check a returned tensor
    "course_lib.char_model": ("torch",),
    "course_lib.gru": ("torch",),
    "course_lib.lstm": ("torch",),
    "course_lib.toy_sequences": ("torch",),
    "course_lib.toy_tasks": ("torch",),
    "course_lib.word2vec": ("torch",),
    "course_lib.embeddings": ("embeddings",),
    "course_lib.sentiment": ("torch", "embeddings"),  # a torch model over GloVe
    "course_lib.grading": ("grading",),
}


# --------------------------------------------------------------------------- the checks


def imported_names(path: Path) -> set[str]:
    """Top-level names of the absolute imports anywhere in one Python file.

    Counts ``import a.b``, ``from a.b import c`` at any depth (module level, functions,
    branches) and ``importlib.import_module("a.b")`` with a literal name; relative imports
    (``from . import x``) are the package's own and are left out.
    """
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "import_module" and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and not node.args[0].value.startswith(".")):
            names.add(node.args[0].value.split(".")[0])
    return names


def third_party(names: set[str], package: str = PACKAGE) -> set[str]:
    """The names that are neither the standard library nor the package itself."""
    return {name for name in names if name not in sys.stdlib_module_names and name != package}


def module_name(path: Path, package_dir: Path) -> str:
    """Dotted module name of a file inside ``package_dir`` (``__init__.py`` is the package)."""
    parts = (package_dir.name,) + path.relative_to(package_dir).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def extras_of(module: str, module_extras: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The extras ``module`` needs, by the longest entry of ``module_extras`` that covers it."""
    covering = [key for key in module_extras if module == key or module.startswith(key + ".")]
    return module_extras[max(covering, key=len)] if covering else ()


def distributions(import_name: str, index: dict[str, list[str]]) -> set[str]:
    """Canonical names of the distributions that provide a top-level import name.

    ``index`` is ``importlib.metadata.packages_distributions()``; a name that no installed
    distribution provides is taken to be its own distribution's name.
    """
    return {canonicalize_name(dist) for dist in index.get(import_name, [import_name])}


def declared(pyproject: dict) -> tuple[set[str], dict[str, set[str]]]:
    """Canonical names of the core dependencies and of each extra's dependencies.

    A self-reference such as ``course_lib[torch,plots]`` stands for those extras' contents.
    """
    project = pyproject["project"]
    own = canonicalize_name(project["name"])
    core = {canonicalize_name(Requirement(r).name) for r in project.get("dependencies", [])}
    raw = {extra: [Requirement(r) for r in reqs]
           for extra, reqs in project.get("optional-dependencies", {}).items()}

    def expand(extra: str, seen: tuple[str, ...] = ()) -> set[str]:
        if extra not in raw:
            raise KeyError(f"pyproject.toml refers to the extra [{extra}], which it does not define")
        if extra in seen:
            raise ValueError(f"the extras {' -> '.join(seen + (extra,))} refer to each other in a circle")
        names = set()
        for req in raw[extra]:
            if canonicalize_name(req.name) == own:
                for inner in req.extras:
                    names |= expand(inner, seen + (extra,))
            else:
                names.add(canonicalize_name(req.name))
        return names

    return core, {extra: expand(extra) for extra in raw}


def undeclared_imports(package_dir: Path, core: set[str], extras: dict[str, set[str]],
                       module_extras: dict[str, tuple[str, ...]],
                       index: dict[str, list[str]]) -> list[str]:
    """One message per third-party import that its module's group does not declare."""
    problems = []
    for path in sorted(package_dir.rglob("*.py")):
        module = module_name(path, package_dir)
        groups = extras_of(module, module_extras)
        unknown = [group for group in groups if group not in extras]
        if unknown:
            problems.append(f"{module} is mapped to the extra(s) {unknown}, which pyproject.toml "
                            f"does not define (it has {sorted(extras)})")
        allowed = core.union(*(extras.get(group, set()) for group in groups))
        for name in sorted(third_party(imported_names(path), package_dir.name)):
            dists = distributions(name, index)
            if not dists & allowed:
                where = (f"nor in its group's extra(s) {list(groups)}" if groups
                         else f"and MODULE_EXTRAS maps {module} to no extra")
                problems.append(
                    f"{path.relative_to(package_dir.parent)} imports {name!r} (distribution "
                    f"{' or '.join(sorted(dists))}), which is not in the core dependencies {where}: "
                    f"declare it in pyproject.toml, or map {module} to the extra it belongs to in "
                    f"MODULE_EXTRAS")
    return problems


def stale_dependencies(package_dir: Path, core: set[str], extras: dict[str, set[str]],
                       module_extras: dict[str, tuple[str, ...]],
                       index: dict[str, list[str]], aggregate: tuple[str, ...] = ("all",)) -> list[str]:
    """One message per declared distribution that no module of its group imports.

    A core dependency must be imported by some module; an extra's dependency by a module mapped
    to that extra. The ``aggregate`` extras (``all``) only gather the others and are skipped.
    """
    used_by_group: dict[str | None, set[str]] = {}
    for path in package_dir.rglob("*.py"):
        module = module_name(path, package_dir)
        dists = set().union(*(distributions(name, index)
                              for name in third_party(imported_names(path), package_dir.name)))
        used_by_group.setdefault(None, set()).update(dists)
        for group in extras_of(module, module_extras):
            used_by_group.setdefault(group, set()).update(dists)
    problems = [f"core dependency {dist} is imported by no {package_dir.name} module"
                for dist in sorted(core - used_by_group.get(None, set()))]
    for extra, dists in sorted(extras.items()):
        if extra in aggregate:
            continue
        for dist in sorted(dists - used_by_group.get(extra, set())):
            problems.append(f"[{extra}] declares {dist}, which no module mapped to [{extra}] in "
                            f"MODULE_EXTRAS imports")
    return problems


def pins(path: Path) -> dict[str, str]:
    """``name -> version`` of the ``name==version`` lines of a requirements/constraints file."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            exact = [spec.version for spec in req.specifier if spec.operator == "=="]
            if exact:
                found[canonicalize_name(req.name)] = exact[0]
    return found


def pin_mismatches(requirements: list[str], pinned: dict[str, str]) -> list[str]:
    """One message per declared requirement that the pinned set leaves out or contradicts."""
    problems = []
    for text in requirements:
        req = Requirement(text)
        name = canonicalize_name(req.name)
        if name not in pinned:
            problems.append(f"{text!r} is declared but constraints.txt pins no version of {name}: "
                            f"the suite would never run with it")
        elif not req.specifier.contains(pinned[name], prereleases=True):
            problems.append(f"{text!r} does not admit {name}=={pinned[name]}, the version "
                            f"constraints.txt pins and the tests run on")
    return problems


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def index() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()


def all_requirements(pyproject: dict) -> list[str]:
    """Every requirement string in pyproject.toml except self-references."""
    project = pyproject["project"]
    own = canonicalize_name(project["name"])
    reqs = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
    return [r for r in reqs if canonicalize_name(Requirement(r).name) != own]


def write_package(root: Path, files: dict[str, str]) -> Path:
    """A throw-away ``course_lib`` with the given files (relative path -> source)."""
    package = root / PACKAGE
    for relative, source in {"__init__.py": "", **files}.items():
        (package / relative).parent.mkdir(parents=True, exist_ok=True)
        (package / relative).write_text(source, encoding="utf-8")
    return package


# --------------------------------------------------------------------------- the real package


def test_every_third_party_import_is_declared_for_its_group(pyproject, index):
    core, extras = declared(pyproject)
    problems = undeclared_imports(REPO / PACKAGE, core, extras, MODULE_EXTRAS, index)
    assert not problems, "\n".join(problems)


def test_every_declared_dependency_is_imported_by_its_group(pyproject, index):
    core, extras = declared(pyproject)
    problems = stale_dependencies(REPO / PACKAGE, core, extras, MODULE_EXTRAS, index)
    assert not problems, "\n".join(problems)


def test_module_map_names_existing_modules():
    modules = {module_name(p, REPO / PACKAGE) for p in (REPO / PACKAGE).rglob("*.py")}
    missing = [key for key in MODULE_EXTRAS
               if not any(m == key or m.startswith(key + ".") for m in modules)]
    assert not missing, f"MODULE_EXTRAS names modules that do not exist: {missing}"


def test_all_extra_gathers_every_other_extra(pyproject):
    _, extras = declared(pyproject)
    assert "all" in extras, 'pyproject.toml has no [all] extra for `pip install -e ".[all]"`'
    others = set().union(*(dists for extra, dists in extras.items() if extra != "all"))
    assert extras["all"] == others, (f"[all] lacks {sorted(others - extras['all'])} "
                                     f"and adds {sorted(extras['all'] - others)}")


def test_torch_is_pinned_exactly_wherever_it_is_declared(pyproject):
    places = {"pyproject.toml": all_requirements(pyproject)}
    for name in ("requirements.txt", "constraints.txt"):
        places[name] = [line.split("#", 1)[0].strip()
                        for line in (REPO / name).read_text(encoding="utf-8").splitlines()
                        if line.split("#", 1)[0].strip()]
    found = 0
    for place, reqs in places.items():
        for text in reqs:
            req = Requirement(text)
            if canonicalize_name(req.name) == "torch":
                found += 1
                assert str(req.specifier) == TORCH_PIN, (
                    f"{place} declares {text!r}: torch must be exactly torch{TORCH_PIN} "
                    f"(anything open pulls a multi-GB CUDA build)")
    assert found == len(places), f"torch should be declared once in each of {sorted(places)}"


def test_declared_ranges_admit_the_pinned_and_installed_versions(pyproject):
    requirements = all_requirements(pyproject)
    pinned = pins(REPO / "constraints.txt")
    assert not (problems := pin_mismatches(requirements, pinned)), "\n".join(problems)
    for text in requirements:
        req = Requirement(text)
        installed = importlib.metadata.version(req.name)
        assert req.specifier.contains(installed, prereleases=True), (
            f"the venv has {req.name} {installed}, outside pyproject.toml's {text!r}")
    # requirements.txt (the direct pins) agrees with constraints.txt where both pin
    direct = pins(REPO / "requirements.txt")
    assert not {n: v for n, v in direct.items() if pinned.get(n, v) != v}, \
        "requirements.txt and constraints.txt pin different versions"


# --------------------------------------------------------------------------- self-tests


def test_check_reports_a_planted_undeclared_import(tmp_path, index):
    package = write_package(tmp_path, {
        "ok.py": "import numpy as np\nfrom pathlib import Path\nfrom . import ok\n",
        "planted.py": "def load():\n    import yaml  # inside a function\n    return yaml\n",
        "grading/wrong_group.py": "from course_lib import ok\nimport torch.nn\n",
        "lazy.py": "import importlib\nmod = importlib.import_module('gensim.models')\n",
    })
    core, extras = {"numpy"}, {"torch": {"torch"}, "grading": {"nbgrader"}}
    module_extras = {"course_lib.grading": ("grading",)}
    problems = undeclared_imports(package, core, extras, module_extras, index)
    assert len(problems) == 3, problems
    assert "planted.py imports 'yaml' (distribution pyyaml)" in problems[2]
    assert "grading/wrong_group.py imports 'torch'" in problems[0]
    assert "['grading']" in problems[0]
    assert "lazy.py imports 'gensim'" in problems[1]
    # declaring them (torch for the grading group) clears every message
    extras["grading"] |= {"torch"}
    assert undeclared_imports(package, core | {"pyyaml", "gensim"}, extras, module_extras, index) == []


def test_check_reports_stale_and_misplaced_dependencies(tmp_path, index):
    package = write_package(tmp_path, {"a.py": "import numpy\n", "plots.py": "import matplotlib\n"})
    core = {"numpy", "requests"}
    extras = {"plots": {"matplotlib", "scipy"}, "torch": {"matplotlib"},
              "all": {"matplotlib", "scipy"}}
    problems = stale_dependencies(package, core, extras, {"course_lib.plots": ("plots",)}, index)
    assert problems == [
        "core dependency requests is imported by no course_lib module",
        "[plots] declares scipy, which no module mapped to [plots] in MODULE_EXTRAS imports",
        "[torch] declares matplotlib, which no module mapped to [torch] in MODULE_EXTRAS imports",
    ]


def test_check_reports_a_module_mapped_to_a_missing_extra(tmp_path, index):
    package = write_package(tmp_path, {"plots.py": "import numpy\n"})
    problems = undeclared_imports(package, {"numpy"}, {}, {"course_lib.plots": ("plot",)}, index)
    assert problems == ["course_lib.plots is mapped to the extra(s) ['plot'], which pyproject.toml "
                        "does not define (it has [])"]


def test_declared_expands_self_references_and_rejects_unknown_extras():
    project = {"name": "course_lib", "dependencies": ["numpy>=2"],
               "optional-dependencies": {"a": ["Torch==2.13.0"], "b": ["scikit_learn>=1"],
                                         "all": ["course_lib[a,b]"]}}
    core, extras = declared({"project": project})
    assert core == {"numpy"} and extras["all"] == {"torch", "scikit-learn"}
    project["optional-dependencies"]["all"] = ["course-lib[a,c]"]
    with pytest.raises(KeyError, match=r"\[c\]"):
        declared({"project": project})


def test_pin_check_reports_ranges_that_exclude_the_pins():
    pinned = {"numpy": "2.4.6", "torch": "2.13.0"}
    problems = pin_mismatches(["numpy<2", "torch==2.13.0", "copydetect==0.5.0"], pinned)
    assert len(problems) == 2
    assert "'numpy<2' does not admit numpy==2.4.6" in problems[0]
    assert "constraints.txt pins no version of copydetect" in problems[1]


# --------------------------------------------------------------------------- make lab


@pytest.mark.slow
def test_make_lab_serves_the_assignments_on_localhost(tmp_path):
    """``make lab``: JupyterLab on assignments/ at 127.0.0.1, whose Validate button works.

    The server must run from inside assignments/: nbgrader reads ``nbgrader_config.py`` from the
    working directory, and the root's runs kernels in the grading sandbox (bubblewrap), which a
    student's laptop does not have.
    """
    venv = Path(sys.prefix)
    make = ["make", "-C", str(REPO), f"VENV={venv}", "-o", f"{venv}/.installed", "lab"]
    dry = subprocess.run(make + ["-n"], capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr
    assert f'--ServerApp.root_dir="{REPO}/assignments"' in dry.stdout, dry.stdout
    assert "--ServerApp.ip=127.0.0.1" in dry.stdout, dry.stdout
    assert f'PATH="{venv}/bin:' in dry.stdout, "Lab's terminals must find the venv's nbgrader"

    port, token = free_port(), "packaging-test"
    args = f"--no-browser --port={port} --IdentityProvider.token={token}"
    if os.geteuid() == 0:
        args += " --allow-root"
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    log_path = tmp_path / "lab.log"
    log = open(log_path, "w")  # read back by path: the child owns this offset
    proc = subprocess.Popen(make + [f"LAB_ARGS={args}"], stdout=log, stderr=subprocess.STDOUT,
                            env=env)
    base, auth = f"http://127.0.0.1:{port}", {"Authorization": f"token {token}"}

    def get(path: str, timeout: float = 10):
        with urllib.request.urlopen(urllib.request.Request(base + path, headers=auth),
                                    timeout=timeout) as response:
            return response.status, response.read().decode()

    try:
        deadline, status = time.monotonic() + 90, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status, page = get("/lab", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        assert status == 200, (f"/lab did not answer within 90 s (exit {proc.poll()}):\n"
                               f"{log_path.read_text()[-3000:]}")
        assert "JupyterLab" in page
        assert re.search(rf"http://127\.0\.0\.1:{port}/lab", log_path.read_text()), \
            "the server does not say it listens on 127.0.0.1"

        listed = {item["name"] for item in json.loads(get("/api/contents")[1])["content"]}
        expected = {p.name for p in (REPO / "assignments").iterdir() if p.is_dir()}
        assert expected <= listed, f"Lab's root is not assignments/: it lists {sorted(listed)}"
        assert not listed - expected - {".ipynb_checkpoints"}, sorted(listed)

        servers = [child for child in psutil.Process(proc.pid).children(recursive=True)
                   if "jupyter" in " ".join(child.cmdline())]
        assert servers and {Path(server.cwd()) for server in servers} == {REPO / "assignments"}, \
            "the server must run from assignments/, away from the instructor's nbgrader_config.py"

        # Lab's Validate button on the blank release: nbgrader runs it and reports failed cells
        notebook = "a01_vocabulary/a01_vocabulary.ipynb"
        request = urllib.request.Request(
            f"{base}/assignments/validate", data=urllib.parse.urlencode({"path": notebook}).encode(),
            headers=auth, method="POST")
        with urllib.request.urlopen(request, timeout=120) as response:
            result = json.load(response)
        assert result["success"] is True, result["value"]
        assert result["value"].get("failed"), f"the blank release validated clean: {result}"
        assert all("NotImplementedError" in cell["raw_error"]
                   or "did not provide a response" in cell["raw_error"]
                   for cell in result["value"]["failed"]), result["value"]["failed"]
    finally:
        stop_tree(proc)
        log.close()


def stop_tree(proc: subprocess.Popen) -> None:
    """Stop a process started here and everything under it, the deepest first.

    Stopping only ``make`` would orphan the server (make exits on SIGTERM without waiting), and
    an orphan is never reaped here; stopped first, the server is reaped by its own parent.
    """
    if proc.poll() is None:
        children = psutil.Process(proc.pid).children(recursive=True)
        for child in reversed(children):
            child.terminate()
        _, alive = psutil.wait_procs(children, timeout=20)
        for child in alive:
            child.kill()
        proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
