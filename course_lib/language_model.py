"""An RNN language model in numpy, in the notes' notation (built on :mod:`course_lib.rnn`).

A language model gives the probability of a sentence ``y^{<1>}, …, y^{<T_y>}`` (the tokens of
the sentence, ending with ``<EOS>``) as a product of conditionals::

    P(y^{<1>}, …, y^{<T_y>}) = P(y^{<1>}) · P(y^{<2>} | y^{<1>}) ⋯ P(y^{<T_y>} | y^{<1>}, …, y^{<T_y-1>})

The RNN computes the t-th conditional as its softmax output ŷ^{<t>}. Its input at step t is the
previous token of the sentence::

    x^{<1>} = 0 (a zero vector),   x^{<t>} = y^{<t-1>}  for t ≥ 2,   a^{<0>} = 0

and it is trained with the softmax cross-entropy ``L = Σ_t L^{<t>}(ŷ^{<t>}, y^{<t>})``,
``L^{<t>} = -Σ_i y_i^{<t>} log ŷ_i^{<t>}`` (:func:`course_lib.rnn.sequence_loss`).
Here n_y = n_x: the model predicts a token of the same vocabulary it reads.

Shapes are those of :mod:`course_lib.rnn`: x, y (n_x, m, T), mask (m, T), a0 (n_a, m).
Gradients live in dicts keyed ``"d" + parameter name`` (``dWax``, ``dWaa``, ``dWya``, ``dba``,
``dby``), as :func:`course_lib.rnn.rnn_loss_and_gradients` returns them.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from . import rnn
from .text import batch_one_hot

__all__ = [
    "lm_inputs_targets",
    "lm_loss_and_gradients",
    "global_norm",
    "clip_gradients",
    "sgd_update",
    "Adam",
    "train_language_model",
    "log_softmax",
    "lm_log_probs",
    "sequence_logprob",
    "perplexity",
]

GRADIENT_NAMES = tuple("d" + name for name in rnn.PARAMETER_NAMES)


# --------------------------------------------------------------------------- data
def _check_sequences(sequences) -> list[list[int]]:
    if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__len__"):
        raise TypeError("sequences must be a list of index sequences, e.g. [[5, 3, 2], [7, 2]]")
    seqs = [list(s) for s in sequences]
    if not seqs:
        raise ValueError("sequences is empty: a language model needs at least one sequence")
    for i, s in enumerate(seqs):
        if not s:
            raise ValueError(f"sequences[{i}] is empty: every sequence needs at least one token")
    return seqs


def _check_n_x(n_x) -> int:
    if isinstance(n_x, (bool, np.bool_)) or not isinstance(n_x, (int, np.integer)) or n_x < 1:
        raise ValueError(f"n_x must be a positive integer (the vocabulary size), got {n_x!r}")
    return int(n_x)


def _check_index(name: str, value, n_x: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer token index, got {value!r}")
    if not 0 <= value < n_x:
        raise ValueError(f"{name}={value} is out of range for a vocabulary of size n_x={n_x}")
    return int(value)


def lm_inputs_targets(sequences: Sequence[Sequence[int]], n_x: int, eos_index: int | None = None):
    """Inputs, targets and mask for training a language model on index sequences.

    Implements the notes' shift by one: ``x^{<1>} = 0`` and ``x^{<t>} = y^{<t-1>}``, where
    ``y^{<t>}`` is the one-hot vector of the t-th token of the sentence.

    Parameters
    ----------
    sequences : sequence of m sequences of int
        Token indices of each sentence (lengths may differ). ``<EOS>`` is **not** appended here:
        end each sequence with it yourself (``Vocabulary.encode(tokens, add_eos=True)``) if the
        model should learn where sentences stop.
    n_x : int
        Vocabulary size.
    eos_index : int, optional
        Index of ``<EOS>``. If given, it is checked to be in range and to occur in a sequence only
        as its last token: an ``<EOS>`` in the middle usually means two sentences were glued
        together by mistake. Pass ``None`` to skip the check (e.g. to train on a stream of
        sentences).

    Returns
    -------
    x : ndarray (n_x, m, T), float64
        ``x[:, i, 0] = 0``; ``x[:, i, t] = y[:, i, t-1]`` for t ≥ 1 (0-based t).
    y : ndarray (n_x, m, T), float64
        ``y[:, i, t]`` is the one-hot vector of ``sequences[i][t]``; padded steps are zero columns.
    mask : ndarray (m, T), bool
        ``True`` at the real tokens of each sequence (where a prediction is scored).

    Raises
    ------
    ValueError
        Empty batch or empty sequence, ``n_x < 1``, ``eos_index`` out of range or an ``<EOS>``
        before the end of a sequence.
    IndexError
        A token index outside ``0 .. n_x - 1`` (from :func:`course_lib.text.batch_one_hot`).
    """
    n_x = _check_n_x(n_x)
    seqs = _check_sequences(sequences)
    if eos_index is not None:
        eos_index = _check_index("eos_index", eos_index, n_x)
        for i, s in enumerate(seqs):
            if eos_index in s[:-1]:
                raise ValueError(
                    f"sequences[{i}] has <EOS> (index {eos_index}) at position {s.index(eos_index)} "
                    f"before its end (length {len(s)}); pass eos_index=None to allow it"
                )
    y, mask = batch_one_hot(seqs, n_x)
    x = np.zeros_like(y)
    x[:, :, 1:] = y[:, :, :-1]  # x^{<t>} = y^{<t-1>}; x^{<1>} stays the zero vector
    return x, y, mask


# --------------------------------------------------------------------------- loss
def _check_lm_parameters(parameters, n_x: int | None = None) -> tuple[int, int]:
    """``(n_a, n_x)`` after checking shapes, that n_y = n_x and, if given, the ``n_x`` argument."""
    n_a, n_x_params, n_y = rnn.dimensions(parameters)
    if n_y != n_x_params:
        raise ValueError(
            f"a language model predicts tokens of the vocabulary it reads, so n_y must equal n_x; "
            f"parameters['Wya'] has n_y={n_y} rows but parameters['Wax'] has n_x={n_x_params} columns"
        )
    if n_x is not None and n_x != n_x_params:
        raise ValueError(f"n_x={n_x} does not match the parameters, which have n_x={n_x_params}")
    return n_a, n_x_params


def lm_loss_and_gradients(x, y, a0, parameters, mask=None):
    """Language-model loss and its gradients: :func:`course_lib.rnn.rnn_loss_and_gradients` with
    g1 = tanh and g2 = softmax.

    The loss is the notes' ``L = Σ_t L^{<t>}``, summed over time and averaged over the m examples
    (so ``loss * m / mask.sum()`` is the mean loss per predicted token).

    Parameters
    ----------
    x, y : ndarray (n_x, m, T)
        From :func:`lm_inputs_targets`.
    a0 : ndarray (n_a, m)
        a^{<0>}, zeros in the notes.
    parameters : dict
        Wax (n_a, n_x), Waa (n_a, n_a), Wya (n_x, n_a), ba (n_a, 1), by (n_x, 1).
    mask : ndarray (m, T) of bool, optional
        Leaves out padded steps.

    Returns
    -------
    loss : float
    gradients : dict
        dWax, dWaa, dWya, dba, dby, each of its parameter's shape. (The gradients with respect to
        the one-hot data x and the fixed a^{<0>} are not needed for training and are dropped.)
    """
    _check_lm_parameters(parameters)
    loss, grads = rnn.rnn_loss_and_gradients(x, y, a0, parameters, "tanh", "softmax", mask)
    return loss, {name: grads[name] for name in GRADIENT_NAMES}


# --------------------------------------------------------------------------- clipping
def _positive_threshold(name: str, value) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a positive number or None, got {value!r}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive, finite number or None, got {value!r}")
    return float(value)


def global_norm(gradients) -> float:
    """``‖g‖ = sqrt(Σ over every array in gradients of Σ entries²)``: one norm for all of them.

    The squares are taken after dividing by the largest absolute entry, so finite gradients with
    entries above ~1e154 (an exploding gradient) still give a finite norm instead of overflowing
    to inf (which would make clipping by norm silently zero the gradient).
    """
    scale = max((float(np.max(np.abs(g))) for g in gradients.values() if np.size(g)), default=0.0)
    if scale == 0.0 or not math.isfinite(scale):
        return scale
    return scale * math.sqrt(sum(float(np.sum(np.square(g / scale))) for g in gradients.values()))


def clip_gradients(gradients, max_value: float | None = None, max_norm: float | None = None):
    """Clip gradients **in place**, elementwise and/or by their global norm.

    * by value: every entry is clipped into ``[-max_value, max_value]`` (``np.clip(g, out=g)``),
      which keeps each entry's sign but may change the direction of the whole gradient;
    * by norm: if ``‖g‖ > max_norm`` (the norm of all the arrays together, as one vector), every
      array is multiplied by ``max_norm / ‖g‖``, so the direction is kept and the norm becomes
      exactly ``max_norm``.

    With both, values are clipped first and the norm is then measured again and clipped, so the
    result satisfies both bounds. Clipping is the usual remedy for *exploding* gradients in RNNs.

    Parameters
    ----------
    gradients : dict name -> float ndarray
        Every entry is clipped, so pass only parameter gradients (as :func:`lm_loss_and_gradients`
        returns them).
    max_value, max_norm : float, optional
        Positive thresholds; ``None`` skips that kind of clipping.

    Returns
    -------
    gradients : dict
        The same dict holding the same (now clipped) array objects.
    norm : float
        The global norm **before** any clipping (useful to log or plot).

    Raises
    ------
    ValueError
        A threshold that is zero, negative or not finite; an empty dict.
    TypeError
        An entry that is not a floating-point numpy array (in-place clipping needs one).
    FloatingPointError
        A gradient containing NaN or inf: clipping cannot repair it, and the cause (a too large
        learning rate, a log of zero, …) should be fixed instead.
    """
    max_value = _positive_threshold("max_value", max_value)
    max_norm = _positive_threshold("max_norm", max_norm)
    if not gradients:
        raise ValueError("gradients is empty: nothing to clip")
    for name, g in gradients.items():
        if not isinstance(g, np.ndarray) or not np.issubdtype(g.dtype, np.floating):
            raise TypeError(f"gradients[{name!r}] must be a floating-point numpy array, got "
                            f"{getattr(g, 'dtype', type(g).__name__)}")
        if not np.all(np.isfinite(g)):
            raise FloatingPointError(f"gradients[{name!r}] contains NaN or inf")
    norm_before = global_norm(gradients)
    if max_value is not None:
        for g in gradients.values():
            np.clip(g, -max_value, max_value, out=g)
    if max_norm is not None:
        norm = global_norm(gradients) if max_value is not None else norm_before
        if norm > max_norm:
            scale = max_norm / norm
            for g in gradients.values():
                g *= scale
    return gradients, norm_before


# --------------------------------------------------------------------------- optimisers
def _check_update(parameters, gradients, lr) -> None:
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.integer, np.floating)) \
            or not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be a positive, finite number, got {lr!r}")
    for name, p in parameters.items():
        if "d" + name not in gradients:
            raise KeyError(f"gradients has no {'d' + name!r} for parameter {name!r}; "
                           f"got {sorted(gradients)}")
        g = gradients["d" + name]
        if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
            raise TypeError(f"parameters[{name!r}] must be a floating-point numpy array "
                            "(it is updated in place)")
        if np.shape(g) != p.shape:
            raise ValueError(f"gradients['d{name}'] has shape {np.shape(g)} but parameters"
                             f"[{name!r}] has shape {p.shape}")


def sgd_update(parameters, gradients, lr: float):
    """Gradient descent step ``W := W - lr · dW`` for every parameter, **in place**.

    Parameters
    ----------
    parameters : dict name -> float ndarray
    gradients : dict ``"d" + name`` -> ndarray of the same shape
    lr : float
        Learning rate α > 0.

    Returns
    -------
    parameters : the same dict (same arrays, new contents).
    """
    _check_update(parameters, gradients, lr)
    for name, p in parameters.items():
        p -= lr * gradients["d" + name]
    return parameters


class Adam:
    """The Adam optimiser (Kingma & Ba, 2015), updating numpy parameters in place.

    For every parameter W with gradient dW, at step t = 1, 2, …::

        v = β1 v + (1 - β1) dW            s = β2 s + (1 - β2) dW²
        v̂ = v / (1 - β1^t)                ŝ = s / (1 - β2^t)          (bias correction)
        W := W - lr · v̂ / (sqrt(ŝ) + ε)

    v and s start at zero; they are kept per parameter name between calls of :meth:`step`.
    Same update as ``torch.optim.Adam`` with its defaults.

    Parameters
    ----------
    lr : float, default 1e-3
    beta1, beta2 : float, default 0.9, 0.999
        Decay rates of the first and second moment estimates, in [0, 1).
    eps : float, default 1e-8

    Attributes
    ----------
    t : int
        Number of steps taken.
    v, s : dict name -> ndarray
        First and second moment estimates.
    """

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8):
        _positive_threshold("lr", lr)
        _positive_threshold("eps", eps)
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {beta!r}")
        self.lr, self.beta1, self.beta2, self.eps = float(lr), float(beta1), float(beta2), float(eps)
        self.t = 0
        self.v: dict[str, np.ndarray] = {}
        self.s: dict[str, np.ndarray] = {}

    def __repr__(self) -> str:
        return (f"Adam(lr={self.lr}, beta1={self.beta1}, beta2={self.beta2}, eps={self.eps}, "
                f"t={self.t})")

    def step(self, parameters, gradients):
        """One Adam update of every parameter, **in place**; returns ``parameters``.

        Raises
        ------
        KeyError
            A gradient is missing, or the parameter names differ from those of earlier steps.
        ValueError
            A gradient's shape differs from its parameter's.
        """
        _check_update(parameters, gradients, self.lr)
        if self.t and set(parameters) != set(self.v):
            raise KeyError(f"this Adam holds state for {sorted(self.v)} but was given "
                           f"{sorted(parameters)}; use one optimiser per set of parameters")
        self.t += 1
        bias1 = 1.0 - self.beta1**self.t
        bias2 = 1.0 - self.beta2**self.t
        for name, p in parameters.items():
            g = gradients["d" + name]
            if name not in self.v:
                self.v[name] = np.zeros_like(p)
                self.s[name] = np.zeros_like(p)
            v, s = self.v[name], self.s[name]
            v *= self.beta1
            v += (1.0 - self.beta1) * g
            s *= self.beta2
            s += (1.0 - self.beta2) * g * g
            p -= self.lr * (v / bias1) / (np.sqrt(s / bias2) + self.eps)
        return parameters


# --------------------------------------------------------------------------- training
def _check_positive_int(name: str, value) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def train_language_model(sequences, n_x: int, n_a: int, eos_index: int | None = None, *,
                         epochs: int | None = None, num_iterations: int | None = None,
                         lr: float = 0.01, optimizer: str = "adam", batch_size: int = 32,
                         clip_norm: float | None = 5.0, clip_value: float | None = None,
                         seed: int = 0, parameters: dict | None = None, progress: bool = True):
    """Train an RNN language model with mini-batches, gradient clipping and Adam or SGD.

    Each iteration takes the next mini-batch of a seeded shuffle of ``sequences``, builds
    x, y and the mask with :func:`lm_inputs_targets` (x^{<t>} = y^{<t-1>}, a^{<0>} = 0),
    computes :func:`lm_loss_and_gradients`, clips (:func:`clip_gradients`) and updates.

    Parameters
    ----------
    sequences : sequence of sequences of int
        Training sentences as token indices, each ending with ``<EOS>`` if the model should learn
        to stop.
    n_x : int
        Vocabulary size (n_y = n_x).
    n_a : int
        Number of hidden units.
    eos_index : int, optional
        Checked as in :func:`lm_inputs_targets`.
    epochs, num_iterations : int, optional
        Train for ``epochs`` passes over the data or for ``num_iterations`` mini-batch updates;
        give at most one (default: one epoch). The last batch of an epoch may be smaller.
    lr : float, default 0.01
        Learning rate.
    optimizer : {"adam", "sgd"}
    batch_size : int, default 32
    clip_norm, clip_value : float, optional
        Thresholds for :func:`clip_gradients` (default: clip the global norm at 5).
    seed : int, default 0
        Seeds the initial parameters (:func:`course_lib.rnn.initialize_parameters`) and the
        shuffling; the same seed gives the same run.
    parameters : dict, optional
        Start from these parameters instead of a fresh initialisation (they are copied, not
        modified). The optimiser's state starts afresh.
    progress : bool, default True
        Show a ``tqdm`` progress bar.

    Returns
    -------
    parameters : dict
        Trained Wax, Waa, Wya, ba, by.
    history : list of float
        For every iteration, the mean loss **per predicted token** of its mini-batch (before the
        update); compare with log(n_x), the loss of a uniform guess.

    Raises
    ------
    ValueError
        Invalid sizes, thresholds, optimiser name, or both ``epochs`` and ``num_iterations``.
    """
    n_x = _check_n_x(n_x)
    n_a = _check_positive_int("n_a", n_a)
    batch_size = _check_positive_int("batch_size", batch_size)
    if epochs is not None and num_iterations is not None:
        raise ValueError("give either epochs or num_iterations, not both")
    if num_iterations is None:
        epochs = 1 if epochs is None else _check_positive_int("epochs", epochs)
    else:
        num_iterations = _check_positive_int("num_iterations", num_iterations)
    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")
    _positive_threshold("lr", lr)
    _positive_threshold("clip_norm", clip_norm)
    _positive_threshold("clip_value", clip_value)
    seqs = _check_sequences(sequences)
    lm_inputs_targets(seqs, n_x, eos_index)  # validate every sequence once, up front

    if parameters is None:
        parameters = rnn.initialize_parameters(n_a, n_x, n_x, seed=seed)
    else:
        _check_lm_parameters(parameters, n_x)
        if parameters["Waa"].shape[0] != n_a:
            raise ValueError(f"n_a={n_a} does not match parameters['Waa'] of shape "
                             f"{parameters['Waa'].shape}")
        parameters = {name: np.array(parameters[name], dtype=np.float64)
                      for name in rnn.PARAMETER_NAMES}
    opt = Adam(lr=lr) if optimizer == "adam" else None

    m_total = len(seqs)
    batches_per_epoch = -(-m_total // batch_size)
    total = num_iterations if num_iterations is not None else epochs * batches_per_epoch
    # A separate stream for shuffling, so the initialisation does not depend on the data order.
    rng = np.random.default_rng([seed, 1])

    def batches():
        while True:
            order = rng.permutation(m_total)
            for start in range(0, m_total, batch_size):
                yield [seqs[i] for i in order[start:start + batch_size]]

    from tqdm.auto import tqdm  # imported here: only training needs it

    history: list[float] = []
    bar = tqdm(total=total, disable=not progress, desc="training", unit="it")
    try:
        for it, batch in zip(range(total), batches()):
            x, y, mask = lm_inputs_targets(batch, n_x)
            a0 = np.zeros((n_a, len(batch)))
            loss, grads = lm_loss_and_gradients(x, y, a0, parameters, mask)
            history.append(loss * len(batch) / mask.sum())
            if clip_norm is not None or clip_value is not None:
                clip_gradients(grads, max_value=clip_value, max_norm=clip_norm)
            if opt is None:
                sgd_update(parameters, grads, lr)
            else:
                opt.step(parameters, grads)
            bar.update(1)
            if it % 20 == 0 or it == total - 1:
                bar.set_postfix(loss_per_token=f"{np.mean(history[-batches_per_epoch:]):.3f}")
    finally:
        bar.close()
    return parameters, history


# --------------------------------------------------------------------------- probabilities
def log_softmax(z: np.ndarray) -> np.ndarray:
    """``log softmax(z)`` over axis 0, as ``z - max - log Σ exp(z - max)``.

    Unlike ``np.log(softmax(z))`` this never takes the log of a probability that underflowed
    to 0, so every entry is finite.
    """
    z_max = z.max(axis=0, keepdims=True)
    return z - z_max - np.log(np.exp(z - z_max).sum(axis=0, keepdims=True))


def lm_log_probs(parameters, x, a0=None) -> np.ndarray:
    """``log ŷ^{<t>}`` for every step, computed from the logits.

    Runs :func:`course_lib.rnn.rnn_forward` for the hidden states and then applies
    :func:`log_softmax` to ``z_y^{<t>} = W_ya a^{<t>} + b_y``.

    Parameters
    ----------
    parameters : dict
        A language model's parameters (n_y = n_x).
    x : ndarray (n_x, m, T)
        Inputs from :func:`lm_inputs_targets`.
    a0 : ndarray (n_a, m), optional
        a^{<0>}; zeros by default, as in the notes.

    Returns
    -------
    ndarray (n_x, m, T)
        ``log ŷ^{<t>}`` per example and step; ``(y * lm_log_probs(...)).sum()`` is the total
        log-likelihood of the targets y.
    """
    n_a, _ = _check_lm_parameters(parameters)
    if a0 is None:
        a0 = np.zeros((n_a, x.shape[1] if isinstance(x, np.ndarray) and x.ndim == 3 else 1))
    a, _, _ = rnn.rnn_forward(x, a0, parameters)
    z = np.einsum("ya,amt->ymt", parameters["Wya"], a) + parameters["by"][:, :, None]
    return log_softmax(z)


def sequence_logprob(parameters, indices: Sequence[int], n_x: int) -> float:
    """Natural log of the probability the model gives a sentence.

    Implements ``log P(y^{<1>}, …, y^{<T>}) = Σ_t log P(y^{<t>} | y^{<1>}, …, y^{<t-1>})``,
    where the t-th conditional is entry ``y^{<t>}`` of ŷ^{<t>} (with x^{<t>} = y^{<t-1>}).

    The notes multiply the conditionals; the code adds their logarithms instead. Each factor is
    below 1, often far below (about 1/n_x for an untrained model), so the product of a few
    hundred of them is smaller than the smallest float64 (~1e-308) and **underflows to 0.0**,
    after which every sentence looks equally (im)probable. The sum of logs stays an ordinary
    number (e.g. -690.8 for 300 tokens at probability 0.1), and comparing log-probabilities
    ranks sentences exactly as comparing probabilities would.

    Parameters
    ----------
    parameters : dict
        A language model's Wax, Waa, Wya, ba, by with n_y = n_x.
    indices : sequence of int, length T ≥ 1
        The sentence, including ``<EOS>`` if its end should be scored.
    n_x : int
        Vocabulary size; must match the parameters.

    Returns
    -------
    float
        ``log P(sentence)`` ≤ 0. Equals ``-loss`` of :func:`lm_loss_and_gradients` on this one
        sentence (m = 1).
    """
    n_x = _check_n_x(n_x)
    _check_lm_parameters(parameters, n_x)
    x, y, _ = lm_inputs_targets([indices], n_x)
    return float((y * lm_log_probs(parameters, x)).sum())


def perplexity(parameters, sequences: Sequence[Sequence[int]], n_x: int,
               batch_size: int = 256) -> float:
    """Perplexity ``exp(-(1/N) Σ_sentences log P(sentence))`` over N predicted tokens.

    N counts every token of every sequence (``<EOS>`` included), i.e. every step at which the
    model made a prediction. A model that guesses uniformly has perplexity n_x; lower is better:
    a perplexity of k means the model is as unsure as a uniform choice among k tokens.

    Parameters
    ----------
    parameters : dict
    sequences : sequence of sequences of int
    n_x : int
    batch_size : int, default 256
        Sequences evaluated together (only affects speed and memory).

    Returns
    -------
    float
    """
    n_x = _check_n_x(n_x)
    _check_lm_parameters(parameters, n_x)
    seqs = _check_sequences(sequences)
    batch_size = _check_positive_int("batch_size", batch_size)
    total_logprob, n_tokens = 0.0, 0
    for start in range(0, len(seqs), batch_size):
        x, y, mask = lm_inputs_targets(seqs[start:start + batch_size], n_x)
        # y is zero at padded steps, so padding adds nothing to the sum.
        total_logprob += float((y * lm_log_probs(parameters, x)).sum())
        n_tokens += int(mask.sum())
    return math.exp(-total_logprob / n_tokens)
