"""The learning pages' figures: comparisons/learn/demos.py's results, drawn as SVG text.

Each figure is a function of ``lang`` ("en" or "ko"), which picks the title, axis labels
and legend, and returns SVG drawn with the report's settings (comparisons/report/plots.py:
transparent background, grey ink, a fixed id salt, no date), so two renderings are
byte-identical. Text stays text in the SVG ("svg.fonttype": "none"): the reader's browser
draws the Hangul that matplotlib's own font may lack. ``FIGURES`` lists them by name.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np

from comparisons.learn import demos
from comparisons.report.plots import RC, _log_labels, _pyplot, _svg

LANGUAGES = ("en", "ko")
SIZE = (4.5, 2.8)                    # inches
COLOURS = ("#3a86ff", "#e4572e", "#2a9d8f", "#e8a33d", "#9b5de5")

# (English, 한국어) for every word a figure writes
TITLES = {
    "perceptron_errors": ("Perceptron: errors per epoch", "퍼셉트론: 에포크별 오류 수"),
    "xor_loss": ("MLP on XOR: loss per epoch", "XOR을 푸는 MLP: 에포크별 손실"),
    "xor_boundary": ("MLP on XOR: decision boundary", "XOR을 푸는 MLP: 결정 경계"),
    "vanishing_gradient": ("Gradient norm per layer: sigmoid vs ReLU",
                           "층별 기울기 크기: 시그모이드 vs ReLU"),
    "learning_rates": ("Learning rate: loss per step", "학습률에 따른 단계별 손실"),
    "linear_regression": ("Linear regression: gradient descent reaches least squares",
                          "선형 회귀: 경사 하강법이 최소제곱 해에 도달"),
}
WORDS = {
    "epoch": ("epoch", "에포크"),
    "step": ("step (iteration)", "단계 (반복)"),
    "wrong": ("wrong answers (of 4)", "틀린 개수 (4개 중)"),
    "bce": ("loss (binary cross-entropy)", "손실 (이진 교차 엔트로피)"),
    "tol": ("stop at loss 0.01", "손실 0.01에서 멈춤"),
    "class": ("class", "클래스"),
    "boundary": ("decision boundary (logit 0)", "결정 경계 (로짓 0)"),
    "layer": ("layer (1 = nearest the input)", "층 (1 = 입력 쪽)"),
    "grad_norm": ("gradient norm ||dL/dW||", "기울기 크기 ||dL/dW||"),
    "sigmoid": ("sigmoid, W ~ N(0, 1/16)", "시그모이드, W ~ N(0, 1/16)"),
    "relu": ("ReLU, He: W ~ N(0, 2/16)", "ReLU, He: W ~ N(0, 2/16)"),
    "loss_f": ("loss f(w)", "손실 f(w)"),
    "lr": ("lr", "학습률"),
    "too large": ("too large", "너무 큼"), "right": ("right", "적당함"),
    "small": ("small", "작음"), "tiny": ("tiny", "너무 작음"),
    "path": ("gradient descent, from (0, 0)", "경사 하강법, (0, 0)에서 출발"),
    "closed": ("closed form (least squares)", "닫힌 형식 해 (최소제곱)"),
}


def _w(key: str, lang: str) -> str:
    return WORDS[key][LANGUAGES.index(lang)]


def _figure(name: str, lang: str, draw) -> str:
    """A SIZE figure titled TITLES[name] in ``lang``, drawn by ``draw(ax, lang)``, as SVG."""
    if lang not in LANGUAGES:
        raise ValueError(f"figures.{name}: lang must be one of {LANGUAGES}, got {lang!r}")
    plt = _pyplot()
    with plt.rc_context(RC), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from")   # Hangul
        fig, ax = plt.subplots(figsize=SIZE)
        draw(ax, lang)
        ax.set_title(TITLES[name][LANGUAGES.index(lang)], fontsize=9)
        return _svg(fig)


# each experiment runs once per process, however many figures and languages draw it
_epochs = functools.cache(demos.perceptron_epochs)
_xor = functools.cache(demos.xor_mlp)
_vanishing = functools.cache(demos.vanishing)
_rates = functools.cache(demos.learning_rates)
_regression = functools.cache(demos.linear_regression)


def perceptron_errors(lang: str = "en") -> str:
    """Wrong answers per epoch of the perceptron rule on AND, OR, NAND (down to 0) and XOR."""
    def draw(ax, lang):
        # AND and NAND share epochs 2-12: AND's big hollow circles show around NAND's dots
        style = {"AND": dict(marker="o", ms=7, mfc="none"), "OR": dict(marker="s", ms=3.5),
                 "NAND": dict(marker="D", ms=3, ls="--"), "XOR": dict(marker="^", ms=4, lw=2.2)}
        for gate, c in zip(demos.GATES, COLOURS):
            errors = _epochs(gate)[1]
            ax.plot(np.arange(1, len(errors) + 1), errors, color=c, label=gate,
                    **{"lw": 1.2, **style[gate]})
        ax.set(xlabel=_w("epoch", lang), ylabel=_w("wrong", lang), ylim=(-0.3, 4.3))
        ax.legend(fontsize=7)
    return _figure("perceptron_errors", lang, draw)


def xor_loss(lang: str = "en") -> str:
    """The XOR MLP's mean loss per epoch (log scale), down to the stopping tolerance."""
    def draw(ax, lang):
        losses = _xor(0).losses
        ax.plot(np.arange(1, len(losses) + 1), losses, color=COLOURS[0], lw=1.6)
        ax.axhline(0.01, color=COLOURS[1], lw=1, ls="--", label=_w("tol", lang))
        ax.set_yscale("log")
        _log_labels(ax)
        ax.set(xlabel=_w("epoch", lang), ylabel=_w("bce", lang))
        ax.legend(fontsize=7)
    return _figure("xor_loss", lang, draw)


