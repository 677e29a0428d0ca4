"""course_lib.word2vec against independent references: brute-force enumeration, torch autograd,
centred finite differences (float64), gensim's vocabulary, subsampling and Huffman tree."""

import itertools
import math

import numpy as np
import pytest
import torch

from course_lib import word2vec as w2v
from course_lib.embeddings import WordVectors
from course_lib.gradcheck import gradient_check, relative_error


# --------------------------------------------------------------------------- training pairs
def brute_force_pairs(sentences, window):
    """Every (c, t) with 1 <= |i - j| <= window inside one sentence, by two nested loops."""
    pairs = []
    for s in sentences:
        for i, c in enumerate(s):
            for j, t in enumerate(s):
                if 1 <= abs(i - j) <= window:
                    pairs.append((c, t))
    return sorted(pairs)


@pytest.mark.parametrize("window", [1, 2, 3, 7])
def test_skipgram_pairs_match_brute_force_enumeration(window):
    rng = np.random.default_rng(window)
    sentences = [list(rng.integers(0, 6, size=n)) for n in (1, 2, 5, 9, 0, 4)]
    c, t = w2v.skipgram_pairs(sentences, window)
    assert sorted(zip(c.tolist(), t.tolist())) == brute_force_pairs(sentences, window)


def test_skipgram_pairs_order_and_count_for_one_sentence():
    # "I want a glass of orange juice": n = 7, window 2 -> 2 * (2n - 3) = 22 pairs
    c, t = w2v.skipgram_pairs(np.arange(7), 2)
    assert c.size == 22
    assert c[:2].tolist() == [0, 0] and t[:2].tolist() == [1, 2]           # first word: right only
    assert t[c == 3].tolist() == [1, 2, 4, 5]                                # offsets -2, -1, 1, 2
    assert not np.any(c == t)                                                # no word paired with itself


def test_skipgram_pairs_do_not_cross_sentence_boundaries():
    c, t = w2v.skipgram_pairs([[0, 1], [2, 3]], 5)
    assert sorted(zip(c.tolist(), t.tolist())) == [(0, 1), (1, 0), (2, 3), (3, 2)]


def test_window_shrink_keeps_offset_o_with_probability_w_minus_o_plus_1_over_w():
    window, n = 4, 20000
    c, t = w2v.skipgram_pairs(np.arange(n), window, rng=np.random.default_rng(0), shrink=True)
    offsets = t - c
    for o in range(1, window + 1):
        observed = np.sum(offsets == o) / (n - o)
        assert observed == pytest.approx((window - o + 1) / window, abs=0.015)
    assert np.sum(offsets == -2) == pytest.approx(np.sum(offsets == 2), rel=0.05)  # symmetric


def test_window_shrink_is_deterministic_given_the_seed():
    a = w2v.skipgram_pairs(np.arange(50), 5, rng=np.random.default_rng(3), shrink=True)
    b = w2v.skipgram_pairs(np.arange(50), 5, rng=np.random.default_rng(3), shrink=True)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))


def test_cbow_bags_hold_the_surrounding_words_with_padding():
    bags, centres = w2v.cbow_examples([[10, 11, 12, 13], [20]], 2)
    assert centres.tolist() == [10, 11, 12, 13]        # the one-word sentence has no bag
    assert bags.tolist() == [[-1, -1, 11, 12], [-1, 10, 12, 13], [10, 11, 13, -1], [11, 12, -1, -1]]
    # every skip-gram pair is one (bag member, centre) relation of CBOW, read the other way
    c, t = w2v.skipgram_pairs([[10, 11, 12, 13]], 2)
    from_bags = sorted((int(ctr), int(b)) for ctr, bag in zip(centres, bags) for b in bag if b >= 0)
    assert from_bags == sorted(zip(c.tolist(), t.tolist()))


