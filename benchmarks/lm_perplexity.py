"""Held-out perplexity of character-level language models on names and on *Moby Dick*.

Models, per data set (all from ``course_lib`` unless said otherwise):

* add-k unigram, bigram, trigram (:class:`course_lib.ngram.AddKModel`), k chosen on validation;
* interpolated Kneser-Ney, n = 2 .. 7 (:class:`course_lib.ngram.KneserNeyModel`), the discount
  D chosen on validation for each n, the best n chosen on validation;
* ``nltk.lm.KneserNeyInterpolated`` at the same order and discount, fed the same n-grams, as an
  independent check of our Kneser-Ney (see "nltk check" below);
* the numpy RNN language model (:func:`course_lib.language_model.train_language_model`);
* the torch LSTM (:mod:`course_lib.char_model`).

Units: every model predicts **characters**, and every perplexity is per predicted character,
end of sequence included, so all numbers in a data set's table are comparable:

* names: one sequence per name; a name of T letters is T + 1 predictions (its letters and
  ``<EOS>``);
* Moby Dick: the text of a split is read as its hard-wrapped **lines** (the book is wrapped at
  ~70 characters; a blank line between paragraphs is an empty line). Each line is one sequence
  and its newline is the ``<EOS>`` prediction, so the predictions are exactly the ``len(text)``
  characters of the split, newlines included. Every model starts every line with no context:
  the n-grams pad it with ``<s>``, the RNNs start from a^{<0>} = 0 and x^{<1>} = 0. This is
  the same conditioning for all models, not the best possible one for any (a model reading the
  book as one stream would also use the previous line).

The vocabulary of every model is the set of training characters (plus ``<UNK>`` and
``<EOS>``, and ``<PAD>`` for the RNNs, which never predict it). A validation or test character
not seen in training is read as ``<UNK>`` by every model; nltk gives it probability 0, so its
perplexity is then infinite and reported as ``null``. (With the course's fixed splits no such
character occurs: the benchmark counts and prints them.)

Model selection uses the validation split only; the test split is scored once per selected
model. Natural logarithms; bits per character = log2(perplexity).

nltk check: nltk is fitted on exactly our n-grams (as in ``tests/test_ngram.py``), and each of
its probabilities is compared with ours. nltk's unigram level is the undiscounted continuation
distribution (it reserves nothing for unseen characters), while ours is interpolated with the
uniform distribution, so the expected relation is P_nltk(w | h) = P_ours(w | h) +
P_ours(<UNK> | h) / T for every seen w, T = |V| - 1 (derived in ``tests/test_ngram.py``); the
benchmark reports the largest relative deviation from it. nltk recomputes continuation counts
by scanning every context of the next order for every query (about 0.01 s per character at
order 7 on names, 0.1 s on Moby Dick), so it is scored on every k-th name or line of each
split (~1,000 characters on names, at every order; ~200 on Moby Dick, at the order chosen on
validation), and our model is reported on exactly the same positions next to it.

Run from the repository root::

    .venv/bin/python benchmarks/lm_perplexity.py            # full run, ~10 min on 2 cores
    .venv/bin/python benchmarks/lm_perplexity.py --quick    # smoke run, ~1 min, writes nothing

Wall-clock times depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import os

# Set before numpy is imported. The course's matrices are small: BLAS threads only add overhead
# (see the Makefile). Passive OpenMP waiting keeps torch's idle threads from spinning, which on a
# busy 2-core machine made a 2-thread LSTM step several times slower than a 1-thread one.
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import copy  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import nltk  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from nltk.lm import KneserNeyInterpolated  # noqa: E402

from course_lib.char_model import (  # noqa: E402
    CharRNN,
    evaluate_perplexity,
    make_sequence_batches,
    train_char_model,
)
from course_lib.datasets import load_moby_dick, load_names  # noqa: E402
from course_lib.language_model import lm_inputs_targets, lm_log_probs, train_language_model  # noqa: E402
from course_lib.language_model import perplexity as rnn_perplexity  # noqa: E402
from course_lib.ngram import BOS, AddKModel, KneserNeyModel  # noqa: E402
from course_lib.text import EOS, UNK, Vocabulary  # noqa: E402
from _common import load_average, log, machine, training_parser  # noqa: E402

SEED = 0
REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "benchmarks" / "results" / "lm_perplexity.json"
NLTK_EOS = "</s>"  # nltk's end-of-sentence symbol; ours is the course's <EOS>
LN2 = math.log(2.0)


# --------------------------------------------------------------------------- settings
@dataclass(frozen=True)
class RNNConfig:
    """One numpy-RNN configuration: hidden units, Adam learning rate, batch size, updates."""

    n_a: int
    lr: float
    batch_size: int
    iterations: int
    eval_every: int
    remark: str = ""  # said in the row's notes


@dataclass(frozen=True)
class LSTMConfig:
    """One torch-LSTM configuration; ``embedding_dim=None`` is one-hot input as in the notes."""

    n_hidden: int
    lr: float
    batch_size: int
    dropout: float
    steps: int
    eval_every: int
    embedding_dim: int | None = None


@dataclass(frozen=True)
class Budget:
    """Everything that differs between a data set's full run and its ``--quick`` run."""

    add_k_grid: tuple[float, ...]
    discount_grid: tuple[float, ...]
    kn_orders: tuple[int, ...]
    nltk_orders: str  # "all": every KN order; "best": the order chosen on validation
    nltk_max_chars: int | None  # score nltk on every k-th sequence, ~this many chars per split
    rnn_configs: tuple[RNNConfig, ...]
    lstm_configs: tuple[LSTMConfig, ...]
    max_train_lines: int | None = None  # quick runs: a prefix of the training sequences
    max_eval_lines: int | None = None  # quick runs: a prefix of validation and test


