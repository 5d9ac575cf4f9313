"""parity.json -> parity.html: one self-contained page (styles, script and plots inline).

Sections, in order: the environment, the summary (counts per status, framework and
concept, and the coverage matrix), one section per op (headroom, the accuracy plot and
table, its failures with their repros), the conventions, the training runs, every
failure; a link leads to the learning pages, learn.html and learn.ko.html (``learn``).
Nothing is fetched from the network; light and dark follow the reader's system setting.

This module only decides what goes in the tables; the markup is in templates/ (Jinja2,
autoescaped: every value from parity.json is escaped on its way into the page, and only
the HTML that plots.py and pygments make is passed through, as Markup, where it is made).
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from pathlib import Path

import jinja2
import markdown_it
from markupsafe import Markup

from comparisons import BAD, DTYPES, FRAMEWORKS, IMPLEMENTATIONS, SEVERITY, STATUSES, regions
from comparisons.learn.words import WORDS
from comparisons.report import (columns, convention_columns, environment_rows, markdown, plots,
                                row_id)
from comparisons.report.markdown import _g, _ulps

SECTIONS = ("environment", "summary", "matrix", "ops", "accuracy", "conventions", "training",
            "failures")
TEMPLATES = Path(__file__).with_name("templates")


def _finalize(value):
    """Every ``{{ value }}``: None prints nothing (not "None")."""
    return "" if value is None else value


@functools.lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    """The templates' environment: autoescaped, and a missing value is an error, not ""."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             finalize=_finalize, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    # Markdown's `code` spans: text, code, text, ... (the template escapes each part).
    env.filters["code_spans"] = lambda text: re.split(r"`([^`]+)`", text)
    # The learning pages' prose is Markdown; markdown-it escapes it (raw HTML off).
    md = markdown_it.MarkdownIt("commonmark", {"html": False})
    env.filters["md"] = lambda text: Markup(md.render(text))
    env.filters["md_inline"] = lambda text: Markup(md.renderInline(text))
    env.filters["highlight"] = lambda code: _highlight(code) or Markup("<pre><code>{}</code></pre>").format(code)
    # The SVG that comparisons/learn/graphs.py (ElementTree) and figures.py (matplotlib) draw.
    env.filters["safe_svg"] = lambda svg: Markup(svg[svg.index("<svg"):])
    return env


def _anchor(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text)


def _learn_slug(concept: str) -> str | None:
    """The learning page (learn.html#slug) that teaches ``concept``; None for none."""
    from comparisons.learn.pages import pages
    return next((p.slug for p in pages() if p.name == concept), None)


def _worst(statuses) -> str:
    return min(statuses, key=SEVERITY.index)


# ----------------------------------------------------------------------------- sections

def _summary(results: list[dict]) -> dict:
    total = Counter(r["status"] for r in results)
    groups = {}
    for key in ("framework", "concept"):
        groups[key] = defaultdict(Counter)
        for r in results:
            groups[key][r[key]][r["status"]] += 1
    return {"badges": [(s, f"{total[s]} {s}") for s in STATUSES if total[s]],
            "rows": len(results), "groups": groups}


def _matrix(results: list[dict]) -> dict:
    """op x (framework, dtype), coloured by the worst status over the checks."""
    dtypes = [d for d in DTYPES if any(r["dtype"] == d for r in results)]
    fws = columns(r["framework"] for r in results)
    cells = defaultdict(list)
    for r in results:
        cells[(r["op"], r["framework"], r["dtype"])].append(r)
    rows = []
    for op in dict.fromkeys(r["op"] for r in results):
        row = []
        for fw in fws:
            for d in dtypes:
                rs = cells.get((op, fw, d))
                if not rs:
                    row.append(None)   # not in the registry for this dtype
                    continue
                tip = "; ".join(f"{r['check']} {r['status']}" + (
                    f" err/tol {_g(r.get('tol_ratio'))}" if r.get("tol_ratio") is not None else "")
                    + "".join(f", {n} {c}/{r['examples']}" for c, n in _excused(r))
                    for r in rs)
                s = _worst([r["status"] for r in rs])
                row.append({"status": s, "title": f"{op} {fw} {d}: {tip}", "text": _cell_text(s, rs)})
        rows.append({"op": op, "anchor": _anchor(op), "cells": row})
    return {"columns": [(fw, d.replace("float", "f")) for fw in fws for d in dtypes], "rows": rows}


def _excused(r: dict) -> list:
    """(count, status) of the examples of a row that did not pass outright."""
    return [(r["counts"][s], s) for s in ("convention",) if r.get("counts", {}).get(s)]


def _cell_text(status: str, rs: list) -> str:
    """A matrix cell's text: the examples a convention explains, where that is the worst."""
    if status != "convention":
        return ""
    return str(sum(c for r in rs for c, _ in _excused(r)))


def _coverage(rows: list[dict]) -> list:
    """Per dtype, where the job's inputs fell (comparisons/regions.py): the share of
    finite values that were ordinary, then every band, special and shape edge visited."""
    out = []
    for (_op, dtype), cov in regions.by_job(rows).items():
        finite = regions.finite(cov)
        share = cov.get("ordinary", 0) / finite if finite else 0.0
        rest = " · ".join(f"{n} {c}" for n, c in cov.items() if n != "ordinary")
        out.append((dtype, f"{share:.0%} of {finite}", rest))
    return out


def _headroom(r: dict) -> dict:
    ratio = r.get("tol_ratio")
    cell = {"status": r["status"], "ratio": None, "width": None, "figures": ""}
    if ratio is not None:
        cell |= {"ratio": f"{ratio:.3g}", "width": f"{min(1.0, ratio) * 100:.0f}",
                 "figures": f"{ratio:.2g}" + ("" if r["check"] == "trajectory"
                                              or r.get("max_ulp") is None
                                              else f" · {r['max_ulp']:.3g} ULP")}
    return cell


