"""The learning pages (comparisons/report/learn.py): complete, in order, cut verbatim
from the code, with the measured parity line; and `refimpl show`'s terminal view."""

import ast
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

from comparisons import FRAMEWORKS, registry, trajectory
from comparisons.report import learn
from refimpl.autodiff import Function

ROOT = Path(__file__).resolve().parents[1]
HANGUL = re.compile("[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def secs():
    return learn.sections(None)


@pytest.fixture(scope="module")
def pages():
    return {c.name: learn.page(c.slug, None) for c in learn.CONCEPTS}


def _row(op, fw, dtype, check, status, ratio=0.5):
    return {"concept": "", "op": op, "framework": fw, "dtype": dtype, "check": check,
            "status": status, "tol_ratio": ratio, "max_ulp": 1.0, "examples": 10}


def _entry(secs, name):
    return next(e for s in secs for e in s["entries"] if e["name"] == name)


# ------------------------------------------------------------- coverage and order

def test_every_op_and_run_is_on_exactly_one_page_its_concept(secs):
    where = {}
    for s in secs:
        for e in s["entries"]:
            where.setdefault(e["name"], []).append(s["slug"])
    slug = {c.name: c.slug for c in learn.CONCEPTS}
    for item in registry.OPS_LIST + trajectory.RUNS:
        assert where.get(item.name) == [slug[item.concept]], item.name


def test_pages_follow_the_teaching_order_with_korean_titles(secs):
    assert [s["slug"] for s in secs] == [
        "tensors", "vectors-and-matrices", "derivatives", "chain-rule", "backpropagation",
        "activations", "losses", "gradient-descent", "optimizers", "training-loop",
        "perceptron-xor", "mlp"]
    assert secs[3]["title"] == "Chain rule and the computational graph (연쇄 법칙과 계산 그래프)"
    for s in secs:
        assert HANGUL.search(s["title"]) and s["intro"] and s["entries"], s["slug"]


def test_page_links_to_its_neighbours_and_the_report(pages):
    chain = pages["chain rule and the computational graph"]
    assert chain.startswith("# Chain rule and the computational graph (연쇄 법칙과 계산 그래프)\n")
    for link in ("(03-derivatives.md)", "(05-backpropagation.md)", "(index.md)", "(../parity.md)"):
        assert link in chain
    assert "(00-" not in pages["tensors"] and "(13-" not in pages["MLP"]


def test_page_and_sections_carry_the_same_code(secs, pages):
    for c, s in zip(learn.CONCEPTS, secs):
        for e in s["entries"]:
            assert f"\n## {e['name']}\n" in pages[c.name]
            for label, lang, code in e["views"]:
                assert (f"```{lang}\n{code}\n```" if code else label.partition(" — ")[2]) in pages[c.name]


# ------------------------------------------------------------------- the code

@pytest.mark.parametrize("op", registry.OPS_LIST, ids=lambda op: op.name)
def test_page_shows_the_numpy_reference_and_its_nodes_verbatim(op, pages):
    page = pages[op.concept]
    assert inspect.getsource(op.reference) in page
    mod = sys.modules[op.reference.__module__]
    nodes = [v for k, v in vars(mod).items() if k in op.reference.__code__.co_names
             and isinstance(v, type) and issubclass(v, Function)]
    assert nodes, f"{op.name}: no Function class found"
    for cls in nodes:
        assert inspect.getsource(cls) in page


@pytest.fixture(scope="module", params=FRAMEWORKS)
def framework(request):
    pytest.importorskip(request.param)   # one import per framework for the whole module
    return request.param


@pytest.mark.parametrize("op", registry.OPS_LIST, ids=lambda op: op.name)
def test_page_shows_each_twin_verbatim(op, framework, pages):
    assert inspect.getsource(op.twin(framework)) in pages[op.concept]


def test_training_loop_shows_every_framework_loop_verbatim(framework, pages):
    assert inspect.getsource(trajectory.twin(framework)) in pages["training loop"]


def test_twin_helpers_come_along_and_a_missing_twin_says_why():
    jax_loop = learn.twin_source("jax", "training", "trajectory")
    assert "def _mlp(" in jax_loop and "_LOSSES = " in jax_loop and "def _optimizer(" in jax_loop
    unsupported = {"jax": {"float32": "jax has no such op", "float64": "jax has no such op"}}
    assert learn._twin_view("jax", "activations", "no_such_op", unsupported) == (
        "jax — no twin in comparisons/jax/activations.py: jax has no such op", "", "")
    assert learn._twin_view("torch", "activations", "no_such_op", unsupported) == (
        "torch — no twin in comparisons/torch/activations.py", "", "")


def test_an_optimizer_run_shows_its_class_and_each_framework_branch(secs):
    adam = _entry(secs, "adam")
    assert inspect.getsource(learn.optim.Adam).rstrip("\n") == adam["views"][0][2]
    assert [v[2].splitlines()[0] for v in adam["views"][1:]] == ['if name == "adam":'] * 3
    assert "keras.optimizers.Adam(" in adam["views"][2][2]


# ------------------------------------------------------------------- parity

def test_parity_line_names_each_fail_by_row_id():
    doc = {"results": [_row("sigmoid", "torch", "float32", "forward", "pass", 0.31),
                       _row("sigmoid", "torch", "float64", "forward", "pass"),
                       _row("sigmoid", "torch", "float32", "grad", "fail", 7.0),
                       _row("sigmoid", "torch", "float64", "grad", "convention"),
                       _row("sigmoid", "jax", "float32", "forward", "pass"),
                       _row("adam", "jax", "float64", "trajectory", "fail", 3.0)]}
    torch, tf, jax = learn.parity_lines(doc, "sigmoid")
    assert torch == ("torch: forward pass 2/2 dtypes, grad 1 convention + 1 fail; "
                     "worst error/tolerance 7; fail sigmoid/torch/float32/grad")
    assert tf == "tensorflow: no rows in parity.json"
    assert "fail" not in jax and "forward pass 1/1" in jax
    adam = _entry(learn.sections(doc), "adam")["parity"]
    assert "fail adam/jax/float64/trajectory" in adam[2] and "fail" not in adam[0]


def test_a_pass_only_doc_shows_no_fail_and_no_doc_points_to_refimpl_report():
    doc = {"results": [_row("relu", fw, d, c, "pass") for fw in FRAMEWORKS
                       for d in ("float32", "float64") for c in ("forward", "grad")]}
    lines = _entry(learn.sections(doc), "relu")["parity"]
    assert len(lines) == 3 and not any("fail" in line for line in lines)
    assert all("forward pass 2/2 dtypes, grad pass 2/2 dtypes" in line for line in lines)
    assert "refimpl report" in learn.parity_lines(None)[0]
    assert "refimpl report" in _entry(learn.sections(None), "relu")["parity"][0]


# ------------------------------------------------------------------- files

def test_write_pages_is_complete_deterministic_and_removes_stale_pages(tmp_path):
    (tmp_path / "99-old.md").write_text("stale")
    (tmp_path / "notes.txt").write_text("not a page")
    paths = learn.write_pages(None, tmp_path)
    assert len(paths) == 13 and paths[0].name == "index.md"
    assert sorted(p.name for p in tmp_path.glob("*.md")) == sorted(p.name for p in paths)
    assert (tmp_path / "notes.txt").exists() and (tmp_path / "01-tensors.md").exists()
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in paths)
    first = {p.name: p.read_bytes() for p in paths}
    learn.write_pages(None, tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.glob("*.md")} == first
    index = first["index.md"].decode()
    for i, c in enumerate(learn.CONCEPTS):
        assert f"({i + 1:02d}-{c.slug}.md)" in index and c.korean in index


