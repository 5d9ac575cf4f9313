"""The computational-graph pictures (comparisons/learn/graphs.py).

Every check reads the SVG as XML (ElementTree), never as a string to grep: a box is a
<g class="variable"> with <text class="name|value|grad">, a node a <g class="function">
with <text class="symbol">, an edge a <g class="edge forward|backward" data-from data-to>.
"""

import xml.etree.ElementTree as ET

import numpy as np
import pytest

import refimpl
from comparisons.learn.graphs import svg
from refimpl import Variable

NS = "{http://www.w3.org/2000/svg}"


def groups(root, cls):
    return [g for g in root.iter(NS + "g") if g.get("class") == cls]


def boxes(root):
    """{name: {"value": ..., "grad": ..., "node": data-node, "x": centre, "y": centre}}"""
    out = {}
    for g in groups(root, "variable"):
        texts = {t.get("class"): t.text for t in g.findall(NS + "text")}
        rect = g.find(NS + "rect")
        x = float(rect.get("x")) + float(rect.get("width")) / 2
        y = float(rect.get("y")) + float(rect.get("height")) / 2
        assert texts["name"] not in out, f"two boxes named {texts['name']}"
        out[texts["name"]] = dict(texts, node=g.get("data-node"), x=x, y=y)
    return out


def nodes(root):
    """[(data-node, symbol, centre x)] of the Function circles."""
    return [(g.get("data-node"), g.find(NS + "text").text, float(g.find(NS + "circle").get("cx")))
            for g in groups(root, "function")]


def edges(root, kind="forward"):
    return [(g.get("data-from"), g.get("data-to")) for g in groups(root, f"edge {kind}")]


def shares(root):
    """{(from, to): [labels]} of the dashed gradient arrows."""
    out = {}
    for g in groups(root, "edge backward"):
        out.setdefault((g.get("data-from"), g.get("data-to")), []).append(
            g.find(NS + "text").text)
    return out


def wx_plus_b(W_name="W"):
    W, x, b = Variable(-2.0, name=W_name), Variable(5.0, name="x"), Variable(3.0, name="b")
    f = W * x + b
    f.name = "f"
    f.backward(retain_grad=True)
    return f


def test_w_x_plus_b_shows_values_and_the_gradient_of_every_variable():
    root = ET.fromstring(svg(wx_plus_b()))
    box = boxes(root)
    # W, x, b, the intermediate W*x (v1) and f: five values, two nodes
    assert sorted(box) == ["W", "b", "f", "v1", "x"]
    assert sorted(s for _, s, _ in nodes(root)) == ["+", "×"]
    assert box["f"]["value"] == "= -7" and box["v1"]["value"] == "= -10"
    assert {k: box[k]["grad"] for k in ("W", "x", "b", "v1", "f")} == {
        "W": "∂f/∂W = 5", "x": "∂f/∂x = -2", "b": "∂f/∂b = 1", "v1": "∂f/∂v1 = 1",
        "f": "∂f/∂f = 1"}
    # the wiring: W, x -> × -> v1; v1, b -> + -> f
    name = {b["node"]: k for k, b in box.items()} | {n: s for n, s, _ in nodes(root)}
    assert sorted((name[a], name[b]) for a, b in edges(root)) == sorted(
        [("W", "×"), ("x", "×"), ("×", "v1"), ("v1", "+"), ("b", "+"), ("+", "f")])
    got = {(name[a], name[b]): v for (a, b), v in shares(root).items()}
    assert got == {("×", "W"): ["5"], ("×", "x"): ["-2"], ("+", "v1"): ["1"], ("+", "b"): ["1"]}


def test_layout_runs_left_to_right_in_forward_order():
    root = ET.fromstring(svg(wx_plus_b()))
    box, (mul, add) = boxes(root), sorted(nodes(root), key=lambda n: n[2])
    assert (mul[1], add[1]) == ("×", "+")
    assert box["W"]["x"] == box["x"]["x"] == box["b"]["x"]             # leaves: column 0
    assert box["W"]["x"] < mul[2] < box["v1"]["x"] < add[2] < box["f"]["x"]
    # one column apart each: a value, then its node, then the node's output
    pitch = mul[2] - box["W"]["x"]              # coordinates are written to 0.1 px
    for step in (box["v1"]["x"] - mul[2], add[2] - box["v1"]["x"], box["f"]["x"] - add[2]):
        assert step == pytest.approx(pitch, abs=0.2)
    assert box["W"]["y"] < box["x"]["y"] < box["b"]["y"]               # in the order of use


