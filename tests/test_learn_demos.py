"""The learning pages' results (comparisons/learn/demos.py) and figures (figures.py).

tests/test_refimpl_training.py already asserts the claims on demos.py's results (the
perceptron gates, XOR, the collapse, the vanishing gradient, the learning-rate limits);
this file checks what the figures show beyond them, and that each figure is
deterministic SVG titled in English and in Korean.
"""

import numpy as np
import pytest

import refimpl
from comparisons.learn import demos, figures
from comparisons.learn.demos import GATES


@pytest.mark.parametrize("gate", ["AND", "OR", "NAND"])
def test_separable_gates_stay_at_zero_errors_once_learned(gate):
    """Run epoch by epoch past convergence: the rule no longer moves, errors stay 0; the
    epochs before agree with fit's record."""
    errors = demos.perceptron_epochs(gate, 12).errors
    learned = demos.perceptron_gates()[gate].errors
    assert errors[:len(learned)] == learned and all(e == 0 for e in errors[len(learned) - 1:])


def test_xor_perceptron_never_reaches_zero_errors():
    assert min(demos.perceptron_epochs("XOR", 12).errors) > 0


@pytest.fixture(scope="module")
def xor():
    return demos.xor_mlp(0)


def test_xor_mlp_is_right_on_all_four_points_and_its_grid_agrees(xor):
    assert xor.accuracy == 1.0
    assert xor.losses[-1] <= 0.01 < xor.losses[-2]             # stopped at the first epoch <= tol
    assert xor.grid_logits.shape == (41, 41)
    # the grid holds 0 and 1 (step 0.05 from -0.5): it is the same net at the four points
    i0, i1 = (int(np.flatnonzero(np.isclose(xor.grid, v))[0]) for v in (0.0, 1.0))
    at_points = xor.grid_logits[[i0, i1, i0, i1], [i0, i0, i1, i1]]   # [x2 index, x1 index]
    np.testing.assert_allclose(at_points, xor.logits, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(at_points > 0, np.array(GATES["XOR"]) == 1)


def test_learning_rates_three_regimes():
    """Too large grows, right falls fastest, small falls slowly, tiny barely moves."""
    curves = demos.learning_rates()
    lrs = {k: lr for k, (lr, _) in curves.items()}
    assert lrs == {"too large": 1.05 * 2 / 4, "right": 1 / 4, "small": 0.01, "tiny": 1e-6}
    f = {k: c for k, (_, c) in curves.items()}
    assert f["too large"][-1] > f["too large"][0]
    for k in ("right", "small", "tiny"):
        assert np.all(np.diff(f[k]) < 0), k                      # every step goes down
    assert f["right"][-1] < f["small"][-1] < 0.1 * f["small"][0] < f["tiny"][-1]


def test_linear_regression_by_hand_is_refimpl_gradient_descent_and_reaches_least_squares():
    """The hand-written partial derivatives give the same path as refimpl's backprop and
    SGD (fit, full batch, in order), and the path ends at the closed form."""
    run = demos.linear_regression(steps=200)
    assert run.path[0].tolist() == [0.0, 0.0]
    assert run.gap < 1e-8

    model = refimpl.Linear(1, 1, W=np.zeros((1, 1)))
    path = []
    refimpl.fit(model, refimpl.mse, refimpl.SGD(model.parameters(), lr=0.1), run.x[:, None],
                run.t[:, None], batch_size=len(run.x), epochs=200, shuffle=False,
                progress=lambda *_: path.append((model.W.data[0, 0], model.b.data[0])))
    np.testing.assert_allclose(run.path[1:], path, rtol=1e-12, atol=1e-14)

    w, b = run.closed_form
    assert abs(run.losses[-1] - np.mean((w * run.x + b - run.t) ** 2)) < 1e-14


@pytest.mark.parametrize("name", list(figures.FIGURES))
def test_figure_is_deterministic_svg_titled_in_both_languages(name):
    draw = figures.FIGURES[name]
    for lang, title in zip(figures.LANGUAGES, figures.TITLES[name]):
        svg = draw(lang)
        assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
        assert f">{title}</text>" in svg, (lang, title)
        assert draw(lang) == svg                                   # byte-identical


def test_figure_with_an_unknown_language():
    with pytest.raises(ValueError, match=r"lang must be one of \('en', 'ko'\), got 'fr'"):
        figures.xor_loss("fr")