@pytest.mark.parametrize("call, message", [
    (lambda: w2v.skipgram_pairs([1, 2, 3], 0), "window"),
    (lambda: w2v.skipgram_pairs([], 2), "empty"),
    (lambda: w2v.skipgram_pairs([[], []], 2), "empty"),
    (lambda: w2v.skipgram_pairs([1, 2, 3], 2, shrink=True), "rng"),
    (lambda: w2v.skipgram_pairs([[1, -2]], 2), "negative"),
    (lambda: w2v.cbow_examples([1, 2], 0), "window"),
])
def test_bad_pair_arguments_give_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_strings_instead_of_ids_are_refused():
    with pytest.raises(TypeError, match="integer word ids"):
        w2v.skipgram_pairs([["the", "cat"]], 1)


# --------------------------------------------------------------------------- full softmax
def softmax_problem(seed, d=4, n_words=7, m=3):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((d, m)), rng.standard_normal((d, n_words)), rng.integers(0, n_words, size=m)


def test_embed_is_E_times_the_one_hot_column():
    E = np.random.default_rng(0).standard_normal((3, 6))
    O = np.eye(6)[:, [4, 1]]                      # one-hot columns O_4 and O_1
    assert np.array_equal(w2v.embed(E, [4, 1]), E @ O)
    with pytest.raises(IndexError, match="outside"):
        w2v.embed(E, [6])


@pytest.mark.parametrize("seed", [0, 1])
def test_softmax_loss_and_gradients_match_torch_autograd(seed):
    e_c, theta, target = softmax_problem(seed)
    loss, d_e_c, d_theta = w2v.softmax_loss_and_gradients(e_c, theta, target)
    te, tt = torch.tensor(e_c, requires_grad=True), torch.tensor(theta, requires_grad=True)
    ref = torch.nn.functional.cross_entropy((tt.T @ te).T, torch.tensor(target))  # mean over m
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-12)
    assert relative_error(d_e_c, te.grad.numpy()) < 1e-12
    assert relative_error(d_theta, tt.grad.numpy()) < 1e-12


def test_softmax_gradients_match_centred_differences():
    e_c, theta, target = softmax_problem(2, d=3, n_words=5, m=4)
    _, d_e_c, d_theta = w2v.softmax_loss_and_gradients(e_c, theta, target)
    errors = gradient_check(lambda: w2v.softmax_loss_and_gradients(e_c, theta, target)[0],
                            {"e_c": e_c, "theta": theta}, {"e_c": d_e_c, "theta": d_theta})
    assert max(errors.values()) < 1e-7, errors


def test_softmax_gradient_touches_every_theta_column():
    e_c, theta, target = softmax_problem(3, n_words=50, m=1)
    _, _, d_theta = w2v.softmax_loss_and_gradients(e_c, theta, target)
    assert np.all(np.abs(d_theta).sum(axis=0) > 0)   # cost of a step grows with |V|


def test_softmax_loss_is_stable_for_huge_scores():
    e_c, theta, target = softmax_problem(4)
    loss, d_e_c, _ = w2v.softmax_loss_and_gradients(1e3 * e_c, theta, target)
    assert math.isfinite(loss) and np.all(np.isfinite(d_e_c))


def test_softmax_shape_errors_name_the_argument():
    e_c, theta, target = softmax_problem(0)
    with pytest.raises(ValueError, match="theta"):
        w2v.softmax_loss_and_gradients(e_c, theta[:-1], target)
    with pytest.raises(ValueError, match="target"):
        w2v.softmax_loss_and_gradients(e_c, theta, target[:-1])
    with pytest.raises(IndexError, match="target"):
        w2v.softmax_loss_and_gradients(e_c, theta, np.array([0, 1, 99]))


# --------------------------------------------------------------------------- negative sampling
def ns_problem(seed, d=4, m=3, k=5):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((d, m)), rng.standard_normal((d, m)), rng.standard_normal((d, m, k))


