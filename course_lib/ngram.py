"""n-gram language models: counts, add-k smoothing and interpolated Kneser-Ney.

An n-gram model predicts the next token from the previous ``n - 1`` only:

    P(y^{<1>}, ..., y^{<T>}) = prod_t P(y^{<t>} | y^{<t-n+1>}, ..., y^{<t-1>})

The tokens may be words (``datasets.word_corpus``) or characters (``list("mary")``).

Padding conventions
-------------------
A sentence ``w_1 .. w_T`` is padded to ``<s> .. <s> w_1 .. w_T <EOS>``:

* ``n - 1`` copies of ``BOS = "<s>"`` on the left give the first words a full context.
  ``<s>`` is only ever *context*: it is never predicted, so it is not in ``model.vocab``.
* One ``EOS`` on the right -- the course's ``<EOS>`` from :mod:`course_lib.text`, playing the
  role of the textbook's ``</s>``. Using the same end token as the RNN language models
  (``Vocabulary.encode(tokens, add_eos=True)``) makes the two perplexities count the same
  ``T + 1`` predictions per sentence (the words and the end), so they can be compared.

The predicted tokens are ``model.vocab``: every token seen in training, plus ``<UNK>`` for
any unseen word and ``<EOS>``. Probabilities sum to 1 over ``model.vocab`` for every
context, seen or not.

Natural logarithms throughout; perplexity is ``exp`` of the mean negative log-probability
per predicted token (``<EOS>`` included).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Iterable, NamedTuple, Sequence

from course_lib.text import EOS, UNK, Vocabulary

BOS = "<s>"

Context = tuple[str, ...]
CountTable = dict[Context, Counter]


# ---------------------------------------------------------------------------------------
# padding and counting


def _check_n(n) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n (the order of the model) must be an integer >= 1, got {n!r}")
    return n


def _check_sentences(sentences) -> list[list[str]]:
    if isinstance(sentences, str):
        raise TypeError("sentences must be a list of token lists, not a str")
    out = []
    for i, sent in enumerate(sentences):
        if isinstance(sent, str):
            raise TypeError(
                f"sentence {i} is a str; pass token lists: [tokenize(s) for s in corpus], "
                f"or list(name) for characters"
            )
        sent = list(sent)
        for tok in sent:
            if not isinstance(tok, str):
                raise TypeError(f"sentence {i} has a token of type {type(tok).__name__}; tokens must be str")
            if tok in (BOS, EOS):
                raise ValueError(
                    f"sentence {i} contains {tok!r}; pass bare sentences, the model adds {BOS} and {EOS}"
                )
        out.append(sent)
    if not out:
        raise ValueError("sentences is empty: need at least one sentence")
    return out


def pad_sentence(tokens: Sequence[str], n: int) -> list[str]:
    """Pad a sentence for an n-gram model: ``n - 1`` times ``<s>``, the tokens, ``<EOS>``.

    Parameters
    ----------
    tokens : sequence of str
        The sentence ``w_1 .. w_T`` (may be empty).
    n : int
        Order of the model (>= 1). A unigram model gets no ``<s>``.

    Returns
    -------
    list of str
        ``[BOS] * (n - 1) + list(tokens) + [EOS]``; its last ``T + 1`` positions are the
        predicted ones.

    Raises
    ------
    ValueError
        If ``n < 1``.
    """
    _check_n(n)
    return [BOS] * (n - 1) + list(tokens) + [EOS]


def count_ngrams(sentences: Iterable[Sequence[str]], n: int) -> CountTable:
    """Count the n-grams of padded sentences, grouped by context.

    Only n-grams that end at a predicted position are counted (``<s> <s>`` is not), so
    ``sum(table[h].values())`` is the number of times context ``h`` was followed by a
    prediction: ``c(h) = sum_w c(h, w)``.

    Parameters
    ----------
    sentences : iterable of sequences of str
        Tokenised sentences, without ``<s>`` / ``<EOS>``.
    n : int
        Order (>= 1).

    Returns
    -------
    dict
        ``table[h][w] = c(h, w)``, with ``h`` a tuple of the ``n - 1`` previous tokens
        (``()`` for a unigram model) and ``w`` the predicted token.

    Raises
    ------
    ValueError
        If ``n < 1``.
    """
    _check_n(n)
    table: CountTable = {}
    for sent in sentences:
        padded = pad_sentence(sent, n)
        for i in range(n - 1, len(padded)):
            context = tuple(padded[i - n + 1 : i])
            counter = table.get(context)
            if counter is None:
                counter = table[context] = Counter()
            counter[padded[i]] += 1
    return table


class NgramTableSize(NamedTuple):
    """How full an n-gram table is: ``observed`` of ``possible = vocab_size ** n``."""

    n: int
    observed: int
    possible: int
    vocab_size: int


def ngram_table_size(sentences: Iterable[Sequence[str]], n: int) -> NgramTableSize:
    """Distinct n-grams seen in a corpus, against the ``|V|^n`` a full table would hold.

    This is the measurement behind "why n cannot simply grow": the possible n-grams grow as
    ``|V|^n`` while the observed ones grow at most like the corpus length, so almost every
    long n-gram is never seen and its count says nothing.

    N-grams are taken inside sentences, without padding (a sentence shorter than ``n``
    contributes none); ``|V|`` is the number of distinct tokens.

    Parameters
    ----------
    sentences : iterable of sequences of str
        Tokenised sentences.
    n : int
        Order (>= 1).

    Returns
    -------
    NgramTableSize
        ``(n, observed, possible, vocab_size)``; ``possible`` is an exact Python int.

    Raises
    ------
    ValueError
        If ``n < 1`` or there are no sentences.
    """
    _check_n(n)
    sentences = _check_sentences(sentences)
    types = {tok for sent in sentences for tok in sent}
    seen = {tuple(sent[i : i + n]) for sent in sentences for i in range(len(sent) - n + 1)}
    return NgramTableSize(n=n, observed=len(seen), possible=len(types) ** n, vocab_size=len(types))


# ---------------------------------------------------------------------------------------
# models


class _NgramModel:
    """Shared machinery: vocabulary, context handling, log-probabilities, perplexity."""

    def __init__(self, n: int):
        self.n = _check_n(n)
        self._vocab: Vocabulary | None = None
        self._counts: CountTable = {}
        self._context_totals: dict[Context, int] = {}

    # -- fitting -----------------------------------------------------------------------
    def fit(self, sentences: Iterable[Sequence[str]]):
        """Count the n-grams of the training sentences.

        Parameters
        ----------
        sentences : iterable of sequences of str
            Tokenised training sentences, without ``<s>`` / ``<EOS>`` (the model pads).

        Returns
        -------
        self

        Raises
        ------
        ValueError
            Empty corpus (or only empty sentences), a sentence containing ``<s>`` or
            ``<EOS>``, or a token that looks like a special token (``"<PAD>"``); ``<UNK>``
            is allowed and stands for any unknown word.
        TypeError
            A sentence given as a bare string, or a token that is not a str.
        """
        sentences = _check_sentences(sentences)
        words = sorted({tok for sent in sentences for tok in sent if tok != UNK})
        if not words:
            raise ValueError("the training sentences contain no token to learn from")
        # Predicted tokens: <UNK> (unseen words), <EOS> (end of sentence), the training words.
        self._vocab = Vocabulary(words, specials=(UNK, EOS))
        self._counts = count_ngrams(sentences, self.n)
        self._context_totals = {h: sum(c.values()) for h, c in self._counts.items()}
        self._fit_smoothing(sentences)
        return self

    def _fit_smoothing(self, sentences: list[list[str]]) -> None:
        """Hook for the extra statistics a smoothing method needs."""

    @property
    def vocab(self) -> Vocabulary:
        """The predicted tokens: training tokens, ``<UNK>`` and ``<EOS>`` (not ``<s>``)."""
        return self._fitted_vocab()

    def _fitted_vocab(self) -> Vocabulary:
        if self._vocab is None:
            raise ValueError(f"{type(self).__name__} is not fitted yet: call .fit(sentences) first")
        return self._vocab

    # -- mapping tokens ----------------------------------------------------------------
    def _word_key(self, word: str) -> str:
        vocab = self._fitted_vocab()
        if not isinstance(word, str):
            raise TypeError(f"word must be a str, got {type(word).__name__}")
        if word == BOS:
            raise ValueError(f"{BOS} is context only and is never predicted")
        return word if word in vocab else UNK

    def _context_key(self, context: Sequence[str]) -> Context:
        """Last ``n - 1`` tokens of ``context``, unknown ones as ``<UNK>``, left-padded with ``<s>``."""
        vocab = self._fitted_vocab()
        if isinstance(context, str):
            raise TypeError(
                "context must be a sequence of tokens, not a str; use list('abc') for characters"
            )
        if self.n == 1:
            return ()
        tail = list(context)[-(self.n - 1) :]
        tail = [tok if tok == BOS or tok in vocab else UNK for tok in tail]
        return tuple([BOS] * (self.n - 1 - len(tail)) + tail)

    # -- probabilities -----------------------------------------------------------------
    def _prob(self, word: str, context: Context) -> float:
        raise NotImplementedError

    def prob(self, word: str, context: Sequence[str] = ()) -> float:
        """``P(word | context)``.

        Parameters
        ----------
        word : str
            The next token; a word not in ``vocab`` is scored as ``<UNK>``, ``<EOS>`` is the
            end of the sentence.
        context : sequence of str, default ()
            The sentence so far (``w_1 .. w_{t-1}``). Only the last ``n - 1`` tokens matter;
            a shorter context is the start of a sentence and is left-padded with ``<s>``.
            ``<s>`` may also be given explicitly.

        Returns
        -------
        float
            A probability in (0, 1].

        Raises
        ------
        ValueError
            If the model is not fitted or ``word`` is ``<s>``.
        TypeError
            If ``context`` is a bare string.
        """
        return self._prob(self._word_key(word), self._context_key(context))

    def logprob(self, word: str, context: Sequence[str] = ()) -> float:
        """``log P(word | context)`` (natural log); arguments as :meth:`prob`."""
        return math.log(self.prob(word, context))

    def sentence_logprob(self, tokens: Sequence[str]) -> float:
        """Log-probability of a whole sentence by the chain rule.

        ``log P(w_1 .. w_T) = sum_{t=1}^{T+1} log P(w_t | w_1 .. w_{t-1})`` with
        ``w_{T+1} = <EOS>``: the end of the sentence is a prediction too.

        Parameters
        ----------
        tokens : sequence of str
            The sentence, without ``<s>`` / ``<EOS>``.

        Returns
        -------
        float
            Natural log, <= 0.

        Raises
        ------
        ValueError
            If the model is not fitted or the sentence contains ``<s>`` / ``<EOS>``.
        TypeError
            If ``tokens`` is a bare string.
        """
        # the tokens, then the end
        return sum(self.token_logprobs(tokens)) + self.logprob(EOS, tokens)

    def token_logprobs(self, tokens: Sequence[str]) -> list[float]:
        """``log P(w_t | w_1 .. w_{t-1})`` for every token of a stream, with no end token.

        For continuous text (a book read as one sequence, its newlines ordinary tokens):
        the stream starts like a sentence, left-padded with ``n - 1`` times ``<s>``, and
        every token is predicted from the ``n - 1`` tokens before it, across any line
        ends; nothing is predicted after the last token. So ``sum(token_logprobs(s)) +
        logprob(EOS, s) == sentence_logprob(s)``.

        Parameters
        ----------
        tokens : sequence of str
            The stream ``w_1 .. w_T`` (e.g. ``list(text)``), without ``<s>`` / ``<EOS>``.

        Returns
        -------
        list of float
            ``T`` natural logs, one per token, in order.

        Raises
        ------
        ValueError
            If the model is not fitted or the stream contains ``<s>`` / ``<EOS>``.
        TypeError
            If ``tokens`` is a bare string.
        """
        self._fitted_vocab()
        (tokens,) = _check_sentences([tokens])
        padded = [BOS] * (self.n - 1) + tokens
        return [
            math.log(self._prob(self._word_key(padded[i]), self._context_key(padded[i - self.n + 1 : i])))
            for i in range(self.n - 1, len(padded))
        ]

    def perplexity(self, sentences: Iterable[Sequence[str]]) -> float:
        """Perplexity on held-out sentences.

        ``PP = exp(-(1/N) sum_sentences log P(sentence))`` where ``N`` counts every predicted
        token, one ``<EOS>`` per sentence included.

        Parameters
        ----------
        sentences : iterable of sequences of str
            Tokenised sentences, without ``<s>`` / ``<EOS>``.

        Returns
        -------
        float
            >= 1; equals ``len(vocab)`` for a uniform model.

        Raises
        ------
        ValueError
            Not fitted, or no sentences.
        """
        self._fitted_vocab()
        sentences = _check_sentences(sentences)
        total = sum(self.sentence_logprob(sent) for sent in sentences)
        n_predicted = sum(len(sent) + 1 for sent in sentences)
        return math.exp(-total / n_predicted)

    def __repr__(self) -> str:
        fitted = f"|V|={len(self._vocab)}" if self._vocab is not None else "not fitted"
        return f"{type(self).__name__}(n={self.n}, {self._params()}; {fitted})"

    def _params(self) -> str:
        return ""


class AddKModel(_NgramModel):
    """n-gram model with add-k smoothing (Laplace smoothing for ``k = 1``).

    Implements ``P(w | h) = (c(h, w) + k) / (c(h) + k |V|)``, with ``h`` the previous
    ``n - 1`` tokens, ``c`` training counts and ``|V| = len(vocab)`` (training tokens,
    ``<UNK>`` and ``<EOS>``). An unseen context gets the uniform ``1 / |V|``.

    Parameters
    ----------
    n : int
        Order: 1 unigram, 2 bigram, 3 trigram, ...
    k : float, default 1.0
        Pseudo-count added to every n-gram; ``k -> 0`` approaches the maximum-likelihood
        estimate ``c(h, w) / c(h)``.

    Raises
    ------
    ValueError
        If ``n < 1`` or ``k <= 0``.
    """

    def __init__(self, n: int, k: float = 1.0):
        super().__init__(n)
        if isinstance(k, bool) or not isinstance(k, (int, float)) or not k > 0 or math.isinf(k):
            raise ValueError(f"k (the add-k pseudo-count) must be a finite number > 0, got {k!r}")
        self.k = float(k)

    def _params(self) -> str:
        return f"k={self.k:g}"

    def _prob(self, word: str, context: Context) -> float:
        counter = self._counts.get(context)
        count = counter[word] if counter is not None else 0
        total = self._context_totals.get(context, 0)
        return (count + self.k) / (total + self.k * len(self._vocab))


class KneserNeyModel(_NgramModel):
    """Interpolated Kneser-Ney n-gram model (Chen & Goodman 1998, one discount ``D``).

    Highest order, context ``h`` of ``n - 1`` tokens, raw counts ``c``::

        P(w | h) = max(c(h w) - D, 0) / c(h)  +  D N1+(h .) / c(h) * P_cont(w | h')

    where ``h'`` drops the oldest token of ``h`` and ``N1+(h .)`` is the number of distinct
    tokens seen after ``h``. Every lower order uses *continuation counts*
    ``N1+(. h' w)``, the number of distinct tokens seen before ``h' w``::

        P_cont(w | h') = max(N1+(. h' w) - D, 0) / N1+(. h' .)
                         + D |{w: N1+(. h' w) > 0}| / N1+(. h' .) * P_cont(w | h'')

    down to the unigram continuation distribution (``h'' = ()``), which is interpolated
    with the uniform distribution ``1 / |V|`` -- the recursion ends at order 0, so unseen
    words (``<UNK>``) keep a small probability. A context never seen in training gives its
    whole mass to the next lower order. For ``n = 1`` the same formula with raw counts
    is interpolated with the uniform distribution.

    Parameters
    ----------
    n : int
        Order: 1 unigram, 2 bigram, 3 trigram, ...
    discount : float, default 0.75
        Absolute discount ``D`` subtracted from every seen count, in (0, 1).

    Raises
    ------
    ValueError
        If ``n < 1`` or ``discount`` is not in (0, 1).
    """

    def __init__(self, n: int, discount: float = 0.75):
        super().__init__(n)
        if isinstance(discount, bool) or not isinstance(discount, (int, float)) or not 0 < discount < 1:
            raise ValueError(f"discount must be a number in (0, 1), got {discount!r}")
        self.discount = float(discount)
        # _continuation[m][h][w] = N1+(. h w) for the order-m distributions, m = 1 .. n-1
        # (len(h) = m - 1), and _continuation_totals[m][h] = N1+(. h .).
        self._continuation: list[CountTable] = []
        self._continuation_totals: list[dict[Context, int]] = []

    def _params(self) -> str:
        return f"discount={self.discount:g}"

    def _fit_smoothing(self, sentences: list[list[str]]) -> None:
        ngram_types = [h + (w,) for h, counter in self._counts.items() for w in counter]
        self._continuation = [{}]  # index 0 unused: orders start at 1
        self._continuation_totals = [{}]
        for m in range(1, self.n):
            # N1+(. h w) counts the distinct (m+1)-grams (v, h, w). With n - 1 <s> on the left,
            # every predicted token has n - 1 tokens before it, so each (m+1)-gram ending at a
            # predicted position is the suffix of a counted n-gram: the suffixes of the n-gram
            # types are exactly the (m+1)-gram types.
            table: CountTable = {}
            for suffix in {g[-(m + 1) :] for g in ngram_types}:
                h, w = suffix[1:-1], suffix[-1]
                counter = table.get(h)
                if counter is None:
                    counter = table[h] = Counter()
                counter[w] += 1
            self._continuation.append(table)
            self._continuation_totals.append({h: sum(c.values()) for h, c in table.items()})

    @staticmethod
    def _interpolate(count: int, total: int, n_types: int, discount: float, lower: float) -> float:
        """One level: ``max(count - D, 0) / total + D n_types / total * lower``."""
        return (max(count - discount, 0.0) + discount * n_types * lower) / total

    def _prob(self, word: str, context: Context) -> float:
        D = self.discount
        p = 1.0 / len(self._vocab)  # order 0: uniform over the predicted tokens
        for m in range(1, self.n):  # continuation orders 1 .. n-1
            h = context[len(context) - (m - 1) :] if m > 1 else ()
            counter = self._continuation[m].get(h)
            if counter is not None:  # unseen context: keep the lower-order estimate
                p = self._interpolate(counter[word], self._continuation_totals[m][h], len(counter), D, p)
        counter = self._counts.get(context)  # highest order: raw counts
        if counter is not None:
            p = self._interpolate(counter[word], self._context_totals[context], len(counter), D, p)
        return p
