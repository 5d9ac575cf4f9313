"""Learning pages: each page of comparisons/learn/pages/ built into blocks, then written
as Markdown (reports/learn/, and reports/learn/ko/ in Korean) and as HTML (learn.html
and learn.ko.html, comparisons/report/html.py).

A page opens with its source post's worked example, run now, its output printed and its
graph drawn; then the idea in a few sentences; then the code, textbook form first and the
reference's careful version folded under why; then the frameworks' way and a table of
every op's twin with what ``refimpl report`` measured; then results, exercises and how
to check your own implementation. ``blocks`` is the page as data, for both renderers:

>>> [b["kind"] for b in blocks(pages()[0], None, "en", _run(pages()[0]))][:4]
['nav', 'terms', 'h2', 'p']
"""

from __future__ import annotations

from pathlib import Path

from comparisons import FRAMEWORKS, registry, trajectory
from comparisons.learn import source
from comparisons.learn.page import LANGUAGES, Figure, Run
from comparisons.learn.pages import pages
from comparisons.learn.show import counts
from comparisons.learn.words import WORDS
from refimpl import optim


# ---------------------------------------------------------------------------- running

def _run(page) -> dict:
    """What ``page`` shows that takes running or drawing, made once for both languages and
    both formats: each Run's name -> (Output, its graph's SVG or None), and each Figure's
    (name, language) -> SVG. The frameworks are loaded first as a report loads them (jax
    with float64 on, TensorFlow without its start-up logs), so an example prints the same
    in every process."""
    from comparisons import adapters
    for fw in FRAMEWORKS:
        adapters.adapter(fw)
    runs = [page.example, *page.frameworks, *(c.measured for c in page.code if c.measured),
            *(r for r in page.results if isinstance(r, Run))]
    made = {}
    for r in runs:
        out = r.execute()
        made[r.name] = (out, _graph(r, out))
    for f in [f for f in page.results if isinstance(f, Figure)]:
        made.update({(f.name, lang): f.draw(lang) for lang in LANGUAGES})
    return made


def _graph(run: Run, out) -> str | None:
    if not run.draw:
        return None
    from comparisons.learn import graphs
    drawn = [out.variables[v] for v in run.draw]
    return graphs.svg(drawn, names={id(x): v for x, v in zip(drawn, run.draw)})


# ----------------------------------------------------------------------------- blocks

def _code_block(text, label=None, lang="python"):
    return {"kind": "code", "lang": lang, "text": text, "label": label}


def _shown(run: Run, made: tuple, lang: str, slug: str, prefix: str) -> list:
    """A Run: its caption, code, output and graph (``made``: its entry of ``_run``)."""
    out, svg = made
    shown = [{"kind": "p", "text": run.caption[lang]}] if run.caption else []
    shown.append(_code_block(run.code))
    if out.output:
        shown.append(_code_block(out.output.rstrip("\n"), WORDS["output"][lang], "text"))
    if svg:
        shown.append({"kind": "img", "src": f"{prefix}img/{slug}-{run.name}.svg",
                      "svg": svg, "alt": run.name})
    return shown


def _cell(fw, module, name, rows, up) -> str:
    expr = source.one_liner(fw, module, name)
    at = source.twin_where(fw, module, name)
    shown = f"`{expr}`" if expr else (f"[code]({up}{at[0]}#L{at[1]})" if at else "none")
    return f"{shown}<br>{counts(rows)}" if rows else shown


def _table(page, doc, up: str) -> dict:
    """Every op, training run and symbol of ``page``: a link to refimpl's code, then each
    framework's twin (``_cell``) with what the report measured of it."""
    results = (doc or {}).get("results", ())

    def row(name, obj, module, twin):
        path, line = source.where(obj)
        mine = [r for r in results if r["op"] == name]
        return [f"[`{name}`]({up}{path}#L{line})"] + [
            _cell(fw, module, twin, [r for r in mine if r["framework"] == fw], up)
            for fw in FRAMEWORKS]

    body = [row(op.name, op.reference, op.module, op.name)
            for op in registry.OPS_LIST if op.concept == page.name]
    body += [row(r.name, optim.OPTIMIZERS[r.name][0], "training", "_optimizer")
             for r in trajectory.RUNS if r.concept == page.name]
    for spec in page.symbols:
        module, name = spec.split(":")
        body.append(row(name, source.symbol(spec), module, name))
    return {"kind": "table", "head": ["refimpl", *FRAMEWORKS], "rows": body}


def _twin(fw: str, op) -> dict:
    label, _, code = source.twin_view(fw, op.module, op.name, op.unsupported)
    return _code_block(code, label)


