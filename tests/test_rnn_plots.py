"""course_lib.rnn_plots draws the unrolled RNN and the hidden states it is given."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from course_lib import rnn, rnn_plots


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def _boxes(ax):
    return [p for p in ax.patches if isinstance(p, FancyBboxPatch)]


def _arrows(ax):
    return [p for p in ax.patches if isinstance(p, FancyArrowPatch)]


def test_unrolled_rnn_has_one_box_and_three_arrows_per_step():
    T = 5
    ax = rnn_plots.plot_unrolled_rnn(T)
    boxes = _boxes(ax)
    assert len(boxes) == T
    # boxes are equally spaced from left to right
    xs = [b.get_x() for b in boxes]
    assert np.all(np.diff(xs) > 0) and np.allclose(np.diff(xs), np.diff(xs)[0])
    assert len(_arrows(ax)) == 3 * T          # recurrent, input and output arrow per step
    texts = _texts(ax)
    for t in range(T + 1):
        assert rf"$a^{{\langle {t} \rangle}}$" in texts, f"a<{t}> is not labelled"
    for t in range(1, T + 1):
        assert rf"$x^{{\langle {t} \rangle}}$" in texts
        assert rf"$\hat{{y}}^{{\langle {t} \rangle}}$" in texts


def test_unrolled_rnn_labels_the_shared_weights_at_every_step():
    T = 3
    texts = _texts(rnn_plots.plot_unrolled_rnn(T))
    for name in ("$W_{aa}$", "$W_{ax}$", "$W_{ya}$"):
        assert texts.count(name) == T, f"{name} should appear once per step"
    plain = _texts(rnn_plots.plot_unrolled_rnn(T, show_weights=False))
    assert not any(s.startswith("$W_") for s in plain)


def test_unrolled_hidden_layer_has_no_outputs_and_shows_the_words():
    ax = rnn_plots.plot_unrolled_rnn(2, input_labels=["harry", "potter"], show_outputs=False)
    texts = _texts(ax)
    assert len(_arrows(ax)) == 4
    assert not any("hat{y}" in s for s in texts)
    assert "$W_{ya}$" not in texts
    assert "“harry”" in texts and "“potter”" in texts


def test_hidden_state_heat_map_shows_a_with_a_symmetric_scale():
    params = rnn.initialize_parameters(5, 4, 1, seed=0, scale=1.0)
    x = np.eye(4)[:, [0, 1, 2]][:, None, :]              # three one-hot words, m = 1
    a, _, _ = rnn.rnn_forward(x, np.zeros((5, 1)), params)
    ax = rnn_plots.plot_hidden_states(a[:, 0, :], col_labels=["he", "said", "teddy"])
    image = ax.images[0]
    np.testing.assert_array_equal(image.get_array(), a[:, 0, :])
    assert image.get_clim() == (-1.0, 1.0)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["he", "said", "teddy"]
    assert len(ax.get_yticks()) == 5
    assert len(ax.figure.axes) == 2                      # the heat map and its colour bar


def test_hidden_state_heat_map_defaults_to_one_based_steps_and_custom_scale():
    ax = rnn_plots.plot_hidden_states(np.zeros((2, 3)), vmax=2.5, colorbar=False)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3"]
    assert ax.images[0].get_clim() == (-2.5, 2.5)
    assert len(ax.figure.axes) == 1


def test_rnn_plot_errors_name_the_problem():
    with pytest.raises(ValueError, match="T must be a positive integer"):
        rnn_plots.plot_unrolled_rnn(0)
    with pytest.raises(ValueError, match="input_labels has 1 entries, expected 3"):
        rnn_plots.plot_unrolled_rnn(3, input_labels=["a"])
    with pytest.raises(ValueError, match=r"shape \(n_a, T_x\)"):
        rnn_plots.plot_hidden_states(np.zeros((4, 1, 3)))
    with pytest.raises(ValueError, match="col_labels has 2 entries, expected 3"):
        rnn_plots.plot_hidden_states(np.zeros((4, 3)), col_labels=["a", "b"])
    with pytest.raises(ValueError, match="vmax must be positive"):
        rnn_plots.plot_hidden_states(np.zeros((4, 3)), vmax=0)
