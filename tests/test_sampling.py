"""course_lib.sampling on hand-built language models whose next-token distributions are known."""

import numpy as np
import pytest

from course_lib import rnn
from course_lib.sampling import MAX_UNK_REJECTIONS, sample, sample_text, sampling_distribution
from course_lib.text import Vocabulary

PAD, UNK, EOS = 0, 1, 2
N_X, N_A = 6, 4
DIST = np.array([0.05, 0.10, 0.15, 0.30, 0.25, 0.15])  # over <PAD> <UNK> <EOS> a b c


def constant_model(dist, seed=0):
    """ŷ^{<t>} = dist at every step, whatever came before: Wya = 0 and by = log(dist)."""
    p = rnn.initialize_parameters(N_A, len(dist), len(dist), seed=seed)
    p["Wya"][:] = 0.0
    with np.errstate(divide="ignore"):
        p["by"] = np.log(np.asarray(dist, dtype=float))[:, None]
    return p


def successor_model(start=3, n_x=N_X, eos=EOS):
    """A model that (almost surely) emits ``start`` first, then after token k emits k + 1,
    and <EOS> after the last token: x^{<t>} = one-hot(k) -> a ≈ one-hot(k) -> logits peak at k + 1."""
    nxt = {k: k + 1 for k in range(n_x - 1)}
    nxt[n_x - 1] = eos
    Wya = np.zeros((n_x, n_x))
    for k, j in nxt.items():
        Wya[j, k] = 30.0
    by = np.full((n_x, 1), -10.0)
    by[start] = 10.0
    return {"Wax": 10.0 * np.eye(n_x), "Waa": np.zeros((n_x, n_x)), "Wya": Wya,
            "ba": np.zeros((n_x, 1)), "by": by}


def random_model(seed, n_a=8, scale=1.5):
    p = rnn.initialize_parameters(n_a, N_X, N_X, seed=seed, scale=scale)
    rng = np.random.default_rng(seed + 50)
    p["ba"], p["by"] = rng.standard_normal((n_a, 1)), rng.standard_normal((N_X, 1))
    return p


def entropy(p):
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


# --------------------------------------------------------------------------- randomness
def test_sampling_is_reproducible_from_a_seed():
    params = random_model(1, scale=1.0)
    runs = [sample(params, N_X, EOS, max_length=30, rng=7) for _ in range(2)]
    assert runs[0] == runs[1]
    rng = np.random.default_rng(7)
    assert sample(params, N_X, EOS, max_length=30, rng=rng) == runs[0]
    # one Generator across calls gives different (but reproducible) samples
    rng_a, rng_b = np.random.default_rng(3), np.random.default_rng(3)
    a = [sample(params, N_X, EOS, max_length=30, rng=rng_a) for _ in range(5)]
    b = [sample(params, N_X, EOS, max_length=30, rng=rng_b) for _ in range(5)]
    assert a == b and len({tuple(s) for s in a}) > 1


def test_first_token_frequencies_match_the_model_distribution():
    params = constant_model(DIST)
    rng = np.random.default_rng(0)
    n = 20_000
    first = [sample(params, N_X, EOS, max_length=1, rng=rng)[0] for _ in range(n)]
    freq = np.bincount(first, minlength=N_X) / n
    assert np.max(np.abs(freq - DIST)) < 0.02, freq
    chi2 = float((((freq - DIST) * n) ** 2 / (DIST * n)).sum())
    assert chi2 < 20.5  # 99.9 % quantile of chi-square with 5 degrees of freedom


def test_sampled_token_is_fed_back_as_the_next_input():
    assert sample(successor_model(start=3), N_X, EOS, rng=0) == [3, 4, 5, EOS]
    assert sample(successor_model(start=0), N_X, EOS, rng=0) == [0, 1, EOS]


