"""course_lib.language_model against independent references: torch autograd, torch.optim.Adam,
centred differences, and the probabilities read off rnn_forward by hand."""

import math
import time

import numpy as np
import pytest
import torch

from course_lib import language_model as lm
from course_lib import rnn
from course_lib.gradcheck import gradient_check
from course_lib.text import one_hot

N_X, N_A, EOS = 7, 5, 2
SEQS = [[3, 4, 5, 2], [6, 2], [3, 3, 4, 6, 5, 2]]  # ragged, each ending with <EOS> = 2


def small_parameters(seed=0, n_a=N_A, n_x=N_X):
    p = rnn.initialize_parameters(n_a, n_x, n_x, seed=seed)
    rng = np.random.default_rng(seed + 100)
    p["ba"] = rng.standard_normal((n_a, 1)) * 0.1
    p["by"] = rng.standard_normal((n_x, 1)) * 0.1
    return p


# --------------------------------------------------------------------------- inputs/targets
def test_inputs_targets_shapes_and_shift_by_one():
    x, y, mask = lm.lm_inputs_targets(SEQS, N_X, EOS)
    assert x.shape == y.shape == (N_X, 3, 6) and mask.shape == (3, 6)
    np.testing.assert_array_equal(x[:, :, 0], 0.0)            # x^{<1>} = 0
    np.testing.assert_array_equal(x[:, :, 1:], y[:, :, :-1])  # x^{<t+1>} = y^{<t>}
    for i, s in enumerate(SEQS):
        np.testing.assert_array_equal(y[:, i, :len(s)], one_hot(s, N_X))
        assert mask[i].tolist() == [True] * len(s) + [False] * (6 - len(s))


def test_padded_steps_are_zero_columns_and_masked_out():
    x, y, mask = lm.lm_inputs_targets(SEQS, N_X)
    np.testing.assert_array_equal(y[:, ~mask], 0.0)
    # sequence 1 = [6, <EOS>]: x reads 0, 6, <EOS> (at a masked step, so never scored), then zeros
    assert x[:, 1, 1].argmax() == 6 and x[:, 1, 2].argmax() == EOS and not mask[1, 2]
    np.testing.assert_array_equal(x[:, 1, 3:], 0.0)


def test_inputs_targets_errors():
    with pytest.raises(ValueError, match=r"sequences\[0\] has <EOS> \(index 2\) at position 1"):
        lm.lm_inputs_targets([[3, 2, 4, 2]], N_X, eos_index=2)
    lm.lm_inputs_targets([[3, 2, 4, 2]], N_X, eos_index=None)  # a stream of sentences is allowed
    with pytest.raises(ValueError, match="eos_index=9 is out of range"):
        lm.lm_inputs_targets(SEQS, N_X, eos_index=9)
    with pytest.raises(ValueError, match="sequences is empty"):
        lm.lm_inputs_targets([], N_X)
    with pytest.raises(ValueError, match=r"sequences\[1\] is empty"):
        lm.lm_inputs_targets([[3], []], N_X)
    with pytest.raises(IndexError, match="index 7 out of range"):
        lm.lm_inputs_targets([[3, 7]], N_X)
    with pytest.raises(ValueError, match="n_x must be a positive integer"):
        lm.lm_inputs_targets(SEQS, 0)


# --------------------------------------------------------------------------- gradients
def test_lm_gradients_pass_gradient_check():
    parameters = small_parameters(seed=1)
    x, y, mask = lm.lm_inputs_targets(SEQS, N_X, EOS)
    a0 = np.zeros((N_A, len(SEQS)))
    _, grads = lm.lm_loss_and_gradients(x, y, a0, parameters, mask)
    assert set(grads) == {"dWax", "dWaa", "dWya", "dba", "dby"}
    errors = gradient_check(lambda: lm.lm_loss_and_gradients(x, y, a0, parameters, mask)[0],
                            parameters, {k: grads["d" + k] for k in parameters})
    assert max(errors.values()) < 1e-7, errors


