"""course_lib.embeddings against independent references: scipy, sklearn and gensim.

GloVe is restricted to its most frequent words where a reference has to scan the vocabulary,
which keeps the file fast.
"""

import numpy as np
import pytest
from gensim.models import KeyedVectors
from gensim.test.utils import datapath
from scipy.spatial.distance import cosine as scipy_cosine_distance
from sklearn.decomposition import PCA
from sklearn.metrics.pairwise import cosine_similarity as sklearn_cosine

from course_lib import embeddings as emb
from course_lib.embeddings import OutOfVocabularyError, WordVectors

TOP = 10000   # GloVe words used where gensim has to scan the vocabulary


@pytest.fixture(scope="module")
def glove():
    return emb.load_glove()


@pytest.fixture(scope="module")
def glove_top():
    return emb.load_glove(TOP)


@pytest.fixture(scope="module")
def keyed(glove_top):
    """The same vectors as a gensim KeyedVectors, the independent reference."""
    kv = KeyedVectors(glove_top.dim)
    kv.add_vectors(glove_top.words, np.asarray(glove_top.vectors))
    return kv


def random_word_vectors(n=40, d=6, seed=0):
    rng = np.random.default_rng(seed)
    return WordVectors([f"w{i}" for i in range(n)], rng.standard_normal((n, d)), name="random")


# ----------------------------------------------------------------------------- cosine

def test_cosine_similarity_matches_scipy():
    rng = np.random.default_rng(1)
    for _ in range(5):
        u, v = rng.standard_normal(7), rng.standard_normal(7)
        assert emb.cosine_similarity(u, v) == pytest.approx(1 - scipy_cosine_distance(u, v), abs=1e-12)


def test_cosine_similarity_ignores_length_and_spans_minus_one_to_one():
    u = np.array([1.0, 2.0, -0.5])
    assert emb.cosine_similarity(u, 7.5 * u) == pytest.approx(1.0)
    assert emb.cosine_similarity(u, -0.1 * u) == pytest.approx(-1.0)
    assert emb.cosine_similarity([1.0, 0.0], [0.0, 3.0]) == pytest.approx(0.0)


def test_cosine_similarity_rejects_zero_vector_and_shape_mismatch():
    with pytest.raises(ValueError, match="u is the zero vector"):
        emb.cosine_similarity(np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match="v has 2 dimensions but 3"):
        emb.cosine_similarity(np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match="1-D"):
        emb.cosine_similarity(np.ones((3, 1)), np.ones(3))


def test_cosine_similarities_matches_sklearn_pairwise():
    rng = np.random.default_rng(2)
    matrix, v = rng.standard_normal((20, 5)), rng.standard_normal(5)
    expected = sklearn_cosine(matrix, v[None])[:, 0]
    np.testing.assert_allclose(emb.cosine_similarities(matrix, v), expected, atol=1e-12)


def test_cosine_similarities_rejects_zero_row_and_wrong_width():
    matrix = np.ones((4, 3))
    matrix[2] = 0
    with pytest.raises(ValueError, match="row 2 of matrix"):
        emb.cosine_similarities(matrix, np.ones(3))
    with pytest.raises(ValueError, match="v has 2 dimensions but 3"):
        emb.cosine_similarities(np.ones((4, 3)), np.ones(2))


def test_unit_vectors_have_length_one_are_cached_and_read_only(glove_top):
    unit = glove_top.unit_vectors()
    np.testing.assert_allclose(np.linalg.norm(unit[:500], axis=1), 1.0, atol=1e-6)
    assert glove_top.unit_vectors() is unit
    assert not unit.flags.writeable


# ----------------------------------------------------------------------------- neighbours

def test_nearest_neighbours_of_a_word_match_gensim_most_similar(glove_top, keyed):
    for word in ("bird", "france", "computer"):
        mine = emb.nearest_neighbours(glove_top, word, k=10)
        theirs = keyed.most_similar(word, topn=10)
        assert [w for w, _ in mine] == [w for w, _ in theirs]
        np.testing.assert_allclose([s for _, s in mine], [s for _, s in theirs], atol=1e-5)
        assert word not in [w for w, _ in mine], "a word is not its own neighbour"


def test_nearest_neighbours_of_a_vector_match_gensim_similar_by_vector(glove_top, keyed):
    v = glove_top["paris"] - glove_top["france"] + glove_top["italy"]
    mine = emb.nearest_neighbours(glove_top, v, k=5)
    theirs = keyed.similar_by_vector(v.astype(np.float32), topn=5)
    assert [w for w, _ in mine] == [w for w, _ in theirs]