def _code_entry(c, page, lang, runs, prefix, shown: set) -> list:
    """A Code entry: the textbook form, then folded under why: the measured difference,
    the reference's code and, once a page, the base class whose ``backward`` applies the
    chain rule for it (``shown`` holds those already on the page)."""
    textbook = "\n\n\n".join(source.code(source.symbol(s)) for s in c.textbook)
    careful = [{"kind": "p", "text": c.why[lang]}]
    if c.measured:
        careful += _shown(c.measured, runs[c.measured.name], lang, page.slug, prefix)
    ref = source.symbol(c.reference)
    label, _, code = source.numpy_view(ref)
    careful.append(_code_block(code, f"{WORDS['reference'][lang]} — {label.partition(' — ')[2]}"))
    for base in [b for b in source.bases(ref) if b not in shown]:
        shown.add(base)
        where = f"refimpl/{base.__module__.split('.')[-1]}.py: class {base.__name__}"
        careful.append(_code_block(source.code(base), f"{where} — {WORDS['chain'][lang]}"))
    numpy = [_code_block(textbook, f"{WORDS['textbook'][lang]} — refimpl/textbook.py"),
             {"kind": "details", "summary": WORDS["why"][lang], "blocks": careful}]
    op = registry.OPS.get(c.op)
    tabs = [("numpy", numpy)] + [(fw, [_twin(fw, op)]) for fw in (FRAMEWORKS if op else ())]
    return [{"kind": "h3", "text": c.title[lang]}, {"kind": "tabs", "tabs": tabs, "markdown": 1}]


def blocks(page, doc, lang: str, runs: dict, prefix: str = "", up: str = "../../",
           parity: str = "../parity.md") -> list:
    """``page`` as blocks (kind: nav, terms, h2, h3, p, code, img, details, table, tabs)
    in ``lang``; ``runs`` is what ``_run(page)`` made; ``prefix`` leads to reports/learn/, ``up``
    to the repository's root and ``parity`` to the parity report, from where the page is
    written."""
    w = {k: v[lang] for k, v in WORDS.items()}
    ex = page.example
    post = f" ({w['post']} {ex.post})" if ex.post else ""
    out = [{"kind": "nav"},
           {"kind": "terms", "terms": [(en, ko) if lang == "en" else (ko, en)
                                       for en, ko in page.terms]},
           {"kind": "h2", "text": w["example"] + post}]
    if not page.posts:
        out.append({"kind": "p", "text": f"*{w['beyond']}*"})
    out += _shown(ex, runs[ex.name], lang, page.slug, prefix)
    out += [{"kind": "h2", "text": w["idea"]}, {"kind": "p", "text": page.idea[lang]}]
    if page.code:
        out.append({"kind": "h2", "text": w["code"]})
        shown: set = set()
        for c in page.code:
            out += _code_entry(c, page, lang, runs, prefix, shown)
    out.append({"kind": "h2", "text": w["frameworks"]})
    if page.frameworks:
        out.append({"kind": "tabs", "tabs": [
            (fw, _shown(r, runs[r.name], lang, page.slug, prefix))
            for fw, r in zip(FRAMEWORKS, page.frameworks)]})
    out += [{"kind": "p", "text": w["table"]}, _table(page, doc, up),
            {"kind": "p", "text": w["legend"].format(parity=parity)}]
    if page.results:
        out.append({"kind": "h2", "text": w["results"]})
        for r in page.results:
            if isinstance(r, Figure):
                out += [{"kind": "p", "text": r.caption[lang]},
                        {"kind": "img", "src": f"{prefix}img/{page.slug}-{r.name}.{lang}.svg",
                         "svg": runs[(r.name, lang)], "alt": r.name}]
            else:
                out += _shown(r, runs[r.name], lang, page.slug, prefix)
    if page.exercises:
        out.append({"kind": "h2", "text": w["exercises"]})
        for i, e in enumerate(page.exercises, 1):
            out += [{"kind": "p", "text": f"{i}. {e.question[lang]}"},
                    {"kind": "details", "summary": w["answer"],
                     "blocks": [_code_block(e.answer.rstrip("\n"), lang="pycon")]}]
    ops = [o.name for o in registry.OPS_LIST if o.concept == page.name]
    if ops:
        out += [{"kind": "h2", "text": w["own"]},
                {"kind": "p", "text": w["own_text"].replace("{ops}", ",".join(ops))}]
    return out


# --------------------------------------------------------------------------- Markdown

def filename(i: int, lang: str = "en") -> str:
    name = f"{i + 1:02d}-{pages()[i].slug}.md"
    return name if lang == "en" else f"{lang}/{name}"