def test_partial_derivatives_of_x2_plus_xy_plus_y():
    x, y = Variable(3.0, name="x"), Variable(2.0, name="y")
    z = x ** 2 + x * y + y
    z.name = "z"
    z.backward(retain_grad=True)
    root = ET.fromstring(svg(z))
    box = boxes(root)
    assert (box["x"]["grad"], box["y"]["grad"]) == ("∂z/∂x = 8", "∂z/∂y = 4")
    assert box["z"]["value"] == "= 17" and "^2" in [s for _, s, _ in nodes(root)]
    # x feeds two nodes: its 8 is the sum of the shares 6 (from x^2) and 2 (from x*y)
    from_x = [v for (a, b), vs in shares(root).items() if b == box["x"]["node"] for v in vs]
    assert sorted(from_x) == ["2", "6"]
    assert sum(a == box["y"]["node"] for a, _ in edges(root)) == 2


def test_x_times_x_is_one_box_with_two_edges_and_the_summed_gradient():
    x = Variable(3.0, name="x")
    y = x * x
    y.backward(retain_grad=True)
    root = ET.fromstring(svg(y, names={y: "y"}))
    box = boxes(root)
    assert sorted(box) == ["x", "y"]
    [(mul, symbol, _)] = nodes(root)
    assert symbol == "×"
    assert edges(root).count((box["x"]["node"], mul)) == 2
    assert box["x"]["grad"] == "∂y/∂x = 6"
    assert shares(root) == {(mul, box["x"]["node"]): ["3", "3"]}    # 3 along each path


def test_the_branch_node_with_two_outputs():
    x = Variable(3.0, name="x")
    p, q = refimpl.branch(x, 2)
    y = p * q
    y.backward(retain_grad=True)
    root = ET.fromstring(svg(y))             # y has no name: the grad line says "grad"
    box, symbols = boxes(root), {n: s for n, s, _ in nodes(root)}
    assert sorted(symbols.values()) == ["branch", "×"] and sorted(box) == ["v1", "v2", "v3", "x"]
    assert box["x"]["grad"] == "grad = 6" and box["v1"]["grad"] == "grad = 3"
    branch = next(n for n, s in symbols.items() if s == "branch")
    assert sorted(b for a, b in edges(root) if a == branch) == [box["v1"]["node"],
                                                                box["v2"]["node"]]


def test_an_unused_output_of_the_branch_is_drawn_with_gradient_0():
    x = Variable(3.0, name="x")
    p, q = refimpl.branch(x, 2)
    y = p * 3.0
    y.name = "y"
    y.backward(retain_grad=True)
    root = ET.fromstring(svg(y))
    box = boxes(root)
    assert sorted(box) == ["v1", "v2", "v3", "x", "y"]      # v3 is the constant 3
    assert (box["v1"]["grad"], box["v2"]["grad"], box["x"]["grad"]) == (
        "∂y/∂v1 = 3", "∂y/∂v2 = 0", "∂y/∂x = 3")
    [branch] = [n for n, s, _ in nodes(root) if s == "branch"]
    assert sorted(b for a, b in edges(root) if a == branch) == [box["v1"]["node"],
                                                                box["v2"]["node"]]


def test_matmul_shows_shapes():
    rng = np.random.default_rng(0)
    A, B = Variable(rng.normal(size=(4, 3)), name="A"), Variable(rng.normal(size=(3, 2)), name="B")
    L = refimpl.sum(A @ B)
    L.name = "L"
    L.backward(retain_grad=True)
    root = ET.fromstring(svg(L))
    box = boxes(root)
    assert [box[k]["value"] for k in ("A", "B", "v1")] == ["shape (4, 3)", "shape (3, 2)",
                                                           "shape (4, 2)"]
    assert (box["A"]["grad"], box["B"]["grad"]) == ("∂L/∂A: shape (4, 3)", "∂L/∂B: shape (3, 2)")
    assert box["L"]["value"] == f"= {float((A.data @ B.data).sum()):.4g}"
    assert sorted(s for _, s, _ in nodes(root)) == ["matmul", "sum"]


def test_a_small_array_shows_its_values():
    x = Variable(np.array([1.0, 2.0]), name="x")
    s = refimpl.sum(x * x)
    s.name = "s"
    s.backward(retain_grad=True)
    box = boxes(ET.fromstring(svg(s)))
    assert (box["x"]["value"], box["x"]["grad"]) == ("= [1, 2]", "∂s/∂x = [2, 4]")