@pytest.mark.parametrize("seed, k", [(0, 1), (1, 5), (2, 20)])
def test_negative_sampling_gradients_match_torch_autograd(seed, k):
    e_c, pos, negs = ns_problem(seed, k=k)
    loss, d_e_c, d_pos, d_negs = w2v.negative_sampling_loss_and_gradients(e_c, pos, negs)
    te, tp, tn = (torch.tensor(a, requires_grad=True) for a in (e_c, pos, negs))
    # the same loss written as k + 1 logistic regressions with labels 1, 0, ..., 0
    scores = torch.cat([(tp * te).sum(0)[:, None], torch.einsum("dmk,dm->mk", tn, te)], dim=1)
    labels = torch.zeros_like(scores)
    labels[:, 0] = 1.0
    ref = torch.nn.functional.binary_cross_entropy_with_logits(scores, labels, reduction="sum") / e_c.shape[1]
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-12)
    for mine, theirs in ((d_e_c, te), (d_pos, tp), (d_negs, tn)):
        assert relative_error(mine, theirs.grad.numpy()) < 1e-12


def test_negative_sampling_gradients_match_centred_differences():
    e_c, pos, negs = ns_problem(5, d=3, m=2, k=4)
    _, d_e_c, d_pos, d_negs = w2v.negative_sampling_loss_and_gradients(e_c, pos, negs)
    errors = gradient_check(lambda: w2v.negative_sampling_loss_and_gradients(e_c, pos, negs)[0],
                            {"e_c": e_c, "theta_pos": pos, "theta_negs": negs},
                            {"e_c": d_e_c, "theta_pos": d_pos, "theta_negs": d_negs})
    assert max(errors.values()) < 1e-7, errors


def test_negative_sampling_loss_by_hand_for_one_example():
    e_c = np.array([[1.0], [2.0]])
    pos = np.array([[0.5], [0.25]])            # theta_t^T e_c = 1
    negs = np.array([[[1.0, 0.0]], [[0.0, -1.0]]])   # theta_1^T e_c = 1, theta_2^T e_c = -2
    loss = w2v.negative_sampling_loss_and_gradients(e_c, pos, negs)[0]
    sig = lambda x: 1 / (1 + math.exp(-x))      # noqa: E731
    expected = -math.log(sig(1)) - math.log(sig(-1)) - math.log(sig(2))
    assert loss == pytest.approx(expected, rel=1e-12)


def test_negative_sampling_shape_errors_name_the_argument():
    e_c, pos, negs = ns_problem(0)
    with pytest.raises(ValueError, match="theta_pos"):
        w2v.negative_sampling_loss_and_gradients(e_c, pos[:, :2], negs)
    with pytest.raises(ValueError, match="theta_negs"):
        w2v.negative_sampling_loss_and_gradients(e_c, pos, negs[:, :, 0])


def test_unigram_table_is_f_to_the_three_quarters_normalised():
    table = w2v.unigram_table([1, 16, 81, 0])          # f^{3/4} = 1, 8, 27, 0
    assert np.array_equal(table, np.array([1, 8, 27, 0]) / 36)
    assert np.allclose(w2v.unigram_table([2, 6, 12], power=1.0), [1 / 10, 3 / 10, 6 / 10])
    assert np.allclose(w2v.unigram_table([2, 6, 0, 12], power=0.0), [1 / 3, 1 / 3, 0, 1 / 3])


def test_three_quarters_lies_between_frequencies_and_uniform():
    counts = np.array([1000, 100, 10, 1])
    freq, mid, flat = (w2v.unigram_table(counts, p) for p in (1.0, 0.75, 0.0))
    assert mid[0] < freq[0] and mid[-1] > freq[-1]            # frequent down, rare up
    assert flat[0] < mid[0] and flat[-1] > mid[-1]


@pytest.mark.parametrize("counts, power, message", [
    ([], 0.75, "non-empty"), ([1, -1], 0.75, ">= 0"), ([0, 0], 0.75, "all zero"), ([1, 2], -1, "power"),
])
def test_unigram_table_errors(counts, power, message):
    with pytest.raises(ValueError, match=message):
        w2v.unigram_table(counts, power)


