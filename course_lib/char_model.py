"""A character-level language model in torch: model, batches, training, perplexity, sampling.

This is the torch twin of the numpy language model and sampler: the chapters train it on a book
(*Moby Dick*) or on a list of names in seconds, sample from it with the same arguments as
``course_lib.sampling.sample``, and ask how far back its predictions look.

Conventions
-----------
* **PyTorch layout, batch first.** Character indices are int64 tensors of shape
  ``(batch, T)``; the input vectors the model builds from them are ``(batch, T, n_in)``; logits
  are ``(batch, T, n_vocab)``. The recurrent state follows ``torch.nn.LSTM``: ``(h, c)`` for an
  LSTM, ``h`` for a GRU or vanilla RNN, each of shape ``(n_layers, batch, n_hidden)`` (PyTorch
  keeps the layer axis first even with ``batch_first=True``). The notes' numpy layout
  ``(n_x, m, T_x)`` is ``x.permute(2, 0, 1)`` of the one-hot tensor.
* **Indices** come from a :class:`course_lib.text.Vocabulary` of characters,
  ``Vocabulary(list_of_chars)``: ``<PAD>`` = 0, ``<UNK>`` = 1, ``<EOS>`` = 2, then the characters.
* **One-hot input, as in the notes** (``embedding_dim=None``): x^{<t>} is the one-hot vector of
  the character read at step t. **The index ``pad_index`` (``<PAD>``, 0) is read as the zero
  vector** -- "no character", exactly like the all-zero padding columns of
  :func:`course_lib.text.batch_one_hot`. With a learned embedding ``<PAD>`` maps to a zero vector
  too (``nn.Embedding(padding_idx=pad_index)``).
* **The zero input starts a sequence.** The notes start every sentence with x^{<1>} = 0 and
  a^{<0>} = 0, so that ŷ^{<1>} is the distribution of the *first* character. The name batches of
  :func:`make_sequence_batches` therefore read ``[<PAD>, c_1, ..., c_n]`` (``<PAD>`` = the zero
  vector) and predict ``[c_1, ..., c_n, <EOS>]``; :func:`sample` with ``prime=None`` starts
  from x^{<1>} = 0 as well. (Pass ``start_index=eos_index`` to use ``<EOS>`` as a learned start
  symbol instead.)
* **Long texts** use the truncated-BPTT layout of :func:`make_batches`: ``batch_size`` parallel
  streams cut into windows of ``seq_len`` characters; the state at the end of one window is the
  (detached) initial state of the next.
* **Randomness** only through explicit seeds: the model's initial weights (``seed``), the
  training order and dropout masks (``seed`` of :func:`train_char_model`), the sampler
  (``seed`` of :func:`sample`). The global torch random state is left untouched.
* Losses and perplexities are in **nats** (natural logarithms).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

CELLS = ("lstm", "gru", "rnn")
IGNORE_NOTHING = -100  # torch's default ignore_index: no target in the text layout is ignored

__all__ = [
    "CELLS", "CharRNN", "CharBatches", "make_batches", "make_sequence_batches",
    "batch_loss", "train_char_model", "evaluate_perplexity", "sample", "prediction_dependence",
]


# --------------------------------------------------------------------------- validation
def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def _check_index(name: str, value, n_vocab: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer index in 0 .. {n_vocab - 1}, got {value!r}")
    if not 0 <= value < n_vocab:
        raise ValueError(f"{name}={value} is outside the vocabulary 0 .. {n_vocab - 1}")
    return int(value)


def _check_positive(name: str, value) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def _as_indices(name: str, x, ndim: int, symbols: str, n_vocab: int | None = None) -> torch.Tensor:
    """``x`` (tensor, numpy array or list of ints) as an int64 tensor with ``ndim`` axes."""
    if isinstance(x, torch.Tensor):
        t = x
    else:
        arr = np.asarray(x)
        if arr.size == 0 and arr.dtype == np.float64:   # np.asarray([]) is float
            arr = arr.astype(np.int64)
        t = torch.from_numpy(np.ascontiguousarray(arr)) if arr.dtype != object else None
    if t is None or t.dtype in (torch.bool,) or t.is_floating_point() or t.is_complex():
        dtype = type(x).__name__ if t is None else str(t.dtype)
        raise ValueError(f"{name} must hold integer indices with shape {symbols}, got {dtype}")
    if t.ndim != ndim:
        raise ValueError(f"{name} has shape {tuple(t.shape)} but {symbols} was expected")
    t = t.long()
    if t.numel():
        low, high = int(t.min()), int(t.max())
        top = n_vocab - 1 if n_vocab is not None else None
        if low < 0 or (top is not None and high > top):
            limit = f"0 .. {top}" if top is not None else ">= 0"
            raise ValueError(f"{name} has values in {low} .. {high} but they must lie in {limit}")
    return t


# --------------------------------------------------------------------------- model
class CharRNN(nn.Module):
    """A character-level RNN language model: read characters, predict the next one.

    Implements, for t = 1 .. T (shown for ``cell="rnn"``; ``"lstm"``/``"gru"`` replace the
    first line by an LSTM/GRU step, see ``torch.nn.LSTM`` for the gate layout i, f, g, o)::

        a^{<t>} = tanh(W_aa a^{<t-1>} + W_ax x^{<t>} + b_a),   a^{<0>} = 0
        ŷ^{<t>} = softmax(W_ya a^{<t>} + b_y)

    ``forward`` returns the logits W_ya a^{<t>} + b_y; the softmax lives in the loss and the
    sampler.

    Parameters
    ----------
    n_vocab : int
        Vocabulary size ``n_x`` (= number of output classes ``n_y``), at least 2.
    n_hidden : int, default 128
        Hidden units per layer, ``n_a``.
    n_layers : int, default 1
        Stacked recurrent layers.
    cell : {"lstm", "gru", "rnn"}, default "lstm"
        ``"rnn"`` is the notes' vanilla tanh RNN.
    embedding_dim : int or None, default None
        ``None`` feeds one-hot vectors of length ``n_vocab`` (as in the notes); an integer feeds a
        learned ``nn.Embedding`` of that size.
    dropout : float, default 0.0
        Dropout probability in ``[0, 1)`` on the outputs of every recurrent layer (between layers
        and before the output layer). Active only in ``model.train()`` mode.
    pad_index : int, default 0
        The index read as the zero input vector (``<PAD>`` of a :class:`~course_lib.text.Vocabulary`).
    seed : int, default 0
        Seed of the initial weights (the global torch random state is not touched).

    Attributes
    ----------
    embedding : nn.Embedding or None
    rnn : nn.LSTM, nn.GRU or nn.RNN (``batch_first=True``)
        For one layer, ``rnn.weight_ih_l0`` holds W_ax, ``rnn.weight_hh_l0`` W_aa and
        ``rnn.bias_ih_l0 + rnn.bias_hh_l0`` b_a (stacked over the gates for LSTM/GRU).
    head : nn.Linear
        ``head.weight`` is W_ya (n_vocab, n_hidden), ``head.bias`` is b_y.

    Raises
    ------
    ValueError
        Unknown ``cell``, a size below its minimum, ``dropout`` outside ``[0, 1)`` or
        ``pad_index`` outside the vocabulary.
    """

    def __init__(self, n_vocab: int, n_hidden: int = 128, n_layers: int = 1, cell: str = "lstm",
                 embedding_dim: int | None = None, dropout: float = 0.0, pad_index: int = 0,
                 seed: int = 0):
        super().__init__()
        self.n_vocab = _check_int("n_vocab", n_vocab, 2)
        self.n_hidden = _check_int("n_hidden", n_hidden, 1)
        self.n_layers = _check_int("n_layers", n_layers, 1)
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}, got {cell!r}")
        self.cell = cell
        self.embedding_dim = None if embedding_dim is None else _check_int("embedding_dim", embedding_dim, 1)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            raise ValueError(f"dropout must be a probability in [0, 1), got {dropout!r}")
        self.dropout = float(dropout)
        self.pad_index = _check_index("pad_index", pad_index, self.n_vocab)
        self.seed = _check_int("seed", seed, 0)
        self.n_in = self.n_vocab if self.embedding_dim is None else self.embedding_dim

        rnn_class = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell]
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed)
            self.embedding = (None if self.embedding_dim is None else
                              nn.Embedding(self.n_vocab, self.embedding_dim, padding_idx=self.pad_index))
            # torch's own inter-layer dropout (it warns if asked for it with a single layer)
            self.rnn = rnn_class(self.n_in, self.n_hidden, num_layers=self.n_layers, batch_first=True,
                                 dropout=self.dropout if self.n_layers > 1 else 0.0)
            self.drop = nn.Dropout(self.dropout)
            self.head = nn.Linear(self.n_hidden, self.n_vocab)

    def extra_repr(self) -> str:
        kind = "one-hot" if self.embedding is None else "embedding"
        return f"cell={self.cell!r}, input={kind}, pad_index={self.pad_index}"

    def input_vectors(self, indices: torch.Tensor) -> torch.Tensor:
        """The vectors x^{<t>} the recurrent layer reads.

        Parameters
        ----------
        indices : torch.Tensor of shape (batch, T), int64

        Returns
        -------
        torch.Tensor of shape (batch, T, n_in), the dtype of the model's parameters
            One-hot vectors (``n_in = n_vocab``) or embeddings (``n_in = embedding_dim``); the
            vector of ``pad_index`` is zero.
        """
        if self.embedding is not None:
            return self.embedding(indices)
        dtype = self.head.weight.dtype
        x = F.one_hot(indices, self.n_vocab).to(dtype)
        return x * (indices != self.pad_index).unsqueeze(-1).to(dtype)    # <PAD> -> x = 0

    def forward_vectors(self, x: torch.Tensor, state=None):
        """Logits from input vectors (what :meth:`forward` does after :meth:`input_vectors`).

        Parameters
        ----------
        x : torch.Tensor of shape (batch, T, n_in)
        state : see :meth:`forward`

        Returns
        -------
        logits : torch.Tensor of shape (batch, T, n_vocab)
        state : the state after the last step
        """
        a, state = self.rnn(x, state)                                     # a: (batch, T, n_hidden)
        return self.head(self.drop(a)), state

    def forward(self, indices, state=None):
        """Logits of the next character after each step.

        Parameters
        ----------
        indices : torch.Tensor of shape (batch, T), int64
            Character indices in ``0 .. n_vocab - 1`` (numpy integer arrays are accepted).
            ``pad_index`` is read as the zero vector.
        state : None, torch.Tensor or tuple of two torch.Tensor, optional
            Initial state: ``None`` is a^{<0>} = 0; otherwise ``h0`` (GRU, RNN) or ``(h0, c0)``
            (LSTM), each of shape (n_layers, batch, n_hidden).

        Returns
        -------
        logits : torch.Tensor of shape (batch, T, n_vocab)
            ``logits[:, t - 1]`` is W_ya a^{<t>} + b_y, the unnormalised log-probabilities of the
            character that follows ``indices[:, t - 1]``.
        state : torch.Tensor or tuple of two torch.Tensor
            The state after the last step, to continue with the next window of text.

        Raises
        ------
        ValueError
            If ``indices`` is not a 2-D integer array with values in the vocabulary.
        """
        indices = _as_indices("indices", indices, 2, "(batch, T)", self.n_vocab)
        return self.forward_vectors(self.input_vectors(indices.to(self.head.weight.device)), state)


def _detach(state):
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


# --------------------------------------------------------------------------- batches
@dataclass(frozen=True)
class CharBatches:
    """Mini-batches of (inputs, targets) for training or evaluating a :class:`CharRNN`.

    Attributes
    ----------
    batches : list of (torch.Tensor, torch.Tensor)
        ``(inputs, targets)``, both int64 of shape (batch, T); ``targets[:, t]`` is the character
        that follows ``inputs[:, t]``.
    stateful : bool
        ``True`` for the truncated-BPTT layout of :func:`make_batches`: batch ``k + 1`` continues
        the streams of batch ``k``, so its initial state is the final state of batch ``k``
        (detached). ``False`` for independent sequences: every batch starts from a^{<0>} = 0.
    ignore_index : int
        Target value the loss ignores (``pad_index`` for padded sequences, -100 = none).
    """

    batches: list
    stateful: bool
    ignore_index: int = IGNORE_NOTHING

    def __len__(self) -> int:
        return len(self.batches)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        return iter(self.batches)

    @property
    def n_predictions(self) -> int:
        """Number of predicted characters (targets not ignored)."""
        return int(sum((t != self.ignore_index).sum() for _, t in self.batches))


def make_batches(indices_1d, seq_len: int, batch_size: int,
                 rng: np.random.Generator | int | None = None) -> CharBatches:
    """Truncated-BPTT batches of one long text: parallel streams, targets shifted by one.

    The text ``c_0 c_1 ... c_{N-1}`` (after dropping a random offset ``o < seq_len``) is cut into
    ``batch_size`` contiguous streams of equal length ``L = (N - 1 - o) // batch_size``; stream
    ``b`` reads ``c_{o + bL} .. c_{o + bL + L - 1}`` and must predict the same characters moved
    one step on. The streams are then cut in time into windows of ``seq_len`` (the last window
    may be shorter)::

        inputs[b, t]  = c_{o + b L + k seq_len + t}        (batch k)
        targets[b, t] = c_{o + b L + k seq_len + t + 1}

    Row ``b`` of batch ``k + 1`` continues row ``b`` of batch ``k``, so training carries the state
    across batches and backpropagates only through the current window (truncated BPTT).

    Parameters
    ----------
    indices_1d : sequence of int, length N
        The text as character indices, e.g. ``vocab.encode(list(text))``. It should not contain
        ``<PAD>``, which the model reads as the zero vector.
    seq_len : int
        Time steps per window (the truncation length), at least 1.
    batch_size : int
        Number of parallel streams, at least 1.
    rng : numpy.random.Generator, int or None, default None
        Draws the offset ``o`` in ``0 .. seq_len - 1`` (a different offset per epoch moves the
        window boundaries). ``None`` means ``o = 0``.

    Returns
    -------
    CharBatches
        ``stateful=True``, nothing ignored; each batch is (batch_size, T) with T <= seq_len.

    Raises
    ------
    ValueError
        If ``seq_len`` or ``batch_size`` is below 1, ``indices_1d`` is not 1-D integer, or the
        text is too short for ``batch_size`` streams of at least one prediction.
    """
    seq_len = _check_int("seq_len", seq_len, 1)
    batch_size = _check_int("batch_size", batch_size, 1)
    text = _as_indices("indices_1d", indices_1d, 1, "(N,)")
    n = text.numel()
    if n < batch_size + 1:
        raise ValueError(f"indices_1d has {n} characters, too short for batch_size={batch_size} "
                         f"streams (needs at least batch_size + 1 = {batch_size + 1})")
    # the offset may not leave a stream without a single prediction
    max_offset = min(seq_len - 1, n - 1 - batch_size)
    offset = 0 if rng is None else int(np.random.default_rng(rng).integers(0, max_offset + 1))
    L = (n - 1 - offset) // batch_size
    span = batch_size * L
    inputs = text[offset:offset + span].view(batch_size, L)
    targets = text[offset + 1:offset + span + 1].view(batch_size, L)
    batches = [(inputs[:, s:s + seq_len].contiguous(), targets[:, s:s + seq_len].contiguous())
               for s in range(0, L, seq_len)]
    return CharBatches(batches, stateful=True)


def make_sequence_batches(sequences: Sequence[Sequence[int]], batch_size: int,
                          rng: np.random.Generator | int | None = None, *, eos_index: int = 2,
                          pad_index: int = 0, start_index: int | None = None) -> CharBatches:
    """Padded, masked batches of short independent sequences (names, words).

    Sequence ``c_1 .. c_n`` becomes one row::

        inputs  = [start, c_1, ..., c_n,   <PAD>, ...]
        targets = [c_1,   ..., c_n, <EOS>, <PAD>, ...]

    ``start`` is ``pad_index`` by default, which the model reads as the **zero vector**: the
    notes' x^{<1>} = 0, so ŷ^{<1>} learns the distribution of first characters. Rows are padded
    with ``pad_index`` to the longest row of their batch; padded targets are ignored by the loss
    (``ignore_index = pad_index`` in the cross-entropy), so padding changes nothing.

    Parameters
    ----------
    sequences : sequence of sequences of int
        Each one a name as indices **without** ``<EOS>`` (it is appended here).
    batch_size : int
        Rows per batch (the last batch may have fewer), at least 1.
    rng : numpy.random.Generator, int or None, default None
        Shuffles the sequences before batching; ``None`` keeps the given order.
    eos_index : int, default 2
        ``<EOS>`` of the vocabulary, the target after the last character.
    pad_index : int, default 0
        ``<PAD>`` of the vocabulary (and of the model).
    start_index : int or None, default None
        First input of every row; ``None`` uses ``pad_index`` (the zero vector). Pass
        ``eos_index`` to start from ``<EOS>`` as a learned start symbol instead.

    Returns
    -------
    CharBatches
        ``stateful=False``, ``ignore_index=pad_index``.

    Raises
    ------
    ValueError
        Empty ``sequences``, a bare string, a sequence containing ``pad_index`` or ``eos_index``,
        or a bad ``batch_size``.
    """
    batch_size = _check_int("batch_size", batch_size, 1)
    eos_index = _check_int("eos_index", eos_index, 0)
    pad_index = _check_int("pad_index", pad_index, 0)
    start = pad_index if start_index is None else _check_int("start_index", start_index, 0)
    if eos_index == pad_index:
        raise ValueError(f"eos_index and pad_index must differ, both are {eos_index}")
    if isinstance(sequences, (str, torch.Tensor)) or len(sequences) == 0:
        raise ValueError("sequences must be a non-empty list of index sequences, "
                         "e.g. [vocab.encode(list(name)) for name in names]")
    rows = []
    for i, seq in enumerate(sequences):
        if isinstance(seq, str):
            raise ValueError(f"sequences[{i}] is a str; encode it first: vocab.encode(list({seq!r}))")
        s = _as_indices(f"sequences[{i}]", seq, 1, "(n,)").tolist()
        if pad_index in s or eos_index in s:
            raise ValueError(f"sequences[{i}] contains pad_index={pad_index} or eos_index={eos_index}; "
                             f"pass the characters only")
        rows.append(s)
    order = (np.arange(len(rows)) if rng is None else np.random.default_rng(rng).permutation(len(rows)))
    batches = []
    for b in range(0, len(rows), batch_size):
        chosen = [rows[i] for i in order[b:b + batch_size]]
        T = max(len(s) for s in chosen) + 1
        inputs = torch.full((len(chosen), T), pad_index, dtype=torch.long)
        targets = torch.full((len(chosen), T), pad_index, dtype=torch.long)
        for r, s in enumerate(chosen):
            inputs[r, :len(s) + 1] = torch.tensor([start] + s, dtype=torch.long)
            targets[r, :len(s) + 1] = torch.tensor(s + [eos_index], dtype=torch.long)
        batches.append((inputs, targets))
    return CharBatches(batches, stateful=False, ignore_index=pad_index)


# --------------------------------------------------------------------------- loss and training
def batch_loss(model: CharRNN, inputs, targets, ignore_index: int = IGNORE_NOTHING, state=None,
               reduction: str = "mean"):
    """Cross-entropy of the next-character predictions of one batch.

    Implements L = (1 / #kept) Σ_{b,t kept} -log ŷ^{<t>}_{b}[targets[b, t]], where "kept" are the
    positions whose target is not ``ignore_index`` (``reduction="sum"`` drops the 1 / #kept).

    Parameters
    ----------
    model : CharRNN
    inputs, targets : torch.Tensor of shape (batch, T), int64
    ignore_index : int, default -100
        Target value to skip, e.g. ``pad_index`` for padded sequences.
    state : optional
        Initial state, see :meth:`CharRNN.forward`.
    reduction : {"mean", "sum"}, default "mean"

    Returns
    -------
    loss : torch.Tensor, scalar, in nats
    state : the model's state after the batch (not detached)
    """
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
    logits, state = model(inputs, state)
    if not isinstance(targets, torch.Tensor) or targets.dtype != torch.int64:
        raise ValueError("targets must be an int64 tensor of shape (batch, T)")
    if tuple(targets.shape) != tuple(logits.shape[:2]):
        raise ValueError(f"targets has shape {tuple(targets.shape)} but inputs have shape "
                         f"{tuple(logits.shape[:2])}")
    kept = targets[targets != ignore_index]
    if kept.numel() and (int(kept.min()) < 0 or int(kept.max()) >= model.n_vocab):
        raise ValueError(f"targets has values in {int(kept.min())} .. {int(kept.max())} but they must "
                         f"lie in 0 .. {model.n_vocab - 1} (or equal ignore_index={ignore_index})")
    loss = F.cross_entropy(logits.reshape(-1, model.n_vocab), targets.reshape(-1).to(logits.device),
                           ignore_index=ignore_index, reduction=reduction)
    return loss, state


def _check_data(data) -> CharBatches:
    if not isinstance(data, CharBatches):
        raise ValueError(f"data must be CharBatches from make_batches or make_sequence_batches, "
                         f"got {type(data).__name__}")
    if len(data) == 0:
        raise ValueError("data holds no batches")
    return data


def train_char_model(model: CharRNN, data: CharBatches, epochs: int | None = None,
                     steps: int | None = None, lr: float = 2e-3, clip_norm: float | None = 5.0,
                     seed: int = 0, progress: bool = True) -> list[float]:
    """Train with Adam and gradient clipping; return the loss of every update.

    One update: loss = mean cross-entropy of the batch (:func:`batch_loss`), backward,
    ``torch.nn.utils.clip_grad_norm_(model.parameters(), clip_norm)``, ``Adam.step``. For
    ``data.stateful`` batches (truncated BPTT) the batches are visited in order and the state is
    carried from one batch to the next, detached so gradients stop at the window boundary; it is
    reset to zero at the start of each pass. Otherwise the batch order is shuffled every pass.

    Parameters
    ----------
    model : CharRNN
        Trained in place, left in ``eval()`` mode.
    data : CharBatches
        From :func:`make_batches` or :func:`make_sequence_batches`.
    epochs : int, optional
        Passes over ``data``. Give exactly one of ``epochs`` and ``steps``.
    steps : int, optional
        Number of updates, wrapping around ``data`` as often as needed.
    lr : float, default 2e-3
        Adam's learning rate.
    clip_norm : float or None, default 5.0
        Maximal global gradient norm; ``None`` disables clipping.
    seed : int, default 0
        Seed of the batch order and of the dropout masks.
    progress : bool, default True
        Show a ``tqdm.auto`` progress bar.

    Returns
    -------
    list of float
        Mean cross-entropy (nats per predicted character) of each batch, before its update.

    Raises
    ------
    ValueError
        Neither or both of ``epochs`` / ``steps``, a non-positive number, or ``data`` that is not
        :class:`CharBatches`.
    """
    if not isinstance(model, CharRNN):
        raise ValueError(f"model must be a CharRNN, got {type(model).__name__}")
    data = _check_data(data)
    if (epochs is None) == (steps is None):
        raise ValueError(f"give exactly one of epochs and steps, got epochs={epochs!r}, steps={steps!r}")
    n_steps = (_check_int("epochs", epochs, 1) * len(data) if steps is None
               else _check_int("steps", steps, 1))
    lr = _check_positive("lr", lr)
    if clip_norm is not None:
        clip_norm = _check_positive("clip_norm", clip_norm)
    seed = _check_int("seed", seed, 0)

    order_rng = np.random.default_rng(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history: list[float] = []
    model.train()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)                     # dropout masks, without touching global state
        bar = tqdm(total=n_steps, desc=f"CharRNN ({model.cell})", disable=not progress, leave=False)
        order: Sequence[int] = ()
        position, state = len(data), None
        for _ in range(n_steps):
            if position == len(data):               # a new pass over the data
                order = range(len(data)) if data.stateful else order_rng.permutation(len(data))
                position, state = 0, None
            inputs, targets = data.batches[order[position]]
            position += 1
            loss, state = batch_loss(model, inputs, targets, data.ignore_index,
                                     state if data.stateful else None)
            state = _detach(state)                  # truncated BPTT: no gradient into the past window
            optimizer.zero_grad()
            loss.backward()
            if clip_norm is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
            optimizer.step()
            history.append(loss.item())
            bar.update(1)
            if len(history) % 20 == 0 or len(history) == n_steps:
                bar.set_postfix(loss=f"{history[-1]:.3f}")
        bar.close()
    model.eval()
    return history


@torch.no_grad()
def evaluate_perplexity(model: CharRNN, data: CharBatches) -> float:
    """Perplexity exp(mean negative log-likelihood per predicted character) on held-out data.

    Implements PP = exp( -(1/N) Σ_i log ŷ(c_i | c_{<i}) ) over the N targets of ``data`` that are
    not ignored; stateful (long-text) data carries the state across batches as in training. Runs
    without gradients in ``eval()`` mode (no dropout) and restores the model's mode afterwards.

    Parameters
    ----------
    model : CharRNN
    data : CharBatches

    Returns
    -------
    float
        Between 1 (perfect prediction) and ``n_vocab`` (uniform guessing) for a sensible model.
    """
    data = _check_data(data)
    was_training = model.training
    model.eval()
    total, count, state = 0.0, 0, None
    try:
        for inputs, targets in data:
            loss, state = batch_loss(model, inputs, targets, data.ignore_index,
                                     state if data.stateful else None, reduction="sum")
            total += float(loss)
            count += int((targets != data.ignore_index).sum())
    finally:
        model.train(was_training)
    if count == 0:
        raise ValueError("data has no predicted characters (every target is ignored)")
    return math.exp(total / count)


# --------------------------------------------------------------------------- sampling
@torch.no_grad()
def sample(model: CharRNN, eos_index: int, unk_index: int | None = None, max_length: int = 200,
           temperature: float = 1.0, greedy: bool = False,
           seed: int | np.random.Generator | None = None,
           prime: Sequence[int] | None = None) -> list[int]:
    """Generate characters one at a time, feeding each one back as the next input.

    Same semantics as the numpy ``course_lib.sampling.sample``: start from a^{<0>} = 0 and
    x^{<1>} = 0; at each step draw y^{<t>} from ŷ^{<t>} (or take its argmax if ``greedy``) and
    feed it back as x^{<t+1>}; stop after ``<EOS>`` or ``max_length`` characters. With a
    temperature T the draw uses p ∝ (ŷ^{<t>})^{1/T} = softmax(logits / T). If ``unk_index`` is
    given, ``<UNK>`` is rejected: drawing again until it is not ``<UNK>`` is the same as drawing
    from ŷ with ``<UNK>`` removed and renormalised, which is what is done (no retry loop, so it
    also works when ``<UNK>`` has probability ~1).

    Parameters
    ----------
    model : CharRNN
        Sampled in ``eval()`` mode without gradients; its mode is restored afterwards.
    eos_index : int
        ``<EOS>``: sampling stops after emitting it.
    unk_index : int or None, default None
        ``<UNK>``, never emitted if given.
    max_length : int, default 200
        Maximal number of returned indices (``<EOS>`` included), at least 1.
    temperature : float, default 1.0
        Positive; < 1 sharpens, > 1 flattens the distribution. Ignored when ``greedy``.
    greedy : bool, default False
        Take the most probable character instead of drawing (deterministic).
    seed : int, numpy.random.Generator or None, default None
        Seed of the draws (a Generator is used as is, like the numpy sampler's ``rng``). The same
        seed gives the same sample; ``None`` draws a fresh one.
    prime : sequence of int or None, default None
        Indices read before sampling, as x^{<1>}, x^{<2>}, ...; generation continues from the last
        one, and ``prime`` itself is not returned. ``None`` (or empty) reads x^{<1>} = 0, i.e.
        ``prime=[model.pad_index]``; ``prime=[k]`` is the numpy sampler's ``first_input=k``.
        For a model trained on :func:`make_sequence_batches`, begin with the zero input as in
        training: ``prime=[vocab.pad_index] + vocab.encode(list("ma"))``.

    Returns
    -------
    list of int
        The generated indices, ending with ``eos_index`` unless ``max_length`` was reached first.

    Raises
    ------
    ValueError
        ``temperature <= 0``, ``max_length < 1``, an index outside the vocabulary, or
        ``unk_index == eos_index``.
    """
    n = model.n_vocab
    eos_index = _check_index("eos_index", eos_index, n)
    if unk_index is not None:
        unk_index = _check_index("unk_index", unk_index, n)
        if unk_index == eos_index:
            raise ValueError(f"unk_index and eos_index must differ, both are {eos_index}")
    max_length = _check_int("max_length", max_length, 1)
    temperature = _check_positive("temperature", temperature)
    rng = np.random.default_rng(seed)
    prime_t = (torch.tensor([model.pad_index]) if prime is None or len(prime) == 0
               else _as_indices("prime", prime, 1, "(k,)", n))

    was_training = model.training
    model.eval()
    out: list[int] = []
    try:
        logits, state = model(prime_t.unsqueeze(0))
        z = logits[0, -1].double().cpu().numpy()
        while True:
            if unk_index is not None:
                z = z.copy()
                z[unk_index] = -np.inf                    # reject <UNK>
            if greedy:
                idx = int(np.argmax(z))
            else:
                zt = z / temperature
                p = np.exp(zt - zt.max())
                idx = int(rng.choice(n, p=p / p.sum()))
            out.append(idx)
            if idx == eos_index or len(out) == max_length:
                break
            logits, state = model(torch.tensor([[idx]]), state)
            z = logits[0, -1].double().cpu().numpy()
    finally:
        model.train(was_training)
    return out


# --------------------------------------------------------------------------- analysis
def prediction_dependence(model: CharRNN, indices, position: int, by_offset: bool = False) -> np.ndarray:
    """How strongly the prediction at ``position`` depends on each input: ‖∂ log ŷ / ∂ x^{<s>}‖.

    The model reads ``indices`` as x^{<1>}, x^{<2>}, ... (0-based: ``indices[s]`` is read at step
    ``s``). The prediction made after reading ``indices[position]`` targets the next character
    ``indices[position + 1]``; this returns, for every input step s, the Euclidean norm of

        g_s = ∂ log ŷ^{<position>}[indices[position + 1]] / ∂ x^{<s>}

    where x^{<s>} is the one-hot vector (or the embedding) read at step s. Large values far
    before ``position`` mean long-range dependence; an RNN is causal, so g_s = 0 for s >
    ``position``. Computed with autograd in ``eval()`` mode (no dropout); the model's mode is
    restored and its parameter gradients are left untouched.

    Parameters
    ----------
    model : CharRNN
    indices : sequence of int, length T >= 2
        The text (the whole sequence is run through the model).
    position : int
        Step whose prediction is explained, in ``0 .. T - 2``.
    by_offset : bool, default False
        ``False``: the array is indexed by input step s (length T). ``True``: it is indexed by the
        offset k = position - s = "how many steps back", for k = 0 .. position (length
        position + 1); this is ``result[position::-1]`` of the default.

    Returns
    -------
    numpy.ndarray of float64, shape (T,) or (position + 1,)
        Non-negative gradient norms.

    Raises
    ------
    ValueError
        If ``indices`` is not 1-D with at least 2 entries in the vocabulary, or ``position`` is
        outside ``0 .. T - 2``.
    """
    idx = _as_indices("indices", indices, 1, "(T,)", model.n_vocab)
    T = idx.numel()
    if T < 2:
        raise ValueError(f"indices needs at least 2 characters (an input and a target), got {T}")
    position = _check_int("position", position, 0)
    if position > T - 2:
        raise ValueError(f"position must lie in 0 .. T - 2 = {T - 2} (its target is indices[position + 1]), "
                         f"got {position}")
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad():
            x = model.input_vectors(idx.unsqueeze(0).to(model.head.weight.device)).detach()
            x.requires_grad_(True)
            logits, _ = model.forward_vectors(x)
            log_p = F.log_softmax(logits[0, position], dim=-1)[idx[position + 1]]
            (grad,) = torch.autograd.grad(log_p, x)
    finally:
        model.train(was_training)
    norms = grad[0].norm(dim=-1).double().cpu().numpy()
    return norms[position::-1].copy() if by_offset else norms