def test_names_come_from_the_variable_then_the_dict_then_v1_v2():
    W, x, b = Variable(-2.0, name="W"), Variable(5.0), Variable(3.0)
    f = W * x + b
    f.backward(retain_grad=True)
    box = boxes(ET.fromstring(svg(f, names={x: "x", id(f): "f", W: "ignored"})))
    assert sorted(box) == ["W", "f", "v1", "v2", "x"]                 # v1 = W*x, v2 = b
    assert box["v1"]["value"] == "= -10" and box["v2"]["value"] == "= 3"
    assert box["x"]["grad"] == "∂f/∂x = -2"


def test_without_retain_grad_intermediate_gradients_show_as_unknown():
    W, x = Variable(-2.0, name="W"), Variable(5.0, name="x")
    f = W * x + 1.0
    f.backward()
    root = ET.fromstring(svg(f, names={f: "f"}))
    box = boxes(root)
    assert box["W"]["grad"] == "∂f/∂W = 5" and box["f"]["grad"] == "∂f/∂f = ?"
    assert shares(root) == {}


def late_leaves():
    """W x + b + c: b and c each run along a lane below the rows."""
    W, x, b, c = (Variable(v, name=n) for v, n in ((-2.0, "W"), (5.0, "x"), (3.0, "b"),
                                                   (np.array([1.0, 2.0]), "c")))
    f = W * x + b + c
    f.name = "f"
    f.backward(np.ones(2), retain_grad=True)
    return f


def branch_and_shapes():
    x = Variable(np.arange(6.0).reshape(2, 3), name="x")
    L = refimpl.sum(x * x * x + refimpl.exp(x))
    L.backward(retain_grad=True)
    return L


def test_output_is_deterministic():
    for make in (wx_plus_b, late_leaves, branch_and_shapes):
        assert svg(make()) == svg(make())    # a new graph, with new ids, draws the same


@pytest.mark.parametrize("make", [wx_plus_b, late_leaves, branch_and_shapes])
def test_output_is_well_formed_standalone_svg_and_fits_its_viewbox(make):
    text = svg(make())
    assert text.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    root = ET.fromstring(text)
    assert root.tag == NS + "svg"
    w, h = float(root.get("width")), float(root.get("height"))
    assert root.get("viewBox").split() == ["0", "0", root.get("width"), root.get("height")]
    assert w > 0 and h > 0 and "system-ui" in root.get("font-family")
    tags = {e.tag.removeprefix(NS) for e in root.iter()}
    assert not tags & {"script", "style", "foreignObject", "image", "use"}
    assert not [k for e in root.iter() for k in e.attrib if "href" in k or k.startswith("on")]
    assert "fill" not in root.attrib                 # transparent background
    # everything drawn lies inside the viewBox
    for e in root.iter(NS + "rect"):
        assert 0 <= float(e.get("x")) and float(e.get("x")) + float(e.get("width")) <= w
        assert 0 <= float(e.get("y")) and float(e.get("y")) + float(e.get("height")) <= h
    for e in root.iter(NS + "path"):
        nums = [float(v) for v in e.get("d").replace("M", " ").replace("Q", " ").replace(
            "C", " ").replace("L", " ").split()]
        assert all(0 <= v <= w for v in nums[::2]) and all(0 <= v <= h for v in nums[1::2])
    for e in root.iter(NS + "text"):                 # a baseline, with room for the glyphs
        assert 0 <= float(e.get("x")) <= w and 12 <= float(e.get("y")) <= h - 3


def test_labels_are_escaped():
    f = wx_plus_b(W_name="<W&1>")
    text = svg(f, names={})
    assert "&lt;W&amp;1&gt;" in text and "<W&1>" not in text
    box = boxes(ET.fromstring(text))
    assert box["<W&1>"]["grad"] == "∂f/∂<W&1> = 5"
    x = Variable(2.0, name="x")
    y = x * x
    y.backward(retain_grad=True)
    root = ET.fromstring(svg(y, names={y: 'a<b & "c"'}))
    assert boxes(root)["x"]["grad"] == '∂a<b & "c"/∂x = 4'


def test_outputs_must_be_variables():
    with pytest.raises(TypeError, match="Variable"):
        svg(np.array(1.0))
    with pytest.raises(TypeError, match="Variable"):
        svg([])