ADD_K_GRID = (1.0, 0.3, 0.1, 0.03, 0.01)
DISCOUNT_GRID = (0.7, 0.8, 0.9, 0.95)
KN_ORDERS = (2, 3, 4, 5, 6, 7)

FULL = {
    "names": Budget(
        add_k_grid=ADD_K_GRID, discount_grid=DISCOUNT_GRID, kn_orders=KN_ORDERS,
        nltk_orders="all", nltk_max_chars=1000,
        rnn_configs=(RNNConfig(n_a=128, lr=0.005, batch_size=32, iterations=4000, eval_every=500),),
        lstm_configs=(
            LSTMConfig(n_hidden=256, lr=0.003, batch_size=32, dropout=0.5, steps=2000, eval_every=250,
                       embedding_dim=32),
            LSTMConfig(n_hidden=256, lr=0.005, batch_size=32, dropout=0.5, steps=2000, eval_every=250),
        ),
    ),
    "moby_dick": Budget(
        add_k_grid=ADD_K_GRID, discount_grid=DISCOUNT_GRID, kn_orders=KN_ORDERS,
        nltk_orders="best", nltk_max_chars=200,
        rnn_configs=(RNNConfig(n_a=128, lr=0.01, batch_size=32, iterations=2400, eval_every=600,
                               remark="limited budget: numpy BPTT is slow on 1M characters, so this is "
                                      "~4 epochs in ~2 minutes and not converged"),),
        lstm_configs=(
            LSTMConfig(n_hidden=256, lr=0.01, batch_size=64, dropout=0.0, steps=2500, eval_every=500),
        ),
    ),
}

QUICK = {
    "names": Budget(
        add_k_grid=(1.0, 0.1, 0.01), discount_grid=(0.75, 0.9), kn_orders=KN_ORDERS,
        nltk_orders="best", nltk_max_chars=500,
        rnn_configs=(RNNConfig(n_a=64, lr=0.01, batch_size=32, iterations=300, eval_every=150),),
        lstm_configs=(LSTMConfig(n_hidden=64, lr=0.005, batch_size=64, dropout=0.0, steps=200,
                                 eval_every=100),),
    ),
    "moby_dick": Budget(
        add_k_grid=(1.0, 0.1, 0.01), discount_grid=(0.75, 0.9), kn_orders=KN_ORDERS,
        nltk_orders="best", nltk_max_chars=80,
        rnn_configs=(RNNConfig(n_a=64, lr=0.01, batch_size=32, iterations=40, eval_every=20),),
        lstm_configs=(LSTMConfig(n_hidden=64, lr=0.005, batch_size=32, dropout=0.0, steps=100,
                                 eval_every=50),),
        max_train_lines=2000, max_eval_lines=200,
    ),
}


# --------------------------------------------------------------------------- data
@dataclass
class CharCorpus:
    """A data set as character sequences (lists of one-character strings, without ``<EOS>``)."""

    name: str
    sequence_kind: str  # "name" or "line"
    train: list[list[str]]
    validation: list[list[str]]
    test: list[list[str]]
    notes: list[str] = field(default_factory=list)

    def split(self, name: str) -> list[list[str]]:
        return {"train": self.train, "validation": self.validation, "test": self.test}[name]


def text_lines(text: str) -> list[list[str]]:
    """The lines of ``text`` as character lists; ``sum(len(line) + 1) == len(text)``.

    The final newline ends the last line (it does not start an empty one), so predicting every
    line's characters and its end (<EOS> = newline) predicts every character of ``text`` once.
    """
    lines = text.split("\n")
    if text.endswith("\n"):
        lines = lines[:-1]
    return [list(line) for line in lines]


def n_predictions(sequences: list[list[str]]) -> int:
    """Predicted tokens of a split: every character and one ``<EOS>`` per sequence."""
    return sum(len(s) + 1 for s in sequences)


