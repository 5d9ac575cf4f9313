"""The report's plots, drawn with matplotlib from parity.json and returned as SVG text.

Every figure has a transparent background, grey text and axes and mid-tone lines, so it
reads on a light page and on a dark one. The SVG is deterministic (no date, a fixed id
salt): two renderings of the same document are byte-identical.
"""

from __future__ import annotations

import io
import math
import sys
from collections import defaultdict

from comparisons import IMPLEMENTATIONS

# Mid-tone colours that keep their contrast on white and on near-black.
COLOURS = defaultdict(lambda: "#9b5de5", {"refimpl": "#7f7f7f", "torch": "#e4572e",
                                           "tensorflow": "#e8a33d", "jax": "#3a86ff",
                                           "dezero": "#2a9d8f"})   # a plug-in: the default
STYLES = defaultdict(lambda: dict(lw=1.4, ls="-."), {
    "refimpl": dict(lw=3.2, alpha=0.55), "torch": dict(lw=1.4, ls="-"),
    "tensorflow": dict(lw=1.4, ls="--"), "jax": dict(lw=1.4, ls=":")})
_INK = "#8a8a8a"


RC = {
    "svg.fonttype": "none", "svg.hashsalt": "refimpl", "font.size": 8,
    "text.color": _INK, "axes.labelcolor": _INK, "axes.edgecolor": _INK,
    "xtick.color": _INK, "ytick.color": _INK, "axes.facecolor": "none",
    "figure.facecolor": "none", "savefig.facecolor": "none", "legend.frameon": False,
    "axes.grid": True, "grid.color": _INK, "grid.alpha": 0.25, "grid.linewidth": 0.5,
    "path.simplify": True,
}


def _pyplot():
    """pyplot, with no display needed; the caller's settings are left alone (each figure
    is drawn inside ``plt.rc_context(RC)``)."""
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


_SUPERSCRIPT = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def _power_label(v, _pos=None) -> str:
    """A log axis's tick label in plain text, 10\u207b\u2075 for 1e-5 ("" off the powers of 10):
    matplotlib's default writes mathtext, which it parses at every draw, a third of the
    report's plotting time.

    >>> _power_label(1e-5), _power_label(1.0), _power_label(0.0), _power_label(1e3), _power_label(3.0)
    ('10\u207b\u2075', '1', '0', '10\u00b3', '')
    """
    if v == 0:
        return "0"
    k = math.log10(abs(v))
    if abs(k - round(k)) > 1e-9:
        return ""
    k = round(k)
    return ("-" if v < 0 else "") + ("1" if k == 0 else "10" + str(k).translate(_SUPERSCRIPT))


def _log_labels(ax):
    from matplotlib.ticker import FuncFormatter, NullFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(_power_label))
    ax.yaxis.set_minor_formatter(NullFormatter())


def _svg(fig) -> str:
    plt = _pyplot()
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]   # drop the XML prolog and doctype: it goes inline in HTML


def _grid_axis(ax, xs):
    """The x axis in grid order (the grid spans 1e-308 to 1e308 on both sides, which no
    linear or log axis shows), labelled with the input values at a few positions."""
    n = len(xs)
    ticks = sorted({round(i * (n - 1) / 6) for i in range(7)}) if n > 1 else [0]
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{xs[i]:.0e}" if xs[i] and not 1e-2 <= abs(xs[i]) < 1e3 else f"{xs[i]:g}"
                        for i in ticks], rotation=30, fontsize=6)
    ax.set_xlabel("input (grid order)", fontsize=7)


def accuracy(panels: list[tuple[str, dict]]) -> str:
    """One figure for one sweep: a panel per (title, {implementation: accuracy row}),
    the ULP error over the input range; infinite errors are marked at the top."""
    with _pyplot().rc_context(RC):
        return _accuracy(panels)