def test_nearest_neighbours_respects_exclude_and_checks_k(glove_top):
    first = emb.nearest_neighbours(glove_top, "bird", k=3)
    excluded = emb.nearest_neighbours(glove_top, "bird", k=3, exclude=[first[0][0], "not-a-word"])
    assert [w for w, _ in excluded] == [w for w, _ in first[1:]] + [excluded[-1][0]]
    with pytest.raises(ValueError, match="k must be a positive int"):
        emb.nearest_neighbours(glove_top, "bird", k=0)
    with pytest.raises(OutOfVocabularyError, match="'Bird' is not in the vocabulary.*'bird'"):
        emb.nearest_neighbours(glove_top, "Bird")


# ----------------------------------------------------------------------------- analogies

def test_analogy_is_the_argmax_over_the_vocabulary_without_the_query_words():
    wv = random_word_vectors()
    a, b, c = "w3", "w7", "w11"
    target = wv[b] - wv[a] + wv[c]
    scores = {w: float(wv[w] @ target / np.linalg.norm(wv[w]) / np.linalg.norm(target))
              for w in wv.words if w not in (a, b, c)}
    best = sorted(scores, key=scores.get, reverse=True)[:4]
    result = emb.analogy(wv, a, b, c, k=4)
    assert [w for w, _ in result] == best
    np.testing.assert_allclose([s for _, s in result], [scores[w] for w in best], atol=1e-12)


def test_analogy_man_woman_king_gives_queen_and_king_without_exclusion(glove):
    assert emb.analogy(glove, "man", "woman", "king")[0][0] == "queen"
    assert emb.analogy(glove, "man", "woman", "king", exclude_query=False)[0][0] == "king"


def test_normalized_analogy_matches_gensim_most_similar(glove_top, keyed):
    for a, b, c in [("man", "woman", "king"), ("france", "paris", "japan"), ("big", "bigger", "small")]:
        mine = emb.analogy(glove_top, a, b, c, k=5, normalize=True)
        theirs = keyed.most_similar(positive=[b, c], negative=[a], topn=5)
        assert [w for w, _ in mine] == [w for w, _ in theirs]
        np.testing.assert_allclose([s for _, s in mine], [s for _, s in theirs], atol=1e-5)


def test_3cosmul_analogy_matches_gensim_most_similar_cosmul(glove_top, keyed):
    for a, b, c in [("man", "woman", "king"), ("france", "paris", "japan")]:
        # gensim's epsilon is 1e-6; the default 1e-3 is Levy and Goldberg's
        mine = emb.analogy(glove_top, a, b, c, k=5, method="mul", epsilon=1e-6)
        theirs = keyed.most_similar_cosmul(positive=[b, c], negative=[a], topn=5)
        assert [w for w, _ in mine] == [w for w, _ in theirs]
        np.testing.assert_allclose([s for _, s in mine], [s for _, s in theirs], rtol=1e-5)


def test_analogy_raises_out_of_vocabulary_error_naming_the_word(glove_top):
    with pytest.raises(OutOfVocabularyError, match="'qwertyuiop' is not in the vocabulary"):
        emb.analogy(glove_top, "man", "qwertyuiop", "king")
    with pytest.raises(ValueError, match="method must be"):
        emb.analogy(glove_top, "man", "woman", "king", method="sub")


# ----------------------------------------------------------------------------- matrix E

def test_embedding_matrix_has_one_column_per_word(glove_top):
    words = ["orange", "apple", "king"]
    E = emb.embedding_matrix(glove_top, words)
    assert E.shape == (50, 3) and E.dtype == np.float64
    for j, word in enumerate(words):
        np.testing.assert_array_equal(E[:, j], glove_top[word])
    with pytest.raises(OutOfVocabularyError):
        emb.embedding_matrix(glove_top, ["orange", "qwertyuiop"])


def test_product_with_one_hot_equals_column_lookup():
    E = np.random.default_rng(3).standard_normal((4, 9))
    for j in range(9):
        np.testing.assert_array_equal(emb.embed_by_product(E, j), E[:, j])
        np.testing.assert_array_equal(emb.embed_by_lookup(E, j), E[:, j])
    cost = emb.product_vs_lookup(E, 5, repeats=3)
    assert cost["equal"] and cost["multiply_adds"] == 36 and cost["numbers_copied"] == 4
    with pytest.raises(IndexError, match="j must be a column index in 0 .. 8"):
        emb.embed_by_product(E, 9)


