"""parity.json -> parity.html: one self-contained page (styles, script and plots inline).

Sections, in order: the environment, the summary (counts per status, framework and
concept, and the coverage matrix), one section per op (headroom, the accuracy plot and
table, its failures with their repros), the conventions, the training runs, every
failure, and the learning pages (comparisons/report/learn.py). Nothing is fetched from
the network; light and dark follow the reader's system setting.
"""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict

from comparisons import FRAMEWORKS, harness, regions
from comparisons.report import markdown, plots, row_id
from comparisons.report.markdown import _g, _ulps

STATUSES = ("pass", "convention", "fail", "error", "unsupported", "missing")
SECTIONS = ("environment", "summary", "matrix", "ops", "accuracy", "conventions", "training",
            "failures", "learn")

_CSS = """
:root { --bg:#fff; --fg:#1d1d1f; --muted:#6b6b6b; --line:#d9d9de; --code:#f5f5f7;
  --pass:#2e9e5b; --convention:#3a86ff; --fail:#d7263d; --error:#9b1d8c;
  --unsupported:#b5b5b5; --missing:#e0e0e0; }
@media (prefers-color-scheme: dark) { :root { --bg:#121214; --fg:#e6e6e9; --muted:#9a9aa2;
  --line:#34343a; --code:#1d1d21; --unsupported:#55555c; --missing:#3a3a40; } }
* { box-sizing: border-box; }
body { margin:0 auto; max-width:1180px; padding:1.2rem; background:var(--bg); color:var(--fg);
  font:14px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans KR", sans-serif; }
a { color:var(--convention); }
h1 { font-size:1.6rem; margin:.2rem 0 .8rem; } h2 { border-bottom:1px solid var(--line);
  padding-bottom:.2rem; margin-top:2.2rem; } h3 { margin-top:1.6rem; }
nav { position:sticky; top:0; background:var(--bg); padding:.4rem 0; border-bottom:1px solid
  var(--line); z-index:2; } nav a { margin-right:.9rem; }
table { border-collapse:collapse; margin:.4rem 0 1rem; font-size:13px; }
th, td { border:1px solid var(--line); padding:.2rem .45rem; text-align:left; vertical-align:top; }
th { background:var(--code); }
td.num { text-align:right; font-variant-numeric:tabular-nums; }
code, pre { font:12px/1.45 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
pre { background:var(--code); padding:.6rem; overflow:auto; border-radius:4px; margin:.3rem 0; }
.badge { display:inline-block; padding:0 .45rem; border-radius:9px; color:#fff; font-size:12px; }
.s-pass { background:var(--pass); } .s-convention { background:var(--convention); }
.s-fail { background:var(--fail); } .s-error { background:var(--error); }
.s-unsupported { background:var(--unsupported); } .s-missing { background:var(--missing); }
table.matrix td { padding:0; width:1.6rem; height:1.2rem; }
table.matrix td a { display:block; width:100%; height:1.2rem; font-size:10px; text-align:center; color:#222; text-decoration:none; }
table.matrix th { font-weight:normal; font-size:11px; white-space:nowrap; }
.bar { display:inline-block; width:60px; height:8px; background:var(--line); border-radius:4px;
  vertical-align:middle; margin-right:.3rem; position:relative; overflow:hidden; }
.bar i { position:absolute; left:0; top:0; bottom:0; border-radius:4px; }
.muted { color:var(--muted); } .plot svg { max-width:100%; height:auto; }
.side { display:grid; grid-template-columns:repeat(auto-fit, minmax(420px, 1fr)); gap:.6rem; }
.side h5 { margin:.2rem 0 0; }
button.copy { float:right; font-size:11px; }
details > summary { cursor:pointer; }
"""

_SCRIPT = """
document.querySelectorAll('button.copy').forEach(function (b) {
  b.addEventListener('click', function () {
    navigator.clipboard.writeText(document.getElementById(b.dataset.target).innerText);
    b.textContent = 'copied';
  });
});
"""


