"""Computational graphs (계산 그래프) drawn as SVG, from what refimpl's engine recorded.

``svg(outputs)`` walks back from ``outputs`` (``Variable.creator`` -> ``Function.inputs``)
to the leaves and draws the graph left to right. Each Variable is a rounded box with its
name, value and gradient; each Function a circle with its symbol. Solid blue arrows carry
values forward; under each input edge a dashed orange one brings back the share of the
gradient that node sends to that input. A value used twice (the branch, 분기) is one box
with two outgoing edges, and its box shows the sum of both shares. Run
``backward(retain_grad=True)`` first, so that intermediate variables keep ``.grad`` too.

Layout: a leaf is in column 0, a Function's column is 1 + the largest of its inputs'
columns, and its outputs stand in the column after it (values in the even columns, nodes
in the odd ones). A column keeps the order of a depth-first walk from the outputs that
takes a node's inputs before the node (forward order), spread evenly over the height. An
edge that would cross other columns (b in W x + b) runs along its own lane below the rows.
Nothing depends on ``id()``: the same graph gives the same text.

The SVG stands alone (xmlns, a viewBox, no script, no stylesheet), so it shows both as an
``<img>`` in Markdown on a code host and inline in HTML; mid-tone colours on a transparent
background read on light and dark pages. ElementTree writes it, so every label is escaped.

>>> from refimpl import Variable
>>> W, x, b = Variable(-2.0, name="W"), Variable(5.0, name="x"), Variable(3.0, name="b")
>>> f = W * x + b
>>> f.backward(retain_grad=True)
>>> picture = svg(f, names={f: "f"})
>>> picture.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
True
>>> [t for t in ("= -7", "∂f/∂W = 5", "∂f/∂x = -2", "∂f/∂b = 1") if t not in picture]
[]
"""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET

import numpy as np

from refimpl.autodiff import Function, Variable

__all__ = ["svg", "SYMBOLS", "VALUE", "GRAD", "INK"]

VALUE, GRAD, INK = "#3a86ff", "#e4572e", "#8a8a8a"   # mid-tones: legible on light and dark
SYMBOLS = {"Add": "+", "Sub": "−", "Mul": "×", "Div": "÷", "Pow": "^", "MatMul": "matmul",
           "Branch": "branch", "Sum": "sum", "Repeat": "repeat"}
FONT, SIZE, SMALL = "system-ui, sans-serif", 12, 11     # font sizes in px
# px: a line of text, inside a box, around the picture, between twin edges, between lanes
LINE, PAD, MARGIN, BEND, LANE = 16, 10, 16, 34, 34