def test_draw_negatives_follows_the_table_and_skips_the_target():
    table = w2v.unigram_table([1, 16, 81, 256])
    negatives = w2v.draw_negatives(table, 5, 40000, np.random.default_rng(0))
    assert negatives.shape == (40000, 5) and negatives.dtype == np.int64
    observed = np.bincount(negatives.ravel(), minlength=4) / negatives.size
    assert np.allclose(observed, table, atol=0.005)
    exclude = np.full(1000, 3)
    drawn = w2v.draw_negatives(table, 4, 1000, np.random.default_rng(1), exclude=exclude)
    assert not np.any(drawn == 3)
    again = w2v.draw_negatives(table, 4, 1000, np.random.default_rng(1), exclude=exclude)
    assert np.array_equal(drawn, again)                      # deterministic given the seed


def test_draw_negatives_errors():
    table = w2v.unigram_table([1, 2, 3])
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="k must"):
        w2v.draw_negatives(table, 0, 3, rng)
    with pytest.raises(ValueError, match="probability vector"):
        w2v.draw_negatives(np.array([1.0, 2.0]), 2, 3, rng)
    with pytest.raises(ValueError, match="exclude"):
        w2v.draw_negatives(table, 2, 3, rng, exclude=[0, 1])
    with pytest.raises(ValueError, match="probability 1"):
        w2v.draw_negatives(np.array([0.0, 1.0]), 2, 1, rng, exclude=[1])


# --------------------------------------------------------------------------- hierarchical softmax tree
def test_huffman_depths_form_a_complete_prefix_code_near_the_entropy():
    counts = np.random.default_rng(0).zipf(1.5, size=300).astype(float)
    depth = w2v.huffman_code_lengths(counts)
    assert np.sum(2.0 ** -depth) == pytest.approx(1.0)       # Kraft equality: a full binary tree
    p = counts / counts.sum()
    entropy = -np.sum(p * np.log2(p))
    assert entropy <= np.sum(p * depth) < entropy + 1        # optimal prefix code
    assert depth[np.argmax(counts)] <= depth.min() + 1        # the most frequent word near the root
    assert w2v.huffman_code_lengths([1, 1, 1, 1]).tolist() == [2, 2, 2, 2]


def test_huffman_mean_depth_equals_gensims_tree():
    gensim = pytest.importorskip("gensim")
    rng = np.random.default_rng(1)
    words = [f"w{i}" for i in range(40)]
    sentences = [list(rng.choice(words, size=12, p=w2v.unigram_table(np.arange(1, 41) ** 2, 1.0)))
                 for _ in range(200)]
    model = gensim.models.Word2Vec(vector_size=5, min_count=1, hs=1, negative=0, workers=1, seed=0)
    model.build_vocab(sentences)
    vocabulary, counts = w2v.build_vocabulary(sentences, min_count=1)
    ours = w2v.huffman_code_lengths(counts)
    theirs = np.array([len(model.wv.get_vecattr(w, "code")) for w in vocabulary.tokens])
    # Ties may be broken differently, but every Huffman tree has the same weighted depth.
    assert np.sum(counts * ours) == np.sum(counts * theirs)


# --------------------------------------------------------------------------- vocabulary, subsampling
SENTENCES = [["the", "war", "ended"], ["the", "war"], ["the", "peace", "came"], ["the"]]


def test_build_vocabulary_keeps_words_seen_min_count_times_by_frequency():
    vocabulary, counts = w2v.build_vocabulary(SENTENCES, min_count=2)
    assert vocabulary.tokens == ["the", "war"] and counts.tolist() == [4, 2]
    assert [ids.tolist() for ids in w2v.encode_corpus(SENTENCES, vocabulary)] == [[0, 1], [0, 1], [0], [0]]


def test_build_vocabulary_matches_gensims_counts():
    gensim = pytest.importorskip("gensim")
    model = gensim.models.Word2Vec(vector_size=5, min_count=1, workers=1)
    model.build_vocab(SENTENCES * 3)
    vocabulary, counts = w2v.build_vocabulary(SENTENCES * 3, min_count=1)
    assert {w: model.wv.get_vecattr(w, "count") for w in model.wv.index_to_key} == dict(
        zip(vocabulary.tokens, counts.tolist()))