# --------------------------------------------------------------------------- temperature, greedy
def test_temperature_rescales_the_distribution_as_p_to_the_power_one_over_t():
    z = np.log(DIST)
    for T in (0.25, 0.5, 1.0, 2.0, 5.0):
        expected = DIST ** (1 / T) / (DIST ** (1 / T)).sum()
        np.testing.assert_allclose(sampling_distribution(z, T), expected, rtol=1e-12)
    assert entropy(sampling_distribution(z, 0.5)) < entropy(DIST) < entropy(sampling_distribution(z, 2.0))
    # stable for tiny T and huge logits
    p = sampling_distribution(np.array([1000.0, 999.0, -1000.0]), 1e-6)
    np.testing.assert_array_equal(p, [1.0, 0.0, 0.0])


def test_temperature_half_sharpens_and_two_flattens_the_samples():
    params = constant_model(DIST)
    entropies = {}
    for T in (0.5, 1.0, 2.0):
        rng = np.random.default_rng(1)
        tokens = [sample(params, N_X, EOS, max_length=1, temperature=T, rng=rng)[0]
                  for _ in range(5000)]
        freq = np.bincount(tokens, minlength=N_X) / 5000
        entropies[T] = entropy(freq)
        expected = DIST ** (1 / T) / (DIST ** (1 / T)).sum()
        assert np.max(np.abs(freq - expected)) < 0.03, (T, freq)
    assert entropies[0.5] < entropies[1.0] - 0.1 and entropies[2.0] > entropies[1.0] + 0.05


def test_greedy_is_deterministic_and_the_zero_temperature_limit():
    for seed in range(5):
        params = random_model(seed)
        greedy = sample(params, N_X, EOS, max_length=25, greedy=True)
        assert greedy == sample(params, N_X, EOS, max_length=25, greedy=True, rng=123)
        for rng_seed in range(3):
            cold = sample(params, N_X, EOS, max_length=25, temperature=1e-4, rng=rng_seed)
            assert cold == greedy, seed
    # with a constant model, greedy repeats the most probable token
    assert sample(constant_model(DIST), N_X, EOS, max_length=4, greedy=True) == [3, 3, 3, 3]


# --------------------------------------------------------------------------- <UNK>, <EOS>, length
def test_unk_never_appears_even_when_the_model_gives_it_most_of_the_mass():
    dist = np.array([0.01, 0.90, 0.02, 0.03, 0.02, 0.02])
    params = constant_model(dist)
    rng = np.random.default_rng(2)
    tokens = [k for _ in range(1000)
              for k in sample(params, N_X, EOS, unk_index=UNK, max_length=20, rng=rng)]
    assert UNK not in tokens
    # rejecting <UNK> samples from p_k / (1 - p_UNK)
    freq = np.bincount(tokens, minlength=N_X) / len(tokens)
    # <EOS> ends every sequence, so compare the other tokens with each other
    others = [PAD, 3, 4, 5]
    expected = dist[others] / dist[others].sum()
    np.testing.assert_allclose(freq[others] / freq[others].sum(), expected, atol=0.02)
    assert UNK in [sample(params, N_X, EOS, max_length=20, rng=0)[0] for _ in range(20)]


def test_unk_with_all_the_mass_does_not_loop_forever():
    params = constant_model(DIST)
    params["by"][UNK] = 1000.0  # softmax puts probability 1.0 (in float64) on <UNK>
    out = sample(params, N_X, EOS, unk_index=UNK, max_length=10, rng=0)
    assert UNK not in out and 1 <= len(out) <= 10
    greedy = sample(params, N_X, EOS, unk_index=UNK, max_length=3, greedy=True)
    assert greedy == [3, 3, 3]  # the most probable token after <UNK>
    assert MAX_UNK_REJECTIONS >= 1


