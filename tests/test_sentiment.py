"""course_lib.sentiment against independent references: the source files, torch autograd,
finite differences, sklearn.metrics, and torch's own unpadded recurrences."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest
import sklearn.metrics
import torch

from course_lib import sentiment as st
from course_lib.datasets import DATA_DIR
from course_lib.embeddings import WordVectors, load_glove
from course_lib.gradcheck import gradient_check

SHARED = Path("/work/shared/data")
needs_shared = pytest.mark.skipif(not (SHARED / "PROVENANCE.md").exists(),
                                  reason="offline source copies (shared/data) not present")


@pytest.fixture(scope="module")
def glove():
    return load_glove()


def toy_vectors():
    words = ["good", "bad", "movie", "not", "great"]
    vectors = np.array([[1.0, 0.0, 2.0], [-1.0, 0.5, 0.0], [0.0, 1.0, 1.0],
                        [0.5, -0.5, 0.0], [2.0, 0.0, 1.0]], dtype=np.float32)
    return WordVectors(words, vectors, name="toy")


# ---------------------------------------------------------------------------------------
# data


@needs_shared
@pytest.mark.parametrize("name", ["movieReviewSnippets_GroundTruth.txt", "amazonReviewSnippets_GroundTruth.txt"])
def test_vendored_sentiment_files_equal_the_source_bytes(name):
    with gzip.open(DATA_DIR / f"{name}.gz", "rb") as f:
        assert f.read() == (SHARED / name).read_bytes()


def test_vendored_gzip_is_deterministic_no_name_no_mtime():
    for name in (st.MOVIE_FILE, st.AMAZON_FILE):
        header = (DATA_DIR / name).read_bytes()[:10]
        assert header[:3] == b"\x1f\x8b\x08"
        assert header[3] == 0, f"{name}: no file name or other optional field in the header (gzip -n)"
        assert header[4:8] == b"\0\0\0\0", f"{name} stores an mtime"


def test_sentiment_licence_and_readme_are_present():
    licence = (DATA_DIR / "LICENSE.vader").read_text()
    assert "MIT" in licence and "C.J. Hutto" in licence and "ICWSM" in licence
    readme = (DATA_DIR / "README.md").read_text()
    for name in (st.MOVIE_FILE, st.AMAZON_FILE, "LICENSE.vader"):
        assert name in readme


def test_split_sizes_disjoint_and_cover_the_nonzero_movie_sentences():
    parts = {s: st.load_sentiment(s) for s in st.SENTIMENT_SPLITS}
    sizes = {s: len(parts[s][0]) for s in parts}
    assert sizes == {"train": 8454, "validation": 1057, "test": 1057, "amazon": 3610}
    movie = [set(parts[s][0]) for s in ("train", "validation", "test")]
    assert not (movie[0] & movie[1]) and not (movie[0] & movie[2]) and not (movie[1] & movie[2])
    for s, (sentences, labels) in parts.items():
        assert labels.dtype == np.int64 and labels.shape == (len(sentences),)
        assert set(np.unique(labels)) == {0, 1}


def test_labels_follow_the_sign_of_the_mean_score_and_zeros_are_dropped():
    records = st._read_snippets(st.MOVIE_FILE)
    assert len(records) == 10605
    score = {text: s for _, s, text in records}
    sentences, labels = st.load_sentiment("validation")
    for text, y in zip(sentences, labels):
        assert (score[text] > 0) == bool(y) and score[text] != 0
    n_zero = sum(1 for _, s, _ in records if s == 0)
    assert n_zero == 37
    assert sum(len(st.load_sentiment(s)[0]) for s in ("train", "validation", "test")) == 10605 - n_zero


def test_movie_split_is_fixed_forever():
    """The split depends only on the ids and SENTIMENT_SEED (SHA-256), never on a library."""
    sentences, labels = st.load_sentiment("test")
    digest = hashlib.sha256("\n".join(f"{y}\t{s}" for s, y in zip(sentences, labels)).encode()).hexdigest()
    assert digest == TEST_SPLIT_SHA256


TEST_SPLIT_SHA256 = "66f13a3a5f35e11cca9d928f32d6a8d8c73e942c44e9b97d2e630e38698e1237"


def test_load_sentiment_rejects_unknown_split():
    with pytest.raises(ValueError, match="split must be one of"):
        st.load_sentiment("dev")


def test_glove_tokenize_splits_clitics_and_folds_accents_like_glove(glove):
    assert st.glove_tokenize("I didn't like the film's clichés, can’t you see?") == [
        "i", "did", "n't", "like", "the", "film", "'s", "cliches", "ca", "n't", "you", "see"]
    assert st.glove_tokenize("''Conan'' won't") == ["conan", "wo", "n't"]
    for token in ("did", "n't", "'s", "cliches", "ca", "wo"):
        assert token in glove


def test_glove_tokenize_leaves_under_one_percent_of_tokens_out_of_glove(glove):
    sentences, _ = st.load_sentiment("validation")
    tokens = [t for s in sentences for t in st.glove_tokenize(s)]
    oov = sum(t not in glove.index for t in tokens) / len(tokens)
    assert oov < 0.01, f"{oov:.2%} of tokens are not in GloVe"


# ---------------------------------------------------------------------------------------
# averaging model


def test_sentence_to_average_skips_unknown_words_in_sum_and_count():
    wv = toy_vectors()
    avg = st.sentence_to_average(["good", "zzz", "movie", "good"], wv)
    expected = (2 * wv.vector("good") + wv.vector("movie")) / 3
    np.testing.assert_allclose(avg, expected)
    assert avg.dtype == np.float64 and avg.shape == (3,)


def test_sentence_to_average_raises_clearly_when_no_word_is_known():
    with pytest.raises(ValueError, match="none of the tokens"):
        st.sentence_to_average(["zzz", "qqq"], toy_vectors())
    with pytest.raises(ValueError, match="none of the tokens"):
        st.sentence_to_average([], toy_vectors())
    with pytest.raises(TypeError, match="not a str"):
        st.sentence_to_average("good movie", toy_vectors())


def test_average_embeddings_are_columns_and_flag_unknown_sentences():
    wv = toy_vectors()
    avg, known = st.average_embeddings([["good"], ["zzz"], ["bad", "movie"]], wv)
    assert avg.shape == (3, 3)
    np.testing.assert_allclose(avg[:, 0], wv.vector("good"))
    np.testing.assert_array_equal(avg[:, 1], 0.0)
    assert known.tolist() == [True, False, True]


def random_averaging_problem(n_e=6, n_y=3, m=5, seed=0):
    rng = np.random.default_rng(seed)
    avg = rng.standard_normal((n_e, m))
    parameters = {"W": rng.standard_normal((n_y, n_e)), "b": rng.standard_normal((n_y, 1))}
    y = rng.integers(0, n_y, size=m)
    return avg, parameters, y


def test_averaging_forward_matches_torch_softmax_and_columns_sum_to_one():
    avg, parameters, _ = random_averaging_problem()
    y_hat, _ = st.averaging_forward(avg, parameters)
    ref = torch.softmax(torch.from_numpy(parameters["W"] @ avg + parameters["b"]), dim=0).numpy()
    np.testing.assert_allclose(y_hat, ref, rtol=1e-12)
    np.testing.assert_allclose(y_hat.sum(axis=0), 1.0)


def test_averaging_forward_rejects_wrong_shapes_naming_the_argument():
    avg, parameters, _ = random_averaging_problem()
    with pytest.raises(ValueError, match="avg has shape"):
        st.averaging_forward(avg.T, parameters)
    with pytest.raises(KeyError, match="missing"):
        st.averaging_forward(avg, {"W": parameters["W"]})


def test_averaging_loss_matches_torch_cross_entropy():
    avg, parameters, y = random_averaging_problem(seed=1)
    y_hat, _ = st.averaging_forward(avg, parameters)
    z = torch.from_numpy(parameters["W"] @ avg + parameters["b"]).T
    ref = torch.nn.functional.cross_entropy(z, torch.from_numpy(y)).item()
    assert st.averaging_loss(y_hat, y) == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_averaging_gradient_matches_torch_autograd_float64(seed):
    avg, parameters, y = random_averaging_problem(seed=seed)
    _, cache = st.averaging_forward(avg, parameters)
    grads = st.averaging_backward(y, cache)
    W = torch.tensor(parameters["W"], requires_grad=True)
    b = torch.tensor(parameters["b"], requires_grad=True)
    loss = torch.nn.functional.cross_entropy((W @ torch.from_numpy(avg) + b).T, torch.from_numpy(y))
    loss.backward()
    np.testing.assert_allclose(grads["dW"], W.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(grads["db"], b.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_averaging_gradient_matches_centred_finite_differences():
    avg, parameters, y = random_averaging_problem(n_e=4, n_y=2, m=7, seed=3)
    _, cache = st.averaging_forward(avg, parameters)
    grads = st.averaging_backward(y, cache)

    def loss():
        return st.averaging_loss(st.averaging_forward(avg, parameters)[0], y)

    errors = gradient_check(loss, parameters, {"W": grads["dW"], "b": grads["db"]})
    assert max(errors.values()) < 1e-7, errors


def test_averaging_loss_rejects_bad_labels():
    avg, parameters, _ = random_averaging_problem()
    y_hat, _ = st.averaging_forward(avg, parameters)
    with pytest.raises(ValueError, match="labels outside"):
        st.averaging_loss(y_hat, np.array([0, 1, 2, 3, 0]))
    with pytest.raises(ValueError, match="shape"):
        st.averaging_loss(y_hat, np.array([0, 1]))


def test_predict_averaging_takes_argmax_over_classes_not_examples():
    parameters = {"W": np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]), "b": np.zeros((3, 1))}
    avg = np.array([[2.0, 0.0, -1.0, 0.5], [0.0, 3.0, -1.0, 0.4]])   # 4 examples, m != n_y
    np.testing.assert_array_equal(st.predict_averaging(avg, parameters), [0, 1, 2, 0])


def test_word_contributions_add_up_to_the_logit_difference():
    wv = toy_vectors()
    rng = np.random.default_rng(0)
    parameters = {"W": rng.standard_normal((2, 3)), "b": rng.standard_normal((2, 1))}
    tokens = ["not", "good", "zzz", "movie"]
    contributions = st.word_contributions(tokens, wv, parameters)
    assert [w for w, _ in contributions] == ["not", "good", "movie"]
    z = parameters["W"] @ st.sentence_to_average(tokens, wv) + parameters["b"][:, 0]
    total = sum(c for _, c in contributions) + parameters["b"][1, 0] - parameters["b"][0, 0]
    assert total == pytest.approx(z[1] - z[0], rel=1e-12)


def test_train_averaging_model_decreases_loss_and_separates_a_toy_task():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=200)
    avg = rng.standard_normal((5, 200)) + 1.5 * (2 * y - 1)[None, :] * np.array([1, 0, 0, 0, 0])[:, None]
    parameters, losses = st.train_averaging_model(avg, y, epochs=200)
    assert losses[-1] < 0.5 * losses[0]
    assert st.accuracy(y, st.predict_averaging(avg, parameters)) > 0.85


# ---------------------------------------------------------------------------------------
# metrics


def test_accuracy_and_confusion_matrix_match_sklearn():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 3, 50), rng.integers(0, 3, 50)
    assert st.accuracy(y_true, y_pred) == pytest.approx(sklearn.metrics.accuracy_score(y_true, y_pred))
    np.testing.assert_array_equal(st.confusion_matrix(y_true, y_pred),
                                  sklearn.metrics.confusion_matrix(y_true, y_pred))
    np.testing.assert_array_equal(st.confusion_matrix([1, 1], [1, 1], n_classes=2),
                                  sklearn.metrics.confusion_matrix([1, 1], [1, 1], labels=[0, 1]))


def test_metrics_reject_mismatched_lengths():
    with pytest.raises(ValueError, match="same length"):
        st.accuracy([0, 1], [0])
    with pytest.raises(ValueError, match="same length"):
        st.confusion_matrix([0, 1], [0])
    with pytest.raises(ValueError, match="y_pred must hold integer classes"):
        st.confusion_matrix([0, 1], [0, 2], n_classes=2)


# ---------------------------------------------------------------------------------------
# embedding matrix and the many-to-one RNN


def test_embedding_matrix_holds_only_the_data_sets_glove_rows(glove):
    token_lists = [["good", "movie", "xqzzyq"], ["bad", "movie"]]
    vocab, E = st.build_embedding_matrix(token_lists, glove)
    assert vocab.tokens == ["<PAD>", "<UNK>", "movie", "bad", "good"]
    assert E.shape == (5, 50) and E.dtype == np.float32
    np.testing.assert_array_equal(E[:2], 0.0)
    for w in ("movie", "bad", "good"):
        np.testing.assert_array_equal(E[vocab.index(w)], glove.vectors[glove.index[w]])
    assert st.encode_sentences(token_lists, vocab)[0] == [4, 2, 1]   # good, movie, <UNK>
    assert st.encode_sentences([[]], vocab) == [[1]]


def small_model(cell, freeze=True, seed=0, **options):
    E = np.random.default_rng(seed).standard_normal((12, 4)).astype(np.float32)
    E[0] = 0
    return st.SentimentRNN(E, n_a=5, cell=cell, freeze=freeze, seed=seed, **options)


def assert_batch_matches_unpadded_runs(model, sequences, sentence_vector):
    """The padded batch gives, for each sentence, model.out(sentence_vector(outputs)) where
    outputs (T, directions * n_a) is torch's own run of the unpadded sentence."""
    ids, lengths = st.batch_tensors(sequences)
    with torch.no_grad():
        batched = model(ids, lengths)
        for i, seq in enumerate(sequences):
            outputs, _ = model.rnn(model.embedding(torch.tensor([seq])))
            expected = model.out(sentence_vector(outputs[0]))
            torch.testing.assert_close(batched[i], expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cell", st.CELLS)
def test_rnn_reads_each_sentence_up_to_its_last_real_word_not_the_padding(cell):
    model = small_model(cell)
    sequences = [[3, 4, 5, 6, 7], [8, 2], [9, 10, 11]]
    ids, lengths = st.batch_tensors(sequences)
    with torch.no_grad():
        batched = model(ids, lengths)
        for i, seq in enumerate(sequences):
            alone = model(torch.tensor([seq]), torch.tensor([len(seq)]))
            torch.testing.assert_close(batched[i], alone[0], rtol=1e-5, atol=1e-6)
            # independent reference: torch's recurrence on the unpadded sentence, last output
            outputs, _ = model.rnn(model.embedding(torch.tensor([seq])))
            torch.testing.assert_close(batched[i], model.out(outputs[0, -1]), rtol=1e-5, atol=1e-6)


def test_rnn_rejects_lengths_that_do_not_fit_the_batch():
    model = small_model("lstm")
    ids, _ = st.batch_tensors([[1, 2], [3]])
    with pytest.raises(ValueError, match="lengths"):
        model(ids, torch.tensor([2, 0]))
    with pytest.raises(ValueError, match="lengths"):
        model(ids, torch.tensor([3, 1]))


def test_rnn_model_seeds_its_weights_without_touching_the_global_generator():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a, b = small_model("gru", seed=4), small_model("gru", seed=4)
    after = torch.rand(1)
    assert before == after
    for p, q in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(p, q)


@pytest.mark.parametrize("freeze", [True, False])
def test_frozen_embeddings_stay_fixed_and_fine_tuned_ones_move(freeze):
    model = small_model("lstm", freeze=freeze)
    E0 = model.embedding.weight.detach().clone()
    sequences, labels = [[3, 4], [5, 6, 7], [8], [9, 10]], np.array([1, 0, 1, 0])
    st.train_sentiment_rnn(model, sequences, labels, epochs=2, batch_size=2)
    changed = not torch.equal(E0, model.embedding.weight.detach())
    assert changed is (not freeze)


def test_trained_lstm_learns_a_keyword_task_and_is_deterministic():
    """Label = 1 iff word 2 ("good") appears before word 3 ("bad") ... a task needing order."""
    rng = np.random.default_rng(0)
    sequences, labels = [], []
    for _ in range(400):
        n = int(rng.integers(3, 9))
        seq = list(rng.integers(4, 12, size=n))
        i, j = rng.choice(n, size=2, replace=False)
        seq[i], seq[j] = 2, 3
        sequences.append([int(v) for v in seq])
        labels.append(int(i < j))
    labels = np.array(labels)
    histories = []
    for _ in range(2):
        model = small_model("lstm", freeze=False)
        histories.append(st.train_sentiment_rnn(model, sequences[:300], labels[:300], epochs=8,
                                                batch_size=16, learning_rate=0.02,
                                                validation=(sequences[300:], labels[300:])))
    assert histories[0]["losses"] == histories[1]["losses"]
    assert histories[0]["validation_accuracy"][-1] > 0.9, histories[0]["validation_accuracy"]


def test_fine_tuning_leaves_the_callers_embedding_matrix_unchanged():
    """A second model built from the same matrix must start from GloVe, not from the first's
    fine-tuned rows (the model used to share the numpy array's memory)."""
    E = np.random.default_rng(1).standard_normal((12, 4)).astype(np.float32)
    E[0] = 0
    E_before = E.copy()
    model = st.SentimentRNN(E, n_a=5, freeze=False, seed=0)
    st.train_sentiment_rnn(model, [[3, 4], [5, 6, 7], [8]], np.array([1, 0, 1]), epochs=2,
                           batch_size=2)
    assert not np.array_equal(model.embedding.weight.detach().numpy(), E_before)
    np.testing.assert_array_equal(E, E_before)


@pytest.mark.parametrize("cell", st.CELLS)
def test_default_options_build_the_unidirectional_model_with_the_same_weights(cell):
    """bidirectional=False, dropout=0, pooling="last" is the model of earlier versions: the
    same three layers, initialised from the seed in the same order."""
    E = np.random.default_rng(0).standard_normal((12, 4)).astype(np.float32)
    model = st.SentimentRNN(E, n_a=5, cell=cell, seed=3)
    torch.manual_seed(3)
    reference = {"embedding.weight": torch.from_numpy(E)}
    kind = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[cell]
    reference.update({f"rnn.{k}": v for k, v in kind(4, 5, batch_first=True).state_dict().items()})
    reference.update({f"out.{k}": v for k, v in torch.nn.Linear(5, 2).state_dict().items()})
    state = model.state_dict()
    assert list(state) == list(reference)
    for k, v in reference.items():
        torch.testing.assert_close(state[k], v, rtol=0, atol=0)


@pytest.mark.parametrize("cell", st.CELLS)
def test_bidirectional_joins_the_forward_last_word_and_the_backward_first_word(cell):
    model = small_model(cell, seed=1, bidirectional=True)
    assert model.out.in_features == 10
    # forward half at the last word, backward half at the first
    assert_batch_matches_unpadded_runs(model, [[3, 4, 5, 6, 7], [8, 2], [9]],
                                       lambda a: torch.cat([a[-1, :5], a[0, 5:]]))


@pytest.mark.parametrize("bidirectional", [False, True])
def test_max_pooling_takes_the_maximum_over_the_real_words_only(bidirectional):
    model = small_model("gru", seed=2, bidirectional=bidirectional, pooling="max")
    assert_batch_matches_unpadded_runs(model, [[3, 4, 5, 6, 7], [8, 2], [9]],
                                       lambda a: a.max(dim=0).values)


def test_dropout_acts_in_training_mode_only():
    E = np.random.default_rng(4).standard_normal((12, 4)).astype(np.float32)
    E[0] = 0
    model = st.SentimentRNN(E, n_a=5, dropout=0.5, seed=0)
    ids, lengths = st.batch_tensors([[3, 4, 5], [6, 7]])
    model.eval()
    with torch.no_grad():
        first, second = model(ids, lengths), model(ids, lengths)
        plain = st.SentimentRNN(E, n_a=5, seed=0).eval()(ids, lengths)
    torch.testing.assert_close(first, second)
    torch.testing.assert_close(first, plain)
    model.train()
    torch.manual_seed(0)
    with torch.no_grad():
        assert not torch.allclose(model(ids, lengths), first)


@pytest.mark.parametrize("option", [{"dropout": 1.0}, {"dropout": -0.1}, {"dropout": True},
                                    {"pooling": "mean"}, {"bidirectional": 1}])
def test_rnn_options_are_validated_naming_the_argument(option):
    E = np.zeros((12, 4), dtype=np.float32)
    with pytest.raises(ValueError, match=next(iter(option))):
        st.SentimentRNN(E, n_a=5, **option)