def load_corpus(name: str, budget: Budget) -> CharCorpus:
    if name == "names":
        splits = {s: [list(n) for n in load_names(s)] for s in ("train", "validation", "test")}
        kind = "name"
    else:
        splits = {s: text_lines(load_moby_dick(s)) for s in ("train", "validation", "test")}
        for s in ("train", "validation", "test"):
            assert n_predictions(splits[s]) == len(load_moby_dick(s))  # per character of the text
        kind = "line"
    corpus = CharCorpus(name, kind, splits["train"], splits["validation"], splits["test"])
    if budget.max_train_lines is not None:
        corpus.train = corpus.train[: budget.max_train_lines]
        corpus.notes.append(f"quick run: first {budget.max_train_lines} training {kind}s only")
    if budget.max_eval_lines is not None:
        corpus.validation = corpus.validation[: budget.max_eval_lines]
        corpus.test = corpus.test[: budget.max_eval_lines]
        corpus.notes.append(f"quick run: first {budget.max_eval_lines} validation/test {kind}s only")
    seen = {c for s in corpus.train for c in s}
    for split in ("validation", "test"):
        unseen = sum(1 for s in corpus.split(split) for c in s if c not in seen)
        corpus.notes.append(f"{split}: {len(corpus.split(split))} {kind}s, "
                            f"{n_predictions(corpus.split(split))} predicted characters, "
                            f"{unseen} not seen in training (scored as <UNK>)")
    corpus.notes.insert(0, f"train: {len(corpus.train)} {kind}s, {n_predictions(corpus.train)} "
                           f"characters incl. <EOS>; {len(seen)} distinct training characters")
    return corpus


# --------------------------------------------------------------------------- result rows
def bits(ppl: float | None) -> float | None:
    return None if ppl is None or not math.isfinite(ppl) else math.log2(ppl)


def make_row(corpus: CharCorpus, model: str, order, smoothing, val_ppl, test_ppl, train_seconds,
             notes: str, family: str, selected: bool = False) -> dict:
    """A result row. ``family`` groups rows for "best n-gram vs best RNN" (ngram / rnn / check)."""
    return {
        "dataset": corpus.name, "unit": "char", "model": model, "order": order,
        "smoothing": smoothing, "val_ppl": val_ppl, "test_ppl": test_ppl,
        "test_bpc": bits(test_ppl), "train_seconds": train_seconds, "notes": notes,
        "family": family, "selected": selected,
    }


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


# --------------------------------------------------------------------------- n-grams
ORDER_NAMES = {1: "unigram", 2: "bigram", 3: "trigram"}


def add_k_rows(corpus: CharCorpus, budget: Budget) -> tuple[list[dict], dict]:
    """Add-k unigram, bigram and trigram, k chosen on validation from ``budget.add_k_grid``."""
    rows, models = [], {}
    for n in (1, 2, 3):
        grid = []
        for k in budget.add_k_grid:
            model, seconds = timed(AddKModel(n, k=k).fit, corpus.train)
            grid.append((model.perplexity(corpus.validation), k, model, seconds))
        val, k, model, seconds = min(grid, key=lambda g: g[0])
        tried = ", ".join(f"k={g[1]:g}: {g[0]:.3f}" for g in grid)
        rows.append(make_row(corpus, f"{ORDER_NAMES[n]} add-k", n, f"add-k, k={k:g}", val,
                             model.perplexity(corpus.test), seconds,
                             f"validation ppl by k: {tried}", "ngram"))
        models[rows[-1]["model"]] = model
        log(f"  {corpus.name}: {ORDER_NAMES[n]} add-k  k={k:g}  val {val:.3f}")
    return rows, models


def kneser_ney_rows(corpus: CharCorpus, budget: Budget) -> tuple[list[dict], dict]:
    """Interpolated Kneser-Ney for every order; D per order and then n chosen on validation."""
    rows, models = [], {}
    for n in budget.kn_orders:
        grid = []
        for D in budget.discount_grid:
            model, seconds = timed(KneserNeyModel(n, discount=D).fit, corpus.train)
            grid.append((model.perplexity(corpus.validation), D, model, seconds))
        val, D, model, seconds = min(grid, key=lambda g: g[0])
        tried = ", ".join(f"D={g[1]:g}: {g[0]:.3f}" for g in grid)
        rows.append(make_row(corpus, "Kneser-Ney", n, f"interpolated KN, D={D:g}", val,
                             model.perplexity(corpus.test), seconds,
                             f"validation ppl by D: {tried}", "ngram"))
        models[n] = model
        log(f"  {corpus.name}: Kneser-Ney n={n}  D={D:g}  val {val:.3f}")
    best = min(rows, key=lambda r: r["val_ppl"])
    best["selected"] = True
    best["notes"] = f"order chosen on validation among n = {min(budget.kn_orders)}..{max(budget.kn_orders)}; " + best["notes"]
    return rows, models


