"""Skip-gram with negative sampling on the State of the Union corpus: the course's SGNS vs gensim.

Data: every State of the Union address, 1790-2021 (``course_lib.datasets.sotu_text("all")``:
the whole corpus, since learning embeddings has no held-out split), cut into sentences and
lower-cased word tokens by ``course_lib.datasets.word_corpus`` (words only, no punctuation).

Models, trained with the **same** settings (``SETTINGS``; gensim's names in brackets):
skip-gram (sg=1) with negative sampling, k negatives (negative=k, hs=0), window (window),
embedding size d (vector_size), min_count (min_count), frequent-word subsampling (sample),
epochs (epochs), learning rate 0.025 decayed linearly to 0.0001 (alpha, min_alpha), one
thread (workers=1), a fixed seed (seed):

* ``course_lib.word2vec.train_sgns`` with sparse SGD (the word2vec recipe in batches of 1,024
  pairs) for two seeds, and with ``torch.optim.SparseAdam`` (lr 0.003) for one: the optimiser
  comparison the chapter quotes;
* ``gensim.models.Word2Vec`` (the C-accelerated reference) for the same two seeds.

Both build the vocabulary the same way (the script checks that the words and counts agree).
Every model is evaluated the same way, through gensim's ``KeyedVectors``:

* analogies: ``evaluate_word_analogies`` on gensim's questions-words.txt (19,544 questions
  "a : b :: c : ?", 3CosAdd, the three question words excluded), restricted to the model's
  vocabulary (``restrict_vocab = |V|``); a question with a word outside the vocabulary is
  skipped, and the table reports how many were answered;
* word similarity: Spearman's rho between cosine similarities and human scores on WordSim-353
  and SimLex-999 (``evaluate_word_pairs``); pairs with an unknown word are left out
  (``dummy4unknown=False``) and counted as OOV;
* nearest neighbours (cosine) of a few words, side by side.

If ``course_lib.embeddings`` provides ``evaluate_analogies`` and ``evaluate_word_pairs``, they
are run too and their numbers stored next to gensim's as a cross-check.

Run from the repository root::

    .venv/bin/python benchmarks/word2vec_sotu.py            # full run, ~10 min on one core
    .venv/bin/python benchmarks/word2vec_sotu.py --quick    # smoke run, ~1 min, writes nothing

Wall-clock times depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import datetime  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import gensim  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from gensim.models import KeyedVectors, Word2Vec  # noqa: E402
from gensim.test.utils import datapath  # noqa: E402

from course_lib import embeddings  # noqa: E402
from course_lib.datasets import sotu_text, word_corpus  # noqa: E402
from course_lib.word2vec import build_vocabulary, encode_corpus, train_sgns  # noqa: E402
from _common import load_average, log, machine, training_parser  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "benchmarks" / "results" / "word2vec_sotu.json"
NEIGHBOUR_WORDS = ("war", "economy", "freedom", "congress", "slavery", "tax")
N_NEIGHBOURS = 8

SETTINGS = {"dim": 100, "window": 5, "k": 5, "min_count": 5, "sample": 1e-3, "epochs": 5,
            "lr": 0.025, "min_lr": 0.0001}
QUICK_SETTINGS = {**SETTINGS, "dim": 50, "epochs": 1}
SEEDS = (0, 1)
ADAM_LR = 0.003
BATCH_SIZE = 1024


# --------------------------------------------------------------------------- evaluation
def to_keyed_vectors(words: list[str], vectors: np.ndarray) -> KeyedVectors:
    kv = KeyedVectors(vectors.shape[1])
    kv.add_vectors(list(words), np.asarray(vectors, dtype=np.float32))
    return kv


def evaluate(kv: KeyedVectors) -> dict:
    """Analogy accuracy, word-similarity Spearman rho with OOV counts, neighbours."""
    accuracy, sections = kv.evaluate_word_analogies(datapath("questions-words.txt"),
                                                    restrict_vocab=len(kv))
    total = next(s for s in sections if s["section"] == "Total accuracy")
    n_answered = len(total["correct"]) + len(total["incorrect"])
    by_kind = {}
    for kind, names in (("semantic", lambda s: not s.startswith("gram")),
                        ("syntactic", lambda s: s.startswith("gram"))):
        chosen = [s for s in sections if s["section"] != "Total accuracy" and names(s["section"])]
        right = sum(len(s["correct"]) for s in chosen)
        asked = right + sum(len(s["incorrect"]) for s in chosen)
        by_kind[kind] = {"accuracy": right / asked if asked else None, "answered": asked}
    result = {"analogy_accuracy": accuracy, "analogy_answered": n_answered,
              "analogy_total": 19544, "analogy_by_kind": by_kind, "similarity": {}}
    for name, file, n_pairs in (("wordsim353", "wordsim353.tsv", 353), ("simlex999", "simlex999.txt", 999)):
        pearson, spearman, oov_percent = kv.evaluate_word_pairs(datapath(file))
        result["similarity"][name] = {"spearman": float(spearman[0]), "pearson": float(pearson[0]),
                                      "pairs": n_pairs, "oov": round(oov_percent * n_pairs / 100)}
    result["neighbours"] = {w: [u for u, _ in kv.most_similar(w, topn=N_NEIGHBOURS)]
                            for w in NEIGHBOUR_WORDS if w in kv.key_to_index}
    return result


def course_lib_cross_check(words: list[str], vectors: np.ndarray) -> dict | None:
    """The course's own evaluation functions, if ``course_lib.embeddings`` has them (else None)."""
    if not (hasattr(embeddings, "evaluate_analogies") and hasattr(embeddings, "evaluate_word_pairs")):
        return None
    wv = embeddings.WordVectors(words, vectors, name="cross-check")
    try:
        found = embeddings.evaluate_analogies(wv, restrict_vocab=len(words))
        out = {"analogy_accuracy": _finite(found.get("accuracy")),
               "analogy_answered": found.get("n_evaluated")}
        for name in ("wordsim353", "simlex999"):
            pairs = embeddings.evaluate_word_pairs(wv, dataset=name)
            out[name] = {"spearman": _finite(pairs.get("spearman")), "oov": pairs.get("n_oov")}
    except Exception as exc:  # noqa: BLE001 - a cross-check must not break the benchmark
        out = {"error": f"{type(exc).__name__}: {exc}"}
    return out


