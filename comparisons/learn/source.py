"""The code the learning pages show, cut from the code the tests run.

refimpl is numpy only, so its source comes from ``inspect.getsource``. The twins are
*not* imported: each ``comparisons/<framework>/<module>.py`` is read as text and the
function is cut out with ``ast`` (``ast.get_source_segment``, decorators included), with
the module's private helpers (``_name``) it uses. Importing the frameworks would take
seconds, and a framework that is not installed still shows its code.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import textwrap
import types
from pathlib import Path

from refimpl.autodiff import Function
from refimpl.graph import Binary

TWINS = Path(__file__).resolve().parents[1]          # comparisons/
ROOT = TWINS.parent


# ------------------------------------------------------------------------ source

def code(obj) -> str:
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


def bases(fn) -> list:
    """The base classes whose ``backward`` the nodes of ``fn`` (a class, or a function and
    the classes it builds) inherit: where dout meets the local derivative (the chain rule
    of ``Elementwise``, ``Binary``, ``Loss``), first in file order."""
    classes = [fn] if inspect.isclass(fn) else _nodes(fn) if inspect.isfunction(fn) else []
    found = {base for cls in classes for base in cls.__mro__[1:]
             if issubclass(base, Function) and base is not Function and "backward" in vars(base)
             and "backward" not in vars(cls)}
    return sorted(found, key=lambda c: (c.__module__, inspect.getsourcelines(c)[1]))


def numpy_view(fn, note: str = "") -> tuple:
    where = f"refimpl/{fn.__module__.split('.')[-1]}.py"
    classes = _nodes(fn) if inspect.isfunction(fn) else []
    label = f"numpy — {where}: {'class ' if inspect.isclass(fn) else ''}{fn.__qualname__}"
    if classes:
        label += f" builds {', '.join(c.__name__ for c in classes)}; " + "; ".join(map(_holds, classes))
    pieces = [code(c) for c in classes] + [code(fn)]
    return (label + note, "python", "\n\n\n".join(pieces))


@functools.lru_cache(maxsize=None)   # a page's table asks each file a few times per op
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


def twin_view(fw: str, module: str, name: str, unsupported: dict | None = None) -> tuple:
    where = f"comparisons/{fw}/{module}.py"
    code = twin_source(fw, module, name)
    if code is not None:
        return (f"{fw} — {where}", "python", code)
    reasons = sorted(set((unsupported or {}).get(fw, {}).values()))
    return (f"{fw} — no twin in {where}" + (": " + "; ".join(reasons) if reasons else ""), "", "")


def optimizer_branch(fw: str, run: str) -> tuple:
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


def symbol(spec: str):
    """The refimpl object "module:qualname" names (``"graph:Add"``, ``"optim:SGD.update"``)."""
    module, qualname = spec.split(":")
    obj = importlib.import_module(f"refimpl.{module}")
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def where(obj) -> tuple:
    """(path from the repository's root, first line) of a refimpl object."""
    path = Path(inspect.getsourcefile(obj)).resolve().relative_to(ROOT)
    return path.as_posix(), inspect.getsourcelines(obj)[1]


def twin_where(fw: str, module: str, name: str) -> tuple | None:
    """(path, first line) of ``name`` in comparisons/<fw>/<module>.py, or None."""
    parsed = _twin_file(fw, module)
    if parsed is None or name not in parsed[1]:
        return None
    return f"comparisons/{fw}/{module}.py", parsed[1][name].lineno


def one_liner(fw: str, module: str, name: str) -> str | None:
    """The expression a twin returns when its body is that one line (``torch.sigmoid(x)``);
    None for a longer twin or none at all.

    >>> one_liner("torch", "activations", "tanh")
    'torch.tanh(x)'
    """
    parsed = _twin_file(fw, module)
    node = parsed and parsed[1].get(name)
    if not isinstance(node, ast.FunctionDef):
        return None
    body = [b for b in node.body if not (isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant))]
    if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None:
        text = ast.get_source_segment(parsed[0], body[0].value)
        return text if "\n" not in text else None
    return None
