"""Tests of course_lib.ngram: normalisation, chain rule, hand counts and nltk.lm as reference."""

from __future__ import annotations

import math
import random

import pytest
from nltk.lm import KneserNeyInterpolated, Laplace, Lidstone
from nltk.lm.preprocessing import padded_everygram_pipeline

from course_lib.datasets import load_moby_dick, load_names, word_corpus
from course_lib.ngram import (
    BOS,
    AddKModel,
    KneserNeyModel,
    count_ngrams,
    ngram_table_size,
    pad_sentence,
)
from course_lib.text import EOS, UNK

# Jurafsky & Martin's toy corpus (Speech and Language Processing, 3rd ed., ch. 3).
TOY = [
    ["i", "am", "sam"],
    ["sam", "i", "am"],
    ["i", "do", "not", "like", "green", "eggs", "and", "ham"],
]
TOY_WORDS = sorted({w for s in TOY for w in s})  # 10 words -> |V| = 10 + <UNK> + <EOS> = 12

# nltk's padding symbols; ours are BOS = "<s>" (the same) and the course's <EOS> for "</s>".
NLTK_BOS, NLTK_EOS = "<s>", "</s>"


@pytest.fixture(scope="module")
def moby_sentences():
    return word_corpus(load_moby_dick("train"))


@pytest.fixture(scope="module")
def moby_small(moby_sentences):
    """A small training slice (300 sentences, ~6k words) and held-out sentences after it."""
    return moby_sentences[:300], moby_sentences[300:700]


def to_nltk_context(context, n):
    """Our context (the sentence so far) as nltk wants it: n - 1 tokens, <s>-padded."""
    padded = [NLTK_BOS] * (n - 1) + list(context)
    return tuple(padded[len(padded) - (n - 1) :]) if n > 1 else ()


def to_nltk_word(word):
    return NLTK_EOS if word == EOS else word


# ---------------------------------------------------------------------------------------
# padding and counts


def test_pad_sentence_uses_bos_and_course_eos():
    assert pad_sentence(["a", "b"], 3) == [BOS, BOS, "a", "b", EOS]
    assert pad_sentence([], 2) == [BOS, EOS]
    assert pad_sentence(["a"], 1) == ["a", EOS]
    assert EOS == "<EOS>" and BOS == "<s>"


def test_count_ngrams_counts_predicted_positions_only():
    table = count_ngrams(TOY, 2)
    assert table[(BOS,)] == {"i": 2, "sam": 1}
    assert table[("i",)] == {"am": 2, "do": 1}
    assert table[("am",)] == {"sam": 1, EOS: 1}
    assert all(BOS not in counter for counter in table.values())  # <s> is never predicted
    # One prediction per token plus one <EOS> per sentence.
    assert sum(sum(c.values()) for c in table.values()) == sum(len(s) + 1 for s in TOY)
    assert count_ngrams(TOY, 1)[()][EOS] == 3


def test_ngram_table_size_counts_distinct_ngrams_against_v_to_the_n():
    size = ngram_table_size(TOY, 2)
    # Bigrams inside sentences: i-am, am-sam, sam-i, (i-am again), i-do, do-not, not-like,
    # like-green, green-eggs, eggs-and, and-ham -> 10 distinct.
    assert (size.n, size.observed, size.vocab_size, size.possible) == (2, 10, 10, 100)
    assert ngram_table_size(TOY, 1).observed == 10
    assert ngram_table_size([["a", "b"]], 3).observed == 0  # sentence shorter than n
    big = ngram_table_size(TOY, 20)
    assert big.possible == 10**20 and isinstance(big.possible, int)


# ---------------------------------------------------------------------------------------
# add-k: hand-computed and nltk