# --------------------------------------------------------------------------- nltk check
def fit_nltk_kneser_ney(n: int, discount: float, sentences: list[list[str]]):
    """nltk's KneserNeyInterpolated fed exactly our n-grams (every order, predicted positions).

    Same construction as ``nltk_kneser_ney`` in ``tests/test_ngram.py``: our left padding with
    n - 1 ``<s>``, one end symbol, and nltk's ``</s>`` in place of the course's ``<EOS>``.
    """
    def everygrams():
        for sent in sentences:
            padded = [BOS] * (n - 1) + list(sent) + [NLTK_EOS]
            yield [tuple(padded[i - m + 1 : i + 1]) for i in range(n - 1, len(padded)) for m in range(1, n + 1)]

    model = KneserNeyInterpolated(n, discount=discount)
    model.fit(everygrams(), vocabulary_text=[t for s in sentences for t in [BOS, *s, NLTK_EOS]])
    return model


def spread_subset(sequences: list[list[str]], max_chars: int | None) -> tuple[list[list[str]], int]:
    """Every k-th sequence, k chosen so that about ``max_chars`` predictions remain.

    Returns the subset and k (1: all of them, also when ``max_chars`` is ``None``). Evenly spread
    over the split, so the names are not all from the start of the alphabet and the lines not all
    from one chapter.
    """
    total = n_predictions(sequences)
    k = 1 if max_chars is None or total <= max_chars else math.ceil(total / max_chars)
    return sequences[::k], k


def nltk_check(ours: KneserNeyModel, theirs, sequences: list[list[str]]) -> dict:
    """Score ``sequences`` with both models position by position.

    Returns nltk's perplexity (``inf`` if it gives some character probability 0), ours on the
    same positions, and the largest relative deviation of P_nltk from the derived
    P_ours(w | h) + P_ours(<UNK> | h) / T over the positions where nltk is finite.
    """
    n = ours.n
    T = len(ours.vocab) - 1  # seen types (characters and <EOS>): nltk's unigram support
    log_ours, log_nltk, zero, worst = 0.0, 0.0, 0, 0.0
    for sent in sequences:
        padded = [BOS] * (n - 1) + list(sent) + [EOS]
        for i in range(n - 1, len(padded)):
            word, context = padded[i], padded[i - n + 1 : i]
            p_ours = ours.prob(word, context)
            log_ours += math.log(p_ours)
            p_nltk = theirs.score(NLTK_EOS if word == EOS else word, tuple(context))
            if p_nltk == 0.0:
                zero += 1
                continue
            log_nltk += math.log(p_nltk)
            expected = p_ours + ours.prob(UNK, context) / T
            worst = max(worst, abs(p_nltk - expected) / p_nltk)
    count = n_predictions(sequences)
    return {
        "nltk_ppl": math.inf if zero else math.exp(-log_nltk / count),
        "ours_ppl": math.exp(-log_ours / count),
        "max_rel_deviation": worst, "n_zero": zero, "n_positions": count,
        "n_sequences": len(sequences),
    }


def nltk_rows(corpus: CharCorpus, budget: Budget, kn_rows: list[dict], kn_models: dict) -> list[dict]:
    orders = (budget.kn_orders if budget.nltk_orders == "all"
              else [r["order"] for r in kn_rows if r["selected"]])
    rows = []
    for n in orders:
        ours = kn_models[n]
        theirs, fit_seconds = timed(fit_nltk_kneser_ney, n, ours.discount, corpus.train)
        t0 = time.perf_counter()
        checks, every = {}, {}
        for split in ("validation", "test"):
            subset, every[split] = spread_subset(corpus.split(split), budget.nltk_max_chars)
            checks[split] = nltk_check(ours, theirs, subset)
        score_seconds = time.perf_counter() - t0
        v, t = checks["validation"], checks["test"]
        finite = lambda p: p if math.isfinite(p) else None  # noqa: E731
        kind = corpus.sequence_kind
        scope = ("all validation and test positions" if every["validation"] == every["test"] == 1 else
                 f"1 in {every['validation']} validation {kind}s ({v['n_sequences']} {kind}s, "
                 f"{v['n_positions']} chars) and 1 in {every['test']} test {kind}s ({t['n_sequences']} "
                 f"{kind}s, {t['n_positions']} chars) only")
        zeros = v["n_zero"] + t["n_zero"]
        notes = (f"check of our KN (same n-grams, D={ours.discount:g}) on {scope}; ours on the same "
                 f"positions: val {v['ours_ppl']:.4f}, test {t['ours_ppl']:.4f}; max relative deviation "
                 f"of P_nltk from P_ours + P_ours(<UNK>|h)/T: {max(v['max_rel_deviation'], t['max_rel_deviation']):.1e}"
                 f"; {zeros} positions with P_nltk = 0; nltk fit {fit_seconds:.1f} s, scoring {score_seconds:.1f} s")
        rows.append(make_row(corpus, "Kneser-Ney (nltk.lm check)", n,
                             f"nltk KneserNeyInterpolated, D={ours.discount:g}",
                             finite(v["nltk_ppl"]), finite(t["nltk_ppl"]), fit_seconds, notes, "check"))
        json_safe = {split: {k: (None if isinstance(x, float) and math.isinf(x) else x) for k, x in c.items()}
                     for split, c in checks.items()}  # JSON has no infinity: nltk's inf -> null
        rows[-1]["check"] = {"scope": scope, "nltk_fit_seconds": fit_seconds,
                             "nltk_score_seconds": score_seconds, **json_safe}
        log(f"  {corpus.name}: nltk KN n={n}: val {v['nltk_ppl']:.4f} vs ours {v['ours_ppl']:.4f}, "
            f"max rel dev {max(v['max_rel_deviation'], t['max_rel_deviation']):.1e}")
    return rows