def _finite(x):
    """A float for JSON, or None for a missing or non-finite value."""
    return float(x) if x is not None and np.isfinite(x) else None


# --------------------------------------------------------------------------- training
def run_ours(sentences, vocabulary, counts, settings, seed, optimizer, tokens_per_epoch) -> dict:
    log(f"  ours ({optimizer}, seed {seed}) ...")
    lr = settings["lr"] if optimizer == "sgd" else ADAM_LR
    start = time.perf_counter()
    wv, history = train_sgns(
        sentences, vocabulary, counts, dim=settings["dim"], window=settings["window"],
        k=settings["k"], epochs=settings["epochs"], lr=lr, sample=settings["sample"],
        batch_size=BATCH_SIZE, optimizer=optimizer, seed=seed, return_history=True)
    seconds = time.perf_counter() - start
    row = {"model": f"course_lib SGNS ({'sparse SGD' if optimizer == 'sgd' else 'SparseAdam'})",
           "implementation": "course_lib.word2vec.train_sgns (torch)", "optimizer": optimizer,
           "lr": lr, "batch_size": BATCH_SIZE, "seed": seed, "train_seconds": seconds,
           "words_per_second": tokens_per_epoch * settings["epochs"] / seconds,
           "epoch_loss": history["epoch_loss"], "pairs_per_epoch": history["pairs"],
           **evaluate(to_keyed_vectors(wv.words, wv.vectors))}
    row["course_lib_check"] = course_lib_cross_check(wv.words, np.asarray(wv.vectors))
    log(f"    {seconds:.0f} s, analogy {row['analogy_accuracy']:.4f}")
    return row


