"""Sampling novel sequences from a trained RNN language model (:mod:`course_lib.language_model`).

The notes' procedure: start from ``a^{<0>} = 0`` and ``x^{<1>} = 0``; at every step compute
ŷ^{<t>} (:func:`course_lib.rnn.rnn_cell_forward`), draw a token from it with
``np.random.choice(n_x, p=ŷ^{<t>})`` (here a seeded ``numpy.random.Generator``), and feed the
drawn token back as the next input, ``x^{<t+1>} = one-hot(y^{<t>})``. Stop at ``<EOS>`` or after
``max_length`` tokens. Optionally never emit ``<UNK>`` (reject it and draw again).

Two knobs that the notes do not cover, common in practice:

* **temperature** T > 0 samples from ``p ∝ ŷ^{1/T}``, i.e. ``softmax(z / T)`` for the logits z:
  T < 1 sharpens the distribution (safer, more repetitive text), T > 1 flattens it (more
  surprising text), T = 1 is the model itself;
* **greedy** decoding takes ``argmax ŷ`` at every step, the limit T → 0. It is deterministic and
  tends to produce one very typical (and often repetitive) sequence.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from . import rnn
from .language_model import _check_lm_parameters, _check_n_x, log_softmax

__all__ = ["sampling_distribution", "sample", "sample_text", "MAX_UNK_REJECTIONS"]

#: Draws of ``<UNK>`` rejected at one step before sampling directly from the distribution
#: renormalised without ``<UNK>`` (see :func:`sample`).
MAX_UNK_REJECTIONS = 10


def _check_temperature(temperature) -> float:
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float, np.integer, np.floating)):
        raise TypeError(f"temperature must be a positive number, got {temperature!r}")
    if not np.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature must be a positive, finite number (use greedy=True for the "
                         f"T -> 0 limit), got {temperature!r}")
    return float(temperature)


def sampling_distribution(z: np.ndarray, temperature: float = 1.0,
                          exclude: int | None = None) -> np.ndarray:
    """Probabilities ``p ∝ softmax(z)^{1/T} = softmax(z / T)`` of the next token.

    Computed in log space: ``log p = log_softmax(z) / T`` renormalised, so neither a tiny ŷ_k
    (whose power would underflow) nor a small T (huge z/T) causes trouble.

    Parameters
    ----------
    z : ndarray (n_x,)
        Logits ``W_ya a^{<t>} + b_y`` of one example.
    temperature : float, default 1.0
        T > 0.
    exclude : int, optional
        A token given probability 0 (the rest renormalised), e.g. ``<UNK>``.

    Returns
    -------
    p : ndarray (n_x,), non-negative, sums to 1.
    """
    temperature = _check_temperature(temperature)
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 1:
        raise ValueError(f"z must be one-dimensional (n_x,), got shape {z.shape}")
    logp = log_softmax(z) / temperature
    if exclude is not None:
        if z.size < 2:
            raise ValueError("cannot exclude the only token of a vocabulary of size 1")
        logp[exclude] = -np.inf
    return rnn.softmax(logp)


def _as_rng(rng, greedy: bool):
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        if greedy:
            return None
        raise ValueError("sampling is random: pass rng= a numpy Generator "
                         "(np.random.default_rng(seed)) or an int seed; or use greedy=True")
    if isinstance(rng, (bool, np.bool_)) or not isinstance(rng, (int, np.integer)):
        raise TypeError(f"rng must be a numpy Generator, an int seed or None, got {rng!r}")
    return np.random.default_rng(rng)


def _first_input(first_input, n_x: int) -> np.ndarray:
    if first_input is None:
        return np.zeros((n_x, 1))  # the notes' x^{<1>} = 0
    if isinstance(first_input, (int, np.integer)) and not isinstance(first_input, (bool, np.bool_)):
        if not 0 <= first_input < n_x:
            raise ValueError(f"first_input={first_input} is out of range for n_x={n_x}")
        x = np.zeros((n_x, 1))
        x[first_input, 0] = 1.0
        return x
    if isinstance(first_input, np.ndarray) and first_input.shape in ((n_x,), (n_x, 1)):
        return first_input.astype(np.float64).reshape(n_x, 1)
    raise ValueError(f"first_input must be None, a token index or an array of shape ({n_x},) or "
                     f"({n_x}, 1), got {first_input!r}")


def sample(parameters, n_x: int, eos_index: int, unk_index: int | None = None,
           max_length: int = 50, temperature: float = 1.0, greedy: bool = False,
           rng: np.random.Generator | int | None = None, first_input=None,
           prefix: Sequence[int] | None = None) -> list[int]:
    """Sample one sequence of token indices from an RNN language model.

    At step t: ``a^{<t>}, ŷ^{<t>} = rnn_cell_forward(x^{<t>}, a^{<t-1>})``; draw
    ``y^{<t>} ~ ŷ^{<t>}`` (or its temperature-scaled version, or take the argmax); then
    ``x^{<t+1>} = one-hot(y^{<t>})``. Starts from ``a^{<0>} = 0``, ``x^{<1>} = 0``.

    Parameters
    ----------
    parameters : dict
        Wax (n_a, n_x), Waa (n_a, n_a), Wya (n_x, n_a), ba (n_a, 1), by (n_x, 1).
    n_x : int
        Vocabulary size; must match the parameters.
    eos_index : int
        ``<EOS>``: sampling stops right after drawing it.
    unk_index : int, optional
        If given, ``<UNK>`` is never emitted. As in the notes, a drawn ``<UNK>`` is rejected and
        the token drawn again. After :data:`MAX_UNK_REJECTIONS` rejections at one step (the model
        puts almost all its mass on ``<UNK>``) the token is drawn directly from the distribution
        renormalised without ``<UNK>``, so sampling never loops forever. Both routes give the same
        distribution, ``P(k | k ≠ UNK) = p_k / (1 - p_UNK)``; with ``greedy`` the most probable
        token other than ``<UNK>`` is taken.
    max_length : int, default 50
        Stop after this many tokens (counting ``prefix``) if ``<EOS>`` has not come.
    temperature : float, default 1.0
        T > 0; sample from ``p ∝ ŷ^{1/T}`` (see :func:`sampling_distribution`).
    greedy : bool, default False
        Take ``argmax`` instead of sampling (the T → 0 limit); ``rng`` is then not used.
    rng : numpy Generator or int seed
        Source of randomness; required unless ``greedy``. Pass one Generator to several calls
        to get different samples that are reproducible as a whole.
    first_input : None, int or ndarray (n_x,) / (n_x, 1), optional
        x^{<1>}: the zero vector by default (as in training), a token's one-hot vector for an
        int, or the given vector.
    prefix : sequence of int, optional
        Tokens forced as the first outputs (fed back like sampled ones); sampling continues
        after them. They are part of the returned list.

    Returns
    -------
    list of int
        The tokens y^{<1>}, y^{<2>}, …, ending with ``eos_index`` if it was drawn.

    Raises
    ------
    ValueError
        Parameter shapes (via :func:`course_lib.rnn.dimensions`), n_x not matching, indices out of
        range, ``unk_index == eos_index``, ``temperature <= 0``, ``max_length < 1``, a prefix
        longer than ``max_length``, or no ``rng`` for random sampling.
    """
    n_x = _check_n_x(n_x)
    n_a, _ = _check_lm_parameters(parameters, n_x)
    for name, idx in (("eos_index", eos_index), ("unk_index", unk_index)):
        if idx is None and name == "unk_index":
            continue
        if isinstance(idx, (bool, np.bool_)) or not isinstance(idx, (int, np.integer)) \
                or not 0 <= idx < n_x:
            raise ValueError(f"{name} must be a token index in 0 .. {n_x - 1}, got {idx!r}")
    if unk_index is not None and unk_index == eos_index:
        raise ValueError(f"unk_index and eos_index are both {eos_index}")
    if unk_index is not None and n_x < 2:
        raise ValueError("cannot avoid <UNK> in a vocabulary of size 1")
    if isinstance(max_length, (bool, np.bool_)) or not isinstance(max_length, (int, np.integer)) \
            or max_length < 1:
        raise ValueError(f"max_length must be a positive integer, got {max_length!r}")
    temperature = _check_temperature(temperature)
    rng = _as_rng(rng, greedy)
    prefix = [] if prefix is None else list(prefix)
    if len(prefix) > max_length:
        raise ValueError(f"prefix has {len(prefix)} tokens, more than max_length={max_length}")
    for k in prefix:
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or not 0 <= k < n_x:
            raise ValueError(f"prefix tokens must be indices in 0 .. {n_x - 1}, got {k!r}")

    x_t = _first_input(first_input, n_x)
    a_prev = np.zeros((n_a, 1))
    indices: list[int] = []
    while len(indices) < max_length:
        a_prev, y_hat_t, _ = rnn.rnn_cell_forward(x_t, a_prev, parameters)
        if len(indices) < len(prefix):
            k = int(prefix[len(indices)])
        elif greedy:
            # argmax of the logits, not of ŷ: entries of ŷ that underflowed to 0 would all tie
            # when <UNK> is excluded.
            z = (parameters["Wya"] @ a_prev + parameters["by"])[:, 0]
            if unk_index is not None:
                z[unk_index] = -np.inf
            k = int(np.argmax(z))
        else:
            if temperature == 1.0:
                p = y_hat_t[:, 0]
            else:
                # Recompute the logits: powers of ŷ would lose entries that underflowed to 0.
                z = (parameters["Wya"] @ a_prev + parameters["by"])[:, 0]
                p = sampling_distribution(z, temperature)
            k = int(rng.choice(n_x, p=p))
            rejections = 0
            while k == unk_index:
                rejections += 1
                if rejections >= MAX_UNK_REJECTIONS:
                    z = (parameters["Wya"] @ a_prev + parameters["by"])[:, 0]
                    k = int(rng.choice(n_x, p=sampling_distribution(z, temperature, unk_index)))
                    break
                k = int(rng.choice(n_x, p=p))
        indices.append(k)
        if k == eos_index:
            break
        x_t = np.zeros((n_x, 1))
        x_t[k, 0] = 1.0  # x^{<t+1>} = y^{<t>}
    return indices


def sample_text(parameters, vocab, max_length: int = 50, temperature: float = 1.0,
                greedy: bool = False, rng: np.random.Generator | int | None = None,
                avoid_unk: bool = True, prefix: Sequence[str] | None = None,
                join: str = "") -> str:
    """Sample a sequence with :func:`sample` and decode it with a :class:`course_lib.text.Vocabulary`.

    Parameters
    ----------
    parameters : dict
        A language model over ``vocab`` (n_x = ``len(vocab)``).
    vocab : course_lib.text.Vocabulary
        Must contain ``<EOS>``.
    max_length, temperature, greedy, rng :
        As in :func:`sample`.
    avoid_unk : bool, default True
        Never emit ``<UNK>`` (if the vocabulary has one).
    prefix : sequence of str, optional
        Tokens to start with, e.g. ``list("ma")`` for a character model; encoded with ``vocab``.
    join : str, default ""
        Placed between tokens: ``""`` for characters, ``" "`` for words.

    Returns
    -------
    str
        The decoded tokens without ``<EOS>`` (and without ``<PAD>``), joined by ``join``.
    """
    from .text import EOS, UNK  # the vocabulary's own indices are used below

    if not hasattr(vocab, "eos_index") or not hasattr(vocab, "decode"):
        raise TypeError(f"vocab must be a course_lib.text.Vocabulary, got {type(vocab).__name__}")
    unk_index = vocab.unk_index if avoid_unk and UNK in vocab else None
    indices = sample(parameters, len(vocab), vocab.eos_index, unk_index=unk_index,
                     max_length=max_length, temperature=temperature, greedy=greedy, rng=rng,
                     prefix=None if prefix is None else vocab.encode(list(prefix)))
    return join.join(tok for tok in vocab.decode(indices) if tok != EOS)