def _nav(i: int, lang: str) -> str:
    ps, w = pages(), {k: v[lang] for k, v in WORDS.items()}
    here = Path(filename(i, lang)).parent
    rel = lambda name: Path(name).relative_to(here).as_posix() if here.name else name  # noqa: E731
    other = "en" if lang != "en" else "ko"
    links = []
    if i > 0:
        links.append(f"[← {i:02d}. {ps[i - 1].title(lang)}]({rel(filename(i - 1, lang))})")
    links += [f"[{w['all']}]({rel(_index_name(lang))})",
              f"[{w['lang']}]({'../' if lang != 'en' else ''}{filename(i, other)})",
              f"[{w['parity']}]({'../' * (1 + (lang != 'en'))}parity.md)"]
    if i + 1 < len(ps):
        links.append(f"[{i + 2:02d}. {ps[i + 1].title(lang)} →]({rel(filename(i + 1, lang))})")
    return " · ".join(links)


def _index_name(lang: str) -> str:
    return "index.md" if lang == "en" else f"{lang}/index.md"


def _cell_text(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(bs: list, nav: str, lang: str) -> str:
    """Blocks as GitHub Markdown: tabs one after another (a block with ``markdown: 1``
    keeps its first tab only: the other tabs are the table's twins), images as files."""
    out = []
    for b in bs:
        k = b["kind"]
        if k == "nav":
            out += [nav, ""]
        elif k == "terms":
            out += [f"> **{WORDS['terms'][lang]}:** " + " · ".join(f"{a} ({z})" for a, z in b["terms"]), ""]
        elif k in ("h2", "h3"):
            out += [f"{'#' * int(k[1])} {b['text']}", ""]
        elif k == "p":
            out += [b["text"], ""]
        elif k == "code":
            fence = "````" if "```" in b["text"] else "```"
            out += ([f"**{b['label']}**", ""] if b["label"] else []) + [
                f"{fence}{b['lang']}", b["text"], fence, ""]
        elif k == "img":
            out += [f"![{b['alt']}]({b['src']})", ""]
        elif k == "details":
            inner = markdown(b["blocks"], nav, lang)
            out += [f"<details><summary>{b['summary']}</summary>", "", inner.rstrip("\n"), "",
                    "</details>", ""]
        elif k == "table":
            out += ["| " + " | ".join(b["head"]) + " |", "|" + "---|" * len(b["head"])]
            out += ["| " + " | ".join(map(_cell_text, row)) + " |" for row in b["rows"]] + [""]
        elif k == "tabs":
            for label, inner in b["tabs"][:1] if b.get("markdown") else b["tabs"]:
                out += [f"**{label}**", "", markdown(inner, nav, lang).rstrip("\n"), ""]
    return "\n".join(out) + "\n"


def render(doc: dict | None) -> dict:
    """{path under reports/: text}: every page and index in each language (learn/*.md,
    learn/ko/*.md), the graphs and figures they show (learn/img/*.svg), and learn.html and
    learn.ko.html. Each example runs once, for both languages and both formats."""
    from comparisons.report import html
    files, ps = {}, pages()
    runs = [_run(p) for p in ps]
    for lang in LANGUAGES:
        prefix, up = ("", "../../") if lang == "en" else ("../", "../../../")
        index = [f"# {WORDS['title'][lang]}", "", WORDS["generated"][lang], "",
                 WORDS["guide"][lang], ""]
        for i, p in enumerate(ps):
            bs = blocks(p, doc, lang, runs[i], prefix, up, f"{prefix}../parity.md")
            nav = _nav(i, lang)
            files[f"learn/{filename(i, lang)}"] = (f"# {p.title(lang)}\n\n"
                                                   + markdown(bs, nav, lang) + f"---\n\n{nav}\n")
            index.append(f"{i + 1}. [{p.title(lang)}]({Path(filename(i, lang)).name})")
            for b in _images(bs):
                files["learn/" + b["src"].removeprefix(prefix)] = b["svg"]
        files[f"learn/{_index_name(lang)}"] = "\n".join(index) + "\n"
        built = [(p, blocks(p, doc, lang, runs[i], "learn/", "../", "parity.html"))
                 for i, p in enumerate(ps)]
        files["learn.html" if lang == "en" else f"learn.{lang}.html"] = html.learn(built, lang)
    return files


def _images(bs: list):
    for b in bs:
        if b["kind"] == "img":
            yield b
        for inner in [b.get("blocks", ())] + [t[1] for t in b.get("tabs", ())]:
            yield from _images(inner)


def write_rendered(files: dict, out: Path) -> list:
    """Write ``render``'s files under ``out`` (reports/), each atomically; delete any other
    page or image in out/learn/. Returns the paths written."""
    from comparisons.report import atomic_write
    out = Path(out)
    paths = []
    for name, text in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        paths.append(atomic_write(out / name, text))
    for stale in sorted([*(out / "learn").rglob("*.md"), *(out / "learn").rglob("*.svg")]):
        if stale.relative_to(out).as_posix() not in files:
            stale.unlink()
    return paths
