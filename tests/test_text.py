"""Unit tests of course_lib.text: tokenisation, vocabulary, one-hot batches, errors."""

import numpy as np
import pytest

from course_lib import text
from course_lib.text import EOS, PAD, UNK, Vocabulary

HARRY = "Harry Potter and Hermione Granger invented a new spell."


def test_tokenize_lowercases_and_drops_punctuation():
    assert text.tokenize(HARRY) == [
        "harry", "potter", "and", "hermione", "granger", "invented", "a", "new", "spell",
    ]


def test_tokenize_keeps_apostrophes_and_optional_punctuation():
    assert text.tokenize("Don't stop, Harry!") == ["don't", "stop", "harry"]
    assert text.tokenize("Don't stop, Harry!", lower=False, keep_punctuation=True) == [
        "Don't", "stop", ",", "Harry", "!",
    ]


def test_tokenize_rejects_non_strings():
    with pytest.raises(TypeError, match="expects a str"):
        text.tokenize(["a", "list"])


def test_vocabulary_puts_specials_first_then_words_by_frequency_and_alphabet():
    corpus = [["b", "a", "c"], ["b", "c"], ["b"]]
    vocab = Vocabulary.from_corpus(corpus)
    assert vocab.tokens == [PAD, UNK, EOS, "b", "c", "a"]
    assert (vocab.pad_index, vocab.unk_index, vocab.eos_index) == (0, 1, 2)
    assert vocab.n_x == len(vocab) == 6


def test_vocabulary_is_deterministic_on_ties():
    v1 = Vocabulary.from_corpus([["zulu", "aaron", "harry"]])
    v2 = Vocabulary.from_corpus([["harry", "zulu", "aaron"]])
    assert v1.tokens == v2.tokens == [PAD, UNK, EOS, "aaron", "harry", "zulu"]


def test_max_size_counts_specials_and_min_count_drops_rare_words():
    corpus = [["a", "a", "b", "b", "c"]]
    assert Vocabulary.from_corpus(corpus, max_size=4).tokens == [PAD, UNK, EOS, "a"]
    assert Vocabulary.from_corpus(corpus, min_count=2).tokens == [PAD, UNK, EOS, "a", "b"]


def test_encode_maps_unknown_words_to_unk_and_appends_eos():
    vocab = Vocabulary(["cats", "sleep"])
    assert vocab.encode(["cats", "sleep", "daily"], add_eos=True) == [3, 4, 1, 2]
    assert vocab.decode([3, 4, 1, 2, 0, 0]) == ["cats", "sleep", UNK, EOS]
    assert vocab.decode([3, 0], strip_pad=False) == ["cats", PAD]


def test_encode_decode_round_trip_on_known_words():
    sents = [text.tokenize(HARRY), text.tokenize("a new spell invented")]
    vocab = Vocabulary.from_corpus(sents)
    for s in sents:
        assert vocab.decode(vocab.encode(s)) == s


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: Vocabulary.from_corpus([]), "empty corpus"),
        (lambda: Vocabulary.from_corpus([[]]), "empty corpus"),
        (lambda: Vocabulary.from_corpus(["a sentence"]), "tokenised sentences"),
        (lambda: Vocabulary(["a"], specials=("<BOS>",)), "unknown special token '<BOS>'"),
        (lambda: Vocabulary(["a", "a"]), "duplicated"),
        (lambda: Vocabulary(["<MASK>"]), "looks like a special token"),
        (lambda: Vocabulary([]), "at least one"),
        (lambda: Vocabulary.from_corpus([["a"]], max_size=3), "no room"),
    ],
)
def test_vocabulary_bad_input_has_clear_errors(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_vocabulary_lookup_errors():
    vocab = Vocabulary(["a"], specials=(PAD,))
    with pytest.raises(ValueError, match="no <UNK> token"):
        vocab.index("b")
    with pytest.raises(ValueError, match="unknown special token '<SOS>'"):
        vocab.index("<SOS>")
    with pytest.raises(ValueError, match="no <EOS>"):
        vocab.encode(["a"], add_eos=True)
    with pytest.raises(IndexError, match="index 2 out of range for a vocabulary of size 2"):
        vocab.token(2)
    with pytest.raises(IndexError, match="out of range"):
        vocab.token(-1)
    with pytest.raises(TypeError, match="not a str"):
        vocab.encode("a")


def test_one_hot_matches_torch_one_hot():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 50, size=17)
    ours = text.one_hot(idx, 50)
    ref = torch.nn.functional.one_hot(torch.as_tensor(idx), num_classes=50).numpy().T
    assert ours.shape == (50, 17)
    assert ours.dtype == np.float64
    np.testing.assert_array_equal(ours, ref)


def test_one_hot_times_matrix_selects_a_column():
    rng = np.random.default_rng(1)
    W = rng.standard_normal((4, 10))
    x = text.one_hot([7], 10)
    np.testing.assert_array_equal(W @ x, W[:, [7]])


@pytest.mark.parametrize("indices", [[0, 5], [-1], [3, 10]])
def test_one_hot_rejects_out_of_range_indices(indices):
    with pytest.raises(IndexError, match="out of range for n_x=5"):
        text.one_hot(indices, 5)


def test_one_hot_rejects_bad_shapes_and_types():
    with pytest.raises(ValueError, match="one-dimensional"):
        text.one_hot([[1, 2]], 5)
    with pytest.raises(TypeError, match="integers"):
        text.one_hot([1.5], 5)
    with pytest.raises(ValueError, match="positive vocabulary size"):
        text.one_hot([0], 0)


def test_pad_batch_pads_and_masks():
    ids, mask = text.pad_batch([[5, 6, 7], [8]], pad_index=0)
    np.testing.assert_array_equal(ids, [[5, 6, 7], [8, 0, 0]])
    np.testing.assert_array_equal(mask, [[True, True, True], [True, False, False]])
    np.testing.assert_array_equal(text.sequence_lengths(mask), [3, 1])


def test_pad_batch_errors():
    with pytest.raises(ValueError, match="empty batch"):
        text.pad_batch([])
    with pytest.raises(ValueError, match="sequence 1 has length 3 > T_x=2"):
        text.pad_batch([[1], [1, 2, 3]], T_x=2)


def test_batch_one_hot_layout_is_n_x_by_m_by_T_x():
    batch = [[3, 4, 5], [6], [4, 4]]
    X, mask = text.batch_one_hot(batch, n_x=8)
    assert X.shape == (8, 3, 3) and mask.shape == (3, 3) and mask.dtype == bool
    for i, seq in enumerate(batch):
        # each real step is the one-hot column of the right word ...
        np.testing.assert_array_equal(X[:, i, : len(seq)], text.one_hot(seq, 8))
        # ... and padded steps are all-zero columns (not a one at <PAD>)
        assert not X[:, i, len(seq):].any()
    np.testing.assert_array_equal(X.sum(axis=0), mask.astype(float))


def test_batch_one_hot_with_explicit_T_x_and_errors():
    X, mask = text.batch_one_hot([[1]], n_x=3, T_x=4)
    assert X.shape == (3, 1, 4) and mask.sum() == 1
    with pytest.raises(IndexError, match="index 3 out of range for n_x=3"):
        text.batch_one_hot([[0], [3]], n_x=3)
    with pytest.raises(ValueError, match="empty batch"):
        text.batch_one_hot([], n_x=3)


def test_sequence_lengths_rejects_non_boolean_masks():
    with pytest.raises(ValueError, match="2-D bool"):
        text.sequence_lengths(np.ones((2, 3)))