def run_gensim(sentences, settings, seed, tokens_per_epoch) -> tuple[dict, Word2Vec]:
    log(f"  gensim (seed {seed}) ...")
    model = Word2Vec(vector_size=settings["dim"], window=settings["window"], min_count=settings["min_count"],
                     sg=1, hs=0, negative=settings["k"], sample=settings["sample"], alpha=settings["lr"],
                     min_alpha=settings["min_lr"], workers=1, seed=seed, epochs=settings["epochs"])
    model.build_vocab(sentences)
    start = time.perf_counter()
    model.train(sentences, total_examples=model.corpus_count, epochs=model.epochs)
    seconds = time.perf_counter() - start
    words = list(model.wv.index_to_key)
    row = {"model": "gensim Word2Vec", "implementation": f"gensim {gensim.__version__} (Cython), workers=1",
           "optimizer": "sgd", "lr": settings["lr"], "batch_size": 1, "seed": seed, "train_seconds": seconds,
           "words_per_second": tokens_per_epoch * settings["epochs"] / seconds,
           "epoch_loss": None, "pairs_per_epoch": None, **evaluate(model.wv)}
    row["course_lib_check"] = course_lib_cross_check(words, model.wv.vectors)
    log(f"    {seconds:.0f} s, analogy {row['analogy_accuracy']:.4f}")
    return row, model


# --------------------------------------------------------------------------- report
def fmt(x, digits=3) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def results_table(rows: list[dict]) -> str:
    head = ("| model | seed | analogy acc. (answered) | semantic | syntactic | WS-353 ρ (OOV) | "
            "SimLex-999 ρ (OOV) | train s | words/s |")
    lines = [head, "|" + "---|" * 9]
    for r in rows:
        ws, sl = r["similarity"]["wordsim353"], r["similarity"]["simlex999"]
        lines.append(
            f"| {r['model']} | {r['seed']} | {fmt(r['analogy_accuracy'])} ({r['analogy_answered']}) | "
            f"{fmt(r['analogy_by_kind']['semantic']['accuracy'])} | "
            f"{fmt(r['analogy_by_kind']['syntactic']['accuracy'])} | "
            f"{fmt(ws['spearman'])} ({ws['oov']}) | {fmt(sl['spearman'])} ({sl['oov']}) | "
            f"{r['train_seconds']:.0f} | {r['words_per_second']:,.0f} |")
    return "\n".join(lines)