def torch_language_model_loss(sequences, parameters):
    """The LM loss written directly in torch from the index sequences (float64, autograd)."""
    t = {k: torch.tensor(v, requires_grad=True) for k, v in parameters.items()}
    n_x, n_a = parameters["Wax"].shape[1], parameters["Waa"].shape[0]
    m, T = len(sequences), max(map(len, sequences))
    ids = torch.zeros((m, T), dtype=torch.long)
    real = torch.zeros((m, T), dtype=torch.bool)
    for i, s in enumerate(sequences):
        ids[i, :len(s)] = torch.tensor(s)
        real[i, :len(s)] = True
    a = torch.zeros((n_a, m), dtype=torch.float64)
    x_t = torch.zeros((n_x, m), dtype=torch.float64)  # x^{<1>} = 0
    loss = torch.zeros((), dtype=torch.float64)
    for step in range(T):
        a = torch.tanh(t["Waa"] @ a + t["Wax"] @ x_t + t["ba"])
        logits = (t["Wya"] @ a + t["by"]).T  # (m, n_x)
        ce = torch.nn.functional.cross_entropy(logits, ids[:, step], reduction="none")
        loss = loss + (ce * real[:, step]).sum() / m
        # next input = this step's target token (zero after the sequence ends)
        x_t = (torch.nn.functional.one_hot(ids[:, step], n_x).to(torch.float64)
               * real[:, step, None]).T
    loss.backward()
    return float(loss.detach()), {"d" + k: v.grad.numpy() for k, v in t.items()}


def test_lm_loss_and_gradients_match_torch_autograd():
    parameters = small_parameters(seed=2)
    x, y, mask = lm.lm_inputs_targets(SEQS, N_X, EOS)
    loss, grads = lm.lm_loss_and_gradients(x, y, np.zeros((N_A, 3)), parameters, mask)
    ref_loss, ref_grads = torch_language_model_loss(SEQS, parameters)
    assert abs(loss - ref_loss) <= 1e-10
    for name, g in ref_grads.items():
        assert np.max(np.abs(grads[name] - g)) <= 1e-10, name


def test_lm_loss_refuses_parameters_with_n_y_different_from_n_x():
    p = rnn.initialize_parameters(N_A, N_X, 3)
    x, y, mask = lm.lm_inputs_targets(SEQS, N_X)
    with pytest.raises(ValueError, match="n_y must equal n_x"):
        lm.lm_loss_and_gradients(x, y, np.zeros((N_A, 3)), p, mask)


# --------------------------------------------------------------------------- clipping
def random_gradients(seed=0, scale=10.0):
    rng = np.random.default_rng(seed)
    return {"dWax": rng.standard_normal((4, 3)) * scale, "dWaa": rng.standard_normal((4, 4)) * scale,
            "dba": rng.standard_normal((4, 1)) * scale}


def test_clip_by_value_bounds_every_entry_and_keeps_sign():
    grads = random_gradients()
    before = {k: v.copy() for k, v in grads.items()}
    lm.clip_gradients(grads, max_value=5.0)
    for k, g in grads.items():
        assert np.all(np.abs(g) <= 5.0)
        np.testing.assert_array_equal(np.sign(g), np.sign(before[k]))
        small = np.abs(before[k]) <= 5.0
        np.testing.assert_array_equal(g[small], before[k][small])  # inside the bound: unchanged


def test_clip_by_norm_gives_max_norm_and_keeps_direction():
    grads = random_gradients()
    before = np.concatenate([g.ravel() for g in grads.values()])
    _, norm_before = lm.clip_gradients(grads, max_norm=2.0)
    after = np.concatenate([g.ravel() for g in grads.values()])
    assert norm_before == pytest.approx(np.linalg.norm(before), rel=1e-14)
    assert abs(np.linalg.norm(after) - 2.0) <= 1e-12
    np.testing.assert_allclose(after, before * 2.0 / np.linalg.norm(before), rtol=1e-13)


def test_clip_below_the_thresholds_changes_nothing():
    grads = random_gradients(scale=0.01)
    before = {k: v.copy() for k, v in grads.items()}
    lm.clip_gradients(grads, max_value=5.0, max_norm=5.0)
    for k in grads:
        np.testing.assert_array_equal(grads[k], before[k])