def test_sampling_stops_at_eos():
    dist = np.array([0.0, 0.0, 0.3, 0.4, 0.2, 0.1])
    params = constant_model(dist)
    rng = np.random.default_rng(4)
    for _ in range(200):
        out = sample(params, N_X, EOS, max_length=100, rng=rng)
        assert out[-1] == EOS and EOS not in out[:-1]
    only_eos = constant_model(np.array([0.0, 0.0, 1.0, 0.0, 0.0, 0.0]))
    assert sample(only_eos, N_X, EOS, rng=0) == [EOS]


def test_sampling_respects_max_length():
    params = constant_model(np.array([0.0, 0.0, 0.0, 0.5, 0.25, 0.25]))  # never <EOS>
    for n in (1, 7, 50):
        assert len(sample(params, N_X, EOS, max_length=n, rng=0)) == n
    assert sample(successor_model(start=3), N_X, EOS, max_length=2, greedy=True) == [3, 4]


def test_prefix_and_first_input():
    model = successor_model(start=0)
    assert sample(model, N_X, EOS, prefix=[4], greedy=True) == [4, 5, EOS]
    assert sample(model, N_X, EOS, first_input=3, greedy=True) == [4, 5, EOS]
    x1 = np.zeros(N_X)
    x1[3] = 1.0
    assert sample(model, N_X, EOS, first_input=x1, greedy=True) == [4, 5, EOS]


def test_sample_text_decodes_with_a_vocabulary():
    vocab = Vocabulary(list("abc"))  # <PAD> <UNK> <EOS> a b c
    assert sample_text(successor_model(start=3), vocab, rng=0) == "abc"
    assert sample_text(successor_model(start=3), vocab, greedy=True, join=" ") == "a b c"
    assert sample_text(successor_model(start=3), vocab, greedy=True, prefix="b") == "bc"
    params = constant_model(np.array([0.0, 0.9, 0.05, 0.05, 0.0, 0.0]))
    texts = [sample_text(params, vocab, rng=r, max_length=5) for r in range(30)]
    assert all(set(t) <= {"a"} for t in texts)  # <UNK> avoided by default, <EOS> not shown
    assert any("<UNK>" in sample_text(params, vocab, rng=r, avoid_unk=False) for r in range(10))


# --------------------------------------------------------------------------- errors
def test_errors():
    params = constant_model(DIST)
    for T in (0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="temperature must be a positive"):
            sample(params, N_X, EOS, temperature=T, rng=0)
    with pytest.raises(ValueError, match=r"parameters\['Wya'\] has shape \(6, 3\) but \(n_y, n_a\)"):
        sample(dict(params, Wya=np.zeros((6, 3))), N_X, EOS, rng=0)
    with pytest.raises(ValueError, match=r"parameters\['by'\] has shape \(5, 1\)"):
        sample(dict(params, by=np.zeros((5, 1))), N_X, EOS, rng=0)
    with pytest.raises(ValueError, match="n_x=7 does not match the parameters, which have n_x=6"):
        sample(params, 7, EOS, rng=0)
    with pytest.raises(ValueError, match="n_y must equal n_x"):
        sample(rnn.initialize_parameters(N_A, N_X, 3), N_X, EOS, rng=0)
    with pytest.raises(ValueError, match="pass rng="):
        sample(params, N_X, EOS)
    with pytest.raises(ValueError, match="eos_index must be a token index"):
        sample(params, N_X, 6, rng=0)
    with pytest.raises(ValueError, match="unk_index and eos_index are both 2"):
        sample(params, N_X, EOS, unk_index=EOS, rng=0)
    with pytest.raises(ValueError, match="max_length must be a positive integer"):
        sample(params, N_X, EOS, max_length=0, rng=0)
    with pytest.raises(ValueError, match="prefix has 3 tokens, more than max_length=2"):
        sample(params, N_X, EOS, max_length=2, prefix=[3, 3, 3], rng=0)
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        sample(params, N_X, EOS, rng="seed")
    with pytest.raises(ValueError, match="first_input must be"):
        sample(params, N_X, EOS, first_input=np.zeros(3), rng=0)
