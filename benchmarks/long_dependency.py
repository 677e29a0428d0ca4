"""How far back can a plain RNN, a GRU and an LSTM carry one bit? (chapter 11)

The task is :func:`course_lib.toy_sequences.agreement_task`: a subject ("cat" or "cats", ...)
followed by ``k`` random distractor words; after the last word the model must say "was" or
"were". Every run is :func:`course_lib.toy_sequences.run_agreement`, the same protocol for every
cell:

* :class:`~course_lib.toy_sequences.LastStepClassifier` with ``n_a = 32`` hidden units, one-hot
  inputs, PyTorch's default initialisation;
* 1,000 Adam updates (learning rate 0.005, gradient norm clipped at 1) on mini-batches of 64
  *new* examples each (64,000 examples, each seen once: nothing can be memorised);
* test accuracy on 1,000 held-out examples (the same ones for every cell and seed at a given k),
  and the number of updates until the running mean of the loss falls below 0.1.

Grid: cell in {rnn, gru, lstm} x k in {2, 5, 10, 20, 40, 80} x seed in {0, .., 4}, and for the
gated cells three initial biases of the gate that keeps the memory (``remember_bias`` b in
{0, 1, 2}: the LSTM's forget gate, torch's GRU ``z`` gate start near sigmoid(b) = 0.5, 0.73,
0.88). b = 0 is PyTorch's default; b = 1 is the forget-gate bias that Keras uses by default.
The plain RNN has no gate, so it is run once per (k, seed).

The chapter loads ``benchmarks/results/long_dependency.json`` and reruns one cell of the grid
live to check that it reproduces. Runs are deterministic on one thread (the script sets
``torch.set_num_threads(1)`` and flushes denormals, as the chapter does); wall-clock times are
not reproducible.

Run from the repository root::

    .venv/bin/python benchmarks/long_dependency.py            # full run, ~20 min on one core
    .venv/bin/python benchmarks/long_dependency.py --quick    # smoke run, k in {2, 5}, one seed;
                                                              # writes nothing unless --out is given
"""

from __future__ import annotations

import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"          # set before numpy is imported: tiny matrices
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from course_lib.toy_sequences import run_agreement  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "long_dependency.json"
PROTOCOL = {
    "cells": ["rnn", "gru", "lstm"],
    "ks": [2, 5, 10, 20, 40, 80],
    "seeds": [0, 1, 2, 3, 4],
    "remember_biases": [0.0, 1.0, 2.0],
    "n_a": 32, "updates": 1000, "batch_size": 64, "lr": 0.005, "clip": 1.0, "n_test": 1000,
    "optimizer": "Adam", "torch_threads": 1, "flush_denormal": True,
    "learned_threshold": "running mean of 20 mini-batch losses < 0.1",
}
QUICK = {**PROTOCOL, "ks": [2, 5], "seeds": [0], "remember_biases": [0.0, 2.0]}


def grid(protocol):
    """(cell, k, seed, remember_bias) of every run; the plain RNN only with b = 0."""
    for k in protocol["ks"]:
        for seed in protocol["seeds"]:
            for cell in protocol["cells"]:
                for b in protocol["remember_biases"] if cell != "rnn" else [0.0]:
                    yield cell, k, seed, b


def table(runs, protocol) -> str:
    """Mean test accuracy over the seeds, and how many seeds learned the task (acc >= 0.99)."""
    rows = [("cell", "b") + tuple(f"k={k}" for k in protocol["ks"])]
    for cell in protocol["cells"]:
        for b in protocol["remember_biases"] if cell != "rnn" else [0.0]:
            cells = []
            for k in protocol["ks"]:
                acc = [r["accuracy"] for r in runs
                       if (r["cell"], r["k"], r["remember_bias"]) == (cell, k, b)]
                cells.append(f"{np.mean(acc):.2f} ({sum(a >= 0.99 for a in acc)}/{len(acc)})")
            rows.append((cell, f"{b:g}" if cell != "rnn" else "-", *cells))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="k in {2, 5}, one seed")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"JSON output (default {RESULTS} for a full run, none for --quick)")
    args = parser.parse_args(argv)
    protocol = QUICK if args.quick else PROTOCOL
    out = args.out if args.out is not None else (None if args.quick else RESULTS)

    torch.set_num_threads(protocol["torch_threads"])
    torch.set_flush_denormal(protocol["flush_denormal"])
    load_start = os.getloadavg()
    start = time.perf_counter()
    runs = []
    for cell, k, seed, b in grid(protocol):
        t0 = time.perf_counter()
        _, result = run_agreement(cell, k, seed, remember_bias=b, n_a=protocol["n_a"],
                                  updates=protocol["updates"], batch_size=protocol["batch_size"],
                                  lr=protocol["lr"], n_test=protocol["n_test"])
        result.pop("losses")
        result["seconds"] = round(time.perf_counter() - t0, 2)
        runs.append(result)
        print(f"{cell:<5} k={k:<3} seed={seed} b={b:g}  accuracy {result['accuracy']:.3f}  "
              f"learned after {result['updates_to_learn']} updates  ({result['seconds']:.1f} s)",
              flush=True)
    total = time.perf_counter() - start
    print()
    print(table(runs, protocol))
    print(f"\n{len(runs)} runs in {total / 60:.1f} min")

    if out is not None:
        meta = {
            "script": "benchmarks/long_dependency.py",
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "python": sys.version.split()[0], "torch": torch.__version__,
            "numpy": np.__version__, "machine": platform.platform(),
            "processor": platform.machine(), "cpu_count": os.cpu_count(),
            "load_average_start": [round(v, 2) for v in load_start],
            "load_average_end": [round(v, 2) for v in os.getloadavg()],
            "total_seconds": round(total, 1),
        }
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"meta": meta, "protocol": protocol, "runs": runs}, indent=1)
                       + "\n")
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