def _e(x) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def _inline(text: str) -> str:
    """Escaped text with Markdown's `code` spans as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", _e(text))


def _anchor(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text)


def _badge(status: str, text=None) -> str:
    return f'<span class="badge s-{status}">{_e(text or status)}</span>'


def _worst(statuses) -> str:
    return min(statuses, key=harness.STATUSES.index)


def _table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    out = [f'<table class="{cls}">' if cls else "<table>", "<tr>"
           + "".join(f"<th>{h}</th>" for h in head) + "</tr>"]
    out += ["<tr>" + "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in row) + "</tr>"
            for row in rows]
    return "\n".join(out + ["</table>"])


# ----------------------------------------------------------------------------- sections

def _environment(env: dict) -> str:
    keys = ("created", "profile", "seed", "python", "platform", "numpy", "torch", "tensorflow", "jax")
    rows = [[k, f"<code>{_e(env.get(k) if env.get(k) is not None else 'not installed')}</code>"]
            for k in keys]
    return (f'<section id="environment"><h2>Environment</h2>{_table(["", ""], rows)}'
            f"<p>Reproduce: <code>refimpl report --profile {_e(env['profile'])} --seed "
            f"{_e(env['seed'])}</code>. Every figure on this page was measured in that run.</p>"
            "</section>")


def _summary(results: list[dict]) -> str:
    total = Counter(r["status"] for r in results)
    out = ['<section id="summary"><h2>Summary</h2><p>',
           " ".join(_badge(s, f"{total[s]} {s}") for s in STATUSES if total[s]),
           f" &nbsp;<span class=muted>{len(results)} rows: (op, framework, dtype, check), each "
           "judged on the same drawn inputs in every framework</span></p>"]
    for key, title in (("framework", "framework"), ("concept", "concept")):
        groups = defaultdict(Counter)
        for r in results:
            groups[r[key]][r["status"]] += 1
        rows = [[_e(g)] + [f'<td class="num">{c[s] or ""}</td>' for s in STATUSES]
                for g, c in groups.items()]
        out.append(_table([title] + list(STATUSES), rows))
    return "\n".join(out + ["</section>"])


def _matrix(results: list[dict]) -> str:
    """op x (framework, dtype), coloured by the worst status over the checks."""
    dtypes = [d for d in ("float16", "bfloat16", "float32", "float64")
              if any(r["dtype"] == d for r in results)]
    fws = [f for f in FRAMEWORKS if any(r["framework"] == f for r in results)]
    cells = defaultdict(list)
    for r in results:
        cells[(r["op"], r["framework"], r["dtype"])].append(r)
    head = ["op"] + [f"{fw}<br>{d.replace('float', 'f').replace('bf', 'bf')}" for fw in fws
                     for d in dtypes]
    rows = []
    for op in dict.fromkeys(r["op"] for r in results):
        row = [f'<a href="#op-{_anchor(op)}">{_e(op)}</a>']
        for fw in fws:
            for d in dtypes:
                rs = cells.get((op, fw, d))
                if not rs:
                    row.append('<td title="not in the registry for this dtype"></td>')
                    continue
                s = _worst([r["status"] for r in rs])
                tip = "; ".join(f"{r['check']} {r['status']}" + (
                    f" err/tol {_g(r.get('tol_ratio'))}" if r.get("tol_ratio") is not None else "")
                    + "".join(f", {n} {c}/{r['examples']}" for c, n in _excused(r))
                    for r in rs)
                row.append(f'<td class="s-{s}" title="{_e(op)} {fw} {d}: {_e(tip)}">'
                           f'<a href="#op-{_anchor(op)}" aria-label="{s}">{_cell_text(s, rs)}</a></td>')
        rows.append(row)
    legend = " ".join(_badge(s) for s in STATUSES)
    return (f'<section id="matrix"><h2>Coverage</h2><p>Each cell is one op, framework and '
            f"dtype, coloured by the worst status of its checks (hover for each check). An "
            f"empty green cell: every example agreed outright. A number: every example agreed "
            f"except that many, each explained by a named, measured convention. "
            f"{legend}</p>{_table(head, rows, 'matrix')}</section>")


def _excused(r: dict) -> list:
    """(count, status) of the examples of a row that did not pass outright."""
    return [(r["counts"][s], s) for s in ("convention",) if r.get("counts", {}).get(s)]


def _cell_text(status: str, rs: list) -> str:
    """A matrix cell's text: the examples a convention explains, where that is the worst."""
    if status != "convention":
        return ""
    return str(sum(c for r in rs for c, _ in _excused(r)))


