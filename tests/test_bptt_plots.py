"""course_lib.bptt_plots draws the unrolled graph and gradient norms, and refuses bad input."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib import bptt_plots


def _arrows(ax, gid):
    return [p for p in ax.patches if p.get_gid() == gid]


def test_unrolled_graph_has_forward_and_backward_arrows_for_every_step():
    T = 3
    ax = bptt_plots.plot_unrolled_graph(T)
    # Per step, forward: x->a, a<t-1>->a<t>, a->y_hat, y_hat->L<t>, L<t>->L.
    assert len(_arrows(ax, "forward")) == 5 * T
    # Backward: the same five edges reversed (the one into x is dashed).
    backward = _arrows(ax, "backward")
    assert len(backward) == 5 * T
    assert sum(p.get_linestyle() == "--" for p in backward) == T
    texts = {t.get_text() for t in ax.texts}
    for t in range(T + 1):
        assert rf"$a^{{\langle {t} \rangle}}$" in texts
    assert r"$\mathcal{L}$" in texts
    plt.close("all")


def test_backward_arrows_point_against_the_forward_ones():
    ax = bptt_plots.plot_unrolled_graph(2)
    # The recurrent arrows: horizontal ones. Forward go right, backward go left ("through time").
    def horizontal(gid):
        out = []
        for p in _arrows(ax, gid):
            (x0, y0), (x1, y1) = p._posA_posB
            if abs(y1 - y0) < 1e-9:
                out.append(x1 - x0)
        return out

    assert horizontal("forward") and all(d > 0 for d in horizontal("forward"))
    assert horizontal("backward") and all(d < 0 for d in horizontal("backward"))
    plt.close("all")


def test_unrolled_graph_without_backward_pass():
    ax = bptt_plots.plot_unrolled_graph(2, backward=False)
    assert not _arrows(ax, "backward")
    plt.close("all")


def test_gradient_flow_plots_one_line_per_setting_on_a_log_scale():
    norms = {"rho = 0.5": 0.5 ** np.arange(10), "rho = 2": 2.0 ** np.arange(10)}
    ax = bptt_plots.plot_gradient_flow(norms, reference_rates={"rho = 0.5": 0.5})
    assert ax.get_yscale() == "log"
    assert len(ax.lines) == 3                      # two solid lines, one dashed reference
    np.testing.assert_allclose(ax.lines[0].get_ydata(), norms["rho = 0.5"])
    np.testing.assert_allclose(ax.lines[2].get_ydata(), norms["rho = 0.5"])  # exact geometric
    assert ax.lines[2].get_linestyle() == "--"
    assert ax.lines[2].get_color() == ax.lines[0].get_color()
    plt.close("all")


def test_plot_errors_name_the_problem():
    with pytest.raises(ValueError, match="T must be an integer between 1 and 8"):
        bptt_plots.plot_unrolled_graph(0)
    with pytest.raises(ValueError, match="positive and finite"):
        bptt_plots.plot_gradient_flow({"a": np.array([1.0, 0.0])})
    with pytest.raises(ValueError, match="non-empty 1-D"):
        bptt_plots.plot_gradient_flow({"a": np.ones((2, 2))})
    with pytest.raises(ValueError, match=r"unknown|not in norms"):
        bptt_plots.plot_gradient_flow({"a": np.ones(3)}, reference_rates={"b": 0.5})