def neighbours_table(rows: list[dict]) -> str:
    chosen = [r for r in rows if r["seed"] == SEEDS[0] and r["optimizer"] == "sgd"]
    lines = ["| word | " + " | ".join(r["model"] for r in chosen) + " |",
             "|---|" + "---|" * len(chosen)]
    for word in NEIGHBOUR_WORDS:
        cells = [", ".join(r["neighbours"].get(word, ["(not in vocabulary)"])) for r in chosen]
        lines.append(f"| {word} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown_report(meta: dict, rows: list[dict]) -> str:
    s = meta["settings"]
    return "\n".join([
        "# word2vec on the State of the Union: course SGNS vs gensim", "",
        f"Generated by `benchmarks/word2vec_sotu.py{' --quick' if meta['quick'] else ''}` on {meta['date']} "
        f"({meta['total_seconds']:.0f} s in total; {meta['machine']}; torch threads: {meta['torch_threads']}; "
        f"load average at start {meta['load_average_start']}, at end {meta['load_average_end']}). "
        "Wall-clock times depend on the machine and on what else runs on it.", "",
        f"Corpus: {meta['corpus']}. Vocabulary: {meta['vocabulary_size']:,} words with count >= "
        f"{s['min_count']} ({meta['tokens_per_epoch']:,} in-vocabulary tokens per epoch); "
        f"{meta['vocabulary_check']}. {meta['cross_check']}.", "",
        f"Settings shared by all models: skip-gram, negative sampling with k = {s['k']}, window "
        f"{s['window']} (randomly shrunk per position, as in word2vec), d = {s['dim']}, subsampling "
        f"sample = {s['sample']:g}, {s['epochs']} epochs, one thread. SGD: learning rate "
        f"{s['lr']} decayed linearly to {s['min_lr']} (course_lib: batches of {BATCH_SIZE} pairs, "
        f"summed loss; gensim: one pair at a time). SparseAdam: lr {ADAM_LR}, mean loss per batch.", "",
        "Analogies: gensim's questions-words.txt (19,544 questions), 3CosAdd, restricted to the "
        "model's vocabulary; `answered` = questions whose four words are all in it. Similarity: "
        "Spearman's ρ of cosine vs human scores; OOV = pairs left out. words/s = in-vocabulary "
        "tokens x epochs / training seconds (vocabulary building excluded).", "",
        "## Results", "", results_table(rows), "",
        "## Nearest neighbours (cosine, seed 0)", "", neighbours_table(rows), "",
    ]) + "\n"


def main(argv=None) -> int:
    parser = training_parser(__doc__, DEFAULT_OUT, threads=1)
    args = parser.parse_args(argv)
    logging.getLogger("gensim").setLevel(logging.WARNING)
    torch.set_num_threads(args.threads)
    settings = QUICK_SETTINGS if args.quick else SETTINGS
    seeds = SEEDS[:1] if args.quick else SEEDS
    out = args.out if args.out is not None else (None if args.quick else DEFAULT_OUT)
    start, load_start = time.perf_counter(), load_average()

    split = "test" if args.quick else "all"
    sentences = word_corpus(sotu_text(split))
    vocabulary, counts = build_vocabulary(sentences, min_count=settings["min_count"])
    tokens_per_epoch = int(sum(ids.size for ids in encode_corpus(sentences, vocabulary)))
    log(f"corpus: {len(sentences):,} sentences, {sum(map(len, sentences)):,} tokens; "
        f"|V| = {len(vocabulary.tokens):,}")

    rows, gensim_model = [], None
    for seed in seeds:
        rows.append(run_ours(sentences, vocabulary, counts, settings, seed, "sgd", tokens_per_epoch))
    if not args.quick:
        rows.append(run_ours(sentences, vocabulary, counts, settings, SEEDS[0], "adam", tokens_per_epoch))
    for seed in seeds:
        row, model = run_gensim(sentences, settings, seed, tokens_per_epoch)
        rows.append(row)
        gensim_model = gensim_model or model
    theirs = {w: gensim_model.wv.get_vecattr(w, "count") for w in gensim_model.wv.index_to_key}
    # gensim breaks ties between equal counts by first occurrence, we alphabetically: compare sets.
    vocabulary_check = ("gensim's vocabulary has the same words with the same counts"
                        if theirs == dict(zip(vocabulary.tokens, counts.tolist()))
                        else "WARNING: gensim's vocabulary differs from ours")

    checked = [(r, r["course_lib_check"]) for r in rows if r["course_lib_check"] and "error" not in r["course_lib_check"]]
    cross_check = (
        "course_lib.embeddings.evaluate_analogies / evaluate_word_pairs not available" if not checked else
        "course_lib.embeddings.evaluate_analogies and evaluate_word_pairs agree with gensim's evaluation: "
        "largest difference {:.1e} (accuracy and Spearman rho over all rows)".format(max(
            max(abs(r["analogy_accuracy"] - c["analogy_accuracy"]),
                *(abs(r["similarity"][n]["spearman"] - c[n]["spearman"]) for n in ("wordsim353", "simlex999")))
            for r, c in checked)))
    meta = {
        "script": "benchmarks/word2vec_sotu.py", "quick": args.quick, "cross_check": cross_check,
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "total_seconds": time.perf_counter() - start, "torch_threads": args.threads,
        "load_average_start": load_start, "load_average_end": load_average(),
        "machine": f"{machine()}, "
                   f"numpy {np.__version__}, torch {torch.__version__}, gensim {gensim.__version__}",
        "corpus": (f"State of the Union, split {split!r} ({'2001-2021' if split == 'test' else '1790-2021'}), "
                   f"{len(sentences):,} sentences, {sum(map(len, sentences)):,} lower-cased word tokens "
                   "(course_lib.datasets.word_corpus)"),
        "vocabulary_size": len(vocabulary.tokens), "tokens_per_epoch": tokens_per_epoch,
        "vocabulary_check": vocabulary_check, "settings": settings, "seeds": list(seeds),
        "adam_lr": ADAM_LR, "batch_size": BATCH_SIZE, "neighbour_words": list(NEIGHBOUR_WORDS),
    }
    print(results_table(rows))
    print()
    print(neighbours_table(rows))
    print(f"\n{vocabulary_check}\n{cross_check}")
    print(f"Total time: {meta['total_seconds']:.0f} s (load average {load_start} -> {meta['load_average_end']})")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2, allow_nan=False) + "\n",
                       encoding="utf-8")
        out.with_suffix(".md").write_text(markdown_report(meta, rows), encoding="utf-8")
        print(f"Wrote {out} and {out.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
