"""course_lib.toy_tasks: datasets against brute-force Python, models against the equations.

Every label is recomputed here by plain loops over lists (no numpy tricks shared with the
module), the vanilla-RNN recurrence is recomputed in float64 from the layer's weights, and
generation is checked against teacher-forced scoring of its own output.
"""

import numpy as np
import pytest
import torch

from course_lib import toy_tasks as tt


# --------------------------------------------------------------------------- datasets
def test_seven_before_three_labels_match_brute_force_and_are_balanced():
    x, y = tt.seven_before_three(m=301, T_x=9, seed=4)
    assert x.shape == (301, 9) and x.dtype == torch.int64
    assert y.shape == (301,) and y.dtype == torch.int64
    assert 0 <= int(x.min()) and int(x.max()) <= 9
    for row, label in zip(x.tolist(), y.tolist()):
        expected = any(row[s] == 7 and row[t] == 3 for s in range(9) for t in range(s + 1, 9))
        assert label == int(expected), (row, label)
    assert (int((y == 0).sum()), int((y == 1).sum())) == (150, 151)


def test_seen_before_labels_match_python_sets():
    x, y = tt.seen_before(m=50, T_x=12, seed=1)
    assert x.shape == y.shape == (50, 12)
    assert x.dtype == y.dtype == torch.int64
    for row, labels in zip(x.tolist(), y.tolist()):
        seen = set()
        for digit, label in zip(row, labels):
            assert label == int(digit in seen)
            seen.add(digit)
    assert (y[:, 0] == 0).all()


def test_counting_follows_the_formula():
    steps = (1, 4, 7)
    first, k, y = tt.counting(m=40, T_y=6, seed=2, steps=steps)
    assert first.shape == k.shape == (40,) and y.shape == (40, 6)
    assert set(k.tolist()) <= {0, 1, 2}
    for d, ki, row in zip(first.tolist(), k.tolist(), y.tolist()):
        value, expected = d, []
        for _ in range(6):
            value = (value + steps[ki]) % 10
            expected.append(value)
        assert row == expected


def test_sorted_distinct_targets_and_teacher_forcing_inputs():
    x, y_in, y_out = tt.sorted_distinct(m=60, T_x=7, seed=3)
    assert x.shape == (60, 7) and y_in.shape == y_out.shape == (60, 8)
    for row, inp, out in zip(x.tolist(), y_in.tolist(), y_out.tolist()):
        target = sorted(set(row))
        assert out == target + [tt.EOS] + [tt.PAD] * (8 - len(target) - 1)
        assert inp == [tt.BOS] + target + [tt.PAD] * (8 - len(target) - 1)
        assert tt.strip_eos(out) == target
    # T_y is min(T_x, 10) + 1 even when T_x > 10
    assert tt.sorted_distinct(m=2, T_x=15, seed=0)[2].shape == (2, 11)


@pytest.mark.parametrize("make", [
    lambda s: tt.seven_before_three(20, 6, s),
    lambda s: tt.seen_before(20, 6, s),
    lambda s: tt.counting(20, 6, s),
    lambda s: tt.sorted_distinct(20, 6, s),
])
def test_datasets_are_reproducible_from_their_seed(make):
    a, b, c = make(5), make(5), make(6)
    assert all(torch.equal(u, v) for u, v in zip(a, b))
    assert not all(torch.equal(u, v) for u, v in zip(a, c))


@pytest.mark.parametrize("call, message", [
    (lambda: tt.seven_before_three(1, 5, 0), "m must be an integer >= 2"),
    (lambda: tt.seven_before_three(10, 1, 0), "T_x must be an integer >= 2"),
    (lambda: tt.seen_before(0, 5, 0), "m must be an integer >= 1"),
    (lambda: tt.seen_before(5, 2.5, 0), "T_x must be an integer"),
    (lambda: tt.counting(5, 0, 0), "T_y must be an integer >= 1"),
    (lambda: tt.counting(5, 4, 0, steps=(1, 1)), "steps must be distinct integers"),
    (lambda: tt.counting(5, 4, 0, steps=(3, 10)), "steps must be distinct integers"),
    (lambda: tt.counting(5, 4, 0, steps=()), "steps must be distinct integers"),
    (lambda: tt.sorted_distinct(5, 0, 0), "T_x must be an integer >= 1"),
])
def test_dataset_errors_name_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --------------------------------------------------------------------------- models
def test_model_output_shapes():
    x = torch.randint(0, 10, (5, 7))
    assert tt.ManyToOne(10, 8, 2).forward(x).shape == (5, 2)
    assert tt.ManyToMany(10, 8, 3, cell="gru")(x).shape == (5, 7, 3)

    gen = tt.OneToMany(n_y=10, n_c=3, n_a=8)
    first, c, y = tt.counting(5, 6, seed=0)
    assert gen(first, c, y).shape == (5, 6, 10)
    out = gen.generate(first, c, T_y=9)
    assert out.shape == (5, 9) and out.dtype == torch.int64

    s2s = tt.Seq2Seq(n_a=8)
    x, y_in, y_out = tt.sorted_distinct(5, 7, seed=0)
    assert s2s(x, y_in).shape == (5, 8, 11)
    assert s2s.encode(x).shape == (1, 5, 8)
    preds = s2s.generate(x, max_len=4)
    assert len(preds) == 5 and all(len(p) <= 4 for p in preds)
    assert all(0 <= d <= 9 for p in preds for d in p)


