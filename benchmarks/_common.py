"""What every benchmark script shares: logging, the machine's load, and the command line.

Imported by the scripts in this folder (Python puts a script's own folder on sys.path).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def log(message: str) -> None:
    """Progress for the person watching, on stderr (the table goes to stdout)."""
    print(message, file=sys.stderr, flush=True)


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages, e.g. "1.2 0.8 0.5" ("n/a" where unknown)."""
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def machine() -> str:
    """The processor, the number of CPUs and the Python version."""
    return f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def training_parser(doc: str, default_out: Path, threads: int) -> argparse.ArgumentParser:
    """The options of a benchmark that trains models: --quick, --out and --threads."""
    parser = argparse.ArgumentParser(description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run with small budgets; writes nothing unless --out is given")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"JSON output (default for a full run: "
                             f"{default_out.relative_to(REPO)}); the Markdown report goes next "
                             "to it with the suffix .md")
    parser.add_argument("--threads", type=int, default=threads,
                        help=f"torch.set_num_threads (default {threads})")
    return parser


def write_results(out: Path, result: dict, report: str) -> None:
    """``result`` as JSON to ``out`` and the Markdown ``report`` next to it (suffix ``.md``)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(report, encoding="utf-8")
    print(f"Wrote {out} and {out.with_suffix('.md')}")