# ------------------------------------------------------------------- terminal

def _file_def(fw, module, name):
    src = (ROOT / "comparisons" / fw / f"{module}.py").read_text()
    node = next(n for n in ast.parse(src).body if getattr(n, "name", None) == name)
    return ast.get_source_segment(src, node)


def test_terminal_shows_numpy_and_the_three_twins():
    text = learn.terminal("sigmoid")
    assert inspect.getsource(learn.registry.OPS["sigmoid"].reference) in text
    for fw in FRAMEWORKS:
        assert f"── {fw} — comparisons/{fw}/activations.py" in text
        assert _file_def(fw, "activations", "sigmoid") in text
    assert "\x1b" not in text
    assert "\x1b[" in learn.terminal("sigmoid", color=True)
    assert "def fit(" in learn.terminal("fit") and "class Adam(" in learn.terminal("adam")


def test_terminal_unknown_name_suggests_close_matches():
    with pytest.raises(KeyError, match="sigmoid"):
        learn.terminal("sigmiod")


def test_learn_imports_no_framework():
    code = ("import sys; from comparisons.report import learn; learn.sections(None); "
            "learn.terminal('sigmoid'); "
            "assert not {'torch', 'tensorflow', 'jax'} & set(sys.modules), sys.modules.keys()")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
