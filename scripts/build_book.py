"""Build the book: execute the chapters in parallel into the execution cache, then let
jupyter-book (Sphinx) build the pages from that cache.

jupyter-book 1 executes the notebooks of a build one after another, in the Sphinx read phase,
while the other cores idle. jupyter-cache, which it uses for ``execute_notebooks: cache``, has a
parallel executor: this script adds every page that jupyter-book would execute to the same
cache project (read with MyST-NB's own reader, so the cache matches what the build looks up),
runs the outdated ones on one process per core, and then runs the strict build, which finds
every page in the cache and executes nothing. A warm rebuild (nothing changed) executes nothing
in either step.

    python scripts/build_book.py                 # what `make book` runs
    python scripts/build_book.py --serial        # let jupyter-book execute (one at a time)

Environment: PYTHONHASHSEED=0 (as the book's execution expects), matplotlib's inline backend
(whatever MPLBACKEND says: with Agg, plt.show() would draw nothing), and one BLAS/OpenMP thread
per process.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MYST_READER = {"name": "myst_nb_md", "type": "plugin"}


INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def _config() -> dict:
    return yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))


def _toc_files(node) -> list[str]:
    """Every ``file:`` entry of _toc.yml (any depth)."""
    files = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("file", "root") and isinstance(value, str):
                files.append(value)
            else:
                files.extend(_toc_files(value))
    elif isinstance(node, list):
        for item in node:
            files.extend(_toc_files(item))
    return files


def executed_pages() -> list[Path]:
    """The pages the build executes: MyST notebooks of the TOC, minus the execution excludes."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    excluded = _config().get("execute", {}).get("exclude_patterns", [])
    pages = []
    for name in _toc_files(toc):
        path = REPO / name
        if path.suffix != ".md":
            path = path.with_suffix(".md")
        if not path.exists():
            continue  # an .ipynb page (the released assignments) or a missing file
        rel = path.relative_to(REPO).as_posix()
        if any(fnmatch.fnmatch(rel, pattern) for pattern in excluded):
            continue
        text = path.read_text(encoding="utf-8")
        if "```{code-cell}" in text and "jupytext" in text.split("---", 2)[1]:
            pages.append(path)
    return pages


def cache_path() -> Path:
    return REPO / _config().get("execute", {}).get("cache", "_build/.jupyter_cache")


def execute_in_parallel() -> tuple[int, int]:
    """Execute the outdated pages into the cache, one process per core (jupyter-cache's
    ``local-parallel`` executor); returns (pages run, pages that failed)."""
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    cache = get_cache(str(cache_path()))
    # The longest pages first (by their last run in this cache; a page never run counts as
    # long), so that no core is left with one long page at the end.
    last_seconds = {r.uri: r.data.get("execution_seconds", 0) for r in cache.list_cache_records()}
    pages = sorted(executed_pages(), key=lambda p: -last_seconds.get(str(p), float("inf")))
    for page in pages:
        cache.add_nb_to_project(str(page), read_data=MYST_READER)
    timeout = int(_config().get("execute", {}).get("timeout", 300))
    executor = load_executor("local-parallel", cache=cache)
    result = executor.run_and_cache(filter_pks=[cache.get_project_record(str(p)).pk
                                                for p in pages],
                                    timeout=timeout, allow_errors=False)
    # A page that failed here is not cached: the strict build executes it again and reports
    # the error with its traceback, exactly as without this step.
    failed = len(result.excepted) + len(result.errored)
    return len(result.succeeded) + failed, failed


def build(extra: list[str]) -> int:
    return subprocess.call([str(BIN / "jupyter-book"), "build", str(REPO), "-W", "-n",
                            "--keep-going", *extra], cwd=REPO)


# The Chinese edition: the same sources and execution cache, Sphinx's language = zh_CN and the
# catalogues of locales/ (scripts/translations.py), built into _build/html/zh.
ZH_FOLDER = REPO / "_build" / "html" / "zh"
ZH_OVERRIDES = {
    "language": "zh_CN",
    "locale_dirs": [str(REPO / "locales")],
    "gettext_compact": False,
    "html_title": "序列模型",
    "nitpicky": True,
    "latex_individualpages": False,  # a key jupyter-book's Python API expects
}


def chinese_toc() -> Path:
    """_toc.yml with its part captions translated (sphinx-external-toc adds the table of contents
    after Sphinx has translated the pages, so its captions would stay English); the
    translations are the root page's catalogue's, where the gettext builder puts the captions."""
    import polib

    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    catalogue = REPO / "locales" / "zh_CN" / "LC_MESSAGES" / f"{toc['root']}.po"
    translated = {e.msgid: e.msgstr for e in polib.pofile(str(catalogue))
                  if e.msgstr and not e.obsolete and "fuzzy" not in e.flags}
    for part in toc.get("parts", []):
        if "caption" in part:
            part["caption"] = translated.get(part["caption"], part["caption"])
    path = REPO / "_build" / "zh_toc.yml"
    path.write_text(yaml.safe_dump(toc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def build_chinese() -> int:
    """The Chinese edition, strict like the English one (warnings are errors). jupyter-book's
    command line cannot set Sphinx's language (jupyter-book issue #1791); its Python API can.
    Runs in a process of its own, as the English build does."""
    overrides = dict(ZH_OVERRIDES, external_toc_path=str(chinese_toc()))
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from jupyter_book.sphinx import build_sphinx\n"
        f"repo = Path({str(REPO)!r})\n"
        f"sys.exit(build_sphinx(repo, Path({str(ZH_FOLDER)!r}), noconfig=True,"
        " path_config=str(repo / '_config.yml'),"
        f" confoverrides={overrides!r}, doctreedir=repo / '_build' / '.doctrees-zh',"
        " warningiserror=True, keep_going=True))\n"
    )
    return subprocess.call([sys.executable, "-c", code], cwd=REPO)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serial", action="store_true",
                        help="skip the parallel step: jupyter-book executes the pages itself")
    args = parser.parse_args(argv)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    # The chapters' figures are shown by plt.show() through the notebook's inline backend; a
    # non-interactive backend inherited from the environment (MPLBACKEND=Agg, common on servers
    # and in test runs) would make every plt.show() a no-op and leave the book without figures.
    os.environ["MPLBACKEND"] = INLINE_BACKEND
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if not args.serial:
        t0 = time.monotonic()
        executed, failed = execute_in_parallel()
        print(f"build_book: executed {executed} page(s) on {os.cpu_count()} process(es) in "
              f"{time.monotonic() - t0:.0f} s" + (f", {failed} failed" if failed else ""),
              flush=True)
    english = build([])
    if english != 0 or not (REPO / "locales" / "zh_CN").is_dir():
        return english
    t0 = time.monotonic()
    chinese = build_chinese()
    print(f"build_book: Chinese edition in {time.monotonic() - t0:.0f} s"
          + ("" if chinese == 0 else f" (failed, exit {chinese})"), flush=True)
    return chinese


if __name__ == "__main__":
    sys.exit(main())
