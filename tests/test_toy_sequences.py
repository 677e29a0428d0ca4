"""course_lib.toy_sequences: labels recomputed from the words, models against course_lib in float64.

The labels are recomputed by plain loops over the *words* (strings), not over indices, so a
wrong vocabulary constant or an off-by-one in the generator shows up here. The bidirectional
tagger is checked against course_lib.bidirectional.bidirectional_forward, an independent numpy
implementation of the BRNN equations.
"""

import time

import numpy as np
import pytest
import torch

from course_lib import bidirectional
from course_lib import toy_sequences as ts
from course_lib import toy_tasks as tt


# --------------------------------------------------------------------------- agreement task
def test_agreement_labels_are_the_number_of_the_first_word():
    x, y = ts.agreement_task(n=301, k=7, seed=3)
    assert x.shape == (301, 8) and x.dtype == torch.int64
    assert y.shape == (301,) and y.dtype == torch.int64
    for row, label in zip(x.tolist(), y.tolist()):
        sentence = ts.words(row, ts.AGREEMENT_WORDS)
        assert sentence[0] in ("cat", "dog", "bird", "cats", "dogs", "birds")
        assert all(w in ts.DISTRACTORS for w in sentence[1:])
        assert ts.VERBS[label] == ("were" if sentence[0].endswith("s") else "was")
    assert (int((y == 0).sum()), int((y == 1).sum())) == (150, 151)


def test_agreement_distractors_are_uniform_and_independent_of_the_label():
    x, y = ts.agreement_task(n=4000, k=10, seed=0)
    counts = np.bincount(x[:, 1:].flatten().numpy(), minlength=ts.N_AGREEMENT_WORDS)
    assert counts[:6].sum() == 0                                  # no subject among distractors
    shares = counts[6:] / counts[6:].sum()
    assert np.all(np.abs(shares - 0.1) < 0.01)
    # the distractors of singular and plural sentences have the same mean index
    d = x[:, 1:].double().mean(dim=1)
    assert abs(d[y == 0].mean().item() - d[y == 1].mean().item()) < 0.1


def test_agreement_with_no_distractor_is_the_subject_alone():
    x, y = ts.agreement_task(n=10, k=0, seed=1)
    assert x.shape == (10, 1)
    assert torch.equal(y, (x[:, 0] >= len(ts.SINGULAR)).long())


# --------------------------------------------------------------------------- tagging task
def expected_tags(sentence):
    """PER for surnames, and for an ambiguous word right before a surname; O otherwise."""
    tags = []
    for t, word in enumerate(sentence):
        nxt = sentence[t + 1] if t + 1 < len(sentence) else None
        person = word in ("roosevelt", "hilton", "kennedy") or (
            word in ("teddy", "paris") and nxt in ("roosevelt", "hilton", "kennedy"))
        tags.append("PER" if person else "O")
    return tags


def test_tags_match_an_independent_recomputation_from_the_words():
    tokens, tags = ts.right_context_tagging(n=200, T=11, seed=5)
    assert tokens.shape == tags.shape == (200, 11)
    assert tokens.dtype == tags.dtype == torch.int64
    assert 0 <= int(tokens.min()) and int(tokens.max()) < ts.N_TAGGING_WORDS
    for row, row_tags in zip(tokens.tolist(), tags.tolist()):
        sentence = ts.words(row)
        assert [ts.TAGS[g] for g in row_tags] == expected_tags(sentence)


def test_sentence_structure_every_ambiguous_word_has_a_name_or_noun_after_it():
    tokens, _ = ts.right_context_tagging(n=300, T=9, seed=2)
    for row in tokens.tolist():
        sentence = ts.words(row)
        assert sentence[-1] in ts.FILLERS
        for t, word in enumerate(sentence):
            if word in ts.AMBIGUOUS:
                assert sentence[t + 1] in ts.SURNAMES + ts.NOUNS
            if word in ts.SURNAMES + ts.NOUNS:
                assert t > 0 and sentence[t - 1] in ts.AMBIGUOUS


