"""course_lib.plots draws what it is given and refuses bad shapes."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from course_lib import plots, text


def test_plot_one_hot_shows_the_matrix_with_labels():
    vocab = text.Vocabulary(["harry", "potter"])
    X = text.one_hot(vocab.encode(["harry", "potter"]), vocab.n_x)
    ax = plots.plot_one_hot(X, row_labels=vocab.tokens, col_labels=["harry", "potter"])
    np.testing.assert_array_equal(ax.images[0].get_array(), X)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["harry", "potter"]
    assert ax.get_yticklabels()[3].get_text() == "3 harry"


def test_plot_mask_shows_zeros_and_ones():
    _, mask = text.pad_batch([[1, 2], [1]])
    ax = plots.plot_mask(mask)
    np.testing.assert_array_equal(ax.images[0].get_array(), mask)
    assert sorted(t.get_text() for t in ax.texts) == ["0", "1", "1", "1"]


def test_plot_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"shape \(n_x, T\)"):
        plots.plot_one_hot(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="col_labels has 1 entries, expected 3"):
        plots.plot_one_hot(np.zeros((2, 3)), col_labels=["a"])
    with pytest.raises(ValueError, match="2-D bool"):
        plots.plot_mask(np.ones((2, 2)))