def _coverage(rows: list[dict]) -> str:
    """Per dtype, where the job's inputs fell (comparisons/regions.py): the share of
    finite values that were ordinary, then every band, special and shape edge visited."""
    seen = regions.by_job(rows)
    if not seen:
        return ""
    body = []
    for (_op, dtype), cov in seen.items():
        finite = regions.finite(cov)
        share = cov.get("ordinary", 0) / finite if finite else 0.0
        rest = " · ".join(f"{_e(n)} {c}" for n, c in cov.items() if n != "ordinary")
        body.append([dtype, f'<td class="num">{share:.0%} of {finite}</td>',
                     f"<span class=muted>{rest}</span>"])
    return ("<p class=muted>Inputs drawn, per dtype: the share of finite values in the op's "
            "ordinary range, then how many fell in each band, special value and shape edge.</p>"
            + _table(["dtype", "ordinary", "bands, specials, shapes"], body))


def _headroom_cell(r: dict) -> str:
    ratio = r.get("tol_ratio")
    colour = f"var(--{r['status']})"
    bar = ""
    if ratio is not None:
        width = min(1.0, ratio) * 100
        bar = f'<span class="bar" title="error / tolerance = {ratio:.3g}"><i style="width:{width:.0f}%;background:{colour}"></i></span>'
    figures = ""
    if ratio is not None:
        figures = f"{ratio:.2g}" + ("" if r["check"] == "trajectory" or r.get("max_ulp") is None
                                    else f" · {r['max_ulp']:.3g} ULP")
    return f"<td>{_badge(r['status'])} {bar}<span class=muted>{figures}</span></td>"


def _accuracy_by_op(accuracy: list[dict]) -> dict:
    """op -> sweep -> (check, dtype) -> implementation -> row."""
    out = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
    for r in accuracy:
        out[r["op"]][r.get("sweep", r["op"])][(r.get("check", ""), r["dtype"])][r["implementation"]] = r
    return out


def _op(op: str, rows: list[dict], acc: dict, fails: list[dict]) -> str:
    concept = rows[0]["concept"]
    fws = [f for f in FRAMEWORKS if any(r["framework"] == f for r in rows)]
    cells = {(r["dtype"], r["check"], r["framework"]): r for r in rows}
    body = []
    for dtype, check in dict.fromkeys((r["dtype"], r["check"]) for r in rows):
        rtol = next((r["rtol"] for r in rows if r["dtype"] == dtype and r["check"] == check
                     and r.get("rtol") is not None), None)
        body.append([dtype, check, f'<td class="num">{_g(rtol)}</td>']
                    + [_headroom_cell(cells[(dtype, check, fw)]) if (dtype, check, fw) in cells
                       else "" for fw in fws])
    out = [f'<section id="op-{_anchor(op)}" class="op"><h3><code>{_e(op)}</code> '
           f'<span class=muted>{_e(concept)} · <a href="#learn-{_anchor(op)}">code side by side</a>'
           "</span></h3>",
           "<p class=muted>Headroom: the largest error as a fraction of the tolerance "
           "(|err| / (atol + rtol·scale); a full bar is the tolerance), then in ULPs.</p>",
           _table(["dtype", "check", "rtol"] + fws, body), _coverage(rows)]
    for sweep, panels in acc.get(op, {}).items():
        out.append(f"<h4>Accuracy of <code>{_e(sweep)}</code> against the 200-bit truth</h4>")
        out.append('<div class="plot">' + plots.accuracy(
            [(f"{check} {dtype}", impls) for (check, dtype), impls in panels.items()]) + "</div>")
        names = ("refimpl",) + tuple(FRAMEWORKS)
        trs = [[check, dtype] + [f'<td class="num">{_ulps(impls.get(n))}</td>' for n in names]
               + [f"<code>{_e(_input(impls.get('refimpl')))}</code>"]
               for (check, dtype), impls in panels.items()]
        out.append(_table(["check", "dtype"] + list(names) + ["worst input (refimpl)"], trs))
    for r in fails:
        out.append(_failure(r))
    return "\n".join(out + ["</section>"])