def test_many_to_one_follows_the_rnn_equations_in_float64():
    """a<t> = tanh(W_aa a<t-1> + W_ax x<t> + b_a), logits W_ya a<T_x> + b_y, from the weights."""
    model = tt.ManyToOne(n_x=10, n_a=6, n_y=3, seed=7)
    x = torch.randint(0, 10, (4, 5), generator=torch.Generator().manual_seed(0))
    W_ax = model.rnn.weight_ih_l0.detach().double().numpy()
    W_aa = model.rnn.weight_hh_l0.detach().double().numpy()
    b_a = (model.rnn.bias_ih_l0 + model.rnn.bias_hh_l0).detach().double().numpy()[:, None]
    W_ya = model.out.weight.detach().double().numpy()
    b_y = model.out.bias.detach().double().numpy()[:, None]
    # the notes' layout: one-hot columns, (n_x, m, T_x)
    X = np.eye(10)[x.numpy()].transpose(2, 0, 1)
    a = np.zeros((6, 4))
    for t in range(5):
        a = np.tanh(W_aa @ a + W_ax @ X[:, :, t] + b_a)
    expected = (W_ya @ a + b_y).T                                      # (m, n_y)
    np.testing.assert_allclose(model(x).detach().numpy(), expected, rtol=0, atol=1e-5)
    # and the many-to-many model with the same seed has the same weights and per-step outputs
    tagger = tt.ManyToMany(n_x=10, n_a=6, n_y=3, seed=7)
    torch.testing.assert_close(tagger(x)[:, -1], model(x))


def test_models_are_seeded_and_leave_the_global_generator_alone():
    state = torch.random.get_rng_state()
    a, b, c = tt.Seq2Seq(8, seed=1), tt.Seq2Seq(8, seed=1), tt.Seq2Seq(8, seed=2)
    assert torch.equal(state, torch.random.get_rng_state())
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)
    assert not all(torch.equal(p, q) for p, q in zip(a.parameters(), c.parameters()))


def test_one_to_many_generation_feeds_back_its_own_predictions():
    gen = tt.OneToMany(n_y=10, n_c=3, n_a=16, seed=3)
    first, c, _ = tt.counting(8, 5, seed=1)
    out = gen.generate(first, c, T_y=5)
    # scoring the generated sequence under teacher forcing reproduces every greedy choice
    with torch.no_grad():
        assert torch.equal(gen(first, c, out).argmax(-1), out)


def test_seq2seq_generation_feeds_back_its_own_predictions():
    model = tt.Seq2Seq(n_a=16, cell="gru", seed=3)
    x, _, _ = tt.sorted_distinct(6, 5, seed=2)
    preds = model.generate(x, max_len=6)
    for i, p in enumerate(preds):
        y_in = torch.tensor([[tt.BOS] + p])
        with torch.no_grad():
            choice = model(x[i:i + 1], y_in).argmax(-1)[0].tolist()
        assert choice[:len(p)] == p
        if len(p) < 6:                                                  # stopped at EOS
            assert choice[len(p)] == tt.EOS