def training(op: str, rows: list[dict]) -> str:
    """One figure for one optimizer: per task, the loss of every implementation per
    iteration (float64) and each framework's parameter divergence from refimpl per step
    (float32 solid, float64 dashed, log scale)."""
    with _pyplot().rc_context(RC):
        return _training(op, rows)


def _accuracy(panels):
    plt = _pyplot()
    cols = min(2, len(panels))
    rows = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.3 * rows), squeeze=False)
    for ax, (title, impls) in zip(axes.ravel(), panels):
        top = 1.0   # the largest finite error; an infinite one is marked a decade above it
        for name in IMPLEMENTATIONS:
            r = impls.get(name)
            if r and r.get("curve"):
                top = max([top] + [u for u in r["curve"]["ulp"] if u is not None])
        decades = math.floor(math.log10(top)) + 1   # top * 10 may overflow: count decades
        for name in IMPLEMENTATIONS:
            r = impls.get(name)
            if not r or not r.get("curve"):
                continue
            xs, us = r["curve"]["x"], r["curve"]["ulp"]
            ax.plot(range(len(us)), [u if u is not None else math.nan for u in us],
                    color=COLOURS[name], label=name, **STYLES[name])
            inf = [i for i, u in enumerate(us) if u is None]
            if inf:
                ax.plot(inf, [10.0 ** min(decades, 308)] * len(inf), "x", color=COLOURS[name], ms=4)
        grid = next((impls[n]["curve"]["x"] for n in IMPLEMENTATIONS
                     if impls.get(n) and impls[n].get("curve")), None)
        if grid:
            _grid_axis(ax, grid)   # the same grid for every implementation
        ax.set_yscale("symlog", linthresh=1.0)
        ax.set_ylim(bottom=0)
        step = math.ceil(decades / 6)
        ax.set_yticks([0, 1] + [10.0 ** k for k in range(step, min(decades, 308) + 1, step)])
        _log_labels(ax)
        ax.set_title(title, fontsize=8, color=_INK)
        ax.set_ylabel("ULP error")
    for ax in axes.ravel()[len(panels):]:
        ax.set_visible(False)
    fig.tight_layout()
    legend = {}
    for ax in axes.ravel():
        for h, label in zip(*ax.get_legend_handles_labels()):
            legend.setdefault(label, h)
    fig.legend(list(legend.values()), list(legend), loc="lower center", ncol=4,
               bbox_to_anchor=(0.5, 1.0))
    return _svg(fig)


def _training(op, rows):
    plt = _pyplot()
    tasks = list(dict.fromkeys(r["task"] for r in rows))
    fig, axes = plt.subplots(len(tasks), 2, figsize=(7.4, 2.4 * len(tasks)), squeeze=False)
    for (loss_ax, div_ax), task in zip(axes, tasks):
        for r in rows:
            if r["task"] != task:
                continue
            name, dtype = r["implementation"], r["dtype"]
            if not r["loss"]:   # no run (a plug-in without a training step)
                continue
            steps = range(1, len(r["loss"]) + 1)
            if dtype == "float64":
                loss_ax.plot(steps, [math.nan if v is None else v for v in r["loss"]],
                             color=COLOURS[name], label=name, **STYLES[name])
            div = r.get("param_divergence")
            if div:
                div_ax.plot(range(1, len(div) + 1),
                            [math.nan if v is None or v <= 0 else v for v in div],
                            color=COLOURS[name], lw=1.2, ls="-" if dtype == "float32" else "--",
                            label=f"{name} {dtype}")
        loss_ax.set_title(f"{op}, {task}: loss per iteration (float64)", fontsize=8, color=_INK)
        loss_ax.set_xlabel("step")
        div_ax.set_title(f"{op}, {task}: max|p - p_ref| / max|p_ref|", fontsize=8, color=_INK)
        div_ax.set_xlabel("step")
        if any(line.get_ydata().size for line in div_ax.get_lines()):
            div_ax.set_yscale("log")
            _log_labels(div_ax)
        loss_ax.legend(fontsize=7)
        div_ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    return _svg(fig)