def _input(r) -> str:
    if r is None:
        return ""
    if r.get("error"):
        return "error"
    if r.get("max_ulp") == 0:
        return "exact"
    return markdown._input(r.get("worst_input"))


def _failure(r: dict, prefix: str = "") -> str:
    """A fail or error: its id, why, and its repro with a copy button. ``prefix`` keeps
    the ids unique where the same failure is shown twice (its op, and the list)."""
    rid = row_id(r)
    pid = f"{prefix}repro-{_anchor(rid)}"
    out = [f'<div class="failure" id="{prefix}fail-{_anchor(rid)}"><h4>{_badge(r["status"])} '
           f"<code>{_e(rid)}</code></h4><p>{_e(r.get('detail'))}</p>"]
    if r.get("known_failure"):
        out.append(f"<p><b>Known:</b> {_e(r['known_failure'])}</p>")
    if r.get("repro"):
        out.append(f"<p>Re-run it: <code>refimpl repro {_e(rid)}</code>, or copy the script "
                   f'(run it from the repository root):</p><button class="copy" data-target="{pid}">'
                   f'copy</button><pre class="repro" id="{pid}"><code>{_e(r["repro"].rstrip())}'
                   "</code></pre>")
    return "\n".join(out + ["</div>"])


def _conventions(doc: dict) -> str:
    rows = [[_e(c["topic"]), f"<code>{_e(c['numpy'])}</code>"]
            + [f"<code>{_e(c.get(fw, ''))}</code>" for fw in FRAMEWORKS] + [_e(c["note"])]
            for c in doc["conventions"]]
    classified = [r for r in doc["results"] if r["status"] == "convention"]
    items = "".join(f"<li><code>{_e(row_id(r))}</code>: {_e(r.get('detail'))}</li>"
                    for r in classified)
    return ('<section id="conventions"><h2>Conventions (measured live)</h2>'
            "<p>Where the frameworks differ from numpy or from each other by design: each "
            "value was measured on the installed versions when this report was made.</p>"
            + _table(["topic", "numpy"] + list(FRAMEWORKS) + ["why it matters when porting"], rows)
            + f"<details><summary>{len(classified)} rows classified as a convention, and "
            f"why</summary><ul>{items}</ul></details></section>")


def _training(rows: list[dict]) -> str:
    if not rows:
        return '<section id="training"><h2>Training runs</h2><p>Not run.</p></section>'
    out = ['<section id="training"><h2>Training runs</h2>',
           "<p>Every implementation trains the same model from the same weights on the same "
           "mini-batches in the same order (<code>comparisons/trajectory.py</code>): "
           "<code>xor</code> is a 2-4-1 tanh MLP with binary cross-entropy on logits, "
           "<code>linear_regression</code> a 3 → 1 linear layer with MSE. Left: the loss per "
           "iteration (the four curves should lie on top of each other: refimpl is the wide "
           "grey one). Right: each framework's divergence from refimpl after each step "
           "(max|p − p_ref| / max|p_ref|; a divergence of exactly 0 is not drawn). This is "
           "the report's fixed case (seed 0); the <code>trajectory</code> rows judge every "
           "drawn case.</p>"]
    by_op = defaultdict(list)
    for r in rows:
        by_op[r["op"]].append(r)
    for op, rs in by_op.items():
        out.append(f'<h3 id="training-{_anchor(op)}"><code>{_e(op)}</code></h3>'
                   f'<div class="plot">{plots.training(op, rs)}</div>')
    return "\n".join(out + ["</section>"])