def test_build_vocabulary_errors():
    with pytest.raises(ValueError, match="empty"):
        w2v.build_vocabulary([[], []])
    with pytest.raises(ValueError, match="min_count"):
        w2v.build_vocabulary(SENTENCES, min_count=0)
    with pytest.raises(ValueError, match="no word occurs"):
        w2v.build_vocabulary(SENTENCES, min_count=50)


def test_keep_probabilities_match_gensims_subsampling():
    gensim = pytest.importorskip("gensim")
    rng = np.random.default_rng(2)
    words = [f"w{i}" for i in range(30)]
    sentences = [list(rng.choice(words, size=10, p=w2v.unigram_table(np.arange(1, 31) ** 3, 1.0)))
                 for _ in range(300)]
    model = gensim.models.Word2Vec(vector_size=5, min_count=1, sample=1e-2, workers=1)
    model.build_vocab(sentences)
    vocabulary, counts = w2v.build_vocabulary(sentences, min_count=1)
    ours = w2v.keep_probabilities(counts, 1e-2)
    theirs = np.array([model.wv.get_vecattr(w, "sample_int") / 2 ** 32 for w in vocabulary.tokens])
    assert np.allclose(ours, np.minimum(theirs, 1.0), atol=1e-6)
    assert ours[0] < 1 and ours[-1] == 1.0                  # frequent words are thinned out


# --------------------------------------------------------------------------- trainer
def topic_corpus(n_sentences=400, seed=0):
    """Two vocabularies that never share a sentence: a model must separate them."""
    rng = np.random.default_rng(seed)
    topics = [[f"a{i}" for i in range(8)], [f"b{i}" for i in range(8)]]
    return [list(rng.choice(topics[i % 2], size=8)) for i in range(n_sentences)]


def mean_cosine(wv, group_a, group_b):
    def unit(w):
        v = wv[w]
        return v / np.linalg.norm(v)
    return np.mean([unit(a) @ unit(b) for a, b in itertools.product(group_a, group_b) if a != b])


@pytest.mark.parametrize("optimizer, lr", [("sgd", 0.05), ("adam", 0.01)])
def test_train_sgns_separates_words_that_never_share_a_context(optimizer, lr):
    wv = w2v.train_sgns(topic_corpus(), dim=16, window=3, k=5, epochs=3, lr=lr, min_count=1,
                        sample=0, batch_size=256, optimizer=optimizer, seed=0)
    assert isinstance(wv, WordVectors) and wv.vectors.shape == (16, 16)
    a_words, b_words = [f"a{i}" for i in range(8)], [f"b{i}" for i in range(8)]
    within = mean_cosine(wv, a_words, a_words)
    across = mean_cosine(wv, a_words, b_words)
    assert within - across > 0.5, (within, across)


def test_train_sgns_is_deterministic_given_the_seed():
    kwargs = dict(dim=8, window=2, k=3, epochs=1, min_count=1, batch_size=64)
    a, hist = w2v.train_sgns(topic_corpus(100), seed=7, return_history=True, **kwargs)
    b = w2v.train_sgns(topic_corpus(100), seed=7, **kwargs)
    c = w2v.train_sgns(topic_corpus(100), seed=8, **kwargs)
    assert a.words == b.words and np.array_equal(a.vectors, b.vectors)
    assert not np.array_equal(a.vectors, c.vectors)
    assert len(hist["epoch_loss"]) == 1 and hist["pairs"][0] > 0


def test_train_sgns_errors():
    with pytest.raises(ValueError, match="empty"):
        w2v.train_sgns([[], []])
    with pytest.raises(ValueError, match="optimizer"):
        w2v.train_sgns(topic_corpus(10), optimizer="rmsprop")
    with pytest.raises(ValueError, match="k must"):
        w2v.train_sgns(topic_corpus(10), k=0)
    with pytest.raises(ValueError, match="vocabulary"):
        w2v.train_sgns([np.array([0, 1, 2])])