# ----------------------------------------------------------------------------- projections

def test_pca_projection_matches_sklearn_up_to_sign(glove_top):
    X = np.asarray(glove_top.vectors[:200], dtype=np.float64)
    mine = emb.project_2d(X, "pca")
    theirs = PCA(n_components=2).fit_transform(X)
    for axis in range(2):
        sign = np.sign(mine[:, axis] @ theirs[:, axis])
        np.testing.assert_allclose(mine[:, axis], sign * theirs[:, axis], atol=1e-8)


def test_tsne_projection_is_reproducible_with_a_seed():
    X = np.random.default_rng(4).standard_normal((25, 6))
    first = emb.project_2d(X, "tsne", seed=0)
    assert first.shape == (25, 2)
    np.testing.assert_allclose(emb.project_2d(X, "tsne", seed=0), first)
    with pytest.raises(ValueError, match="method must be 'pca' or 'tsne'"):
        emb.project_2d(X, "umap")


# ----------------------------------------------------------------------------- debiasing

@pytest.fixture(scope="module")
def gender(glove):
    return emb.bias_direction(glove, [("man", "woman")])


def test_bias_direction_mean_of_one_pair_is_the_difference(glove, gender):
    np.testing.assert_allclose(gender, glove["woman"] - glove["man"])


def test_bias_direction_pca_matches_sklearn_and_points_from_a_to_b(glove):
    pairs = [("man", "woman"), ("he", "she"), ("father", "mother"), ("boy", "girl"), ("king", "queen")]
    g = emb.bias_direction(glove, pairs, method="pca", normalize=True)
    rows = []
    for a, b in pairs:
        ea, eb = (glove[w] / np.linalg.norm(glove[w]) for w in (a, b))
        centre = (ea + eb) / 2
        rows += [ea - centre, eb - centre]
    reference = PCA(n_components=1).fit(np.array(rows)).components_[0]
    assert np.linalg.norm(g) == pytest.approx(1.0)
    assert abs(g @ reference) == pytest.approx(1.0, abs=1e-10)
    assert g @ (glove["woman"] - glove["man"]) > 0


def test_neutralize_removes_exactly_the_projection(glove, gender):
    e = glove["receptionist"]
    for g in (gender, 3.7 * gender):            # any length of g
        out = emb.neutralize(e, g)
        assert out @ g == pytest.approx(0.0, abs=1e-10)
        # what is orthogonal to g is untouched
        w = np.random.default_rng(5).standard_normal(50)
        w -= (w @ g) / (g @ g) * g
        assert out @ w == pytest.approx(e @ w, abs=1e-10)
    np.testing.assert_allclose(emb.neutralize(out, gender), out, atol=1e-12)
    with pytest.raises(ValueError, match="g is the zero vector"):
        emb.neutralize(e, np.zeros(50))


def test_equalize_gives_unit_vectors_with_opposite_projections(glove, gender):
    e1, e2 = emb.equalize(glove["actor"], glove["actress"], gender)
    u = gender / np.linalg.norm(gender)
    assert np.linalg.norm(e1) == pytest.approx(1.0) and np.linalg.norm(e2) == pytest.approx(1.0)
    assert e1 @ u == pytest.approx(-(e2 @ u), abs=1e-12)
    np.testing.assert_allclose(e1 - (e1 @ u) * u, e2 - (e2 @ u) * u, atol=1e-12)
    # the projection's size is sqrt(1 - ||nu||^2) of Bolukbasi et al.
    n1, n2 = (glove[w] / np.linalg.norm(glove[w]) for w in ("actor", "actress"))
    mu = (n1 + n2) / 2
    nu = mu - (mu @ u) * u
    assert abs(e1 @ u) == pytest.approx(np.sqrt(1 - nu @ nu), abs=1e-12)
    # actress stays on the female side
    assert e2 @ u > 0 > e1 @ u


def test_equalized_pair_is_equally_close_to_every_neutralized_word(glove, gender):
    e1, e2 = emb.equalize(glove["grandfather"], glove["grandmother"], gender)
    for word in ("babysit", "doctor", "engineer", "nurse"):
        t = emb.neutralize(glove[word], gender)
        assert emb.cosine_similarity(e1, t) == pytest.approx(emb.cosine_similarity(e2, t), abs=1e-12)
        assert np.linalg.norm(e1 - t) == pytest.approx(np.linalg.norm(e2 - t), abs=1e-12)