def xor_boundary(lang: str = "en") -> str:
    """Where the trained XOR MLP says 1 (logit > 0), its boundary, and the four points."""
    def draw(ax, lang):
        run = _xor(0)
        ax.contourf(run.grid, run.grid, run.grid_logits, levels=[-np.inf, 0, np.inf],
                    colors=[COLOURS[0], COLOURS[1]], alpha=0.18)
        ax.contour(run.grid, run.grid, run.grid_logits, levels=[0], colors=[COLOURS[4]],
                   linewidths=1.6)
        ax.plot([], [], color=COLOURS[4], lw=1.6, label=_w("boundary", lang))
        t = np.array(demos.GATES["XOR"])
        for k, marker in ((0, "o"), (1, "s")):
            x = demos.X_GATE[t == k]
            ax.plot(x[:, 0], x[:, 1], marker, ms=7, color=COLOURS[k],
                    label=f"{_w('class', lang)} {k}")
        ax.set(xlabel="x1", ylabel="x2", aspect="equal")
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.02, 0.5))
    return _figure("xor_boundary", lang, draw)


def vanishing_gradient(lang: str = "en") -> str:
    """||dL/dW|| per layer of a 10-layer net: sigmoid's shrinks towards the input, ReLU's not."""
    def draw(ax, lang):
        for (key, norms), c, marker in zip(_vanishing(0).items(), COLOURS, "os"):
            ax.plot(np.arange(1, len(norms) + 1), norms, marker=marker, ms=3.5, color=c,
                    label=_w(key, lang))
        ax.set_yscale("log")
        _log_labels(ax)
        ax.set(xlabel=_w("layer", lang), ylabel=_w("grad_norm", lang))
        ax.set_xticks(range(1, 11))
        ax.legend(fontsize=7)
    return _figure("vanishing_gradient", lang, draw)


def learning_rates(lang: str = "en") -> str:
    """Loss per step of gradient descent on a quadratic (L = 4) for four learning rates."""
    def draw(ax, lang):
        for (key, (lr, losses)), c in zip(_rates().items(), COLOURS):
            ax.plot(losses, color=c, lw=1.4, label=f"{_w(key, lang)}: {_w('lr', lang)} {lr:g}")
        ax.set_yscale("log")
        _log_labels(ax)
        ax.set(xlabel=_w("step", lang), ylabel=_w("loss_f", lang))
        ax.legend(fontsize=7, loc="lower left")
    return _figure("learning_rates", lang, draw)


def linear_regression(lang: str = "en") -> str:
    """The (w, b) path of gradient descent over the loss's contours, ending at least squares."""
    def draw(ax, lang):
        run = _regression()
        w_star, b_star = run.closed_form
        w, b = np.meshgrid(np.linspace(-0.3, 2.0, 60), np.linspace(-0.4, 1.3, 60))
        loss = np.mean((w[..., None] * run.x + b[..., None] - run.t) ** 2, axis=-1)
        ax.contour(w, b, loss, levels=np.geomspace(loss.min() * 1.05, loss.max(), 8),
                   colors="#8a8a8a", linewidths=0.5, alpha=0.6)
        ax.plot(run.path[:, 0], run.path[:, 1], ".-", ms=2.5, lw=0.8, color=COLOURS[0],
                label=_w("path", lang))
        ax.plot([w_star], [b_star], "*", ms=11, color=COLOURS[1], label=_w("closed", lang))
        ax.set(xlabel="w", ylabel="b")
        ax.legend(fontsize=7, loc="lower right")
    return _figure("linear_regression", lang, draw)


FIGURES = {f.__name__: f for f in (perceptron_errors, xor_loss, xor_boundary,
                                   vanishing_gradient, learning_rates, linear_regression)}
