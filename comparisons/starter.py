"""`refimpl new-impl DIR`: a starter a learner fills in, op by op, and checks as they go.

DIR/__init__.py gets a stub for every registry op, in the source posts' teaching order
(comparisons/learn/pages/): its forward, with refimpl's signature and the first paragraph of its
docstring, and beside it its backward, which takes the forward's arrays, then ``dout``,
then the same keyword arguments. Every body raises NotImplementedError, which
``refimpl check DIR`` reports as `unsupported (not implemented)`; each one filled in turns
its row to pass, or to a fail with the input that shows why.
"""

from __future__ import annotations

import inspect
from pathlib import Path

from comparisons import registry
from comparisons.learn.pages import pages

HEADER = '''"""My own implementation of refimpl's ops: fill in each body, then run

    refimpl check {dir}

Each op is a forward and, beside it, its backward: given the forward's arrays and dout
(dL/dy, the gradient of the loss with respect to the output), return dL/dx for each
array it differentiates (a tuple for two; a loss differentiates its prediction only).
"""

import numpy as np
'''


def _stub(op) -> str:
    params = list(inspect.signature(op.reference).parameters.values())
    n = len(op.smallest("float64").arrays)   # the parameters a case passes by position
    show = [p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}"
            for p in params]
    arrays, options = show[:n], show[n:]
    doc = inspect.getdoc(op.reference).split("\n\n")[0].replace("\n", "\n    ")
    wrt = op.wrt or tuple(range(n))
    grads = ", ".join(f"d{params[i].name}" for i in wrt)
    return (f"def {op.name}({', '.join(show)}):\n"
            f'    """{doc}"""\n'
            f"    raise NotImplementedError\n\n\n"
            f"def {op.name}_backward({', '.join(arrays + ['dout'] + options)}):\n"
            f'    """{grads}, given dout = dL/d{op.name}(...)."""\n'
            f"    raise NotImplementedError\n")


def write(folder: Path) -> Path:
    """DIR/__init__.py with every op's stubs; refuses to overwrite one."""
    target = folder / "__init__.py"
    if target.exists():
        raise FileExistsError(f"{target} exists; choose a new folder")
    parts = [HEADER.format(dir=folder)]
    for page in pages():
        ops = [op for op in registry.OPS_LIST if op.concept == page.name]
        if ops:
            title = f" {page.title()} "
            parts.append(f"\n# {title:=^86}\n")
            parts += ["\n" + _stub(op) + "\n" for op in ops]
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(parts).rstrip() + "\n")
    return target