def test_clipping_happens_in_place():
    grads = random_gradients()
    ids = {k: id(v) for k, v in grads.items()}
    arrays = dict(grads)
    before = {k: v.copy() for k, v in grads.items()}
    returned, _ = lm.clip_gradients(grads, max_value=3.0, max_norm=4.0)
    assert returned is grads
    for k in grads:
        assert id(grads[k]) == ids[k] and grads[k] is arrays[k]
        assert not np.array_equal(arrays[k], before[k])
    total = np.sqrt(sum((g**2).sum() for g in grads.values()))
    assert total <= 4.0 + 1e-12 and max(np.abs(g).max() for g in grads.values()) <= 3.0


def test_clip_errors():
    for bad in (0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="max_norm must be a positive"):
            lm.clip_gradients(random_gradients(), max_norm=bad)
        with pytest.raises(ValueError, match="max_value must be a positive"):
            lm.clip_gradients(random_gradients(), max_value=bad)
    with pytest.raises(FloatingPointError, match=r"gradients\['dWaa'\] contains NaN"):
        lm.clip_gradients(dict(random_gradients(), dWaa=np.full((2, 2), np.nan)), max_norm=1.0)
    with pytest.raises(TypeError, match=r"gradients\['dW'\] must be a floating-point"):
        lm.clip_gradients({"dW": np.ones(3, dtype=int)}, max_value=1.0)


# --------------------------------------------------------------------------- optimisers
def test_sgd_update_is_in_place():
    p = {"W": np.array([[1.0, 2.0]]), "b": np.array([0.5])}
    W = p["W"]
    lm.sgd_update(p, {"dW": np.array([[10.0, -10.0]]), "db": np.array([1.0])}, lr=0.1)
    assert p["W"] is W
    np.testing.assert_allclose(W, [[0.0, 3.0]])
    np.testing.assert_allclose(p["b"], [0.4])
    with pytest.raises(KeyError, match="no 'db'"):
        lm.sgd_update(p, {"dW": np.zeros((1, 2))}, lr=0.1)
    with pytest.raises(ValueError, match=r"gradients\['dW'\] has shape \(2,\)"):
        lm.sgd_update(p, {"dW": np.zeros(2), "db": np.zeros(1)}, lr=0.1)
    with pytest.raises(ValueError, match="lr must be a positive"):
        lm.sgd_update(p, {"dW": np.zeros((1, 2)), "db": np.zeros(1)}, lr=0.0)


def test_adam_matches_torch_optim_adam_on_a_quadratic():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((4, 4))
    A = A @ A.T + np.eye(4)
    c = rng.standard_normal((4, 2))
    params = {"W": rng.standard_normal((4, 2)), "b": rng.standard_normal((3, 1))}
    tparams = {k: torch.tensor(v.copy(), requires_grad=True) for k, v in params.items()}
    topt = torch.optim.Adam(tparams.values(), lr=0.05, betas=(0.8, 0.99), eps=1e-6)
    opt = lm.Adam(lr=0.05, beta1=0.8, beta2=0.99, eps=1e-6)
    tA, tc = torch.tensor(A), torch.tensor(c)
    for _ in range(6):
        # f = ½ tr(Wᵀ A W) - tr(cᵀ W) + Σ b⁴ / 4   (gradients: A W - c, b³)
        grads = {"dW": A @ params["W"] - c, "db": params["b"] ** 3}
        opt.step(params, grads)
        topt.zero_grad()
        f = 0.5 * torch.trace(tparams["W"].T @ tA @ tparams["W"]) - torch.trace(tc.T @ tparams["W"]) \
            + (tparams["b"] ** 4).sum() / 4
        f.backward()
        topt.step()
        for k in params:
            assert np.max(np.abs(params[k] - tparams[k].detach().numpy())) <= 1e-12, k
    assert opt.t == 6


def test_adam_errors():
    with pytest.raises(ValueError, match="beta1 must be in"):
        lm.Adam(beta1=1.0)
    with pytest.raises(ValueError, match="lr must be a positive"):
        lm.Adam(lr=-1)
    opt = lm.Adam()
    opt.step({"W": np.zeros(2)}, {"dW": np.ones(2)})
    with pytest.raises(KeyError, match="holds state for"):
        opt.step({"V": np.zeros(2)}, {"dV": np.ones(2)})