def svg(outputs, names: dict | None = None) -> str:
    """The computational graph behind ``outputs`` (a Variable or a list of them) as SVG text.

    ``names`` labels Variables that have no ``.name``: ``{variable or id(variable): label}``;
    the rest are called v1, v2, ... in forward order. The gradient line reads ``∂f/∂W = 5``
    where f is the first output's name, or ``grad = 5`` when the first output has none.
    """
    outputs = [outputs] if isinstance(outputs, Variable) else outputs
    if not (isinstance(outputs, (list, tuple)) and outputs
            and all(isinstance(v, Variable) for v in outputs)):
        raise TypeError("graphs.svg: outputs must be a refimpl Variable or a non-empty list of "
                        f"them, got {outputs!r:.60}")
    given = {k if isinstance(k, int) else id(k): str(v) for k, v in (names or {}).items()}
    order = _walk(outputs)
    variables = [v for v in order if isinstance(v, Variable)]
    functions = [f for f in order if isinstance(f, Function)]
    label = {id(v): v.name if v.name is not None else given.get(id(v)) for v in variables}
    unnamed = [k for k, name in label.items() if name is None]   # in forward order
    label.update({k: f"v{i}" for i, k in enumerate(unnamed, 1)})
    top = None if id(outputs[0]) in unnamed else label[id(outputs[0])]   # f, of ∂f/∂W
    texts = {id(v): (label[id(v)], _line("=", _show(v.data)), _line(
        "grad" if top is None else f"∂{top}/∂{label[id(v)]}", _show(v.grad)))
        for v in variables}
    symbol = {id(f): _symbol(f) for f in functions}
    shares = {id(f): _shares(f) for f in functions}
    col = {}
    for n in order:   # forward order: what n's column depends on is placed already
        col[id(n)] = (1 + max(col[id(x)] for x in n.inputs) if isinstance(n, Function)
                      else 0 if n.creator is None else col[id(n.creator)] + 1)
    box_w = max([84.0] + [_width(t, SIZE) + 2 * PAD for ts in texts.values() for t in ts])
    box_h = 3 * LINE + 2 * PAD - 4
    r = max([20.0] + [_width(s, SIZE + 2) / 2 + 8 for s in symbol.values()])
    gap = max([64.0] + [_width(_show(g), SMALL) + 24 for s in shares.values() for g in s])
    widths = [box_w if c % 2 == 0 else 2 * r for c in range(max(col.values()) + 1)]
    xs = [MARGIN + sum(widths[:c]) + c * gap + w / 2 for c, w in enumerate(widths)]
    members = [[n for n in order if col[id(n)] == c] for c in range(len(widths))]
    inner = max(map(len, members)) * (box_h + 2 * BEND)
    pos = {id(n): (xs[c], MARGIN + inner * (i + 0.5) / len(m))
           for c, m in enumerate(members) for i, n in enumerate(m)}
    long = [(id(x), id(f)) for f in functions for x in f.inputs if col[id(f)] - col[id(x)] > 1]
    lane = {key: MARGIN + inner + LANE * k for k, key in enumerate(long)}
    width = 2 * MARGIN + sum(widths) + (len(widths) - 1) * gap
    height = 2 * MARGIN + inner + LANE * len(long)

    root = _el(None, "svg", xmlns="http://www.w3.org/2000/svg", width=_n(width),
               height=_n(height), viewBox=f"0 0 {_n(width)} {_n(height)}", role="img",
               font_family=FONT, font_size=SIZE, style="max-width: 100%; height: auto")
    _el(root, "title", f"computational graph (계산 그래프) of {label[id(outputs[0])]}")
    node = {id(n): f"{'var' if isinstance(n, Variable) else 'fn'}-{i}" for i, n in enumerate(order)}
    edges, nodes = _el(root, "g", class_="edges"), _el(root, "g", class_="nodes")
    for f in functions:
        o = pos[id(f)]
        for i, (x, share) in enumerate(zip(f.inputs, shares[id(f)])):
            a, ends = (pos[id(x)][0] + box_w / 2, pos[id(x)][1]), (node[id(x)], node[id(f)])
            if (id(x), id(f)) in lane:             # out, down to its lane, along, up into f
                y, left, right = lane[(id(x), id(f))], a[0] + gap, o[0] - r - gap
                _draw(edges, [a, (left, y), (right, y), (o[0] - .71 * r, o[1] + .71 * r)],
                      None, VALUE, "edge forward", ends)
                back, c = [(o[0] - .5 * r, o[1] + .87 * r), (right, y + 8), (left, y + 8),
                           (a[0], a[1] + 6)], None
                mid, side = ((left + right) / 2, y + 8), (0.0, 1.0)
            else:                                  # to the next column: a curve, bent if twinned
                twins = [j for j, y in enumerate(f.inputs) if y is x]
                bend = (twins.index(i) - (len(twins) - 1) / 2) * BEND
                c = _control(a, o, bend)
                _draw(edges, [a, _towards(o, c, r)], c, VALUE, "edge forward", ends)
                s = -1.0 if bend < 0 else 1.0      # the gradient runs on the outer side
                c = _control(a, o, bend + 10 * s)
                back = [_towards(o, c, r), a]
                mid = [(p + 2 * q + t) / 4 for p, q, t in zip(back[0], c, a)]
                length = np.hypot(o[0] - a[0], o[1] - a[1])
                side = ((a[1] - o[1]) / length * s, (o[0] - a[0]) / length * s)
            if share is not None:
                g = _draw(edges, back, c, GRAD, "edge backward", ends[::-1], dashed=True)
                _el(g, "text", _show(share), class_="share", x=_n(mid[0] + 10 * side[0]),
                    y=_n(mid[1] + 10 * side[1] + 4), fill=GRAD, font_size=SMALL,
                    text_anchor="end" if side[0] < -.3 else "start" if side[0] > .3 else "middle")
        for y in f.outputs:
            b = (pos[id(y)][0] - box_w / 2, pos[id(y)][1])
            _draw(edges, [_towards(o, b, r), b], None, VALUE, "edge forward",
                  (node[id(f)], node[id(y)]))
    for f in functions:
        (x, y), g = pos[id(f)], _el(nodes, "g", class_="function", data_node=node[id(f)])
        _el(g, "circle", cx=_n(x), cy=_n(y), r=_n(r), fill=INK, fill_opacity=0.12, stroke=INK,
            stroke_width=1.5)
        _el(g, "text", symbol[id(f)], class_="symbol", x=_n(x), y=_n(y + 5), fill=INK,
            font_size=SIZE + 2, text_anchor="middle")
    for v in variables:
        (x, y), g = pos[id(v)], _el(nodes, "g", class_="variable", data_node=node[id(v)])
        _el(g, "rect", x=_n(x - box_w / 2), y=_n(y - box_h / 2), width=_n(box_w),
            height=_n(box_h), rx=8, fill=VALUE, fill_opacity=0.08, stroke=VALUE, stroke_width=1.5)
        for k, (text, kind, colour) in enumerate(zip(texts[id(v)], ("name", "value", "grad"),
                                                     (INK, VALUE, GRAD))):
            _el(g, "text", text, class_=kind, x=_n(x), y=_n(y - box_h / 2 + PAD + 10 + k * LINE),
                fill=colour, text_anchor="middle", font_weight=600 if k == 0 else 400)
    return ET.tostring(root, encoding="unicode")