def test_ambiguous_tags_are_balanced_and_independent_of_the_left_context():
    tokens, tags = ts.right_context_tagging(n=5000, T=12, seed=0)
    mask = ts.ambiguous_mask(tokens)
    assert mask.sum() > 5000
    assert abs(tags[mask].float().mean().item() - 0.5) < 0.02
    # the word just before an ambiguous word tells nothing about its tag
    rows, cols = torch.nonzero(mask[:, 1:], as_tuple=True)
    left_word = tokens[rows, cols]
    tag = tags[rows, cols + 1]
    for w in torch.unique(left_word).tolist():
        share = tag[left_word == w].float().mean().item()
        assert abs(share - 0.5) < 0.1, (ts.TAGGING_WORDS[w], share)


def test_ambiguous_mask_marks_teddy_and_paris():
    tokens = torch.tensor([[ts.TAGGING_WORDS.index(w) for w in
                            ("he", "teddy", "bears", "paris", "hilton", "said")]])
    assert ts.ambiguous_mask(tokens).tolist() == [[False, True, False, True, False, False]]


@pytest.mark.parametrize("make", [
    lambda s: ts.agreement_task(30, 6, s),
    lambda s: ts.right_context_tagging(30, 6, s),
])
def test_datasets_are_reproducible_from_their_seed(make):
    a, b, c = make(5), make(5), make(6)
    assert all(torch.equal(u, v) for u, v in zip(a, b))
    assert not all(torch.equal(u, v) for u, v in zip(a, c))


@pytest.mark.parametrize("call, message", [
    (lambda: ts.agreement_task(1, 5, 0), "n must be an integer >= 2"),
    (lambda: ts.agreement_task(10, -1, 0), "k must be an integer >= 0"),
    (lambda: ts.agreement_task(10, 2.0, 0), "k must be an integer"),
    (lambda: ts.agreement_task(True, 2, 0), "n must be an integer"),
    (lambda: ts.right_context_tagging(0, 5, 0), "n must be an integer >= 1"),
    (lambda: ts.right_context_tagging(5, 2, 0), "T must be an integer >= 3"),
    (lambda: ts.right_context_tagging(5, 6, 0, p_pair=0), r"p_pair must be a probability"),
    (lambda: ts.right_context_tagging(5, 6, 0, p_pair=1.5), r"p_pair must be a probability"),
    (lambda: ts.ambiguous_mask(torch.zeros(2, 3)), "tokens must be an int64 tensor"),
    (lambda: ts.ambiguous_mask(torch.full((2, 3), 20)), "must lie in 0 .. 19"),
    (lambda: ts.Tagger("transformer", 4), "cell must be one of"),
    (lambda: ts.Tagger("rnn", 4, bidirectional=1), "bidirectional must be True or False"),
    (lambda: ts.Tagger("rnn", 0), "n_a must be an integer >= 1"),
    (lambda: ts.LastStepClassifier("rnn", 4, remember_bias=1.0), "the plain RNN has no gate"),
    (lambda: ts.Tagger("rnn", 4)(torch.zeros(3, dtype=torch.int64)), r"\(m, T_x\) was expected"),
    (lambda: ts.masked_accuracy(torch.zeros(2, 3, 2), torch.zeros(2, 3, dtype=torch.int64),
                                torch.zeros(2, 3, dtype=torch.bool)), "at least one True"),
    (lambda: ts.masked_accuracy(torch.zeros(2, 3, 2), torch.zeros(2, 4, dtype=torch.int64),
                                torch.ones(2, 4, dtype=torch.bool)), "must have shapes"),
])
def test_errors_name_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --------------------------------------------------------------------------- models
def test_model_output_shapes_for_every_cell():
    x, _ = ts.agreement_task(5, 6, seed=0)
    tokens, _ = ts.right_context_tagging(5, 8, seed=0)
    for cell in ts.CELLS:
        assert ts.LastStepClassifier(cell, 8)(x).shape == (5, 2)
        assert ts.Tagger(cell, 8)(tokens).shape == (5, 8, 2)
        assert ts.Tagger(cell, 8, bidirectional=True, num_layers=2)(tokens).shape == (5, 8, 2)
    assert ts.Tagger("rnn", 8, bidirectional=True).out.in_features == 16