# --------------------------------------------------------------------------- numpy RNN
def encode_all(vocab: Vocabulary, sequences: list[list[str]], add_eos: bool) -> list[list[int]]:
    return [vocab.encode(s, add_eos=add_eos) for s in sequences]


def numpy_rnn_sequence_logprobs(parameters, sequences: list[list[int]], n_x: int,
                                batch_size: int = 256) -> np.ndarray:
    """log P(sequence) for every sequence (``<EOS>`` included), from ``lm_log_probs``."""
    out = []
    for start in range(0, len(sequences), batch_size):
        x, y, _ = lm_inputs_targets(sequences[start:start + batch_size], n_x)
        out.append((y * lm_log_probs(parameters, x)).sum(axis=(0, 2)))
    return np.concatenate(out)


def numpy_rnn_rows(corpus: CharCorpus, budget: Budget, vocab: Vocabulary) -> tuple[list[dict], dict]:
    """The numpy RNN LM; each configuration is trained in chunks and the checkpoint with the
    best validation perplexity is kept (early stopping on validation)."""
    n_x = len(vocab)
    train = encode_all(vocab, corpus.train, add_eos=True)
    val = encode_all(vocab, corpus.validation, add_eos=True)
    test = encode_all(vocab, corpus.test, add_eos=True)
    candidates = []
    for cfg in budget.rnn_configs:
        parameters, seconds, curve, best = None, 0.0, [], None
        for chunk, done in enumerate(range(cfg.eval_every, cfg.iterations + 1, cfg.eval_every)):
            # train_language_model starts a fresh Adam at every call; the seed varies the shuffle.
            (parameters, _), dt = timed(
                train_language_model, train, n_x, cfg.n_a, vocab.eos_index, num_iterations=cfg.eval_every,
                lr=cfg.lr, batch_size=cfg.batch_size, seed=SEED + chunk, parameters=parameters, progress=False)
            seconds += dt
            v = rnn_perplexity(parameters, val, n_x)
            curve.append((done, v))
            if best is None or v < best[0]:
                best = (v, done, seconds, copy.deepcopy(parameters))
            log(f"  {corpus.name}: numpy RNN n_a={cfg.n_a} it {done}: val {v:.3f} ({seconds:.0f} s)")
        candidates.append((best, cfg, curve, seconds))
    (v, done, seconds_at_best, parameters), cfg, curve, seconds = min(candidates, key=lambda c: c[0][0])
    test_ppl = rnn_perplexity(parameters, test, n_x)
    lp = numpy_rnn_sequence_logprobs(parameters, test, n_x)
    epochs = done * cfg.batch_size / len(train)
    notes = (f"{cfg.remark + '; ' if cfg.remark else ''}vanilla tanh RNN, one-hot input, n_a={cfg.n_a}, Adam lr={cfg.lr:g}, batch {cfg.batch_size}, "
             f"clip norm 5; best validation after {done} of {cfg.iterations} iterations (~{epochs:.1f} epochs; "
             f"the whole budget took {seconds:.0f} s); validation by iteration: "
             + ", ".join(f"{it}: {p:.3f}" for it, p in curve))
    if len(candidates) > 1:
        notes += "; configurations tried: " + "; ".join(
            f"n_a={c[1].n_a}, lr={c[1].lr:g}: {c[0][0]:.3f}" for c in candidates)
    row = make_row(corpus, "numpy RNN LM", None, None, v, test_ppl, seconds_at_best, notes, "rnn")
    return [row], {"numpy RNN LM": lp}


# --------------------------------------------------------------------------- torch LSTM
def lstm_sequence_logprobs(model: CharRNN, data) -> np.ndarray:
    """log P(sequence) for every row of unshuffled sequence batches (``<EOS>`` included)."""
    out = []
    with torch.no_grad():
        for inputs, targets in data:
            logits, _ = model(inputs)
            nll = F.cross_entropy(logits.transpose(1, 2), targets, ignore_index=data.ignore_index,
                                  reduction="none")
            out.append(-nll.sum(dim=1).double().numpy())
    return np.concatenate(out)