# --------------------------------------------------------------------------- probabilities
def test_sequence_logprob_equals_log_of_product_of_conditionals():
    parameters = small_parameters(seed=3)
    s = [4, 6, 3, 2]
    # independent: run rnn_forward on x^{<1>} = 0, x^{<t>} = one-hot(s[t-2]) and pick ŷ entries
    x = np.zeros((N_X, 1, len(s)))
    for t in range(1, len(s)):
        x[s[t - 1], 0, t] = 1.0
    _, y_hat, _ = rnn.rnn_forward(x, np.zeros((N_A, 1)), parameters)
    product = np.prod([y_hat[s[t], 0, t] for t in range(len(s))])
    assert abs(lm.sequence_logprob(parameters, s, N_X) - np.log(product)) <= 1e-12


def test_sequence_logprob_is_minus_the_training_loss():
    parameters = small_parameters(seed=4)
    x, y, mask = lm.lm_inputs_targets(SEQS, N_X)
    loss, _ = lm.lm_loss_and_gradients(x, y, np.zeros((N_A, 3)), parameters, mask)
    total = sum(lm.sequence_logprob(parameters, s, N_X) for s in SEQS)
    assert abs(total + loss * len(SEQS)) <= 1e-12      # loss = -(1/m) Σ log P
    x1, y1, _ = lm.lm_inputs_targets([SEQS[2]], N_X)
    loss1, _ = lm.lm_loss_and_gradients(x1, y1, np.zeros((N_A, 1)), parameters)
    assert abs(lm.sequence_logprob(parameters, SEQS[2], N_X) + loss1) <= 1e-12


def test_sequence_logprob_does_not_underflow_on_a_long_sequence():
    parameters = small_parameters(seed=5)
    s = list(np.random.default_rng(0).integers(3, N_X, size=1000)) + [EOS]
    x, _, _ = lm.lm_inputs_targets([s], N_X)
    _, y_hat, _ = rnn.rnn_forward(x, np.zeros((N_A, 1)), parameters)
    assert np.prod(y_hat[s, 0, np.arange(len(s))]) == 0.0  # the product of 1001 conditionals
    logp = lm.sequence_logprob(parameters, s, N_X)
    assert np.isfinite(logp) and -5000 < logp < -500


def test_perplexity_is_exp_of_mean_negative_log_likelihood_per_token():
    parameters = small_parameters(seed=6)
    expected = math.exp(-sum(lm.sequence_logprob(parameters, s, N_X) for s in SEQS)
                        / sum(map(len, SEQS)))
    assert lm.perplexity(parameters, SEQS, N_X) == pytest.approx(expected, rel=1e-12)
    assert lm.perplexity(parameters, SEQS, N_X, batch_size=1) == pytest.approx(expected, rel=1e-12)


def test_untrained_perplexity_is_of_the_order_of_n_x():
    n_x = 30
    parameters = rnn.initialize_parameters(16, n_x, n_x, seed=0)
    seqs = [list(s) for s in np.random.default_rng(1).integers(0, n_x, size=(50, 8))]
    pp = lm.perplexity(parameters, seqs, n_x)
    assert n_x / 2 < pp < 2 * n_x, pp
    uniform = {k: np.zeros_like(v) for k, v in parameters.items()}
    assert lm.perplexity(uniform, seqs, n_x) == pytest.approx(n_x, rel=1e-12)


def test_probability_errors():
    parameters = small_parameters()
    with pytest.raises(ValueError, match="n_x=8 does not match the parameters, which have n_x=7"):
        lm.sequence_logprob(parameters, [3, 2], 8)
    with pytest.raises(ValueError, match=r"parameters\['Waa'\] has shape"):
        lm.perplexity(dict(parameters, Waa=np.zeros((2, 2))), SEQS, N_X)
    with pytest.raises(ValueError, match=r"sequences\[0\] is empty"):
        lm.sequence_logprob(parameters, [], N_X)


