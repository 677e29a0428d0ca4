"""Toy sequence tasks for the four recurrent architectures, small torch models and a training loop.

Chapter 4 ("Types of RNN") trains one model of each recurrent type in a few seconds on synthetic
digit sequences. Everything it needs lives here: the datasets, the models, their losses, the
training loop and the accuracy helpers.

==================  ===================================  ===============================
architecture        task (dataset function)              model
==================  ===================================  ===============================
many-to-one         :func:`seven_before_three`           :class:`ManyToOne`
many-to-many        :func:`seen_before`                  :class:`ManyToMany`
(T_x = T_y)
one-to-many         :func:`counting`                     :class:`OneToMany`
many-to-many        :func:`sorted_distinct`              :class:`Seq2Seq`
(T_x != T_y)                                             (encoder--decoder)
==================  ===================================  ===============================

Conventions
-----------
* **PyTorch layout, batch first.** Token indices are int64 tensors of shape ``(m, T)``; the
  one-hot inputs a model builds from them are ``(m, T, n_x)``; logits are ``(m, n_y)`` or
  ``(m, T, n_y)``. The notes' numpy layout ``(n_x, m, T_x)`` is ``x.permute(2, 0, 1)`` of the
  one-hot tensor, and ``course_lib.text.batch_one_hot(...)[0].transpose(1, 2, 0)`` goes the
  other way.
* **Tokens.** A digit is its own index ``0 .. 9``. The encoder--decoder task adds three special
  tokens: ``EOS = 10`` (end of the output), ``BOS = 11`` (first decoder input) and ``PAD = 12``
  (filler after ``EOS``; ignored by the loss).
* **Cells.** Every model is built on ``torch.nn.RNN`` (the notes' vanilla RNN,
  a^{<t>} = tanh(W_aa a^{<t-1>} + W_ax x^{<t>} + b_a)) by default, or ``torch.nn.GRU`` with
  ``cell="gru"``. Inputs are one-hot vectors, as in the notes, not learned embeddings.
* **float32** throughout, for speed. The numerical checks of ``course_lib.rnn`` use float64.
* **Randomness** only through explicit seeds: every dataset takes ``seed``, every model takes
  ``seed`` (its initial weights), :func:`train` takes ``seed`` (the order of the mini-batches).
  The global torch random state is left untouched.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

N_DIGITS = 10
EOS, BOS, PAD = 10, 11, 12
N_TOKENS = 13
CELLS = ("rnn", "gru")

__all__ = [
    "N_DIGITS", "EOS", "BOS", "PAD", "N_TOKENS", "CELLS",
    "seven_before_three", "seen_before", "counting", "sorted_distinct",
    "ManyToOne", "ManyToMany", "OneToMany", "Seq2Seq",
    "classification_loss", "tagging_loss", "generation_loss", "seq2seq_loss",
    "train", "accuracy", "strip_eos", "exact_match",
]


# --------------------------------------------------------------------------- validation
def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def _check_tokens(name: str, x, ndim: int, symbols: str, high: int) -> torch.Tensor:
    """A tensor of token indices with ``ndim`` axes and values in ``0 .. high - 1``."""
    if not isinstance(x, torch.Tensor) or x.dtype != torch.int64:
        got = f"a tensor of dtype {x.dtype}" if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"{name} must be an int64 tensor of shape {symbols}, got {got}")
    if x.ndim != ndim:
        raise ValueError(f"{name} has shape {tuple(x.shape)} but {symbols} was expected")
    if x.numel() and (int(x.min()) < 0 or int(x.max()) >= high):
        raise ValueError(f"{name} has values in {int(x.min())} .. {int(x.max())} "
                         f"but they must lie in 0 .. {high - 1}")
    return x


def _check_cell(cell: str) -> str:
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {CELLS}, got {cell!r}")
    return cell


def _recurrent_layer(cell: str, n_x: int, n_a: int) -> nn.Module:
    """``nn.RNN`` (tanh) or ``nn.GRU`` with one layer, batch first."""
    if _check_cell(cell) == "rnn":
        return nn.RNN(n_x, n_a, nonlinearity="tanh", batch_first=True)
    return nn.GRU(n_x, n_a, batch_first=True)


# --------------------------------------------------------------------------- datasets
def _digits(rng: np.random.Generator, m: int, T: int) -> np.ndarray:
    return rng.integers(0, N_DIGITS, size=(m, T))


def _seven_before_three_labels(x: np.ndarray) -> np.ndarray:
    """1 where the first 7 comes before the last 3 (so some 7 precedes some 3)."""
    m, T = x.shape
    first_7 = np.where((x == 7).any(axis=1), (x == 7).argmax(axis=1), T)
    last_3 = np.where((x == 3).any(axis=1), T - 1 - (x[:, ::-1] == 3).argmax(axis=1), -1)
    return (first_7 < last_3).astype(np.int64)


def seven_before_three(m: int, T_x: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Many-to-one task: does a 7 occur somewhere before a 3?

    Random digit strings are drawn uniformly, and strings of each class are kept until each
    class holds half of the ``m`` examples, so always guessing one class scores 0.5 (exactly,
    when ``m`` is even).

    Parameters
    ----------
    m : int
        Number of examples, at least 2.
    T_x : int
        Length of every sequence, at least 2.
    seed : int
        Seed of the numpy generator that draws the digits.

    Returns
    -------
    x : torch.Tensor of shape (m, T_x), int64
        Digits ``0 .. 9``; ``x[i, t - 1]`` is ``x^{(i)<t>}``.
    y : torch.Tensor of shape (m,), int64
        ``y[i] = 1`` if there are positions ``s < t`` with ``x[i, s] == 7`` and ``x[i, t] == 3``,
        else 0. ``m // 2`` examples have label 0 and ``m - m // 2`` have label 1.

    Raises
    ------
    ValueError
        If ``m < 2`` or ``T_x < 2``.
    """
    m = _check_int("m", m, 2)
    T_x = _check_int("T_x", T_x, 2)
    rng = np.random.default_rng(seed)
    want = (m // 2, m - m // 2)                                         # examples per class
    kept: tuple[list[np.ndarray], list[np.ndarray]] = ([], [])
    have = [0, 0]
    while have[0] < want[0] or have[1] < want[1]:
        x = _digits(rng, 4 * m, T_x)
        y = _seven_before_three_labels(x)
        for c in (0, 1):
            take = x[y == c][: want[c] - have[c]]
            kept[c].append(take)
            have[c] += len(take)
    x = np.concatenate([np.concatenate(kept[0]), np.concatenate(kept[1])])
    y = np.repeat([0, 1], [want[0], want[1]])
    order = rng.permutation(m)
    return torch.from_numpy(x[order]), torch.from_numpy(y[order])


def seen_before(m: int, T_x: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Many-to-many task with T_y = T_x: tag every digit that already occurred earlier.

    Like named-entity recognition, every position gets a 0/1 label, and the label depends on
    the context, not on the token alone.

    Parameters
    ----------
    m : int
        Number of examples, at least 1.
    T_x : int
        Length of every sequence, at least 1.
    seed : int
        Seed of the numpy generator.

    Returns
    -------
    x : torch.Tensor of shape (m, T_x), int64
        Uniform random digits ``0 .. 9``.
    y : torch.Tensor of shape (m, T_x), int64
        ``y[i, t] = 1`` if ``x[i, t]`` is among ``x[i, 0], ..., x[i, t - 1]``, else 0
        (so ``y[:, 0]`` is all 0).

    Raises
    ------
    ValueError
        If ``m < 1`` or ``T_x < 1``.
    """
    m = _check_int("m", m, 1)
    T_x = _check_int("T_x", T_x, 1)
    x = _digits(np.random.default_rng(seed), m, T_x)
    one_hot = np.eye(N_DIGITS, dtype=np.int64)[x]                      # (m, T_x, 10)
    seen = np.cumsum(one_hot, axis=1) - one_hot                         # counts before step t
    y = np.take_along_axis(seen, x[..., None], axis=2)[..., 0] > 0
    return torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))


def counting(m: int, T_y: int, seed: int, steps: Sequence[int] = (1, 2, 3)
             ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One-to-many task: from a first digit and a step, count on modulo 10.

    The first digit plays the part of the notes' "first note" and the step the part of the
    "genre": both are given once, at ``t = 1``, and the model writes the rest.

    Parameters
    ----------
    m : int
        Number of examples, at least 1.
    T_y : int
        Number of digits to generate, at least 1.
    seed : int
        Seed of the numpy generator that draws the first digits and the steps.
    steps : sequence of int, default (1, 2, 3)
        The possible steps, each in ``0 .. 9``, distinct. The step of example ``i`` is
        ``steps[k[i]]``; the model sees the index ``k[i]``.

    Returns
    -------
    first : torch.Tensor of shape (m,), int64
        First digits ``d``, uniform in ``0 .. 9``.
    step_index : torch.Tensor of shape (m,), int64
        ``k``, uniform in ``0 .. len(steps) - 1``.
    y : torch.Tensor of shape (m, T_y), int64
        ``y[i, t - 1] = (d + t * steps[k]) mod 10`` for ``t = 1 .. T_y``, i.e.
        ``y^{<t>}``; the first digit itself is not part of ``y``.

    Raises
    ------
    ValueError
        If ``m < 1``, ``T_y < 1``, or ``steps`` is empty, has repeats or values outside 0 .. 9.
    """
    m = _check_int("m", m, 1)
    T_y = _check_int("T_y", T_y, 1)
    steps_arr = np.asarray(steps)
    if (steps_arr.ndim != 1 or steps_arr.size == 0 or not np.issubdtype(steps_arr.dtype, np.integer)
            or len(set(steps_arr.tolist())) != steps_arr.size
            or steps_arr.min() < 0 or steps_arr.max() >= N_DIGITS):
        raise ValueError(f"steps must be distinct integers in 0 .. 9, got {list(steps)!r}")
    rng = np.random.default_rng(seed)
    first = rng.integers(0, N_DIGITS, size=m)
    k = rng.integers(0, steps_arr.size, size=m)
    t = np.arange(1, T_y + 1)
    y = (first[:, None] + t[None, :] * steps_arr[k][:, None]) % N_DIGITS
    return torch.from_numpy(first), torch.from_numpy(k), torch.from_numpy(y.astype(np.int64))


def sorted_distinct(m: int, T_x: int, seed: int
                    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Encoder--decoder task with T_y != T_x: write the distinct digits in increasing order.

    "3 5 3 1 5" becomes "1 3 5 <EOS>": the output is as long as the number of distinct digits
    plus one, which differs from example to example and is usually not ``T_x``.

    Parameters
    ----------
    m : int
        Number of examples, at least 1.
    T_x : int
        Length of every input, at least 1.
    seed : int
        Seed of the numpy generator.

    Returns
    -------
    x : torch.Tensor of shape (m, T_x), int64
        Uniform random digits ``0 .. 9``.
    y_in : torch.Tensor of shape (m, T_y), int64
        Decoder inputs for teacher forcing: ``BOS`` followed by the target shifted right by one
        step, then ``PAD``. ``T_y = min(T_x, 10) + 1`` (the longest possible output).
    y_out : torch.Tensor of shape (m, T_y), int64
        Targets: the sorted distinct digits of ``x[i]``, then ``EOS``, then ``PAD``.

    Raises
    ------
    ValueError
        If ``m < 1`` or ``T_x < 1``.
    """
    m = _check_int("m", m, 1)
    T_x = _check_int("T_x", T_x, 1)
    x = _digits(np.random.default_rng(seed), m, T_x)
    present = (np.eye(N_DIGITS, dtype=bool)[x]).any(axis=1)           # (m, 10)
    T_y = min(T_x, N_DIGITS) + 1
    y_out = np.full((m, T_y), PAD, dtype=np.int64)
    for i in range(m):
        digits = np.flatnonzero(present[i])                             # sorted by construction
        y_out[i, : digits.size] = digits
        y_out[i, digits.size] = EOS
    y_in = np.full((m, T_y), PAD, dtype=np.int64)
    y_in[:, 0] = BOS
    y_in[:, 1:] = np.where(y_out[:, :-1] == EOS, PAD, y_out[:, :-1])
    return torch.from_numpy(x), torch.from_numpy(y_in), torch.from_numpy(y_out)


# --------------------------------------------------------------------------- models
@contextmanager
def _seeded(seed: int):
    """Seed torch's global generator inside the block; restore its previous state afterwards."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


class ManyToMany(nn.Module):
    """One output per input step (T_y = T_x), as in named-entity recognition.

    Implements, for t = 1 .. T_x with a^{<0>} = 0,

        a^{<t>} = tanh(W_aa a^{<t-1>} + W_ax x^{<t>} + b_a)     (or a GRU step)
        ŷ^{<t>} = softmax(W_ya a^{<t>} + b_y)

    ``forward`` returns the logits W_ya a^{<t>} + b_y; the softmax is inside the loss.

    Parameters
    ----------
    n_x : int
        Input vocabulary size (one-hot length).
    n_a : int
        Number of hidden units.
    n_y : int
        Number of classes per step.
    cell : {"rnn", "gru"}, default "rnn"
    seed : int, default 0
        Seed of the initial weights.

    Attributes
    ----------
    rnn : nn.RNN or nn.GRU
        For ``nn.RNN``: ``weight_ih_l0`` is W_ax (n_a, n_x), ``weight_hh_l0`` is W_aa (n_a, n_a)
        and ``bias_ih_l0 + bias_hh_l0`` is b_a.
    out : nn.Linear
        ``weight`` is W_ya (n_y, n_a), ``bias`` is b_y.

    Raises
    ------
    ValueError
        If a size is not a positive integer or ``cell`` is unknown.
    """

    def __init__(self, n_x: int, n_a: int, n_y: int, cell: str = "rnn", seed: int = 0):
        super().__init__()
        self.n_x = _check_int("n_x", n_x, 1)
        self.n_a = _check_int("n_a", n_a, 1)
        self.n_y = _check_int("n_y", n_y, 1)
        self.cell = _check_cell(cell)
        with _seeded(seed):
            self.rnn = _recurrent_layer(cell, self.n_x, self.n_a)
            self.out = nn.Linear(self.n_a, self.n_y)

    def activations(self, x: torch.Tensor) -> torch.Tensor:
        """All activations a^{<1>} .. a^{<T_x>}, shape (m, T_x, n_a), for x of shape (m, T_x)."""
        _check_tokens("x", x, 2, "(m, T_x)", self.n_x)
        a, _ = self.rnn(F.one_hot(x, self.n_x).float())                  # (m, T_x, n_x) in
        return a

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Per-step logits.

        Parameters
        ----------
        x : torch.Tensor of shape (m, T_x), int64
            Token indices in ``0 .. n_x - 1``.

        Returns
        -------
        torch.Tensor of shape (m, T_x, n_y), float32
            ``[:, t - 1]`` are the logits of ŷ^{<t>}.
        """
        return self.out(self.activations(x))


class ManyToOne(ManyToMany):
    """Read the whole sequence, predict one class from the last activation only.

    The same recurrence as :class:`ManyToMany` (same parameters, same meaning), but the output
    layer is applied once, to a^{<T_x>}: ŷ = softmax(W_ya a^{<T_x>} + b_y). Parameters,
    attributes and errors are those of :class:`ManyToMany`, with ``n_y`` the number of classes.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of the whole sequence.

        Parameters
        ----------
        x : torch.Tensor of shape (m, T_x), int64

        Returns
        -------
        torch.Tensor of shape (m, n_y), float32
        """
        return self.out(self.activations(x)[:, -1])                    # only a^{<T_x>}


class OneToMany(nn.Module):
    """Generate a sequence from one input, feeding every output back as the next input.

    The input vector has ``n_y + n_c`` entries: a one-hot token in the first ``n_y`` and a
    one-hot condition (the "genre") in the last ``n_c``. At ``t = 1`` it holds the first token
    and the condition; at ``t >= 2`` it holds the previous output token and zeros::

        x^{<1>} = [onehot(first); onehot(c)],   x^{<t>} = [onehot(y^{<t-1>}); 0]   (t >= 2)

    During training ``y^{<t-1>}`` is the true previous token (teacher forcing, :meth:`forward`);
    during generation it is the model's own prediction ŷ^{<t-1>} (:meth:`generate`).

    Parameters
    ----------
    n_y : int
        Output vocabulary size (also the size of the token part of the input).
    n_c : int
        Number of conditions.
    n_a : int
        Hidden units.
    cell : {"rnn", "gru"}, default "rnn"
    seed : int, default 0
    """

    def __init__(self, n_y: int, n_c: int, n_a: int, cell: str = "rnn", seed: int = 0):
        super().__init__()
        self.n_y = _check_int("n_y", n_y, 1)
        self.n_c = _check_int("n_c", n_c, 1)
        self.n_a = _check_int("n_a", n_a, 1)
        self.cell = _check_cell(cell)
        with _seeded(seed):
            self.rnn = _recurrent_layer(cell, self.n_y + self.n_c, self.n_a)
            self.out = nn.Linear(self.n_a, self.n_y)

    def _first_input(self, first: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        _check_tokens("first", first, 1, "(m,)", self.n_y)
        _check_tokens("c", c, 1, "(m,)", self.n_c)
        if first.shape != c.shape:
            raise ValueError(f"first has shape {tuple(first.shape)} but c has {tuple(c.shape)}; "
                             "both must be (m,)")
        return torch.cat([F.one_hot(first, self.n_y), F.one_hot(c, self.n_c)], dim=1).float()

    def _token_input(self, tokens: torch.Tensor) -> torch.Tensor:
        """(m, T) tokens -> (m, T, n_y + n_c) inputs with an all-zero condition part."""
        return F.pad(F.one_hot(tokens, self.n_y).float(), (0, self.n_c))

    def forward(self, first: torch.Tensor, c: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Logits of every step under teacher forcing.

        Parameters
        ----------
        first : torch.Tensor of shape (m,), int64
            First tokens, in ``0 .. n_y - 1``.
        c : torch.Tensor of shape (m,), int64
            Conditions, in ``0 .. n_c - 1``.
        y : torch.Tensor of shape (m, T_y), int64
            True outputs; ``y[:, :-1]`` are fed as the inputs of steps 2 .. T_y.

        Returns
        -------
        torch.Tensor of shape (m, T_y, n_y), float32
        """
        x1 = self._first_input(first, c)[:, None]                       # (m, 1, n_y + n_c)
        _check_tokens("y", y, 2, "(m, T_y)", self.n_y)
        if y.shape[0] != x1.shape[0]:
            raise ValueError(f"y has {y.shape[0]} rows but first has {x1.shape[0]}")
        x = torch.cat([x1, self._token_input(y[:, :-1])], dim=1)         # (m, T_y, n_y + n_c)
        a, _ = self.rnn(x)
        return self.out(a)

    @torch.no_grad()
    def generate(self, first: torch.Tensor, c: torch.Tensor, T_y: int) -> torch.Tensor:
        """Greedy generation: ŷ^{<t>} = argmax of the output, fed back as x^{<t+1>}.

        Parameters
        ----------
        first, c : torch.Tensor of shape (m,), int64
        T_y : int
            Number of tokens to generate, at least 1.

        Returns
        -------
        torch.Tensor of shape (m, T_y), int64
        """
        T_y = _check_int("T_y", T_y, 1)
        x = self._first_input(first, c)[:, None]
        a_prev, tokens = None, []
        for _ in range(T_y):
            a, a_prev = self.rnn(x, a_prev)                             # one step
            y_hat = self.out(a[:, -1]).argmax(dim=-1)                   # (m,)
            tokens.append(y_hat)
            x = self._token_input(y_hat[:, None])
        return torch.stack(tokens, dim=1)


class Seq2Seq(nn.Module):
    """Encoder--decoder for T_y != T_x: an encoder RNN reads x, a decoder RNN writes y.

    The encoder's last activation a^{<T_x>} is the decoder's initial activation. The decoder
    starts from ``BOS`` and, at every later step, receives the previous output token::

        encoder:  a^{<t>}   = RNN_enc(a^{<t-1>}, x^{<t>}),          t = 1 .. T_x,  a^{<0>} = 0
        decoder:  s^{<0>}   = a^{<T_x>},
                  s^{<t>}   = RNN_dec(s^{<t-1>}, onehot(y^{<t-1>})),  y^{<0>} = BOS
                  ŷ^{<t>}   = softmax(W_ys s^{<t>} + b_y)           over digits and EOS

    Parameters
    ----------
    n_a : int
        Hidden units of both RNNs.
    cell : {"rnn", "gru"}, default "rnn"
    seed : int, default 0

    Notes
    -----
    Input tokens are digits (one-hot length 10); decoder inputs are any of the ``N_TOKENS``
    tokens (one-hot length 13); outputs are digits and ``EOS`` (11 classes).
    """

    n_x, n_in_dec, n_y = N_DIGITS, N_TOKENS, N_DIGITS + 1

    def __init__(self, n_a: int, cell: str = "rnn", seed: int = 0):
        super().__init__()
        self.n_a = _check_int("n_a", n_a, 1)
        self.cell = _check_cell(cell)
        with _seeded(seed):
            self.encoder = _recurrent_layer(cell, self.n_x, self.n_a)
            self.decoder = _recurrent_layer(cell, self.n_in_dec, self.n_a)
            self.out = nn.Linear(self.n_a, self.n_y)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """The encoder's last activation, shape (1, m, n_a) (PyTorch's (layers, m, n_a))."""
        _check_tokens("x", x, 2, "(m, T_x)", self.n_x)
        _, a_last = self.encoder(F.one_hot(x, self.n_x).float())
        return a_last

    def forward(self, x: torch.Tensor, y_in: torch.Tensor) -> torch.Tensor:
        """Decoder logits under teacher forcing.

        Parameters
        ----------
        x : torch.Tensor of shape (m, T_x), int64
            Input digits.
        y_in : torch.Tensor of shape (m, T_y), int64
            Decoder inputs: ``BOS`` then the true outputs shifted right (see
            :func:`sorted_distinct`).

        Returns
        -------
        torch.Tensor of shape (m, T_y, 11), float32
            Logits over the digits 0 .. 9 and ``EOS``.
        """
        s0 = self.encode(x)
        _check_tokens("y_in", y_in, 2, "(m, T_y)", self.n_in_dec)
        if y_in.shape[0] != x.shape[0]:
            raise ValueError(f"y_in has {y_in.shape[0]} rows but x has {x.shape[0]}")
        s, _ = self.decoder(F.one_hot(y_in, self.n_in_dec).float(), s0)
        return self.out(s)

    @torch.no_grad()
    def generate(self, x: torch.Tensor, max_len: int = 12) -> list[list[int]]:
        """Greedy decoding: feed back the most probable token until ``EOS`` or ``max_len``.

        Parameters
        ----------
        x : torch.Tensor of shape (m, T_x), int64
        max_len : int, default 12
            At most this many tokens per output (``EOS`` included), at least 1.

        Returns
        -------
        list of m lists of int
            The generated digits of each example, without ``EOS``.
        """
        max_len = _check_int("max_len", max_len, 1)
        s = self.encode(x)
        m = x.shape[0]
        token = torch.full((m,), BOS, dtype=torch.int64)
        out: list[list[int]] = [[] for _ in range(m)]
        done = torch.zeros(m, dtype=torch.bool)
        for _ in range(max_len):
            h, s = self.decoder(F.one_hot(token, self.n_in_dec).float()[:, None], s)
            token = self.out(h[:, -1]).argmax(dim=-1)
            for i in torch.nonzero(~done & (token != EOS)).flatten().tolist():
                out[i].append(int(token[i]))
            done |= token == EOS
            if bool(done.all()):
                break
        return out


# --------------------------------------------------------------------------- losses
def classification_loss(model: ManyToOne, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of one prediction per sequence; x (m, T_x), y (m,)."""
    return F.cross_entropy(model(x), y)


def tagging_loss(model: ManyToMany, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Cross-entropy averaged over examples and steps: (1 / (m T_x)) sum_i sum_t L^{(i)<t>}.

    The notes' sequence loss sums over t; dividing by T_x only rescales the learning rate.
    x and y have shape (m, T_x).
    """
    logits = model(x)                                                   # (m, T_x, n_y)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def generation_loss(model: OneToMany, first: torch.Tensor, c: torch.Tensor,
                    y: torch.Tensor) -> torch.Tensor:
    """Per-step cross-entropy of a one-to-many model under teacher forcing; y (m, T_y)."""
    logits = model(first, c, y)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def seq2seq_loss(model: Seq2Seq, x: torch.Tensor, y_in: torch.Tensor,
                 y_out: torch.Tensor) -> torch.Tensor:
    """Per-step cross-entropy of the decoder, averaged over the real (non-``PAD``) targets."""
    logits = model(x, y_in)                                             # (m, T_y, 11)
    target = y_out.masked_fill(y_out == PAD, -100)                      # -100: ignored
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1),
                           ignore_index=-100)


# --------------------------------------------------------------------------- training
def train(model: nn.Module, data: Sequence[torch.Tensor],
          loss_fn: Callable[..., torch.Tensor], epochs: int, lr: float, seed: int,
          batch_size: int = 64, clip: float | None = 1.0, progress: bool | None = None
          ) -> list[float]:
    """Mini-batch Adam on ``loss_fn(model, *batch)``; returns the loss of every update.

    Parameters
    ----------
    model : nn.Module
        Trained in place.
    data : sequence of torch.Tensor
        Tensors that share their first axis (the ``m`` examples), e.g. ``(x, y)``. Each epoch
        visits them in a new random order, in mini-batches of ``batch_size``.
    loss_fn : callable
        ``loss_fn(model, *batch)`` returns a scalar tensor, e.g. :func:`tagging_loss`.
    epochs : int
        Passes over the data, at least 1.
    lr : float
        Adam's learning rate, positive.
    seed : int
        Seed of the shuffling order.
    batch_size : int, default 64
    clip : float or None, default 1.0
        If given, the gradient norm is clipped to this value before each update (gradient
        clipping, against exploding gradients).
    progress : bool or None, default None
        Show a tqdm progress bar; ``None`` shows it only on an interactive terminal.

    Returns
    -------
    list of float
        The mini-batch loss before each update, ``epochs * ceil(m / batch_size)`` values.

    Raises
    ------
    ValueError
        If ``data`` is empty or its tensors disagree on ``m``, or a number is out of range.
    """
    from tqdm.auto import tqdm

    epochs = _check_int("epochs", epochs, 1)
    batch_size = _check_int("batch_size", batch_size, 1)
    if not (isinstance(lr, (int, float)) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    if clip is not None and not (isinstance(clip, (int, float)) and clip > 0):
        raise ValueError(f"clip must be a positive number or None, got {clip!r}")
    if not data or not all(isinstance(d, torch.Tensor) for d in data):
        raise ValueError("data must be a non-empty sequence of tensors")
    m = data[0].shape[0]
    if any(d.shape[0] != m for d in data):
        raise ValueError(f"every tensor in data needs the same first axis m; got "
                         f"{[tuple(d.shape) for d in data]}")

    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history: list[float] = []
    model.train()
    bar = tqdm(range(epochs), desc=type(model).__name__, leave=False,
               disable=None if progress is None else not progress)
    for _ in bar:
        order = torch.randperm(m, generator=generator)
        for start in range(0, m, batch_size):
            batch = [d[order[start:start + batch_size]] for d in data]
            loss = loss_fn(model, *batch)
            optimizer.zero_grad()
            loss.backward()
            if clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
            history.append(loss.item())
        bar.set_postfix(loss=f"{history[-1]:.4f}")
    model.eval()
    return history


# --------------------------------------------------------------------------- evaluation
def accuracy(logits: torch.Tensor, target: torch.Tensor) -> float:
    """Fraction of positions where ``logits.argmax(-1) == target``.

    Parameters
    ----------
    logits : torch.Tensor of shape (..., n_y)
    target : torch.Tensor of shape (...), int64

    Raises
    ------
    ValueError
        If ``logits.shape[:-1] != target.shape``.
    """
    if tuple(logits.shape[:-1]) != tuple(target.shape):
        raise ValueError(f"logits has shape {tuple(logits.shape)} so target must have shape "
                         f"{tuple(logits.shape[:-1])}, got {tuple(target.shape)}")
    return (logits.argmax(dim=-1) == target).float().mean().item()


def strip_eos(tokens: Sequence[int]) -> list[int]:
    """The tokens before the first ``EOS`` (or ``PAD``)."""
    out = []
    for tok in (int(t) for t in tokens):
        if tok in (EOS, PAD):
            break
        out.append(tok)
    return out


def exact_match(predictions: Sequence[Sequence[int]], targets: torch.Tensor) -> float:
    """Fraction of outputs that equal their target exactly (same digits, same length).

    Parameters
    ----------
    predictions : list of m lists of int
        E.g. from :meth:`Seq2Seq.generate`, without ``EOS``.
    targets : torch.Tensor of shape (m, T_y), int64
        Padded targets such as ``y_out`` of :func:`sorted_distinct`.
    """
    if len(predictions) != targets.shape[0]:
        raise ValueError(f"{len(predictions)} predictions for {targets.shape[0]} targets")
    hits = sum(list(p) == strip_eos(t.tolist()) for p, t in zip(predictions, targets))
    return hits / len(predictions)