def lstm_rows(corpus: CharCorpus, budget: Budget, vocab: Vocabulary) -> tuple[list[dict], dict]:
    """The torch LSTM; configurations and checkpoints chosen on validation perplexity."""
    kw = {"eos_index": vocab.eos_index, "pad_index": vocab.pad_index}
    train = encode_all(vocab, corpus.train, add_eos=False)
    val = make_sequence_batches(encode_all(vocab, corpus.validation, add_eos=False), 256, **kw)
    test = make_sequence_batches(encode_all(vocab, corpus.test, add_eos=False), 256, **kw)
    candidates = []
    for cfg in budget.lstm_configs:
        data = make_sequence_batches(train, cfg.batch_size, rng=SEED, **kw)
        model = CharRNN(len(vocab), cfg.n_hidden, cell="lstm", embedding_dim=cfg.embedding_dim,
                        dropout=cfg.dropout, pad_index=vocab.pad_index, seed=SEED)
        seconds, curve, best = 0.0, [], None
        for chunk, done in enumerate(range(cfg.eval_every, cfg.steps + 1, cfg.eval_every)):
            # train_char_model starts a fresh Adam at every call; the seed varies the batch order.
            _, dt = timed(train_char_model, model, data, steps=cfg.eval_every, lr=cfg.lr,
                          seed=SEED + chunk, progress=False)
            seconds += dt
            v = evaluate_perplexity(model, val)
            curve.append((done, v))
            if best is None or v < best[0]:
                best = (v, done, seconds, copy.deepcopy(model.state_dict()))
            log(f"  {corpus.name}: LSTM H={cfg.n_hidden} step {done}: val {v:.3f} ({seconds:.0f} s)")
        model.load_state_dict(best[3])
        candidates.append((best, cfg, curve, seconds, model, len(data)))
    (v, done, seconds_at_best, _), cfg, curve, seconds, model, n_batches = min(candidates, key=lambda c: c[0][0])
    test_ppl = evaluate_perplexity(model, test)
    lp = lstm_sequence_logprobs(model, test)
    inputs = "one-hot input" if cfg.embedding_dim is None else f"embedding {cfg.embedding_dim}"
    notes = (f"1-layer LSTM, {inputs}, hidden {cfg.n_hidden}, dropout {cfg.dropout:g}, Adam lr={cfg.lr:g}, "
             f"batch {cfg.batch_size} {corpus.sequence_kind}s, clip norm 5; best validation after {done} of "
             f"{cfg.steps} steps (~{done / n_batches:.1f} epochs; the whole budget took {seconds:.0f} s); "
             "validation by step: " + ", ".join(f"{s}: {p:.3f}" for s, p in curve))
    if len(candidates) > 1:
        notes += "; configurations tried: " + "; ".join(
            f"H={c[1].n_hidden}, dropout {c[1].dropout:g}, "
            f"{'one-hot' if c[1].embedding_dim is None else 'emb ' + str(c[1].embedding_dim)}, "
            f"batch {c[1].batch_size}: {c[0][0]:.3f} at step {c[0][1]}" for c in candidates)
    row = make_row(corpus, "torch LSTM", None, None, v, test_ppl, seconds_at_best, notes, "rnn")
    return [row], {"torch LSTM": lp}


# --------------------------------------------------------------------------- comparison
def compare_best(corpus: CharCorpus, rows: list[dict], ngram_models: dict, rnn_logprobs: dict,
                 n_boot: int = 2000) -> dict:
    """Best n-gram vs best RNN (each chosen on validation), scored on test.

    A paired bootstrap over test sequences (names or lines) gives a 95 % interval for the
    difference in bits per character.
    """
    ngram = min((r for r in rows if r["family"] == "ngram"), key=lambda r: r["val_ppl"])
    rnn = min((r for r in rows if r["family"] == "rnn"), key=lambda r: r["val_ppl"])
    model = ngram_models[ngram["order"]] if ngram["model"] == "Kneser-Ney" else ngram_models[ngram["model"]]
    lp_ngram = np.array([model.sentence_logprob(s) for s in corpus.test])
    lp_rnn = rnn_logprobs[rnn["model"]]
    counts = np.array([len(s) + 1 for s in corpus.test], dtype=float)
    # The per-sequence sums must reproduce the reported perplexities.
    for lp, row in ((lp_ngram, ngram), (lp_rnn, rnn)):
        assert math.isclose(math.exp(-lp.sum() / counts.sum()), row["test_ppl"], rel_tol=1e-6), row["model"]
    rng = np.random.default_rng(SEED)
    idx = rng.integers(0, len(counts), size=(n_boot, len(counts)))
    bpc_gain = (lp_rnn[idx] - lp_ngram[idx]).sum(axis=1) / counts[idx].sum(axis=1) / LN2
    lo, hi = np.percentile(bpc_gain, [2.5, 97.5])
    ppl_ng, ppl_rnn = ngram["test_ppl"], rnn["test_ppl"]
    return {
        "dataset": corpus.name,
        "best_ngram": f"{ngram['model']} n={ngram['order']} ({ngram['smoothing']})",
        "best_rnn": rnn["model"],
        "ngram_test_ppl": ppl_ng, "rnn_test_ppl": ppl_rnn,
        "ngram_test_bpc": bits(ppl_ng), "rnn_test_bpc": bits(ppl_rnn),
        # > 0: the RNN's perplexity is lower (better) by this fraction of the n-gram's
        "relative_ppl_reduction": (ppl_ng - ppl_rnn) / ppl_ng,
        # > 0: the RNN needs this many fewer bits per character
        "bpc_reduction": bits(ppl_ng) - bits(ppl_rnn),
        "bpc_reduction_95ci": [float(lo), float(hi)],
        "test_sequences": len(counts), "test_characters": int(counts.sum()),
    }