def test_bigram_probabilities_by_hand():
    # Maximum likelihood (J&M): P(i|<s>) = 2/3, P(am|i) = 2/3, P(do|i) = 1/3, P(</s>|sam) = 1/2.
    # Add-k tends to it as k -> 0.
    mle = AddKModel(2, k=1e-10).fit(TOY)
    assert mle.prob("i") == pytest.approx(2 / 3, rel=1e-8)
    assert mle.prob("sam", []) == pytest.approx(1 / 3, rel=1e-8)
    assert mle.prob("am", ["i"]) == pytest.approx(2 / 3, rel=1e-8)
    assert mle.prob("do", ["sam", "i"]) == pytest.approx(1 / 3, rel=1e-8)
    assert mle.prob(EOS, ["i", "am", "sam"]) == pytest.approx(1 / 2, rel=1e-8)
    # Laplace: (c(h w) + 1) / (c(h) + |V|) with |V| = 12.
    laplace = AddKModel(2).fit(TOY)
    assert len(laplace.vocab) == 12
    assert laplace.prob("am", ["i"]) == pytest.approx((2 + 1) / (3 + 12))
    assert laplace.prob("ham", ["i"]) == pytest.approx((0 + 1) / (3 + 12))
    assert laplace.prob("zebra", ["i"]) == pytest.approx(1 / 15)  # unseen word -> <UNK>
    assert laplace.prob("i", ["zebra"]) == pytest.approx(1 / 12)  # unseen context -> uniform
    add_half = AddKModel(2, k=0.5).fit(TOY)
    assert add_half.prob(EOS, ["sam"]) == pytest.approx((1 + 0.5) / (2 + 0.5 * 12))


def fit_nltk_add_k(n, k, sentences):
    """nltk's Lidstone / Laplace on nltk's own padding pipeline.

    nltk's vocabulary would also contain <s>, a token that is never predicted, so its add-k
    denominator would be c(h) + k (|V| + 1) and its distribution over the predictable tokens
    would not sum to 1. We build nltk's vocabulary from the text without <s>: nltk then maps
    <s> to <UNK> in the counts *and* in every query, consistently, which changes nothing here
    because the training text has no real <UNK>. (nltk's right padding with n - 1 </s> only
    adds n-grams whose context contains </s>, a context we never query.)
    """
    train, vocab_text = padded_everygram_pipeline(n, sentences)
    model = Laplace(n) if k == 1 else Lidstone(k, n)
    model.fit(train, vocabulary_text=[tok for tok in vocab_text if tok != NLTK_BOS])
    return model


@pytest.mark.parametrize("n", [2, 3])  # for n = 1 nltk's pipeline adds no </s> at all
@pytest.mark.parametrize("k", [1.0, 0.1])
def test_add_k_matches_nltk_lidstone_and_laplace(n, k):
    ours = AddKModel(n, k=k).fit(TOY)
    nltk_model = fit_nltk_add_k(n, k, TOY)
    assert len(nltk_model.vocab) == len(ours.vocab)
    # Seen contexts at every position, and unseen contexts of known words. (No unknown words
    # in contexts: with <s> mapped to <UNK>, nltk would confuse them with the sentence start.)
    contexts = [TOY[0][:i] for i in range(4)] + [TOY[2][:i] for i in range(9)] + [["ham", "sam"], ["green", "i"]]
    for context in contexts:
        for word in ours.vocab.tokens:
            expected = nltk_model.score(to_nltk_word(word), to_nltk_context(context, n))
            assert ours.prob(word, context) == pytest.approx(expected, rel=1e-12), (word, context)


# ---------------------------------------------------------------------------------------
# Kneser-Ney: hand-computed and nltk

D = 0.75
# Bigram types of the padded toy corpus: 15; types with a left neighbour: 11 (10 words + <EOS>).
# P_uni(w) = max(N1+(. w) - D, 0) / 15 + D * 11 / 15 * 1 / |V|, |V| = 12.


def p_unigram(continuation_count):
    return (max(continuation_count - D, 0) + D * 11 / 12) / 15


def test_kneser_ney_bigram_by_hand():
    kn = KneserNeyModel(2, discount=D).fit(TOY)
    # c(i am) = 2, c(i .) = 3, N1+(i .) = 2 (am, do); N1+(. am) = 1 (only "i am").
    assert kn.prob("am", ["i"]) == pytest.approx((2 - D) / 3 + D * 2 / 3 * p_unigram(1), rel=1e-12)
    # "sam" never follows "i": all its mass comes through the interpolation weight.
    assert kn.prob("sam", ["i"]) == pytest.approx(D * 2 / 3 * p_unigram(2), rel=1e-12)
    # An unseen word lives on the uniform part of the unigram level only.
    assert kn.prob("zebra", ["i"]) == pytest.approx(D * 2 / 3 * p_unigram(0), rel=1e-12)
    # An unseen context falls back to the unigram continuation distribution.
    assert kn.prob(EOS, ["zebra"]) == pytest.approx(p_unigram(3), rel=1e-12)