def _accuracy_by_op(accuracy: list[dict]) -> dict:
    """op -> sweep -> (check, dtype) -> implementation -> row."""
    out = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
    for r in accuracy:
        out[r["op"]][r.get("sweep", r["op"])][(r.get("check", ""), r["dtype"])][r["implementation"]] = r
    return out


def _op(op: str, rows: list[dict], acc: dict, fails: list[dict]) -> dict:
    fws = columns(r["framework"] for r in rows)
    cells = {(r["dtype"], r["check"], r["framework"]): r for r in rows}
    headroom = []
    for dtype, check in dict.fromkeys((r["dtype"], r["check"]) for r in rows):
        rtol = next((r["rtol"] for r in rows if r["dtype"] == dtype and r["check"] == check
                     and r.get("rtol") is not None), None)
        headroom.append((dtype, check, _g(rtol),
                         [_headroom(cells[(dtype, check, fw)]) if (dtype, check, fw) in cells
                          else None for fw in fws]))
    names = IMPLEMENTATIONS
    sweeps = []
    for sweep, panels in acc.get(op, {}).items():
        # matplotlib's SVG: drawn from numbers, its few labels (op, check, dtype and
        # implementation names) escaped by matplotlib's SVG writer.
        plot = Markup(plots.accuracy([(f"{check} {dtype}", impls)
                                      for (check, dtype), impls in panels.items()]))
        table = [(check, dtype, [_ulps(impls.get(n)) for n in names], _input(impls.get("refimpl")))
                 for (check, dtype), impls in panels.items()]
        sweeps.append({"name": sweep, "plot": plot, "rows": table})
    return {"name": op, "anchor": _anchor(op), "concept": rows[0]["concept"], "learn": _learn_slug(rows[0]["concept"]), "frameworks": fws,
            "headroom": headroom, "coverage": _coverage(rows), "implementations": names,
            "sweeps": sweeps, "failures": [_failure(r) for r in fails]}


def _input(r) -> str:
    if r is None:
        return ""
    if r.get("error"):
        return "error"
    if r.get("max_ulp") == 0:
        return "exact"
    return markdown._input(r.get("worst_input"))


def _failure(r: dict) -> dict:
    """A fail or error: its id, why, and its repro (templates/macros.html.j2 shows it)."""
    rid = row_id(r)
    return {"id": rid, "anchor": _anchor(rid), "status": r["status"], "detail": r.get("detail"),
            "known": r.get("known_failure"),
            "repro": r["repro"].rstrip() if r.get("repro") else None}


def _conventions(doc: dict) -> dict:
    return {"rows": doc["conventions"], "columns": convention_columns(doc["conventions"]),
            "plugins": markdown.plugin_conventions(doc),
            "classified": [(row_id(r), r.get("detail")) for r in doc["results"]
                           if r["status"] == "convention"]}


def _training(rows: list[dict]) -> list:
    by_op = defaultdict(list)
    for r in rows:
        by_op[r["op"]].append(r)
    # matplotlib's SVG, as for the accuracy plots: numbers, and labels it escapes itself.
    return [(op, _anchor(op), Markup(plots.training(op, rs))) for op, rs in by_op.items()]


def _highlight(code: str):
    """Python source as highlighted HTML (pygments), or None where it is not installed."""
    try:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer
    except ImportError:
        return None
    # pygments escapes the source it wraps in its <span>s.
    return Markup(highlight(code, PythonLexer(), HtmlFormatter(cssclass="hl")))


def _highlight_css() -> str:
    try:
        from pygments.formatters import HtmlFormatter
    except ImportError:
        return ""
    light = HtmlFormatter(style="default").get_style_defs(".hl")
    dark = HtmlFormatter(style="monokai").get_style_defs(".hl")
    # pygments' own style sheets, no data in them; escaping would break the `>` selectors.
    return Markup(f"{light}\n@media (prefers-color-scheme: dark) {{ {dark} }}\n"
                  ".hl, .hl pre { background: var(--code) !important; }")


def render(doc: dict) -> str:
    """The whole page, as one string."""
    results = doc["results"]
    acc = _accuracy_by_op(doc.get("accuracy") or [])
    by_op = defaultdict(list)
    for r in results:
        by_op[r["op"]].append(r)
    bad = [r for r in results if r["status"] in BAD]
    env = doc["environment"]
    return environment().get_template("parity.html.j2").render(
        statuses=STATUSES, nav=[s for s in SECTIONS if s != "accuracy"],
        highlight_css=_highlight_css(), environment=environment_rows(env),
        reproduce=markdown.reproduce(env), summary=_summary(results),
        matrix=_matrix(results), accuracy=bool(acc),
        ops=[_op(op, rs, acc, [r for r in bad if r["op"] == op]) for op, rs in by_op.items()],
        conventions=_conventions(doc), training=_training(doc.get("training") or []),
        failures=[_failure(r) for r in bad])


def learn(built: list, lang: str) -> str:
    """learn.html (``lang`` "en") or learn.ko.html: ``built`` is [(page, blocks)] from
    comparisons/report/learn.py, built with links as seen from reports/."""
    return environment().get_template("learn.html.j2").render(
        lang=lang, words={k: v[lang] for k, v in WORDS.items()}, highlight_css=_highlight_css(),
        other="learn.ko.html" if lang == "en" else "learn.html",
        pages=[{"slug": p.slug, "title": p.title(lang), "blocks": bs} for p, bs in built])
