"""Tests of course_lib.char_model: the torch character model, its batches, training and sampler."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib import char_model as cm
from course_lib.text import Vocabulary

ABCD = Vocabulary(list("abcd"))                       # <PAD>=0 <UNK>=1 <EOS>=2 a=3 b=4 c=5 d=6
NAMES = ["anna", "bob", "cecilia", "dan", "eve", "bo", "ada"]
NAME_VOCAB = Vocabulary(sorted(set("".join(NAMES))))


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@pytest.fixture(scope="module")
def periodic_model():
    """A small LSTM trained on "abcd" repeated (a few seconds), with its held-out batches."""
    train = cm.make_batches(ABCD.encode(list("abcd" * 150)), seq_len=20, batch_size=8)
    held_out = cm.make_batches(ABCD.encode(list("cdab" * 30)), seq_len=20, batch_size=1)
    model = cm.CharRNN(ABCD.n_x, n_hidden=16, cell="lstm", seed=0)
    history = cm.train_char_model(model, train, steps=120, lr=1e-2, seed=0, progress=False)
    return model, history, held_out


# --------------------------------------------------------------------------- model
@pytest.mark.parametrize("cell", cm.CELLS)
@pytest.mark.parametrize("embedding_dim", [None, 5])
def test_forward_shapes_logits_and_state(cell, embedding_dim):
    model = cm.CharRNN(11, n_hidden=6, n_layers=2, cell=cell, embedding_dim=embedding_dim, dropout=0.1)
    indices = torch.randint(0, 11, (3, 7), generator=torch.Generator().manual_seed(0))
    logits, state = model(indices)
    assert logits.shape == (3, 7, 11)
    states = state if cell == "lstm" else (state,)
    assert len(states) == (2 if cell == "lstm" else 1)
    assert all(s.shape == (2, 3, 6) for s in states)
    logits2, _ = model(indices[:, :2], state)                       # continuing from a state works
    assert logits2.shape == (3, 2, 11)


def test_one_hot_lstm_forward_matches_handwritten_numpy():
    """With one-hot input the LSTM is the textbook recurrence on the module's own weights,
    and <PAD> is read as the zero vector x = 0 (the notes' x^{<1>} = 0)."""
    n_vocab, n_a = 7, 5
    model = cm.CharRNN(n_vocab, n_hidden=n_a, cell="lstm", seed=3).double()
    indices = np.array([[0, 3, 4, 6, 1, 2], [5, 0, 0, 3, 3, 4]])    # index 0 = <PAD> = zero input
    logits, (h_T, c_T) = model(torch.from_numpy(indices))

    W = {k: v.detach().numpy() for k, v in model.named_parameters()}
    Wih, Whh = W["rnn.weight_ih_l0"], W["rnn.weight_hh_l0"]
    b = W["rnn.bias_ih_l0"] + W["rnn.bias_hh_l0"]
    Wya, by = W["head.weight"], W["head.bias"]
    m, T = indices.shape
    a = np.zeros((n_a, m))
    c = np.zeros((n_a, m))
    expected = np.zeros((m, T, n_vocab))
    for t in range(T):
        x = np.zeros((n_vocab, m))
        x[indices[:, t], np.arange(m)] = 1.0
        x[0, :] = 0.0                                                 # <PAD> -> zero vector
        z = Wih @ x + Whh @ a + b[:, None]
        i, f, g, o = np.split(z, 4, axis=0)                           # torch's gate order
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        a = _sigmoid(o) * np.tanh(c)
        expected[:, t, :] = (Wya @ a + by[:, None]).T
    np.testing.assert_allclose(logits.detach().numpy(), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(h_T.detach().numpy()[0], a.T, rtol=0, atol=1e-12)
    np.testing.assert_allclose(c_T.detach().numpy()[0], c.T, rtol=0, atol=1e-12)


def test_pad_is_the_zero_vector_for_embeddings_too():
    model = cm.CharRNN(6, n_hidden=4, embedding_dim=3, pad_index=0)
    x = model.input_vectors(torch.tensor([[0, 4, 0]]))
    assert x.shape == (1, 3, 3)
    assert torch.all(x[0, [0, 2]] == 0) and torch.any(x[0, 1] != 0)


def test_initial_weights_depend_only_on_seed_and_leave_global_rng_alone():
    before = torch.random.get_rng_state()
    a, b, c = (cm.CharRNN(9, n_hidden=4, seed=s) for s in (1, 1, 2))
    assert torch.equal(torch.random.get_rng_state(), before)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(a.head.weight, c.head.weight)


# --------------------------------------------------------------------------- batches
def test_make_batches_shifts_targets_by_one_along_parallel_streams():
    text = np.arange(3, 3 + 103)                                     # every "character" distinct
    for rng in (None, 5):
        data = cm.make_batches(text, seq_len=7, batch_size=4, rng=rng)
        assert data.stateful and data.ignore_index == -100
        inputs = torch.cat([x for x, _ in data], dim=1)              # (4, L): the 4 streams
        targets = torch.cat([y for _, y in data], dim=1)
        assert all(x.shape[0] == 4 and 1 <= x.shape[1] <= 7 for x, _ in data)
        assert all(x.shape[1] == 7 for x, _ in data.batches[:-1])
        np.testing.assert_array_equal(targets.numpy(), inputs.numpy() + 1)   # shifted by one
        offset = int(inputs[0, 0]) - 3
        assert 0 <= offset < 7 and (rng is not None or offset == 0)
        L = inputs.shape[1]
        assert L == (len(text) - 1 - offset) // 4
        np.testing.assert_array_equal(inputs.reshape(-1).numpy(), text[offset:offset + 4 * L])


def test_stateful_evaluation_equals_one_pass_over_the_whole_text():
    """Carrying the state across windows (truncated BPTT layout) loses nothing at evaluation."""
    model = cm.CharRNN(ABCD.n_x, n_hidden=8, cell="gru", seed=1).double()
    ids = np.random.default_rng(0).integers(3, 7, size=61)
    windows = cm.make_batches(ids, seq_len=6, batch_size=1)
    logits, _ = model(torch.from_numpy(ids[None, :-1]))
    reference = math.exp(F.cross_entropy(logits[0], torch.from_numpy(ids[1:])).item())
    assert cm.evaluate_perplexity(model, windows) == pytest.approx(reference, rel=1e-12)


def test_sequence_batches_start_from_zero_input_end_with_eos_and_pad():
    seqs = [NAME_VOCAB.encode(list(n)) for n in NAMES]
    data = cm.make_sequence_batches(seqs, batch_size=3, eos_index=2, pad_index=0)
    assert not data.stateful and data.ignore_index == 0 and len(data) == 3
    inputs, targets = data.batches[0]                                # anna, bob, cecilia
    assert inputs.shape == targets.shape == (3, len("cecilia") + 1)
    bob = NAME_VOCAB.encode(list("bob"))
    assert inputs[1].tolist() == [0] + bob + [0] * 4                 # x^{<1>} = 0, then padding
    assert targets[1].tolist() == bob + [2] + [0] * 4                # ... <EOS>, then ignored pads
    assert data.n_predictions == sum(len(n) + 1 for n in NAMES)
    shuffled = cm.make_sequence_batches(seqs, batch_size=3, rng=0)
    def names_in(batches):
        return ["".join(NAME_VOCAB.decode(row[:-1] if row[-1] == 2 else row))
                for _, y in batches for row in (r[r != 0].tolist() for r in y)]
    assert names_in(data) == NAMES
    assert names_in(shuffled) != NAMES and sorted(names_in(shuffled)) == sorted(NAMES)
    eos_start = cm.make_sequence_batches(seqs, batch_size=3, start_index=2)
    assert eos_start.batches[0][0][:, 0].tolist() == [2, 2, 2]


def test_masked_loss_ignores_padding():
    """The padded batch loss is the mean over real characters of each name's unpadded loss,
    and whatever sits at padded input positions changes nothing."""
    model = cm.CharRNN(NAME_VOCAB.n_x, n_hidden=6, cell="lstm", seed=2).double()
    seqs = [NAME_VOCAB.encode(list(n)) for n in NAMES[:4]]
    data = cm.make_sequence_batches(seqs, batch_size=4, eos_index=NAME_VOCAB.eos_index)
    inputs, targets = data.batches[0]
    loss, _ = cm.batch_loss(model, inputs, targets, ignore_index=data.ignore_index)

    total, count = 0.0, 0
    for s in seqs:                                                   # one name at a time, no padding
        x = torch.tensor([[NAME_VOCAB.pad_index] + s])
        y = torch.tensor(s + [NAME_VOCAB.eos_index])
        log_p = torch.log_softmax(model(x)[0][0], dim=-1)
        total += -log_p[torch.arange(len(y)), y].sum().item()
        count += len(y)
    assert loss.item() == pytest.approx(total / count, rel=1e-12)

    padded = targets == data.ignore_index
    scrambled = inputs.clone()
    scrambled[padded] = 5                                            # garbage in the padding
    loss2, _ = cm.batch_loss(model, scrambled, targets, ignore_index=data.ignore_index)
    assert loss2.item() == pytest.approx(loss.item(), rel=1e-12)


# --------------------------------------------------------------------------- training
@pytest.mark.parametrize("kind", ["text", "names"])
def test_seeded_training_is_reproducible(kind):
    if kind == "text":
        data = cm.make_batches(ABCD.encode(list("abcdabdc" * 20)), seq_len=10, batch_size=4)
        vocab = ABCD
    else:
        data = cm.make_sequence_batches([NAME_VOCAB.encode(list(n)) for n in NAMES], batch_size=2, rng=0)
        vocab = NAME_VOCAB
    before = torch.random.get_rng_state()
    runs = []
    for seed in (0, 0, 1):
        model = cm.CharRNN(vocab.n_x, n_hidden=8, n_layers=2, dropout=0.3, seed=0)
        runs.append((cm.train_char_model(model, data, epochs=3, lr=5e-3, seed=seed, progress=False), model))
    assert torch.equal(torch.random.get_rng_state(), before)
    (h0, m0), (h1, m1), (h2, _) = runs
    assert len(h0) == 3 * len(data) and all(np.isfinite(h0))
    assert h0 == h1
    assert all(torch.equal(p, q) for p, q in zip(m0.parameters(), m1.parameters()))
    assert h0 != h2                                                  # the seed drives dropout/order
    assert not m0.training                                           # left in eval mode


def test_training_on_periodic_text_reaches_perplexity_below_1_5(periodic_model):
    model, history, held_out = periodic_model
    assert len(history) == 120
    assert history[0] > math.log(3)                                  # starts near uniform guessing
    assert cm.evaluate_perplexity(model, held_out) < 1.5


def test_steps_wrap_around_the_data():
    data = cm.make_batches(ABCD.encode(list("abcd" * 10)), seq_len=5, batch_size=2)
    model = cm.CharRNN(ABCD.n_x, n_hidden=4, seed=0)
    assert len(cm.train_char_model(model, data, steps=len(data) * 2 + 1, progress=False)) == 2 * len(data) + 1


# --------------------------------------------------------------------------- sampling
def test_greedy_sample_continues_the_periodic_pattern_up_to_max_length(periodic_model):
    model = periodic_model[0]
    out = cm.sample(model, ABCD.eos_index, ABCD.unk_index, max_length=10, greedy=True,
                    prime=ABCD.encode(list("abc")))
    assert "".join(ABCD.decode(out)) == "dabcdabcda"
    assert len(cm.sample(model, ABCD.eos_index, max_length=7, temperature=0.5, seed=0)) == 7


def test_sample_is_deterministic_with_a_seed():
    model = cm.CharRNN(NAME_VOCAB.n_x, n_hidden=8, seed=0)
    kwargs = dict(eos_index=NAME_VOCAB.eos_index, max_length=30, temperature=2.0)
    a = cm.sample(model, seed=7, **kwargs)
    assert a == cm.sample(model, seed=7, **kwargs)
    assert a == cm.sample(model, seed=np.random.default_rng(7), **kwargs)   # a Generator works too
    assert a != cm.sample(model, seed=8, **kwargs)


def _fixed_distribution_model(log_p):
    """A model whose ŷ^{<t>} = softmax(log_p) at every step, whatever it reads."""
    model = cm.CharRNN(len(log_p), n_hidden=3, cell="rnn", seed=0).double()
    with torch.no_grad():
        model.head.weight.zero_()
        model.head.bias.copy_(torch.as_tensor(log_p, dtype=torch.float64))
    return model


def test_sample_temperature_draws_from_y_hat_to_the_power_one_over_T():
    p = np.array([1e-9, 0.1, 1e-9, 0.2, 0.3, 0.4])                  # <EOS> (2) essentially never
    model = _fixed_distribution_model(np.log(p))
    for T in (0.5, 1.0, 2.0):
        out = cm.sample(model, eos_index=2, max_length=2000, temperature=T, seed=0)
        freq = np.bincount(out, minlength=6)[3:] / len(out)
        expected = p[3:] ** (1 / T) / (p ** (1 / T)).sum()
        np.testing.assert_allclose(freq, expected, atol=0.03)
        assert len(out) == 2000
    assert cm.sample(model, 2, greedy=True, max_length=3) == [5, 5, 5]


def test_sample_stops_at_eos():
    log_p = np.zeros(6)
    log_p[2] = 50.0                                                  # <EOS> almost surely
    model = _fixed_distribution_model(log_p)
    assert cm.sample(model, eos_index=2, seed=0) == [2]
    assert cm.sample(model, eos_index=2, greedy=True, prime=[3, 4]) == [2]


def test_sample_never_emits_unk_when_unk_index_is_given():
    log_p = np.zeros(6)
    log_p[1] = 12.0                                                  # <UNK> has probability ~0.9999
    log_p[2] = -30.0                                                 # no early <EOS>
    model = _fixed_distribution_model(log_p)
    assert cm.sample(model, eos_index=2, max_length=50, seed=0).count(1) > 45   # UNK is favoured
    out = cm.sample(model, eos_index=2, unk_index=1, max_length=200, seed=0)
    assert len(out) == 200 and 1 not in out
    assert 1 not in cm.sample(model, eos_index=2, unk_index=1, max_length=5, greedy=True)
    log_p[1] = 1000.0                                                # UNK has probability 1.0 in float64
    model = _fixed_distribution_model(log_p)
    assert 1 not in cm.sample(model, eos_index=2, unk_index=1, max_length=20, seed=0)


# --------------------------------------------------------------------------- analysis
@pytest.mark.parametrize("embedding_dim", [None, 4])
def test_prediction_dependence_is_causal_and_non_negative(embedding_dim):
    model = cm.CharRNN(NAME_VOCAB.n_x, n_hidden=8, cell="lstm", embedding_dim=embedding_dim,
                       seed=0).double()
    ids = NAME_VOCAB.encode(list("cecilia" + "anna"))
    T, position = len(ids), 6
    dep = cm.prediction_dependence(model, ids, position)
    assert dep.shape == (T,) and dep.dtype == np.float64
    assert np.all(dep >= 0) and np.all(dep[: position + 1] > 0)
    assert np.all(dep[position + 1:] == 0)                            # exactly zero: causality
    back = cm.prediction_dependence(model, ids, position, by_offset=True)
    np.testing.assert_array_equal(back, dep[position::-1])
    assert all(p.grad is None for p in model.parameters())


def test_prediction_dependence_matches_finite_differences_on_one_hot_input():
    """The norm is over the whole one-hot vector: check one entry against a centred difference."""
    model = cm.CharRNN(ABCD.n_x, n_hidden=5, cell="rnn", seed=4).double()
    ids = torch.tensor([3, 4, 5, 6, 3])
    x = model.input_vectors(ids[None]).detach()
    dep = cm.prediction_dependence(model, ids, 3)
    eps = 1e-6
    grads = np.zeros((5, ABCD.n_x))
    for s in range(5):
        for k in range(ABCD.n_x):
            xp, xm = x.clone(), x.clone()
            xp[0, s, k] += eps
            xm[0, s, k] -= eps
            f = [torch.log_softmax(model.forward_vectors(z)[0][0, 3], -1)[int(ids[4])].item()
                 for z in (xp, xm)]
            grads[s, k] = (f[0] - f[1]) / (2 * eps)
    np.testing.assert_allclose(dep, np.linalg.norm(grads, axis=1), rtol=1e-6, atol=1e-10)


# --------------------------------------------------------------------------- errors
def test_bad_arguments_raise_errors_that_name_them():
    with pytest.raises(ValueError, match="cell must be one of"):
        cm.CharRNN(5, cell="transformer")
    with pytest.raises(ValueError, match="dropout"):
        cm.CharRNN(5, dropout=1.0)
    with pytest.raises(ValueError, match="n_vocab"):
        cm.CharRNN(1)
    model = cm.CharRNN(7, n_hidden=4)
    with pytest.raises(ValueError, match="indices has values in"):
        model(torch.tensor([[0, 7]]))
    with pytest.raises(ValueError, match=r"indices has shape \(3,\)"):
        model(torch.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match="integer indices"):
        model(torch.zeros(1, 3))
    for T in (0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="temperature"):
            cm.sample(model, eos_index=2, temperature=T)
    with pytest.raises(ValueError, match="max_length"):
        cm.sample(model, eos_index=2, max_length=0)
    with pytest.raises(ValueError, match="eos_index"):
        cm.sample(model, eos_index=7)
    with pytest.raises(ValueError, match="seq_len"):
        cm.make_batches([3, 4, 5, 6], seq_len=0, batch_size=1)
    with pytest.raises(ValueError, match="batch_size"):
        cm.make_batches([3, 4, 5, 6], seq_len=2, batch_size=0)
    with pytest.raises(ValueError, match="too short"):
        cm.make_batches([3, 4, 5], seq_len=2, batch_size=3)
    with pytest.raises(ValueError, match="contains pad_index"):
        cm.make_sequence_batches([[3, 0, 4]], batch_size=1)
    with pytest.raises(ValueError, match="str"):
        cm.make_sequence_batches(["anna"], batch_size=1)
    data = cm.make_batches([3, 4, 5, 6, 3, 4], seq_len=2, batch_size=1)
    with pytest.raises(ValueError, match="exactly one of epochs and steps"):
        cm.train_char_model(model, data, epochs=1, steps=1, progress=False)
    with pytest.raises(ValueError, match="lr"):
        cm.train_char_model(model, data, epochs=1, lr=0, progress=False)
    with pytest.raises(ValueError, match="data must be CharBatches"):
        cm.train_char_model(model, [(torch.tensor([[3]]), torch.tensor([[4]]))], epochs=1)
    with pytest.raises(ValueError, match="position must lie in"):
        cm.prediction_dependence(model, [3, 4, 5], 2)