def test_kneser_ney_trigram_by_hand():
    kn = KneserNeyModel(3, discount=D).fit(TOY)
    # Highest order: c(i am sam) = 1, c(i am .) = 2 (sam, <EOS>), N1+(i am .) = 2.
    # Middle (continuation) order: N1+(. am sam) = 1, N1+(. am .) = 2, 2 types after "am".
    # Unigram: N1+(. sam) = 2 (after "am" and after <s>).
    p2 = (1 - D) / 2 + D * 2 / 2 * p_unigram(2)
    p3 = (1 - D) / 2 + D * 2 / 2 * p2
    assert kn.prob("sam", ["i", "am"]) == pytest.approx(p3, rel=1e-12)


def nltk_kneser_ney(n, sentences):
    """nltk's KneserNeyInterpolated fed exactly our n-grams (all orders, predicted positions)."""
    everygrams = []
    for sent in sentences:
        padded = [NLTK_BOS] * (n - 1) + list(sent) + [NLTK_EOS]
        everygrams.append(
            [tuple(padded[i - m + 1 : i + 1]) for i in range(n - 1, len(padded)) for m in range(1, n + 1)]
        )
    model = KneserNeyInterpolated(n, discount=D)
    model.fit(everygrams, vocabulary_text=[t for s in sentences for t in [NLTK_BOS, *s, NLTK_EOS]])
    return model