@pytest.mark.parametrize("call, message", [
    (lambda: tt.ManyToOne(0, 4, 2), "n_x must be an integer >= 1"),
    (lambda: tt.ManyToMany(10, 4, 2, cell="lstm"), "cell must be one of"),
    (lambda: tt.OneToMany(10, 0, 4), "n_c must be an integer >= 1"),
    (lambda: tt.Seq2Seq(4, cell="LSTM"), "cell must be one of"),
    (lambda: tt.ManyToOne(10, 4, 2)(torch.zeros(3, 4)), "x must be an int64 tensor"),
    (lambda: tt.ManyToOne(10, 4, 2)(torch.zeros(3, dtype=torch.int64)), r"\(m, T_x\)"),
    (lambda: tt.ManyToMany(10, 4, 2)(torch.full((2, 3), 10)), r"must lie in 0 \.\. 9"),
    (lambda: tt.OneToMany(10, 3, 4).generate(torch.zeros(2, dtype=torch.int64),
                                             torch.zeros(3, dtype=torch.int64), 4),
     "first has shape"),
    (lambda: tt.OneToMany(10, 3, 4).generate(torch.zeros(2, dtype=torch.int64),
                                             torch.full((2,), 3), 4), "c has values"),
    (lambda: tt.Seq2Seq(4)(torch.zeros(2, 3, dtype=torch.int64),
                           torch.zeros(3, 4, dtype=torch.int64)), "y_in has 3 rows"),
    (lambda: tt.Seq2Seq(4).generate(torch.zeros(2, 3, dtype=torch.int64), max_len=0),
     "max_len must be"),
])
def test_model_errors_name_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --------------------------------------------------------------------------- losses and metrics
def test_tagging_loss_is_the_mean_of_the_per_step_cross_entropies():
    model = tt.ManyToMany(10, 5, 2, seed=0)
    x, y = tt.seen_before(3, 4, seed=0)
    log_p = torch.log_softmax(model(x), dim=-1)
    manual = -sum(log_p[i, t, y[i, t]] for i in range(3) for t in range(4)) / 12
    torch.testing.assert_close(tt.tagging_loss(model, x, y), manual)


def test_seq2seq_loss_averages_over_real_targets_only():
    model = tt.Seq2Seq(6, seed=0)
    x, y_in, y_out = tt.sorted_distinct(4, 5, seed=0)
    log_p = torch.log_softmax(model(x, y_in), dim=-1)
    terms = [log_p[i, t, y_out[i, t]] for i in range(4) for t in range(y_out.shape[1])
             if y_out[i, t] != tt.PAD]
    torch.testing.assert_close(tt.seq2seq_loss(model, x, y_in, y_out), -sum(terms) / len(terms))


def test_accuracy_exact_match_and_strip_eos():
    logits = torch.tensor([[[0.0, 1.0], [2.0, 0.0]], [[0.0, 3.0], [0.0, 1.0]]])
    assert tt.accuracy(logits, torch.tensor([[1, 0], [0, 1]])) == 0.75
    assert tt.strip_eos([3, 5, tt.EOS, 7]) == [3, 5]
    assert tt.strip_eos([1, 2, tt.PAD]) == [1, 2]
    targets = torch.tensor([[1, 2, tt.EOS], [4, tt.EOS, tt.PAD]])
    assert tt.exact_match([[1, 2], [4]], targets) == 1.0
    assert tt.exact_match([[1, 2, 3], [4]], targets) == 0.5         # too long is wrong
    with pytest.raises(ValueError, match="target must have shape"):
        tt.accuracy(logits, torch.tensor([1, 0]))
    with pytest.raises(ValueError, match="1 predictions for 2 targets"):
        tt.exact_match([[1]], targets)


# --------------------------------------------------------------------------- training
def test_training_lowers_the_loss_and_is_reproducible():
    first, c, y = tt.counting(192, 6, seed=0)

    def run():
        model = tt.OneToMany(n_y=10, n_c=3, n_a=16, seed=0)
        return tt.train(model, (first, c, y), tt.generation_loss, epochs=10, lr=0.03, seed=0,
                        batch_size=32, progress=False)

    history = run()
    assert len(history) == 10 * 6                                       # 6 batches per epoch
    # ln 10 ≈ 2.3 is the loss of a uniform guess among 10 digits
    assert np.mean(history[:6]) > 1.5 and np.mean(history[-6:]) < 0.5
    assert history == run()


def test_training_with_a_progress_bar_runs():
    first, c, y = tt.counting(32, 4, seed=0)
    model = tt.OneToMany(10, 3, 8)
    history = tt.train(model, (first, c, y), tt.generation_loss, epochs=2, lr=0.01, seed=0,
                       batch_size=16, progress=True)
    assert len(history) == 4 and all(np.isfinite(history))


@pytest.mark.parametrize("kwargs, message", [
    (dict(epochs=0), "epochs must be an integer >= 1"),
    (dict(lr=0.0), "lr must be a positive number"),
    (dict(batch_size=0), "batch_size must be an integer >= 1"),
    (dict(clip=-1.0), "clip must be a positive number or None"),
    (dict(data=()), "data must be a non-empty sequence of tensors"),
    (dict(data=(torch.zeros(4, 3, dtype=torch.int64), torch.zeros(5, dtype=torch.int64))),
     "same first axis m"),
])
def test_train_rejects_bad_arguments(kwargs, message):
    model = tt.ManyToOne(10, 4, 2)
    args = dict(model=model, data=tt.seven_before_three(8, 3, 0), loss_fn=tt.classification_loss,
                epochs=1, lr=0.01, seed=0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        tt.train(**args)
