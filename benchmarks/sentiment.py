"""Sentence sentiment accuracy: majority class, bag of words, GloVe averaging, GloVe RNNs.

Data: :func:`course_lib.sentiment.load_sentiment` -- Rotten Tomatoes sentences (train 8,454,
validation 1,057, test 1,057) and, out of domain, 3,610 Amazon product-review sentences
(Hutto & Gilbert 2014; label 1 = mean human score > 0). Every model is fitted on the training
split only; every choice (C, weight decay, number of epochs) is made on the validation split;
test and Amazon are each scored once per selected model.

Models:

* majority class of the training split;
* bag of words: ``sklearn`` CountVectorizer (unigrams) and TfidfVectorizer (unigrams + bigrams)
  with the course's GloVe tokeniser, then LogisticRegression, C chosen on validation;
* the averaging model of the notes on GloVe 6B 50d (:func:`course_lib.sentiment.train_averaging_model`,
  numpy), weight decay chosen on validation;
* many-to-one RNNs over GloVe 50d (:class:`course_lib.sentiment.SentimentRNN`): LSTM with frozen
  and with fine-tuned embeddings, GRU and plain RNN frozen; n_a = 64, Adam (learning rate 3e-3,
  minibatches of 32), up to 10 epochs, the epoch with the best validation accuracy is kept.
  Each RNN is trained with three seeds (initial weights and minibatch order); the table gives
  the mean and the standard deviation.

It also lists test sentences that the frozen LSTM (seed 0) gets right and the averaging model
gets wrong (and counts the reverse).

Run from the repository root::

    .venv/bin/python benchmarks/sentiment.py            # full run, 6-8 min on one core
    .venv/bin/python benchmarks/sentiment.py --quick    # smoke run, ~30 s, writes nothing

Wall-clock times depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import copy  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
import torch  # noqa: E402
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from course_lib import sentiment as st  # noqa: E402
from course_lib.embeddings import load_glove  # noqa: E402
from _common import load_average, log, machine, training_parser  # noqa: E402

DEFAULT_OUT = REPO / "benchmarks" / "results" / "sentiment.json"
SEED = 0
EVAL_SPLITS = ("validation", "test", "amazon")
C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
L2_GRID = (0.0, 1e-3, 1e-2)
# The four restaurant reviews of the lecture notes (stars as in the notes): every model's
# probability of "positive" for each is stored, so the chapter can show them.
NOTES_REVIEWS = (("The dessert is excellent.", 4), ("Service was quite slow.", 2),
                 ("Good for a quick meal but nothing special.", 3),
                 ("Completely lacking in good taste, good service, and good ambiance.", 1))
FULL = {"subset": None, "epochs": 10, "averaging_steps": 500, "n_a": 64, "seeds": (0, 1, 2)}
QUICK = {"subset": 1500, "epochs": 2, "averaging_steps": 100, "n_a": 16, "seeds": (0, 1)}


def load_data(subset: int | None) -> dict:
    data = {}
    for split in ("train",) + EVAL_SPLITS:
        sentences, labels = st.load_sentiment(split)
        if subset is not None and len(sentences) > subset:
            # evenly spaced: the source files list all positive sentences first
            keep = np.linspace(0, len(sentences) - 1, subset).round().astype(int)
            sentences, labels = [sentences[i] for i in keep], labels[keep]
        data[split] = {"sentences": sentences, "labels": labels,
                       "tokens": [st.glove_tokenize(s) for s in sentences]}
    return data


def row(model: str, features: str, chosen: str, seconds: float, predictions: dict, data: dict) -> dict:
    out = {"model": model, "features": features, "chosen_on_validation": chosen,
           "train_seconds": round(seconds, 2)}
    for split in EVAL_SPLITS:
        out[f"{split}_accuracy"] = st.accuracy(data[split]["labels"], predictions[split])
    out["test_confusion"] = st.confusion_matrix(data["test"]["labels"], predictions["test"], 2).tolist()
    out["amazon_confusion"] = st.confusion_matrix(data["amazon"]["labels"], predictions["amazon"], 2).tolist()
    log(f"  {model:<32} val {out['validation_accuracy']:.3f}  test {out['test_accuracy']:.3f}  "
        f"amazon {out['amazon_accuracy']:.3f}  ({seconds:.1f} s)")
    return out


def majority_row(data: dict) -> dict:
    majority = int(np.bincount(data["train"]["labels"]).argmax())
    predictions = {s: np.full(len(data[s]["labels"]), majority) for s in EVAL_SPLITS}
    return row("majority class", "none", f"class {majority} ({st.CLASS_NAMES[majority]})", 0.0,
               predictions, data)


def bag_of_words_row(data: dict, vectorizer_cls, ngram_range, name: str) -> dict:
    start = time.perf_counter()
    vectorizer = vectorizer_cls(tokenizer=st.glove_tokenize, lowercase=False, token_pattern=None,
                                ngram_range=ngram_range)
    X_train = vectorizer.fit_transform(data["train"]["sentences"])
    X = {s: vectorizer.transform(data[s]["sentences"]) for s in EVAL_SPLITS}
    best = None
    for C in C_GRID:
        clf = LogisticRegression(C=C, max_iter=2000).fit(X_train, data["train"]["labels"])
        acc = st.accuracy(data["validation"]["labels"], clf.predict(X["validation"]))
        if best is None or acc > best[0]:
            best = (acc, C, clf)
    _, C, clf = best
    seconds = time.perf_counter() - start
    predictions = {s: clf.predict(X[s]) for s in EVAL_SPLITS}
    out = row(name, f"{len(vectorizer.vocabulary_):,} features", f"C = {C:g}", seconds, predictions, data)
    out["notes_reviews_p_positive"] = clf.predict_proba(
        vectorizer.transform([r for r, _ in NOTES_REVIEWS]))[:, 1].tolist()
    return out


def averaging_row(data: dict, wv, steps: int) -> tuple[dict, dict]:
    start = time.perf_counter()
    avg = {s: st.average_embeddings(data[s]["tokens"], wv)[0] for s in ("train",) + EVAL_SPLITS}
    best = None
    for l2 in L2_GRID:
        parameters, _ = st.train_averaging_model(avg["train"], data["train"]["labels"], epochs=steps,
                                                 l2=l2, seed=SEED)
        acc = st.accuracy(data["validation"]["labels"], st.predict_averaging(avg["validation"], parameters))
        if best is None or acc > best[0]:
            best = (acc, l2, parameters)
    _, l2, parameters = best
    seconds = time.perf_counter() - start
    predictions = {s: st.predict_averaging(avg[s], parameters) for s in EVAL_SPLITS}
    out = row("averaging model (softmax)", "GloVe 50d mean", f"weight decay {l2:g}", seconds,
              predictions, data)
    notes_avg, _ = st.average_embeddings([st.glove_tokenize(r) for r, _ in NOTES_REVIEWS], wv)
    out["notes_reviews_p_positive"] = st.averaging_forward(notes_avg, parameters)[0][1].tolist()
    return out, predictions


def train_rnn(sequences: dict, data: dict, E, cell: str, freeze: bool, budget: dict, seed: int):
    """One training run; returns (predictions per split, best epoch, seconds)."""
    model = st.SentimentRNN(E, n_a=budget["n_a"], cell=cell, freeze=freeze, seed=seed)
    best, start = None, time.perf_counter()
    for epoch in range(1, budget["epochs"] + 1):
        st.train_sentiment_rnn(model, sequences["train"], data["train"]["labels"], epochs=1,
                               batch_size=32, learning_rate=3e-3, seed=1000 * seed + epoch)
        acc = st.accuracy(data["validation"]["labels"], st.predict_rnn(model, sequences["validation"]))
        if best is None or acc > best[0]:
            best = (acc, epoch, copy.deepcopy(model.state_dict()))
    seconds = time.perf_counter() - start
    model.load_state_dict(best[2])
    model.eval()
    with torch.no_grad():
        notes = sequences["notes"]
        p_positive = torch.softmax(model(*st.batch_tensors(notes)), dim=1)[:, 1].tolist()
    return {s: st.predict_rnn(model, sequences[s]) for s in EVAL_SPLITS}, best[1], seconds, p_positive


def rnn_row(data: dict, vocab, E, cell: str, freeze: bool, budget: dict) -> tuple[dict, dict]:
    """Mean over the seeds of ``budget["seeds"]``; the per-seed numbers are kept in the row."""
    sequences = {s: st.encode_sentences(data[s]["tokens"], vocab) for s in ("train",) + EVAL_SPLITS}
    sequences["notes"] = st.encode_sentences([st.glove_tokenize(r) for r, _ in NOTES_REVIEWS], vocab)
    runs = [train_rnn(sequences, data, E, cell, freeze, budget, seed) for seed in budget["seeds"]]
    name = f"{cell.upper()} many-to-one, {'frozen' if freeze else 'fine-tuned'}"
    epochs = ", ".join(str(r[1]) for r in runs)
    out = row(name, f"GloVe 50d, n_a = {budget['n_a']}", f"epochs {epochs} of {budget['epochs']}",
              float(np.mean([r[2] for r in runs])), runs[0][0], data)
    out["train_seconds_note"] = "mean over the seeds"
    out["seeds"] = list(budget["seeds"])
    for split in EVAL_SPLITS:
        per_seed = [st.accuracy(data[split]["labels"], r[0][split]) for r in runs]
        out[f"{split}_accuracy_per_seed"] = per_seed
        out[f"{split}_accuracy"] = float(np.mean(per_seed))
        out[f"{split}_accuracy_std"] = float(np.std(per_seed))
    out["notes_reviews_p_positive"] = np.mean([r[3] for r in runs], axis=0).tolist()
    out["confusion_note"] = f"confusion matrices of the run with seed {budget['seeds'][0]}"
    log(f"    mean over seeds {budget['seeds']}: test {out['test_accuracy']:.3f} "
        f"+- {out['test_accuracy_std']:.3f}, amazon {out['amazon_accuracy']:.3f}")
    return out, runs[0][0]


def disagreements(data: dict, rnn_pred: np.ndarray, avg_pred: np.ndarray, limit: int = 12) -> dict:
    y = data["test"]["labels"]
    rnn_only = np.flatnonzero((rnn_pred == y) & (avg_pred != y))
    avg_only = np.flatnonzero((avg_pred == y) & (rnn_pred != y))
    # the shortest sentences first: they are the easiest to read in the book
    shown = sorted(rnn_only, key=lambda i: len(data["test"]["sentences"][i]))[:limit]
    return {"rnn_right_averaging_wrong": int(rnn_only.size), "averaging_right_rnn_wrong": int(avg_only.size),
            "examples": [{"sentence": data["test"]["sentences"][i], "label": int(y[i])} for i in shown]}


def fmt(x, std=None) -> str:
    return f"{100 * x:.1f}" + (f" ± {100 * std:.1f}" if std is not None else "")


def markdown_table(rows: list[dict]) -> str:
    lines = ["| model | features | chosen on validation | validation % | test % | Amazon % | train s |",
             "|---|---|---|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['features']} | {r['chosen_on_validation']} | "
                     f"{fmt(r['validation_accuracy'], r.get('validation_accuracy_std'))} | "
                     f"{fmt(r['test_accuracy'], r.get('test_accuracy_std'))} | "
                     f"{fmt(r['amazon_accuracy'], r.get('amazon_accuracy_std'))} | {r['train_seconds']:.1f} |")
    return "\n".join(lines)


def markdown_report(meta: dict, rows: list[dict], diff: dict) -> str:
    examples = "\n".join(f"- ({st.CLASS_NAMES[e['label']]}) {e['sentence']}" for e in diff["examples"])
    return "\n".join([
        "# Sentiment classification: accuracy (%)", "",
        f"Generated by `{meta['script']}` on {meta['date']} ({meta['total_seconds']:.0f} s in total; "
        f"{meta['machine']}; torch threads: {meta['torch_threads']}; load average "
        f"{meta['load_average_start']} -> {meta['load_average_end']}). "
        "Wall-clock times depend on the machine and on what else runs on it.", "",
        markdown_table(rows), "",
        "RNN rows: mean ± standard deviation over the seeds "
        f"{meta['budget']['seeds']} (weights and minibatch order); training seconds are per run.", "",
        f"Test sentences the frozen LSTM gets right and the averaging model gets wrong: "
        f"{diff['rnn_right_averaging_wrong']}; the reverse: {diff['averaging_right_rnn_wrong']}. "
        "The shortest of the first kind:", "", examples, ""])


def main(argv=None) -> int:
    parser = training_parser(__doc__, DEFAULT_OUT, threads=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    budget = QUICK if args.quick else FULL
    out = args.out if args.out is not None else (None if args.quick else DEFAULT_OUT)
    start, load_start = time.perf_counter(), load_average()

    data = load_data(budget["subset"])
    wv = load_glove()
    vocab, E = st.build_embedding_matrix(data["train"]["tokens"], wv)
    log(f"vocabulary of the training split: {len(vocab):,} rows of GloVe")
    rows = [majority_row(data),
            bag_of_words_row(data, CountVectorizer, (1, 1), "bag of words, counts (logistic regression)"),
            bag_of_words_row(data, TfidfVectorizer, (1, 2), "bag of 1-2-grams, tf-idf (logistic regression)")]
    averaging, avg_pred = averaging_row(data, wv, budget["averaging_steps"])
    rows.append(averaging)
    rnn_predictions = {}
    for cell, freeze in (("lstm", True), ("lstm", False), ("gru", True), ("rnn", True)):
        r, pred = rnn_row(data, vocab, E, cell, freeze, budget)
        rows.append(r)
        rnn_predictions[(cell, freeze)] = pred
    diff = disagreements(data, rnn_predictions[("lstm", True)]["test"], avg_pred["test"])

    meta = {
        "script": "benchmarks/sentiment.py", "quick": args.quick,
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "total_seconds": time.perf_counter() - start, "seed": SEED, "torch_threads": args.threads,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "load_average_start": load_start, "load_average_end": load_average(),
        "machine": f"{machine()}, "
                   f"numpy {np.__version__}, torch {torch.__version__}, scikit-learn {sklearn.__version__}",
        "sizes": {s: len(data[s]["labels"]) for s in ("train",) + EVAL_SPLITS},
        "positive_fraction": {s: float(np.mean(data[s]["labels"])) for s in ("train",) + EVAL_SPLITS},
        "embedding_rows": len(vocab), "budget": budget,
        "notes_reviews": [{"review": r, "stars": stars} for r, stars in NOTES_REVIEWS],
        "notes_reviews_note": "notes_reviews_p_positive in a row: the model's probability of "
                              "'positive' for each review (RNNs: mean over the seeds)",
    }
    print(markdown_table(rows))
    print("\nP(positive) for the notes' reviews:")
    for i, (review, stars) in enumerate(NOTES_REVIEWS):
        shown = ", ".join(f"{r['model']} {r['notes_reviews_p_positive'][i]:.2f}"
                          for r in rows if "notes_reviews_p_positive" in r)
        print(f"  {stars} stars, {review!r}: {shown}")
    print(f"\nFrozen LSTM right / averaging wrong on test: {diff['rnn_right_averaging_wrong']}; "
          f"the reverse: {diff['averaging_right_rnn_wrong']}")
    for e in diff["examples"]:
        print(f"  ({st.CLASS_NAMES[e['label']]}) {e['sentence']}")
    print(f"\nTotal time: {meta['total_seconds']:.0f} s (load average {load_start} -> {meta['load_average_end']})")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"meta": meta, "rows": rows, "disagreements": diff}, indent=2,
                                  allow_nan=False, ensure_ascii=False) + "\n", encoding="utf-8")
        out.with_suffix(".md").write_text(markdown_report(meta, rows, diff), encoding="utf-8")
        print(f"Wrote {out} and {out.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
