"""Learning pages: each concept's code four times over, cut from the code the tests run.

``write_pages`` makes ``reports/learn/``: an index and one page per concept, in the
teaching order of the source posts. An entry shows the numpy reference (the function
and the ``Function`` classes it builds: there the forward and the backward stand side
by side), then the torch, TensorFlow and JAX twins, then what ``refimpl report``
measured (parity.json). ``sections`` is the same content as data, for the HTML report;
``terminal`` is one entry for ``refimpl show NAME``.

Nothing here is typed in twice, so a page cannot drift from the code. refimpl is
numpy only, so its source comes from ``inspect.getsource``. The twins are *not*
imported: each ``comparisons/<framework>/<module>.py`` is read as text and the function
is cut out with ``ast`` (``ast.get_source_segment``, decorators included), with the
module's private helpers (``_name``) it uses. Importing the frameworks would take
seconds, and a framework that is not installed still shows its code.

>>> [c.slug for c in CONCEPTS][:3]
['tensors', 'vectors-and-matrices', 'derivatives']
>>> CONCEPTS[3].title
'Chain rule and the computational graph (연쇄 법칙과 계산 그래프)'
"""

from __future__ import annotations

import ast
import difflib
import importlib
import inspect
import re
import textwrap
import types
from collections import Counter
from pathlib import Path

from comparisons import BAD, FRAMEWORKS, STATUSES, registry, trajectory
from comparisons.report.concepts import CONCEPTS, Concept
from refimpl import optim
from refimpl.autodiff import Function
from refimpl.graph import Binary

TWINS = Path(__file__).resolve().parents[1]          # comparisons/


_BY_NAME = {c.name: c for c in CONCEPTS}
_CHECKS = ("forward", "grad", "trajectory")


# ------------------------------------------------------------------------ source

def _code(obj) -> str:
    return textwrap.dedent(inspect.getsource(obj)).rstrip("\n")