def _walk(outputs):
    """Variables and Functions in forward order: depth first from the outputs, each node's
    inputs before it, a Function's outputs right after it; each object once."""
    order, seen, done = [], set(), set()
    stack = [(v, False) for v in reversed(outputs)]
    while stack:
        n, ready = stack.pop()
        if ready:
            new = [m for m in [n] + getattr(n, "outputs", []) if id(m) not in done]
            done.update(map(id, new))
            order += new
        elif id(n) not in seen:
            seen.add(id(n))
            stack.append((n, True))
            if isinstance(n, Function):
                stack.extend((x, False) for x in reversed(n.inputs))
            elif n.creator is not None:
                stack.append((n.creator, False))
    return order


def _shares(f):
    """The gradient ``f`` sends back to each of its inputs: its backward, run again on its
    outputs' ``.grad`` (None for every input when no output has a gradient)."""
    if all(y.grad is None for y in f.outputs):
        return [None] * len(f.inputs)
    gxs = f.backward(*(np.zeros_like(y.data) if y.grad is None else y.grad for y in f.outputs))
    return list(gxs) if isinstance(gxs, tuple) else [gxs]


def _symbol(f) -> str:
    return f"^{f.c:.4g}" if type(f).__name__ == "Pow" else SYMBOLS.get(type(f).__name__, f.called)


def _show(a) -> str:
    """A value as it reads: ``-7``, ``[1, 2]`` (up to 4 elements), ``shape (2, 3)``, or ``?``."""
    if a is None:
        return "?"
    a = np.asarray(a)
    if a.size > 4 or a.size == 0:
        return f"shape {a.shape}"
    return np.array2string(a.astype(np.float64), separator=", ",
                           formatter={"float_kind": "{:.4g}".format}).replace("\n", "")


def _line(head: str, shown: str) -> str:
    """``= -7``, ``∂f/∂W = 5``, ``∂f/∂A: shape (4, 3)``: a shape is no value to equate."""
    if shown.startswith("shape"):
        return shown if head == "=" else f"{head}: {shown}"
    return f"{head} {shown}" if head == "=" else f"{head} = {shown}"


def _width(text: str, size: float) -> float:
    """Roughly how wide ``text`` is drawn: a wide (Hangul, CJK) character counts twice."""
    return 0.62 * size * sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _n(v: float) -> str:
    return format(round(float(v), 1), "g")


def _el(parent, tag, text=None, **attrs):
    """An element under ``parent`` (None: a root); ``class_=1`` writes class="1", and so on."""
    attrs = {k.strip("_").replace("_", "-"): str(v) for k, v in attrs.items()}
    e = ET.Element(tag, attrs) if parent is None else ET.SubElement(parent, tag, attrs)
    e.text = text
    return e


def _control(p, q, bend):
    """The control point of a quadratic curve from p to q, bent ``bend`` px to its right."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    length = np.hypot(dx, dy) or 1.0
    return (p[0] + q[0]) / 2 - dy / length * bend, (p[1] + q[1]) / 2 + dx / length * bend


def _towards(o, c, r):
    """The point of the circle of radius r around o that faces c."""
    length = np.hypot(c[0] - o[0], c[1] - o[1]) or 1.0
    return o[0] + r * (c[0] - o[0]) / length, o[1] + r * (c[1] - o[1]) / length


def _draw(parent, knots, control, colour, kind, ends, dashed=False):
    """An arrow through ``knots``: a quadratic curve by ``control`` between two knots, else
    S-curves (level at each knot) and straight runs; its head at the last knot."""
    xy = lambda p: f"{_n(p[0])} {_n(p[1])}"   # noqa: E731
    d, tail = f"M {xy(knots[0])}", control or (knots[-2][0], knots[-1][1])
    for (x0, y0), (x1, y1) in zip(knots, knots[1:]):
        m = (x0 + x1) / 2
        d += (f" Q {xy(control)}" if control else " L" if y0 == y1
              else f" C {xy((m, y0))} {xy((m, y1))}") + f" {xy((x1, y1))}"
    g = _el(parent, "g", class_=kind, data_from=ends[0], data_to=ends[1])
    _el(g, "path", d=d, fill="none", stroke=colour, stroke_width=1.5,
        **({"stroke_dasharray": "5 4"} if dashed else {}))
    (qx, qy), length = knots[-1], np.hypot(knots[-1][0] - tail[0], knots[-1][1] - tail[1]) or 1.0
    ux, uy = (qx - tail[0]) / length, (qy - tail[1]) / length
    head = [(qx, qy), (qx - 8 * ux - 4 * uy, qy - 8 * uy + 4 * ux),
            (qx - 8 * ux + 4 * uy, qy - 8 * uy - 4 * ux)]
    _el(g, "polygon", points=" ".join(f"{_n(x)},{_n(y)}" for x, y in head), fill=colour)
    return g
