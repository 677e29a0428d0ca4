"""Time the book build: cold serial, cold parallel and warm, in one run, and print a table.

* **cold serial**: an empty execution cache; jupyter-book executes the pages one after another
  (``scripts/build_book.py --serial``, what jupyter-book does on its own);
* **cold parallel**: an empty cache again; the pages run in parallel into the cache first,
  one process per core, then the strict build (``scripts/build_book.py``, what ``make book``
  runs);
* **warm**: the same command once more, nothing changed: nothing is executed.

Each build runs in a fresh copy of the repository's tracked files (``git ls-files``), so the
working tree's ``_build`` is not touched. The target of issue #12 on 2 cores is cold parallel
<= 0.6 x cold serial.

    .venv/bin/python benchmarks/book_build.py            # writes benchmarks/results/book_build.json
    .venv/bin/python benchmarks/book_build.py --out /tmp/b.json
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from _common import REPO, load_average, log, machine

DEFAULT_OUT = REPO / "benchmarks" / "results" / "book_build.json"


def tracked_copy(dest: Path) -> Path:
    """A copy of the repository's tracked files (no _build, no venv) in ``dest``."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True,
                           check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    return dest


def timed_build(copy: Path, *args: str) -> float:
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, str(copy / "scripts" / "build_book.py"), *args],
                          cwd=copy, capture_output=True, text=True)
    seconds = time.monotonic() - t0
    if proc.returncode != 0:
        raise SystemExit(f"build failed ({' '.join(args) or 'parallel'}):\n{proc.stdout[-3000:]}"
                         f"\n{proc.stderr[-3000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON output")
    args = parser.parse_args()
    load_before = load_average()
    with tempfile.TemporaryDirectory() as tmp:
        runs = {}
        for name, flags in (("cold serial", ("--serial",)), ("cold parallel", ())):
            copy = tracked_copy(Path(tmp) / name.replace(" ", "_"))
            log(f"{name} build in {copy} ...")
            runs[name] = timed_build(copy, *flags)
            if name == "cold parallel":
                log("warm build ...")
                runs["warm"] = timed_build(copy)
    ratio = runs["cold parallel"] / runs["cold serial"]
    print(f"{'build':<15} {'seconds':>8}")
    for name, seconds in runs.items():
        print(f"{name:<15} {seconds:>8.1f}")
    print(f"cold parallel / cold serial = {ratio:.2f} (target <= 0.60)")
    result = {"runs_seconds": runs, "parallel_over_serial": ratio, "machine": machine(),
              "load_average_before": load_before, "load_average_after": load_average(),
              "date": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
