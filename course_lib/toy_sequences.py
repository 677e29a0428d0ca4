"""Two synthetic word tasks for long dependencies and bidirectional tagging (torch).

Chapter 11 ("A long-dependency experiment") and chapter 12 ("Bidirectional and deep RNNs")
make two examples of the notes measurable:

=====================  ==========================================  =========================
task (function)        what decides the label                      model
=====================  ==========================================  =========================
:func:`agreement_task` the subject k steps back: "cat ... was",     :class:`LastStepClassifier`
                       "cats ... were" (many-to-one)                (RNN, GRU or LSTM)
:func:`right_context_  the next word: "teddy roosevelt" is a        :class:`Tagger`
tagging`               person, "teddy bears" is not (T_x = T_y)     (one- or two-directional)
=====================  ==========================================  =========================

Both datasets return int64 token indices; the vocabularies are fixed module constants, so an
index means the same word in every call. Training and evaluation reuse
:func:`course_lib.toy_tasks.train`, :func:`~course_lib.toy_tasks.classification_loss`,
:func:`~course_lib.toy_tasks.tagging_loss` and :func:`~course_lib.toy_tasks.accuracy`.

Conventions
-----------
* **PyTorch layout, batch first**, as in :mod:`course_lib.toy_tasks`: tokens ``(m, T)``, the
  one-hot inputs a model builds from them ``(m, T, n_x)``, logits ``(m, n_y)`` or
  ``(m, T, n_y)``. The notes' ``(n_x, m, T_x)`` is ``F.one_hot(tokens, n_x).permute(2, 0, 1)``.
* **Cells**: ``"rnn"`` (``nn.RNN``, tanh: the notes' vanilla RNN), ``"gru"`` (``nn.GRU``) or
  ``"lstm"`` (``nn.LSTM``). Inputs are one-hot vectors, as in the notes.
* **Randomness** only through explicit seeds; the global torch generator is left untouched.

Agreement vocabulary (:data:`AGREEMENT_WORDS`)::

    0 cat  1 dog  2 bird          singular subjects  -> label 0 ("was")
    3 cats 4 dogs 5 birds         plural subjects    -> label 1 ("were")
    6 .. 15                       ten neutral distractor words

Tagging vocabulary (:data:`TAGGING_WORDS`) and tags (:data:`TAGS`: 0 = ``"O"``, 1 = ``"PER"``)::

    0 .. 11   fillers            always O
    12 13     ambiguous words    "teddy", "paris": PER iff the NEXT word is a surname, else O
    14 15 16  surnames           always PER
    17 18 19  common nouns       always O
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .toy_tasks import _check_int, _check_tokens, _seeded, accuracy, classification_loss, train

# --------------------------------------------------------------------------- vocabularies
SINGULAR = ("cat", "dog", "bird")
PLURAL = ("cats", "dogs", "birds")
DISTRACTORS = ("which", "already", "ate", "the", "fish", "and", "then", "slept", "on", "mat")
SUBJECTS = SINGULAR + PLURAL
AGREEMENT_WORDS = SUBJECTS + DISTRACTORS
N_AGREEMENT_WORDS = len(AGREEMENT_WORDS)                 # 16, the one-hot length n_x
VERBS = ("was", "were")                                  # label 0 = singular, 1 = plural

FILLERS = ("he", "she", "said", "saw", "that", "was", "a", "great", "man", "are", "on", "sale")
AMBIGUOUS = ("teddy", "paris")
SURNAMES = ("roosevelt", "hilton", "kennedy")
NOUNS = ("bears", "hotels", "toys")
TAGGING_WORDS = FILLERS + AMBIGUOUS + SURNAMES + NOUNS
N_TAGGING_WORDS = len(TAGGING_WORDS)                     # 20
TAGS = ("O", "PER")
O, PER = 0, 1

AMBIGUOUS_IDS = tuple(TAGGING_WORDS.index(w) for w in AMBIGUOUS)
SURNAME_IDS = tuple(TAGGING_WORDS.index(w) for w in SURNAMES)
NOUN_IDS = tuple(TAGGING_WORDS.index(w) for w in NOUNS)

CELLS = ("rnn", "gru", "lstm")

__all__ = [
    "SINGULAR", "PLURAL", "SUBJECTS", "DISTRACTORS", "AGREEMENT_WORDS", "N_AGREEMENT_WORDS",
    "VERBS",
    "FILLERS", "AMBIGUOUS", "SURNAMES", "NOUNS", "TAGGING_WORDS", "N_TAGGING_WORDS", "TAGS",
    "O", "PER", "AMBIGUOUS_IDS", "SURNAME_IDS", "NOUN_IDS", "CELLS",
    "agreement_task", "right_context_tagging", "ambiguous_mask", "words",
    "LastStepClassifier", "Tagger", "masked_accuracy", "updates_to_learn", "run_agreement",
]


# --------------------------------------------------------------------------- datasets
def agreement_task(n: int, k: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Subject--verb agreement across ``k`` distractors: "cat which ate ... -> was".

    Every sequence is a subject (singular or plural) followed by ``k`` distractor words drawn
    uniformly and independently from :data:`DISTRACTORS`. The label, read after the last word,
    is the verb that agrees with the subject: 0 (``"was"``) for a singular subject, 1
    (``"were"``) for a plural one. The distractors carry no information, so the only evidence
    is ``k`` steps before the last input; exactly half of the examples (``n // 2``) have label
    0, so guessing scores 0.5.

    Parameters
    ----------
    n : int
        Number of examples, at least 2.
    k : int
        Number of distractors between the subject and the end, at least 0 (then the subject is
        the only word).
    seed : int
        Seed of the numpy generator.

    Returns
    -------
    x : torch.Tensor of shape (n, k + 1), int64
        Word indices into :data:`AGREEMENT_WORDS`; ``x[:, 0]`` is the subject, in
        ``0 .. 5``, and ``x[:, 1:]`` are distractors, in ``6 .. 15``.
    y : torch.Tensor of shape (n,), int64
        0 if the subject is in :data:`SINGULAR`, 1 if it is in :data:`PLURAL`.

    Raises
    ------
    ValueError
        If ``n < 2`` or ``k < 0`` (or either is not an integer).
    """
    n = _check_int("n", n, 2)
    k = _check_int("k", k, 0)
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat([0, 1], [n // 2, n - n // 2]))
    subject = rng.integers(0, len(SINGULAR), size=n) + y * len(SINGULAR)
    distractors = rng.integers(0, len(DISTRACTORS), size=(n, k)) + len(SUBJECTS)
    x = np.concatenate([subject[:, None], distractors], axis=1)
    return torch.from_numpy(x.astype(np.int64)), torch.from_numpy(y.astype(np.int64))


def right_context_tagging(n: int, T: int, seed: int, p_pair: float = 0.3
                          ) -> tuple[torch.Tensor, torch.Tensor]:
    """Name tagging where the tag of an ambiguous word depends on the word to its RIGHT.

    "teddy roosevelt": "teddy" is part of a person's name (``PER``); "teddy bears": it is not
    (``O``). Sentences are written left to right: at each position that leaves room for two
    words, with probability ``p_pair`` an ambiguous word (:data:`AMBIGUOUS`) is written followed
    by a surname or by a common noun (each with probability 1/2), otherwise one filler word.
    The last position is always a filler, so every ambiguous word has a right neighbour.

    Tags: fillers and nouns are ``O``, surnames are ``PER``, and an ambiguous word is ``PER``
    exactly when the next word is a surname. Everything to the LEFT of an ambiguous word is
    independent of its tag, so a left-to-right tagger can only guess there (accuracy 1/2 on
    those positions); a tagger that also reads the next word can be always right.

    Parameters
    ----------
    n : int
        Number of sentences, at least 1.
    T : int
        Length of every sentence, at least 3.
    seed : int
        Seed of the numpy generator.
    p_pair : float, default 0.3
        Probability of starting an (ambiguous word, next word) pair at a position; in (0, 1].

    Returns
    -------
    tokens : torch.Tensor of shape (n, T), int64
        Word indices into :data:`TAGGING_WORDS` (``0 .. 19``).
    tags : torch.Tensor of shape (n, T), int64
        ``O = 0`` or ``PER = 1`` for every word.

    Raises
    ------
    ValueError
        If ``n < 1``, ``T < 3`` or ``p_pair`` is not in (0, 1].

    Examples
    --------
    >>> tokens, tags = right_context_tagging(n=2, T=8, seed=0)
    >>> words(tokens[0])            # doctest: +SKIP
    ['saw', 'teddy', 'bears', 'he', ...]
    """
    n = _check_int("n", n, 1)
    T = _check_int("T", T, 3)
    if isinstance(p_pair, bool) or not isinstance(p_pair, (int, float)) or not 0 < p_pair <= 1:
        raise ValueError(f"p_pair must be a probability in (0, 1], got {p_pair!r}")
    rng = np.random.default_rng(seed)
    # draw every random choice up front (one array each), then fill the sentences left to right
    start_pair = rng.random((n, T)) < p_pair
    ambiguous = np.asarray(AMBIGUOUS_IDS)[rng.integers(0, len(AMBIGUOUS_IDS), size=(n, T))]
    is_name = rng.random((n, T)) < 0.5
    surname = np.asarray(SURNAME_IDS)[rng.integers(0, len(SURNAME_IDS), size=(n, T))]
    noun = np.asarray(NOUN_IDS)[rng.integers(0, len(NOUN_IDS), size=(n, T))]
    filler = rng.integers(0, len(FILLERS), size=(n, T))

    tokens = np.empty((n, T), dtype=np.int64)
    tags = np.full((n, T), O, dtype=np.int64)
    for i in range(n):
        t = 0
        while t < T:
            if t <= T - 3 and start_pair[i, t]:               # room for the pair and a last filler
                tokens[i, t] = ambiguous[i, t]
                tokens[i, t + 1] = surname[i, t] if is_name[i, t] else noun[i, t]
                tags[i, t] = tags[i, t + 1] = PER if is_name[i, t] else O
                t += 2
            else:
                tokens[i, t] = filler[i, t]
                t += 1
    return torch.from_numpy(tokens), torch.from_numpy(tags)


def ambiguous_mask(tokens: torch.Tensor) -> torch.Tensor:
    """True where the word is one of :data:`AMBIGUOUS` ("teddy", "paris").

    Parameters
    ----------
    tokens : torch.Tensor of shape (m, T), int64
        Indices into :data:`TAGGING_WORDS`.

    Returns
    -------
    torch.Tensor of shape (m, T), bool
    """
    _check_tokens("tokens", tokens, 2, "(m, T)", N_TAGGING_WORDS)
    return torch.isin(tokens, torch.tensor(AMBIGUOUS_IDS))


def words(tokens, vocabulary: tuple[str, ...] = TAGGING_WORDS) -> list[str]:
    """The words of a 1-d sequence of indices, e.g. ``words(tokens[0])``."""
    return [vocabulary[int(i)] for i in tokens]


# --------------------------------------------------------------------------- models
def _check_cell(cell: str) -> str:
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {CELLS}, got {cell!r}")
    return cell


def _recurrent_layer(cell: str, n_x: int, n_a: int, num_layers: int = 1,
                     bidirectional: bool = False) -> nn.Module:
    kind = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}[_check_cell(cell)]
    return kind(n_x, n_a, num_layers=num_layers, bidirectional=bidirectional, batch_first=True)


class LastStepClassifier(nn.Module):
    """Many-to-one: read the whole sequence, classify from the last activation a^{<T_x>}.

    ``a^{<t>} = cell(a^{<t-1>}, x^{<t>})`` for t = 1 .. T_x from a^{<0>} = 0, then
    ``ŷ = softmax(W_ya a^{<T_x>} + b_y)``; ``forward`` returns the logits.
    It is :class:`course_lib.toy_tasks.ManyToOne` with an LSTM option.

    Parameters
    ----------
    cell : {"rnn", "gru", "lstm"}
    n_a : int
        Hidden units.
    n_x : int, default N_AGREEMENT_WORDS
        One-hot input length.
    n_y : int, default 2
        Number of classes.
    seed : int, default 0
        Seed of the initial weights (PyTorch's default initialisation).
    remember_bias : float, default 0.0
        Added to the initial bias of the gate that keeps the old memory, for ``"gru"`` and
        ``"lstm"`` only: the LSTM's forget gate Γ_f, and the GRU's ``z`` gate of
        ``torch.nn.GRU`` (z = 1 - Γ_u in the notes' convention,
        a^{<t>} = (1 - z) * c̃^{<t>} + z * a^{<t-1>}). With the default 0 the gate starts near
        σ(0) = 1/2, so the memory halves at every step; with ``b`` it starts near σ(b).

    Attributes
    ----------
    rnn : nn.RNN, nn.GRU or nn.LSTM (one layer, batch first)
    out : nn.Linear (n_a -> n_y)

    Raises
    ------
    ValueError
        Unknown ``cell``, a size that is not a positive integer, or a non-zero
        ``remember_bias`` for ``cell="rnn"`` (which has no gate).
    """

    def __init__(self, cell: str, n_a: int, n_x: int = N_AGREEMENT_WORDS, n_y: int = 2,
                 seed: int = 0, remember_bias: float = 0.0):
        super().__init__()
        self.cell = _check_cell(cell)
        self.n_a = _check_int("n_a", n_a, 1)
        self.n_x = _check_int("n_x", n_x, 1)
        self.n_y = _check_int("n_y", n_y, 1)
        if isinstance(remember_bias, bool) or not isinstance(remember_bias, (int, float)):
            raise ValueError(f"remember_bias must be a number, got {remember_bias!r}")
        if cell == "rnn" and remember_bias != 0:
            raise ValueError("remember_bias needs a gated cell ('gru' or 'lstm'); "
                             "the plain RNN has no gate")
        with _seeded(seed):
            self.rnn = _recurrent_layer(cell, self.n_x, self.n_a)
            self.out = nn.Linear(self.n_a, self.n_y)
        if remember_bias:
            # torch stacks the gates as (r, z, n) for the GRU and (i, f, g, o) for the LSTM:
            # the keeping gate is the second block in both
            with torch.no_grad():
                self.rnn.bias_ih_l0[self.n_a:2 * self.n_a] += float(remember_bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (m, n_y) for tokens x of shape (m, T_x), int64 in ``0 .. n_x - 1``.

        The logits have the dtype of the model's weights (float32 unless ``.double()`` was
        called).
        """
        _check_tokens("x", x, 2, "(m, T_x)", self.n_x)
        x_one_hot = F.one_hot(x, self.n_x).to(self.out.weight.dtype)   # (m, T_x, n_x)
        a, _ = self.rnn(x_one_hot)                                      # (m, T_x, n_a)
        return self.out(a[:, -1])


class Tagger(nn.Module):
    """Many-to-many tagger (T_y = T_x), left-to-right or bidirectional, one or more layers.

    Unidirectional: ``ŷ^{<t>} = softmax(W_y a^{[L]<t>} + b_y)``.
    Bidirectional (a BRNN): a second recurrent layer reads the sequence from right to left and
    ``ŷ^{<t>} = softmax(W_y [a→^{<t>}; a←^{<t>}] + b_y)``, so ``W_y`` has ``2 n_a`` columns.
    With ``num_layers > 1`` the recurrent layers are stacked (a deep RNN); in a deep BRNN each
    layer reads both directions of the layer below, as ``torch.nn.RNN`` does.

    Parameters
    ----------
    cell : {"rnn", "gru", "lstm"}
    n_a : int
        Hidden units per direction and layer.
    bidirectional : bool, default False
    num_layers : int, default 1
    n_x : int, default N_TAGGING_WORDS
    n_y : int, default len(TAGS)
    seed : int, default 0

    Attributes
    ----------
    rnn : nn.RNN, nn.GRU or nn.LSTM (batch first)
    out : nn.Linear (n_a or 2 n_a -> n_y)
    """

    def __init__(self, cell: str, n_a: int, bidirectional: bool = False, num_layers: int = 1,
                 n_x: int = N_TAGGING_WORDS, n_y: int = len(TAGS), seed: int = 0):
        super().__init__()
        self.cell = _check_cell(cell)
        self.n_a = _check_int("n_a", n_a, 1)
        self.num_layers = _check_int("num_layers", num_layers, 1)
        self.n_x = _check_int("n_x", n_x, 1)
        self.n_y = _check_int("n_y", n_y, 1)
        if not isinstance(bidirectional, bool):
            raise ValueError(f"bidirectional must be True or False, got {bidirectional!r}")
        self.bidirectional = bidirectional
        with _seeded(seed):
            self.rnn = _recurrent_layer(cell, self.n_x, self.n_a, self.num_layers, bidirectional)
            self.out = nn.Linear((2 if bidirectional else 1) * self.n_a, self.n_y)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (m, T_x, n_y) for tokens x of shape (m, T_x), int64 in ``0 .. n_x - 1``.

        The logits have the dtype of the model's weights (float32 unless ``.double()`` was
        called).
        """
        _check_tokens("x", x, 2, "(m, T_x)", self.n_x)
        x_one_hot = F.one_hot(x, self.n_x).to(self.out.weight.dtype)   # (m, T_x, n_x)
        a, _ = self.rnn(x_one_hot)                          # (m, T_x, n_a or 2 n_a)
        return self.out(a)


def masked_accuracy(logits: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> float:
    """Accuracy over the positions where ``mask`` is True, e.g. only the ambiguous words.

    Parameters
    ----------
    logits : torch.Tensor of shape (m, T, n_y)
    target : torch.Tensor of shape (m, T), int64
    mask : torch.Tensor of shape (m, T), bool

    Raises
    ------
    ValueError
        If the shapes disagree or the mask selects nothing.
    """
    if tuple(logits.shape[:-1]) != tuple(target.shape) or tuple(mask.shape) != tuple(target.shape):
        raise ValueError(f"logits {tuple(logits.shape)}, target {tuple(target.shape)} and mask "
                         f"{tuple(mask.shape)} must have shapes (m, T, n_y), (m, T), (m, T)")
    if mask.dtype != torch.bool or not bool(mask.any()):
        raise ValueError("mask must be a bool tensor with at least one True entry")
    hits = logits.argmax(dim=-1) == target
    return hits[mask].float().mean().item()


# --------------------------------------------------------------------------- the experiment
def updates_to_learn(losses, threshold: float = 0.1, window: int = 20) -> int | None:
    """The first update after which the mean of the last ``window`` losses is below ``threshold``.

    Parameters
    ----------
    losses : sequence of float
        The mini-batch loss of every update, as :func:`course_lib.toy_tasks.train` returns them.
    threshold : float, default 0.1
        A cross-entropy of 0.1 means that the right class gets about 90 % probability.
    window : int, default 20

    Returns
    -------
    int or None
        A 1-based update count, or None if the running mean never gets below ``threshold``.
    """
    window = _check_int("window", window, 1)
    losses = np.asarray(losses, dtype=float)
    if losses.ndim != 1:
        raise ValueError(f"losses must be a 1-d sequence, got shape {losses.shape}")
    running = np.convolve(losses, np.ones(window) / window, mode="valid")
    below = np.flatnonzero(running < threshold)
    return int(below[0]) + window if below.size else None


def run_agreement(cell: str, k: int, seed: int, *, remember_bias: float = 0.0, n_a: int = 32,
                  updates: int = 1000, batch_size: int = 64, lr: float = 0.005,
                  n_test: int = 1000) -> tuple[LastStepClassifier, dict]:
    """Train one :class:`LastStepClassifier` on :func:`agreement_task` and test it.

    The protocol of chapter 11 and ``benchmarks/long_dependency.py``: every update sees
    ``batch_size`` new examples (``updates * batch_size`` are drawn from ``seed``, and each is
    used once, so nothing can be memorised), Adam with learning rate ``lr`` and gradient
    clipping at norm 1 (:func:`course_lib.toy_tasks.train`), then the accuracy on ``n_test``
    examples drawn from the seed ``10_000 + k`` (the same test set for every cell and seed).

    Parameters
    ----------
    cell : {"rnn", "gru", "lstm"}
    k : int
        Number of distractors, at least 0.
    seed : int
        Seed of the training examples, of the initial weights and of the batch order.
    remember_bias : float, keyword-only, default 0.0
        See :class:`LastStepClassifier`; must be 0 for ``"rnn"``.
    n_a, updates, batch_size, lr, n_test : keyword-only
        Hidden units, number of Adam updates, examples per update, learning rate, test examples.

    Returns
    -------
    model : LastStepClassifier
        The trained model (in eval mode).
    result : dict
        ``cell``, ``k``, ``seed``, ``remember_bias``, ``accuracy`` (test), ``updates_to_learn``
        (:func:`updates_to_learn`, or None), ``final_loss`` (mean of the last 20 updates) and
        ``losses`` (every update's mini-batch loss).
    """
    updates = _check_int("updates", updates, 1)
    batch_size = _check_int("batch_size", batch_size, 1)
    x_train, y_train = agreement_task(updates * batch_size, k, seed=seed)
    x_test, y_test = agreement_task(_check_int("n_test", n_test, 2), k, seed=10_000 + k)
    model = LastStepClassifier(cell, n_a, seed=seed, remember_bias=remember_bias)
    losses = train(model, (x_train, y_train), classification_loss, epochs=1, lr=lr, seed=seed,
                   batch_size=batch_size, clip=1.0, progress=False)
    with torch.no_grad():
        test_accuracy = accuracy(model(x_test), y_test)
    result = {"cell": cell, "k": int(k), "seed": int(seed), "remember_bias": float(remember_bias),
              "accuracy": test_accuracy, "updates_to_learn": updates_to_learn(losses),
              "final_loss": float(np.mean(losses[-20:])), "losses": losses}
    return model, result