def comparison_sentence(c: dict) -> str:
    better = c["rnn_test_ppl"] < c["ngram_test_ppl"]
    verdict = "beats" if better else "does not beat"
    lo, hi = c["bpc_reduction_95ci"]
    if lo > 0:
        significance = "the interval excludes 0: the RNN is better"
    elif hi < 0:
        significance = "the interval excludes 0: the n-gram is better"
    else:
        significance = "the interval includes 0: no clear winner on this test set"
    return (f"{c['dataset']}: the best RNN ({c['best_rnn']}) {verdict} the best n-gram ({c['best_ngram']}): "
            f"test perplexity {c['rnn_test_ppl']:.3f} vs {c['ngram_test_ppl']:.3f}, "
            f"{abs(c['relative_ppl_reduction']) * 100:.1f} % {'lower' if better else 'higher'}; "
            f"{c['rnn_test_bpc']:.3f} vs {c['ngram_test_bpc']:.3f} bits per character, "
            f"{abs(c['bpc_reduction']):.3f} bits {'fewer' if better else 'more'} "
            f"(paired bootstrap over {c['test_sequences']} test {'names' if c['dataset'] == 'names' else 'lines'}, "
            f"95 % interval of the reduction: [{lo:+.3f}, {hi:+.3f}] bits; {significance}).")


# --------------------------------------------------------------------------- tables
def md(text: str) -> str:
    """Text for a Markdown table cell: ``|`` escaped, ``<EOS>``-like tokens as code (not HTML)."""
    for token in (EOS, UNK, BOS):
        text = text.replace(token, f"`{token}`")
    return text.replace("|", "\\|")