# --------------------------------------------------------------------------- training
def repetitive_corpus():
    # vocabulary: <PAD>=0 <UNK>=1 <EOS>=2 a=3 b=4 c=5; sentences "abc", "abcabc", ... + <EOS>
    return [[3, 4, 5] * k + [2] for k in (1, 2, 3, 4)] * 8


def test_training_on_a_repetitive_corpus_drives_the_loss_far_below_log_n_x():
    n_x, seqs = 6, repetitive_corpus()
    start = time.perf_counter()
    parameters, history = lm.train_language_model(
        seqs, n_x, 16, eos_index=2, epochs=40, lr=0.02, batch_size=8, seed=0, progress=False)
    assert time.perf_counter() - start < 10
    assert len(history) == 40 * 4
    assert history[0] == pytest.approx(math.log(n_x), rel=0.2)
    assert np.mean(history[-4:]) < 0.25 * math.log(n_x), history[-4:]
    assert lm.perplexity(parameters, seqs, n_x) < 1.6
    # the model learnt the pattern: "abc" is near certain, then "a" (3 times in 4) or <EOS>
    assert lm.sequence_logprob(parameters, [3, 4, 5], n_x) > math.log(0.9)
    assert lm.sequence_logprob(parameters, [3, 4, 5, 3], n_x) > math.log(0.6)


def test_sgd_training_also_lowers_the_loss():
    _, history = lm.train_language_model(repetitive_corpus(), 6, 16, num_iterations=150, lr=0.1,
                                         optimizer="sgd", batch_size=8, seed=1, progress=False)
    assert len(history) == 150
    assert history[0] == pytest.approx(math.log(6), rel=0.2)
    assert np.mean(history[-10:]) < 0.25 * math.log(6)


def test_training_is_reproducible_and_leaves_given_parameters_alone():
    seqs = repetitive_corpus()
    kw = dict(num_iterations=5, batch_size=5, seed=3, progress=False, clip_value=1.0)
    p1, h1 = lm.train_language_model(seqs, 6, 4, **kw)
    p2, h2 = lm.train_language_model(seqs, 6, 4, **kw)
    assert h1 == h2 and all(np.array_equal(p1[k], p2[k]) for k in p1)
    _, h3 = lm.train_language_model(seqs, 6, 4, **dict(kw, seed=4))
    assert h3 != h1
    start = {k: v.copy() for k, v in p1.items()}
    p4, _ = lm.train_language_model(seqs, 6, 4, parameters=p1, **kw)
    assert all(np.array_equal(p1[k], start[k]) for k in p1)
    assert not np.array_equal(p4["Wax"], p1["Wax"])


def test_training_errors():
    seqs = repetitive_corpus()
    with pytest.raises(ValueError, match="either epochs or num_iterations"):
        lm.train_language_model(seqs, 6, 4, epochs=1, num_iterations=3, progress=False)
    with pytest.raises(ValueError, match="optimizer must be 'adam' or 'sgd'"):
        lm.train_language_model(seqs, 6, 4, optimizer="rmsprop", progress=False)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        lm.train_language_model(seqs, 6, 4, batch_size=0, progress=False)
    with pytest.raises(ValueError, match="clip_norm must be a positive"):
        lm.train_language_model(seqs, 6, 4, clip_norm=-1.0, progress=False)
    with pytest.raises(ValueError, match="lr must be a positive"):
        lm.train_language_model(seqs, 6, 4, lr=0, progress=False)
    with pytest.raises(IndexError, match="out of range"):
        lm.train_language_model([[3, 9]], 6, 4, progress=False)
    with pytest.raises(ValueError, match="n_a=5 does not match"):
        lm.train_language_model(seqs, 6, 5, parameters=rnn.initialize_parameters(4, 6, 6),
                                progress=False)


def test_global_norm_and_clip_by_norm_survive_huge_finite_gradients():
    # Squaring 1e200 overflows; the norm must not, or clipping would zero the gradient.
    g = {"dWaa": np.array([[3e200, -4e200]]), "dba": np.array([[0.0]])}
    assert lm.global_norm(g) == pytest.approx(5e200)
    lm.clip_gradients(g, max_norm=1.0)
    np.testing.assert_allclose(g["dWaa"], [[0.6, -0.8]])