def _names(code: types.CodeType) -> list:
    out = list(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            out += _names(c)
    return out


def _nodes(fn) -> list:
    """The ``Function`` subclasses ``fn`` instantiates, in file order."""
    g = fn.__globals__
    found = {g[n] for n in _names(fn.__code__)
             if isinstance(g.get(n), type) and issubclass(g[n], Function)}
    return sorted(found, key=lambda c: inspect.getsourcelines(c)[1])


def _holds(cls) -> str:
    n, own = cls.__name__, vars(cls)
    if "df" in own and issubclass(cls, Binary):
        return (f"{n}.f is the forward, {n}.df the gradients of both inputs (Binary sums each "
                "back to its input's shape)")
    if "df" in own:
        return f"{n}.f is the forward, {n}.df the derivative (Elementwise multiplies it by dout)"
    if "elementwise" in own:
        return f"{n}.elementwise gives the loss and its local derivatives (Loss reduces both)"
    return f"{n}.forward is the forward, {n}.backward the backward"


def _numpy_view(fn, note: str = "") -> tuple:
    where = f"refimpl/{fn.__module__.split('.')[-1]}.py"
    classes = _nodes(fn) if inspect.isfunction(fn) else []
    label = f"numpy — {where}: {'class ' if inspect.isclass(fn) else ''}{fn.__qualname__}"
    if classes:
        label += f" builds {', '.join(c.__name__ for c in classes)}; " + "; ".join(map(_holds, classes))
    pieces = [_code(c) for c in classes] + [_code(fn)]
    return (label + note, "python", "\n\n\n".join(pieces))


def _twin_file(fw: str, module: str):
    """(source, {top-level name: node}) of comparisons/<fw>/<module>.py, or None."""
    path = TWINS / fw / f"{module}.py"
    if not path.is_file():
        return None
    src = path.read_text(encoding="utf-8")
    defs = {}
    for node in ast.parse(src).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defs[node.name] = node
        for t in node.targets if isinstance(node, ast.Assign) else ():
            if isinstance(t, ast.Name):
                defs[t.id] = node
    return src, defs


def _segment(src: str, node) -> str:
    first = min([d.lineno for d in getattr(node, "decorator_list", ())] + [node.lineno])
    head = "".join(src.splitlines(keepends=True)[first - 1:node.lineno - 1])   # decorators
    return head + ast.get_source_segment(src, node)


def twin_source(fw: str, module: str, name: str) -> str | None:
    """The text of ``name`` in comparisons/<fw>/<module>.py and of the private helpers
    it uses (after it, in file order), without importing the framework; None if absent."""
    parsed = _twin_file(fw, module)
    if parsed is None or name not in parsed[1]:
        return None
    src, defs = parsed
    wanted, todo = [name], [name]
    while todo:
        for n in ast.walk(defs[todo.pop()]):
            if (isinstance(n, ast.Name) and n.id.startswith("_") and not n.id.startswith("__")
                    and n.id in defs and n.id not in wanted):
                wanted.append(n.id)
                todo.append(n.id)
    helpers = sorted(wanted[1:], key=lambda k: defs[k].lineno)
    return "\n\n\n".join(_segment(src, defs[k]) for k in [name] + helpers)


def _twin_view(fw: str, module: str, name: str, unsupported: dict | None = None) -> tuple:
    where = f"comparisons/{fw}/{module}.py"
    code = twin_source(fw, module, name)
    if code is not None:
        return (f"{fw} — {where}", "python", code)
    reasons = sorted(set((unsupported or {}).get(fw, {}).values()))
    return (f"{fw} — no twin in {where}" + (": " + "; ".join(reasons) if reasons else ""), "", "")


def _optimizer_branch(fw: str, run: str) -> tuple:
    """The ``if`` of the twin's ``_optimizer`` that builds the optimizer for ``run``."""
    where = f"comparisons/{fw}/training.py"
    parsed = _twin_file(fw, "training")
    fn = parsed and parsed[1].get("_optimizer")
    for node in ast.walk(fn) if fn else ():
        if isinstance(node, ast.If) and any(isinstance(c, ast.Constant) and c.value == run
                                            for c in ast.walk(node.test)):
            lines = parsed[0].splitlines(keepends=True)[node.lineno - 1:node.body[-1].end_lineno]
            return (f"{fw} — {where}: the {run!r} branch of _optimizer", "python",
                    textwrap.dedent("".join(lines)).rstrip("\n"))
    return (f"{fw} — no {run!r} optimizer in {where}", "", "")


# ------------------------------------------------------------------------ parity

def _summary(rows: list, unit: str) -> str:
    from comparisons.report import row_id
    if not rows:
        return "no rows in parity.json"
    if all(r["status"] == "missing" for r in rows):
        return "not installed when the report was made"
    parts = []
    for check in _CHECKS:
        n = Counter(r["status"] for r in rows if r["check"] == check)
        total = sum(n.values())
        if total and n["pass"] == total:
            parts.append(f"{check} pass {total}/{total} {unit}")
        elif total:
            parts.append(f"{check} " + " + ".join(f"{n[s]} {s}" for s in STATUSES if n[s]))
    text = ", ".join(parts)
    ratios = [r["tol_ratio"] for r in rows if r.get("tol_ratio") is not None]
    if ratios:
        text += f"; worst error/tolerance {max(ratios):.2g}"
    for r in rows:
        if r["status"] in BAD:
            text += f"; {r['status']} {row_id(r)}" + (" (known)" if r.get("known_failure") else "")
    return text


def parity_lines(doc: dict | None, op: str | None = None, check: str | None = None) -> list:
    """One line per framework summing up ``doc``'s rows for ``op`` (all ops: None) and
    ``check``; the row id of every fail. Without a document, where the line comes from.

    >>> parity_lines(None)
    ['measured parity: run `refimpl report` (it writes reports/parity.json)']
    """
    if doc is None:
        return ["measured parity: run `refimpl report` (it writes reports/parity.json)"]
    rows = [r for r in doc.get("results", ())
            if (op is None or r["op"] == op) and (check is None or r["check"] == check)]
    unit = "dtypes" if op else "runs"
    return [f"{fw}: {_summary([r for r in rows if r['framework'] == fw], unit)}" for fw in FRAMEWORKS]


# ----------------------------------------------------------------------- entries

def _op_entry(op, doc) -> dict:
    views = [_numpy_view(op.reference)]
    views += [_twin_view(fw, op.module, op.name, op.unsupported) for fw in FRAMEWORKS]
    return {"name": op.name, "views": views, "parity": parity_lines(doc, op.name)}


def _run_entry(run, doc, shown: set) -> dict:
    cls, fixed = optim.OPTIMIZERS[run.name]
    hyper = ", ".join(f"{k}={v}" for k, v in {**fixed, **run.hyper}.items())
    if cls in shown and "update" in vars(cls):   # the class is on the page already
        view = _numpy_view(cls.update, f" (the whole class is above); this run: {hyper}")
    else:
        view = _numpy_view(cls, f"; this run: {hyper}")
    shown.add(cls)
    views = [view] + [_optimizer_branch(fw, run.name) for fw in FRAMEWORKS]
    return {"name": run.name, "views": views,
            "parity": parity_lines(doc, run.name, trajectory.CHECK)}


def _symbol_entry(spec: str, doc) -> dict:
    module, qualname = spec.split(":")
    obj = importlib.import_module(f"refimpl.{module}")
    for part in qualname.split("."):
        obj = getattr(obj, part)
    views = [_numpy_view(obj)]
    if "." not in qualname and any(twin_source(fw, module, qualname) for fw in FRAMEWORKS):
        views += [_twin_view(fw, module, qualname) for fw in FRAMEWORKS]
    parity = parity_lines(doc, check=trajectory.CHECK) if spec == "training:trajectory" else []
    return {"name": qualname, "views": views, "parity": parity}


def _section(concept: Concept, doc) -> dict:
    entries = [_op_entry(op, doc) for op in registry.OPS_LIST if op.concept == concept.name]
    shown: set = set()
    entries += [_run_entry(r, doc, shown) for r in trajectory.RUNS if r.concept == concept.name]
    entries += [_symbol_entry(s, doc) for s in concept.symbols]
    return {"slug": concept.slug, "title": concept.title, "intro": concept.intro, "entries": entries}


def sections(doc: dict | None) -> list:
    """Every concept, in teaching order: {"slug", "title", "intro", "entries": [{"name",
    "views": [(label, language, code)], "parity": [lines]}]}. A view with empty code is
    an implementation that does not exist; its label says so (and why, where known)."""
    unknown = {op.concept for op in registry.OPS_LIST} | {r.concept for r in trajectory.RUNS}
    if unknown - set(_BY_NAME):
        raise ValueError(f"concepts with no learning page: {sorted(unknown - set(_BY_NAME))}")
    return [_section(c, doc) for c in CONCEPTS]


# ---------------------------------------------------------------------- Markdown

def _filename(i: int) -> str:
    return f"{i + 1:02d}-{CONCEPTS[i].slug}.md"


def _anchor(name: str) -> str:
    return re.sub(r"[^\w\- ]", "", name.lower()).replace(" ", "-")   # GitHub's heading ids


def _nav(i: int) -> str:
    links = []
    if i > 0:
        links.append(f"[← {i:02d}. {CONCEPTS[i - 1].title}]({_filename(i - 1)})")
    links += ["[all concepts](index.md)", "[parity report](../parity.md)"]
    if i + 1 < len(CONCEPTS):
        links.append(f"[{i + 2:02d}. {CONCEPTS[i + 1].title} →]({_filename(i + 1)})")
    return " · ".join(links)


def _markdown(i: int, sec: dict) -> str:
    out = [f"# {sec['title']}", "", _nav(i), "", sec["intro"], "",
           "On this page: " + " · ".join(f"[{e['name']}](#{_anchor(e['name'])})" for e in sec["entries"]),
           "", "Generated from the code by `refimpl report`; do not edit by hand.", ""]
    for e in sec["entries"]:
        out += [f"## {e['name']}", ""]
        for label, lang, code in e["views"]:
            impl, _, rest = label.partition(" — ")
            out += [f"**{impl}** — {rest}", ""]
            if code:
                fence = "````" if "```" in code else "```"
                out += [f"{fence}{lang}", code, fence, ""]
        if e["parity"]:
            out += ["Measured ([parity report](../parity.md)):", ""]
            out += [f"- {line}" for line in e["parity"]] + [""]
    return "\n".join(out + ["---", "", _nav(i), ""])


def page(concept: str, doc: dict | None) -> str:
    """One concept's page in Markdown; ``concept`` is its slug or English name."""
    i = next((k for k, c in enumerate(CONCEPTS) if concept in (c.slug, c.name)), None)
    if i is None:
        raise KeyError(f"no concept {concept!r}; the concepts are {[c.slug for c in CONCEPTS]}")
    return _markdown(i, _section(CONCEPTS[i], doc))


def _index(secs: list) -> str:
    out = ["# Learn: deep-learning basics, side by side", "",
           "Each page shows a concept in plain numpy (forward and backward by hand), then in "
           "torch, TensorFlow and JAX, cut from the code the tests run, with what the last "
           "[parity report](../parity.md) measured. Read them in order:", ""]
    for i, sec in enumerate(secs):
        names = ", ".join(e["name"] for e in sec["entries"])
        out.append(f"{i + 1}. [{sec['title']}]({_filename(i)}): {names}")
    return "\n".join(out + [""])


def render_pages(secs: list) -> dict:
    """{file name: Markdown}: index.md and one NN-slug.md per concept, from ``sections``."""
    files = {"index.md": _index(secs)}
    files.update({_filename(i): _markdown(i, sec) for i, sec in enumerate(secs)})
    return files


def write_pages(doc: dict | None, out_dir: Path) -> list:
    """Write index.md and one NN-slug.md per concept into ``out_dir``, each atomically;
    delete any other ``*.md`` there. Returns the paths written, index first."""
    return write_rendered(render_pages(sections(doc)), out_dir)


def write_rendered(files: dict, out_dir: Path) -> list:
    """Write ``render_pages``'s files into ``out_dir`` (see ``write_pages``)."""
    from comparisons.report import atomic_write
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in files.items():
        atomic_write(out_dir / name, text)
        paths.append(out_dir / name)
    for stale in sorted(out_dir.glob("*.md")):
        if stale.name not in files:
            stale.unlink()
    return paths


# ---------------------------------------------------------------------- terminal

def terminal(op_name: str, doc: dict | None = None, color: bool = False) -> str:
    """An op, training run or refimpl symbol (``fit``, ``Variable.backward``), every
    implementation under its own heading; highlighted with pygments if ``color``."""
    found = {}
    for sec in sections(doc):
        for e in sec["entries"]:
            found.setdefault(e["name"], (sec, e))
    if op_name not in found:
        close = difflib.get_close_matches(op_name, list(found), n=5, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}?" if close else f"known: {', '.join(sorted(found))}"
        raise KeyError(f"no op, training run or refimpl symbol named {op_name!r}; {hint}")
    sec, e = found[op_name]
    bold = (lambda s: f"\x1b[1m{s}\x1b[0m") if color else (lambda s: s)
    out = [bold(f"{e['name']} — {sec['title']}"), ""]
    for label, _, code in e["views"]:
        out += [bold(f"── {label}"), ""]
        if code and color:
            from pygments import highlight
            from pygments.formatters import TerminalFormatter
            from pygments.lexers import PythonLexer
            out.append(highlight(code, PythonLexer(), TerminalFormatter()).rstrip("\n"))
        elif code:
            out.append(code)
        out.append("")
    if e["parity"]:
        out += [bold("── measured parity")] + [f"  {line}" for line in e["parity"]]
    return "\n".join(out) + "\n"