def test_popular_course_equalize_formula_is_not_unit_norm_in_general(glove, gender):
    # The variant that divides by ||e_w - mu|| instead of ||e_wB - mu_B|| (documented in
    # equalize) leaves the unit sphere unless the pair differs along g only.
    u = gender / np.linalg.norm(gender)
    n1, n2 = (glove[w] / np.linalg.norm(glove[w]) for w in ("actor", "actress"))
    mu = (n1 + n2) / 2
    mu_b, nu = (mu @ u) * u, mu - (mu @ u) * u
    variant = nu + np.sqrt(abs(1 - nu @ nu)) * ((n1 @ u) * u - mu_b) / np.linalg.norm(n1 - mu)
    assert abs(np.linalg.norm(variant) - 1) > 0.01   # 0.981 for actor, actress
    v1 = nu + 0.3 * u   # a pair that differs along u only: the two formulas agree
    v2 = nu - 0.3 * u
    mine = emb.equalize(v1, v2, u)[0]
    n1 = v1 / np.linalg.norm(v1)
    mu = (n1 + v2 / np.linalg.norm(v2)) / 2
    nu = mu - (mu @ u) * u
    variant = nu + np.sqrt(abs(1 - nu @ nu)) * ((n1 @ u) * u - (mu @ u) * u) / np.linalg.norm(n1 - mu)
    np.testing.assert_allclose(mine, variant, atol=1e-12)


def test_equalize_rejects_a_pair_with_equal_projections():
    with pytest.raises(ValueError, match="same projection on g"):
        emb.equalize(np.array([1.0, 0.0, 1.0]), np.array([0.0, 1.0, 1.0]), np.array([0.0, 0.0, 1.0]))


# ----------------------------------------------------------------------------- evaluation

def test_evaluate_analogies_agrees_with_gensim_section_by_section(glove_top, keyed):
    mine = emb.evaluate_analogies(glove_top, restrict_vocab=TOP)
    score, sections = keyed.evaluate_word_analogies(datapath("questions-words.txt"),
                                                    restrict_vocab=TOP)
    assert mine["accuracy"] == pytest.approx(score, abs=1e-12)
    for section in sections[:-1]:
        got = mine["sections"][section["section"]]
        assert got["correct"] == len(section["correct"]), section["section"]
        assert got["total"] == len(section["correct"]) + len(section["incorrect"])
    assert mine["n_evaluated"] + mine["n_oov"] == mine["n_questions"] == 19544
    assert 0.5 < mine["accuracy"] < 0.7   # GloVe 50d, 10k words: 0.585


def test_evaluate_analogies_on_a_small_file_counts_sections_and_oov(tmp_path):
    # Four words on the corners of a square: a - b + c lands exactly on d.
    words = ["man", "woman", "king", "queen", "apple"]
    vectors = np.array([[1, 0, 0], [0, 1, 0], [1, 0, 1], [0, 1, 1], [5, 5, -3]], dtype=float)
    wv = WordVectors(words, vectors, name="square")
    path = tmp_path / "questions.txt"
    path.write_text(": family\nMan Woman King Queen\nKing Queen Man Woman\nman woman king prince\n"
                    ": gram-test\nwoman man queen apple\n")
    result = emb.evaluate_analogies(wv, restrict_vocab=5, path=str(path))
    assert result["n_questions"] == 4 and result["n_oov"] == 1
    assert result["sections"]["family"] == {"correct": 2, "total": 2, "accuracy": 1.0}
    assert result["sections"]["gram-test"]["correct"] == 0
    assert result["semantic_accuracy"] == 1.0 and result["syntactic_accuracy"] == 0.0


@pytest.mark.parametrize("dataset, filename", [("wordsim353", "wordsim353.tsv"),
                                               ("simlex999", "simlex999.txt")])
def test_evaluate_word_pairs_agrees_with_gensim(glove_top, keyed, dataset, filename):
    mine = emb.evaluate_word_pairs(glove_top, dataset)
    pearson, spearman, oov_ratio = keyed.evaluate_word_pairs(datapath(filename))
    assert mine["spearman"] == pytest.approx(spearman.statistic, abs=1e-6)
    assert mine["pearson"] == pytest.approx(pearson.statistic, abs=1e-6)
    assert mine["oov_ratio"] == pytest.approx(oov_ratio, abs=1e-9)
    assert mine["n_pairs"] + mine["n_oov"] == (353 if dataset == "wordsim353" else 999)


def test_evaluate_word_pairs_rejects_unknown_dataset(glove_top):
    with pytest.raises(ValueError, match="dataset must be one of"):
        emb.evaluate_word_pairs(glove_top, "men3000")