def _highlight(code: str) -> str:
    """Python source as highlighted HTML (pygments; plain when it is not installed)."""
    try:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer
    except ImportError:
        return f"<pre><code>{_e(code)}</code></pre>"
    return highlight(code, PythonLexer(), HtmlFormatter(cssclass="hl"))


def _highlight_css() -> str:
    try:
        from pygments.formatters import HtmlFormatter
    except ImportError:
        return ""
    light = HtmlFormatter(style="default").get_style_defs(".hl")
    dark = HtmlFormatter(style="monokai").get_style_defs(".hl")
    return (f"{light}\n@media (prefers-color-scheme: dark) {{ {dark} }}\n"
            ".hl, .hl pre { background: var(--code) !important; }")


def _learn(sections: list[dict]) -> str:
    out = ['<section id="learn"><h2>Learn: the same idea written four ways</h2>',
           "<p>Generated from the source files themselves (the same pages are in "
           "<code>reports/learn/</code>), in the order the source material teaches.</p><ol>"]
    out += [f'<li><a href="#concept-{_e(s["slug"])}">{_e(s["title"])}</a></li>' for s in sections]
    out.append("</ol>")
    for s in sections:
        out.append(f'<h3 id="concept-{_e(s["slug"])}">{_e(s["title"])}</h3><p>{_inline(s["intro"])}</p>')
        for entry in s["entries"]:
            out.append(f'<h4 id="learn-{_anchor(entry["name"])}"><code>{_e(entry["name"])}</code></h4>'
                       '<div class="side">')
            for label, _lang, code in entry["views"]:
                out.append(f"<div><h5>{_e(label)}</h5>{_highlight(code)}</div>")
            out.append("</div>")
            if entry.get("parity"):
                out.append("<ul>" + "".join(f"<li>{_inline(p)}</li>" for p in entry["parity"]) + "</ul>")
    return "\n".join(out + ["</section>"])


def render(doc: dict, learn_sections: list[dict] | None = None) -> str:
    """The whole page, as one string."""
    results = doc["results"]
    acc = _accuracy_by_op(doc.get("accuracy") or [])
    by_op = defaultdict(list)
    for r in results:
        by_op[r["op"]].append(r)
    bad = [r for r in results if r["status"] in ("fail", "error")]
    ops = "\n".join(_op(op, rs, acc, [r for r in bad if r["op"] == op]) for op, rs in by_op.items())
    links = " ".join(f'<a href="#{s}">{s}</a>' for s in SECTIONS if s != "accuracy")
    failures = "\n".join(_failure(r, "all-") for r in bad) or "<p>None.</p>"
    acc_note = ("<p>Accuracy: each implementation on a fixed grid (linear near 0, log-spaced "
                "magnitudes from the smallest subnormal to the largest finite value, both signs, "
                "and the trouble spots), against mpmath at 200 bits; the error in ULPs of the "
                "dtype at the truth. Each plotted point is the worst of a run of grid points "
                "sorted by the first argument; a cross at the top marks a NaN or inf where the "
                "truth is finite. In a table, the figure in parentheses (when it differs) is the "
                "largest error where the inputs and the truth are all normal numbers, so no "
                "flush of a subnormal plays a part. The plots are in each op's section below.</p>"
                if acc else "<p>Accuracy: not measured in this run.</p>")
    return "\n".join([
        "<!doctype html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light dark">',
        "<title>refimpl parity report</title>",
        f"<style>{_CSS}{_highlight_css()}</style>", "</head>", "<body>",
        "<h1>refimpl parity report</h1>",
        "<p class=muted>Generated by <code>refimpl report</code> from parity.json; do not edit "
        "by hand.</p>",
        f"<nav>{links}</nav>",
        _environment(doc["environment"]),
        _summary(results),
        _matrix(results),
        f'<section id="ops"><h2>Per op</h2><div id="accuracy">{acc_note}</div>{ops}</section>',
        _conventions(doc),
        _training(doc.get("training") or []),
        f'<section id="failures"><h2>Failures and errors</h2>{failures}</section>',
        _learn(learn_sections if learn_sections is not None else []),
        f"<script>{_SCRIPT}</script>", "</body>", "</html>", ""])