@pytest.mark.parametrize("n", [2, 3])
def test_kneser_ney_matches_nltk_above_the_unigram_level(n, moby_small):
    """Where the definitions coincide the two models agree to rounding; where not, exactly as derived.

    Both implement interpolated Kneser-Ney (Chen & Goodman 1998): raw counts at the highest
    order, continuation counts N1+(. h w) below it, one discount D, and an unseen context
    passing all its mass to the next order. Given the same n-grams, every level above the
    unigram is identical. The one difference is where the recursion ends:

    * ours (Chen & Goodman, Jurafsky & Martin eq. 3.35): the unigram continuation
      distribution is discounted too and interpolated with the uniform 1/|V|, so an unseen
      word (<UNK>) gets a small probability and the distribution sums to 1 over the vocabulary;
    * nltk 3.10: the unigram level is the undiscounted N1+(. w) / N1+(. .) -- an unseen word
      has probability 0 (infinite perplexity on text with unknown words).

    nltk's unigram equals ours plus our <UNK> mass spread evenly over the T = |V| - 1 seen
    types, and every higher level passes the unigram on linearly, so for every seen word w
    and every context h:  P_nltk(w | h) = P_ours(w | h) + P_ours(<UNK> | h) / T.
    """
    train, held_out = moby_small
    ours = KneserNeyModel(n, discount=D).fit(train)
    theirs = nltk_kneser_ney(n, train)
    T = len(ours.vocab) - 1
    rng = random.Random(0)
    contexts = [s[:i] for s in rng.sample(train, 4) + rng.sample(held_out, 4) for i in (0, 1, 3)]
    contexts += [["zzzunseen"], ["the", "zzzunseen"], ["zzzunseen", "whale"]]
    words = rng.sample([w for w in ours.vocab.tokens if w != UNK], 10) + [EOS, "the", "whale"]
    for context in contexts:
        unk_mass = ours.prob(UNK, context)
        for word in words:
            expected = theirs.score(to_nltk_word(word), to_nltk_context(context, n))
            assert ours.prob(word, context) + unk_mass / T == pytest.approx(expected, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("n", [2, 3])
def test_kneser_ney_perplexity_close_to_nltk(n, moby_small):
    """On held-out sentences without unknown words (nltk gives those probability 0)."""
    train, held_out = moby_small
    ours = KneserNeyModel(n, discount=D).fit(train)
    known = [s for s in held_out if all(w in ours.vocab for w in s)]
    assert sum(len(s) + 1 for s in known) > 150
    test_ngrams = [
        tuple(([NLTK_BOS] * (n - 1) + s + [NLTK_EOS])[i : i + n]) for s in known for i in range(len(s) + 1)
    ]
    ours_pp = ours.perplexity(known)
    # Same n-grams: differs only by the <UNK> mass nltk does not reserve (measured: 5e-5).
    assert nltk_kneser_ney(n, train).perplexity(test_ngrams) == pytest.approx(ours_pp, rel=1e-3)
    # nltk's own pipeline pads with n - 1 </s> and counts <s> <s> as a bigram, which adds a
    # few continuation types at the unigram level (measured: 5e-4 for trigrams).
    everygrams, vocab_text = padded_everygram_pipeline(n, train)
    own = KneserNeyInterpolated(n, discount=D)
    own.fit(everygrams, vocab_text)
    assert own.perplexity(test_ngrams) == pytest.approx(ours_pp, rel=2e-3)


def test_kneser_ney_beats_add_one_on_held_out_moby_dick(moby_sentences):
    train, held_out = moby_sentences[:2000], moby_sentences[2000:2300]
    for n in (2, 3):
        kn = KneserNeyModel(n).fit(train).perplexity(held_out)
        add_one = AddKModel(n, k=1).fit(train).perplexity(held_out)
        assert kn < add_one / 3, (n, kn, add_one)


def test_trigram_kneser_ney_on_all_of_moby_dick():
    """The full book fits and scores in seconds (counts in dicts, no loop over the vocabulary)."""
    train = word_corpus(load_moby_dick("train"))
    validation = word_corpus(load_moby_dick("validation"))
    model = KneserNeyModel(3).fit(train)
    assert 190_000 < sum(len(s) for s in train) < 192_000
    assert 400 < model.perplexity(validation) < 550  # measured 477.0


# ---------------------------------------------------------------------------------------
# properties of every model


def models():
    return [AddKModel(n, k) for n in (1, 2, 3) for k in (1.0, 0.05)] + [
        KneserNeyModel(n, d) for n in (1, 2, 3, 4) for d in (0.75, 0.1)
    ]


@pytest.fixture(scope="module")
def word_and_char_corpora(moby_small):
    names = [list(name) for name in load_names("train")[:500]]
    return {"words": moby_small[0][:150], "chars": names}


@pytest.mark.parametrize("model", models(), ids=repr)
@pytest.mark.parametrize("corpus", ["words", "chars"])
def test_probabilities_sum_to_one_over_the_vocabulary(model, corpus, word_and_char_corpora):
    sentences = word_and_char_corpora[corpus]
    model.fit(sentences)
    tokens = model.vocab.tokens
    rng = random.Random(1)
    contexts = [[]]
    for sent in rng.sample(sentences, 8):  # seen contexts, at every position of a sentence
        i = rng.randrange(len(sent) + 1)
        contexts.append(sent[:i])
    for _ in range(8):  # random (mostly unseen) contexts, some with unknown tokens
        contexts.append([rng.choice(tokens[2:] + ["<never seen>", BOS]) for _ in range(rng.randrange(1, 4))])
    for context in contexts:
        total = math.fsum(model.prob(w, context) for w in tokens)
        assert total == pytest.approx(1.0, abs=1e-12), context


@pytest.mark.parametrize("model", [AddKModel(3, 0.5), KneserNeyModel(3), KneserNeyModel(2)], ids=repr)
def test_sentence_logprob_is_sum_of_log_conditionals(model):
    model.fit(TOY)
    for sent in TOY + [["sam", "likes", "ham"], []]:
        chain = sum(model.logprob(w, sent[:i]) for i, w in enumerate(sent)) + model.logprob(EOS, sent)
        assert model.sentence_logprob(sent) == pytest.approx(chain, rel=1e-12)
        assert model.sentence_logprob(sent) < 0


@pytest.mark.parametrize("model", [AddKModel(1, 0.5), KneserNeyModel(3), KneserNeyModel(2)], ids=repr)
def test_token_logprobs_of_a_stream_are_sentence_scoring_without_the_end(model):
    # A character stream with newlines as ordinary tokens, as for continuous text.
    text = "sam i am\ni am sam\n\nham\n"
    model.fit([list(text)])
    for held_out in (text, "i am ham\nsam", "x\n"):
        chars = list(held_out)
        per_token = model.token_logprobs(chars)
        assert len(per_token) == len(chars)
        chain = [model.logprob(c, chars[:i]) for i, c in enumerate(chars)]
        assert per_token == pytest.approx(chain, rel=1e-12)
        end = model.logprob(EOS, chars)
        assert math.fsum(per_token) + end == pytest.approx(model.sentence_logprob(chars), rel=1e-12)
    assert model.token_logprobs([]) == []
    with pytest.raises(TypeError):
        model.token_logprobs("sam")
    with pytest.raises(ValueError):
        model.token_logprobs(["a", EOS])


def test_perplexity_is_exp_of_mean_negative_logprob_per_predicted_token():
    model = KneserNeyModel(2).fit(TOY)
    held_out = [["i", "am", "ham"], ["sam"]]
    total = sum(model.sentence_logprob(s) for s in held_out)
    assert model.perplexity(held_out) == pytest.approx(math.exp(-total / (4 + 2)))
    # A model that knows nothing is uniform: perplexity |V|.
    uniform = AddKModel(1, k=1e9).fit(TOY)
    assert uniform.perplexity(held_out) == pytest.approx(len(uniform.vocab), rel=1e-6)


def test_vocab_is_training_tokens_plus_unk_and_eos():
    model = KneserNeyModel(2).fit(TOY)
    assert sorted(model.vocab.tokens) == sorted(TOY_WORDS + [UNK, EOS])
    assert BOS not in model.vocab
    # Unknown words, in the word or in the context, are <UNK>.
    assert model.prob("zebra", ["i"]) == model.prob(UNK, ["i"])
    assert model.prob("am", ["zebra"]) == model.prob("am", [UNK])
    # Only the last n - 1 tokens of the context matter; a short context is a sentence start.
    assert model.prob("am", ["sam", "i"]) == model.prob("am", ["i"])
    assert model.prob("i", []) == model.prob("i", [BOS])


def test_char_model_on_names():
    model = KneserNeyModel(3).fit([list(name) for name in load_names("train")])
    assert len(model.vocab) == 26 + 2
    assert model.prob("a", list("mari")) > model.prob("q", list("mari"))
    assert model.perplexity([list(name) for name in load_names("validation")]) < 10


# ---------------------------------------------------------------------------------------
# errors


@pytest.mark.parametrize("n", [0, -1, 2.5, True, "3"])
@pytest.mark.parametrize("cls", [AddKModel, KneserNeyModel])
def test_bad_order_raises(cls, n):
    with pytest.raises(ValueError, match=r"n \(the order"):
        cls(n)


@pytest.mark.parametrize("k", [0, -1.0, float("nan"), float("inf")])
def test_bad_k_raises(k):
    with pytest.raises(ValueError, match=r"k \(the add-k"):
        AddKModel(2, k=k)


@pytest.mark.parametrize("discount", [0, 1, 1.5, -0.1, float("nan")])
def test_bad_discount_raises(discount):
    with pytest.raises(ValueError, match="discount"):
        KneserNeyModel(2, discount=discount)


@pytest.mark.parametrize("model", [AddKModel(2), KneserNeyModel(2)], ids=repr)
def test_use_before_fit_raises(model):
    for call in (
        lambda: model.prob("a", []),
        lambda: model.logprob("a"),
        lambda: model.sentence_logprob(["a"]),
        lambda: model.perplexity([["a"]]),
        lambda: model.vocab,
    ):
        with pytest.raises(ValueError, match="not fitted"):
            call()


def test_bad_inputs_raise_clear_errors():
    model = KneserNeyModel(2).fit(TOY)
    with pytest.raises(ValueError, match="never predicted"):
        model.prob(BOS, ["i"])
    with pytest.raises(TypeError, match="not a str"):
        model.prob("am", "i")
    with pytest.raises(TypeError, match="is a str"):
        KneserNeyModel(2).fit(["a sentence as a string"])
    with pytest.raises(ValueError, match="model adds"):
        KneserNeyModel(2).fit([["a", EOS]])
    with pytest.raises(ValueError, match="empty"):
        AddKModel(2).fit([])