def test_bidirectional_tagger_matches_course_lib_bidirectional_forward():
    """ŷ<t> = softmax(W_y [a→<t>; a←<t>] + b_y), recomputed in float64 by the numpy BRNN."""
    model = ts.Tagger("rnn", 5, bidirectional=True, seed=3).double()
    tokens, _ = ts.right_context_tagging(4, 7, seed=1)

    def direction(suffix):
        get = lambda name: getattr(model.rnn, name + suffix).detach().double().numpy()
        return {"Wax": get("weight_ih_l0"), "Waa": get("weight_hh_l0"),
                "ba": (get("bias_ih_l0") + get("bias_hh_l0"))[:, None]}

    X = np.eye(ts.N_TAGGING_WORDS)[tokens.numpy()].transpose(2, 0, 1)    # (n_x, m, T_x)
    zeros = np.zeros((5, 4))
    _, _, y_hat = bidirectional.bidirectional_forward(
        X, zeros, zeros, direction(""), direction("_reverse"), "rnn",
        Wy=model.out.weight.detach().double().numpy(),
        by=model.out.bias.detach().double().numpy()[:, None])
    with torch.no_grad():
        logits = model(tokens)                                          # (m, T_x, n_y)
    assert logits.dtype == torch.float64
    probs = torch.softmax(logits, dim=-1).numpy()
    np.testing.assert_allclose(probs, y_hat.transpose(1, 2, 0), rtol=0, atol=1e-12)


def test_unidirectional_tagger_ignores_the_words_to_the_right():
    model = ts.Tagger("gru", 6, seed=0)
    tokens, _ = ts.right_context_tagging(3, 8, seed=0)
    changed = tokens.clone()
    changed[:, 5:] = (changed[:, 5:] + 1) % ts.N_TAGGING_WORDS
    with torch.no_grad():
        a, b = model(tokens), model(changed)
    assert torch.equal(a[:, :5], b[:, :5])
    assert not torch.equal(a[:, 5:], b[:, 5:])


def test_remember_bias_opens_the_keeping_gate():
    for cell in ("gru", "lstm"):
        base = ts.LastStepClassifier(cell, 4, seed=1)
        biased = ts.LastStepClassifier(cell, 4, seed=1, remember_bias=2.0)
        diff = (biased.rnn.bias_ih_l0 - base.rnn.bias_ih_l0).detach()
        assert torch.equal(diff, torch.tensor([0.0] * 4 + [2.0] * 4 + [0.0] * (len(diff) - 8)))


def test_models_are_seeded_and_leave_the_global_generator_alone():
    state = torch.random.get_rng_state()
    a, b, c = (ts.Tagger("lstm", 4, True, seed=1), ts.Tagger("lstm", 4, True, seed=1),
               ts.Tagger("lstm", 4, True, seed=2))
    assert torch.equal(state, torch.random.get_rng_state())
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not all(torch.equal(p, q) for p, q in zip(a.parameters(), c.parameters()))


def test_masked_accuracy_counts_only_the_masked_positions():
    logits = torch.tensor([[[0.0, 1.0], [1.0, 0.0], [1.0, 0.0]]])       # predicts 1, 0, 0
    target = torch.tensor([[1, 1, 0]])
    mask = torch.tensor([[True, True, False]])
    assert ts.masked_accuracy(logits, target, mask) == 0.5


# --------------------------------------------------------------------------- training
def test_a_bidirectional_tagger_beats_a_unidirectional_one_on_the_ambiguous_words():
    torch.set_num_threads(1)
    start = time.perf_counter()
    x_train, y_train = ts.right_context_tagging(1000, 10, seed=0)
    x_test, y_test = ts.right_context_tagging(500, 10, seed=1)
    mask = ts.ambiguous_mask(x_test)
    scores = {}
    for bi in (False, True):
        model = ts.Tagger("rnn", 16, bidirectional=bi, seed=0)
        tt.train(model, (x_train, y_train), tt.tagging_loss, epochs=4, lr=0.02, seed=0,
                 progress=False)
        with torch.no_grad():
            scores[bi] = ts.masked_accuracy(model(x_test), y_test, mask)
    assert scores[True] >= 0.97, scores
    assert scores[False] <= 0.6, scores                       # the best it can do is guess
    assert time.perf_counter() - start < 10