def fmt(x, digits=3) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def markdown_table(rows: list[dict], with_notes: bool) -> str:
    """The model rows (n-grams and RNNs); the nltk check has its own table."""
    head = ["dataset", "model", "n", "smoothing", "val ppl", "test ppl", "test bpc", "train s"]
    if with_notes:
        head.append("notes")
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for r in rows:
        if r["family"] == "check":
            continue
        model = r["model"] + (" ★" if r["selected"] else "")
        cells = [r["dataset"], model, fmt(r["order"]), fmt(r["smoothing"]), fmt(r["val_ppl"]),
                 fmt(r["test_ppl"]), fmt(r["test_bpc"]), fmt(r["train_seconds"], 2)]
        if with_notes:
            cells.append(md(r["notes"]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def nltk_table(rows: list[dict]) -> str:
    """Our Kneser-Ney next to nltk.lm's on the same positions."""
    head = ["dataset", "n", "D", "scored positions (val / test)", "val ppl ours", "val ppl nltk",
            "test ppl ours", "test ppl nltk", "max rel. dev.", "P_nltk = 0", "nltk fit + score s"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for r in rows:
        if r["family"] != "check":
            continue
        v, t = r["check"]["validation"], r["check"]["test"]
        dev = max(v["max_rel_deviation"], t["max_rel_deviation"])
        cells = [r["dataset"], fmt(r["order"]), r["smoothing"].split("D=")[1],
                 f"{v['n_positions']} / {t['n_positions']}", f"{v['ours_ppl']:.4f}", fmt(v["nltk_ppl"], 4),
                 f"{t['ours_ppl']:.4f}", fmt(t["nltk_ppl"], 4), f"{dev:.1e}", str(v["n_zero"] + t["n_zero"]),
                 f"{r['check']['nltk_fit_seconds']:.1f} + {r['check']['nltk_score_seconds']:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


NLTK_EXPLANATION = (
    "nltk is fitted on exactly our n-grams with the same D. Its unigram level is undiscounted and "
    "reserves nothing for unseen characters, ours is interpolated with 1/|V|, so the expected relation "
    "is `P_nltk(w|h) = P_ours(w|h) + P_ours(<UNK>|h)/T` (T = |V| - 1; derived in `tests/test_ngram.py`): nltk's "
    "perplexity is slightly lower. `max rel. dev.` is the largest relative deviation from that relation over "
    "all scored positions. nltk is slow (it rescans every context of the next order for each probability), "
    "so it is scored on every k-th name / line of each split only; `val/test ppl ours` are on the same positions."
)


def markdown_report(meta: dict, rows: list[dict], comparisons: list[dict]) -> str:
    out = [
        "# Character-level language models: held-out perplexity",
        "",
        f"Generated by `benchmarks/lm_perplexity.py{' --quick' if meta['quick'] else ''}` on {meta['date']} "
        f"({meta['total_seconds']:.0f} s in total; {meta['machine']}; torch threads: {meta['torch_threads']}; "
        f"load average at start {meta['load_average_start']}, at end {meta['load_average_end']}). "
        "Wall-clock times depend on the machine and on what else runs on it.",
        "",
        "Every perplexity is per predicted **character**, `<EOS>` included (one per name / per line; on "
        "Moby Dick the `<EOS>` is the newline, so the predictions are exactly the characters of the split). "
        "Every model reads each name / line from its start with no earlier context. Selection (k, D, n, "
        "RNN configuration and checkpoint) on validation only; test scored once. ★ = Kneser-Ney order "
        "chosen on validation. bpc = log2(perplexity). `train s` = seconds to fit (n-grams: counting; RNNs: "
        "training up to the selected checkpoint).",
        "",
        "## Data",
        "",
    ]
    for name, notes in meta["data"].items():
        out.append(f"- **{name}**: " + md("; ".join(notes)) + ".")
    out += ["", "## Results", "", markdown_table(rows, with_notes=False), "",
            "## Check against nltk.lm", "", NLTK_EXPLANATION, "", nltk_table(rows), "",
            "## Best n-gram vs best RNN (test)", ""]
    out += [f"- {md(comparison_sentence(c))}" for c in comparisons]
    out += ["", "## Notes per row", "", markdown_table(rows, with_notes=True), ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- main
def run_dataset(name: str, budget: Budget) -> tuple[CharCorpus, list[dict], dict]:
    log(f"{name}: loading")
    corpus = load_corpus(name, budget)
    vocab = Vocabulary(sorted({c for s in corpus.train for c in s}))  # <PAD>, <UNK>, <EOS>, chars
    rows: list[dict] = []
    add_k, add_k_models = add_k_rows(corpus, budget)
    kn, kn_models = kneser_ney_rows(corpus, budget)
    rows += add_k + kn
    rows += nltk_rows(corpus, budget, kn, kn_models)
    rnn, rnn_lp = numpy_rnn_rows(corpus, budget, vocab)
    lstm, lstm_lp = lstm_rows(corpus, budget, vocab)
    rows += rnn + lstm
    comparison = compare_best(corpus, rows, {**add_k_models, **kn_models}, {**rnn_lp, **lstm_lp})
    return corpus, rows, comparison


def main(argv=None) -> int:
    parser = training_parser(__doc__, DEFAULT_OUT, threads=2)
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    budgets = QUICK if args.quick else FULL
    out = args.out if args.out is not None else (None if args.quick else DEFAULT_OUT)
    start, load_start = time.perf_counter(), load_average()

    corpora, rows, comparisons = [], [], []
    for name in ("names", "moby_dick"):
        corpus, r, c = run_dataset(name, budgets[name])
        corpora.append(corpus)
        rows += r
        comparisons.append(c)

    meta = {
        "script": "benchmarks/lm_perplexity.py", "quick": args.quick,
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "total_seconds": time.perf_counter() - start, "seed": SEED, "torch_threads": args.threads,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "load_average_start": load_start, "load_average_end": load_average(),
        "machine": f"{machine()}, "
                   f"numpy {np.__version__}, torch {torch.__version__}, nltk {nltk.__version__}",
        "units": "perplexity per predicted character, <EOS> included; natural logs; bpc = log2(ppl)",
        "data": {c.name: c.notes for c in corpora},
    }
    print(markdown_table(rows, with_notes=False))
    print()
    print("Check against nltk.lm (same n-grams, same D; expected: nltk slightly lower, see --help):")
    print(nltk_table(rows))
    print()
    print("Best n-gram vs best RNN (test):")
    for c in comparisons:
        print("- " + comparison_sentence(c))
    print(f"\nTotal time: {meta['total_seconds']:.0f} s (load average {load_start} -> {meta['load_average_end']})")

    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"meta": meta, "rows": rows, "comparisons": comparisons}, indent=2,
                                  allow_nan=False) + "\n", encoding="utf-8")
        out.with_suffix(".md").write_text(markdown_report(meta, rows, comparisons), encoding="utf-8")
        print(f"Wrote {out} and {out.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
