"""`refimpl check`: a learner's hand-written numpy and a plugged-in adapter, judged by the
same harness as the frameworks (comparisons/check.py, comparisons/learner.py).

examples/learner holds three mistakes a learner makes; check must name exactly those
three ops, each with a shrunk input and a repro that runs, pass the rest it implements,
and call everything else unsupported. Fixed on a copy, it passes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from comparisons import adapters, learner, registry
from comparisons.trajectory import RUNS_BY_NAME as RUNS

ROOT = Path(__file__).resolve().parents[1]
LEARNER = ROOT / "examples" / "learner"
WRITTEN = {"add", "mul", "exp", "sigmoid", "relu", "softmax", "mse"}
MISTAKES = {"sigmoid", "softmax", "mse"}


def _check(*args, cwd=ROOT):
    out = subprocess.run([sys.executable, "-m", "comparisons.cli", "check", *args],
                         capture_output=True, text=True, timeout=300, cwd=cwd)
    rows = dict(re.findall(r"^(\w+)\s+(pass|fail|error|convention|unsupported)\b", out.stdout, re.M))
    return out, rows


@pytest.fixture(scope="module")
def learner_run():
    return _check(str(LEARNER), "--dtypes", "float64")


def test_check_names_exactly_the_three_mistakes(learner_run):
    out, rows = learner_run
    assert out.returncode == 1, out.stderr
    assert set(rows) == set(registry.OPS) | set(RUNS)
    assert {op for op, s in rows.items() if s == "fail"} == MISTAKES
    assert {op for op, s in rows.items() if s in ("pass", "convention")} == WRITTEN - MISTAKES
    # hand-written numpy has no training step: the training runs are not drawn for
    assert {op for op, s in rows.items() if s == "unsupported"} == \
        set(registry.OPS) - WRITTEN | set(RUNS)
    assert re.search(r"^sgd +unsupported +not implemented: learner offers no training step$",
                     out.stdout, re.M)


def test_each_mistake_comes_with_a_shrunk_input_and_a_repro_that_runs(learner_run):
    out, _ = learner_run
    repros = re.findall(r"^(    from comparisons\.check import plug_in\n(?:    .*\n)+)", out.stdout, re.M)
    assert len(repros) == len(MISTAKES) == out.stdout.count("shrunk input: ")
    for text in repros:
        script = "\n".join(line[4:] for line in text.splitlines())
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             timeout=120, cwd=ROOT)
        assert run.returncode == 0, run.stderr
        assert "refimpl:" in run.stdout and "learner:" in run.stdout


def test_the_learner_fixed_passes(tmp_path):
    fixed = tmp_path / "learner"
    shutil.copytree(LEARNER, fixed)
    code = (fixed / "__init__.py").read_text()
    for wrong, right in [
        ("return dout * self.x * (1 - self.x)", "return dout * self.e / (1 + self.e) ** 2"),
        ("e = np.exp(x)  ", "e = np.exp(x - np.max(x, axis=axis, keepdims=True, initial=-np.inf))  "),
        ("total / len(y)", "total / y.size"), ("d / len(y)", "d / y.size"),
    ]:
        assert wrong in code
        code = code.replace(wrong, right)
    (fixed / "__init__.py").write_text(code)
    out, rows = _check(str(fixed), "--dtypes", "float64", "--ops", ",".join(sorted(WRITTEN)))
    assert out.returncode == 0, out.stdout
    assert set(rows.values()) <= {"pass", "convention"}


def test_a_stub_or_a_missing_backward_is_unsupported_not_an_error(tmp_path):
    mine = tmp_path / "mine.py"
    mine.write_text("import numpy as np\n"
                    "def relu(x):\n    return np.maximum(x, 0.0)\n"
                    "def tanh(x):\n    raise NotImplementedError('fill me in')\n")
    out, rows = _check(str(mine), "--dtypes", "float64", "--ops", "relu,tanh,sigmoid")
    assert out.returncode == 0, out.stdout + out.stderr
    assert rows == {"relu": "pass", "tanh": "unsupported", "sigmoid": "unsupported"}
    assert "(grad: not implemented: relu_backward)" in out.stdout
    assert "not implemented: fill me in" in out.stdout


def test_an_adapter_module_is_judged_as_a_framework(tmp_path):
    """A module that keeps the contract plugs in as a framework: here one whose twins are
    refimpl's own ops, differentiated by refimpl.grad, so every row it has passes."""
    plugin = tmp_path / "selfcheck.py"
    plugin.write_text(
        "import numpy as np\nimport refimpl\nfrom comparisons.reference import as_tuple, vjp_loss\n"
        "VERSION = refimpl.__name__\nfrom refimpl import sigmoid, mul\n"
        "def to_native(a):\n    return np.asarray(a)\n"
        "def to_numpy(t, dtype):\n    return np.asarray(t)\n"
        "def forward(fn, arrays, kwargs, elementwise=False):\n    return fn(*arrays, **kwargs)\n"
        "def vjp(fn, arrays, kwargs, cotangents, wrt=None, elementwise=False):\n"
        "    wrt = tuple(range(len(arrays))) if wrt is None else tuple(wrt)\n"
        "    loss = lambda *xs: vjp_loss(fn(*xs, **kwargs), cotangents)\n"
        "    return None, refimpl.grad(loss, argnums=wrt)(*arrays)\n")
    out, rows = _check(str(plugin), "--ops", "sigmoid,mul,relu")
    assert out.returncode == 0, out.stdout + out.stderr
    assert rows == {"sigmoid": "pass", "mul": "pass", "relu": "unsupported"}


def test_register_refuses_what_is_not_an_adapter():
    with pytest.raises(TypeError, match=r"^half: not an adapter: it lacks vjp \(see comparisons\.adapters\.Adapter\)$"):
        m = types.ModuleType("half")
        m.VERSION, m.to_native, m.to_numpy, m.forward = "0", np.asarray, np.asarray, print
        adapters.register("half", m, lambda op: None)


def test_the_learner_adapter_reads_both_styles():
    m = types.ModuleType("mine")
    m.mul = lambda a, b: a * b
    m.mul_backward = lambda a, b, dout: (dout * b, dout * a)

    class MulLayer:                     # the book's name for the same node
        def forward(self, a, b):
            self.a, self.b = a, b
            return a * b

        def backward(self, dout):
            return dout * self.b, dout * self.a

    op = registry.OPS["mul"]
    x, y, g = np.array([2.0, 3.0]), np.array([5.0, 7.0]), np.array([1.0, 10.0])
    for module in (m, types.SimpleNamespace(__name__="book", MulLayer=MulLayer)):
        twin = learner.twin_of(module)(op)
        assert learner.forward(twin, [x, y], {}).tolist() == [10.0, 21.0]
        assert [d.tolist() for d in learner.vjp(twin, [x, y], {}, [g])[1]] == [[5.0, 70.0], [2.0, 30.0]]


def test_new_impl_writes_stubs_that_check_calls_unsupported_until_filled_in(tmp_path):
    folder = tmp_path / "mine"
    made = subprocess.run([sys.executable, "-m", "comparisons.cli", "new-impl", str(folder)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert made.returncode == 0, made.stderr
    code = (folder / "__init__.py").read_text()
    # every op, forward beside backward, the arrays first, then dout, then the options
    assert code.count("raise NotImplementedError") == 2 * len(registry.OPS)
    assert "def mse_backward(y_hat, t, dout, reduction='mean'):" in code
    assert "def repeat_backward(x, dout, n, axis):" in code
    assert code.index("def matmul(") < code.index("def add(") < code.index("def sigmoid(") \
        < code.index("def mse(")                     # the teaching order (comparisons/learn/pages/)
    out, rows = _check(str(folder))
    assert out.returncode == 0, out.stdout + out.stderr
    assert rows == {op: "unsupported" for op in [*registry.OPS, *RUNS]}
    assert out.stdout.count("not implemented") == len(registry.OPS) + len(RUNS)

    code = code.replace('''def relu(x):
    """''', '''def relu(x):
    return np.maximum(x, 0.0)
    """''').replace('''def relu_backward(x, dout):
    """''', '''def relu_backward(x, dout):
    return dout * (x > 0)
    """''')
    (folder / "__init__.py").write_text(code)
    out, rows = _check(str(folder), "--ops", "relu,tanh", "--dtypes", "float64")
    assert rows == {"relu": "convention", "tanh": "unsupported"}, out.stdout


def test_new_impl_refuses_to_overwrite(tmp_path):
    (tmp_path / "__init__.py").write_text("# mine\n")
    made = subprocess.run([sys.executable, "-m", "comparisons.cli", "new-impl", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert made.returncode == 2
    assert made.stderr == f"refimpl: error: {tmp_path / '__init__.py'} exists; choose a new folder\n"
    assert (tmp_path / "__init__.py").read_text() == "# mine\n"


def test_an_installed_entry_point_is_found_by_its_name(monkeypatch):
    from comparisons import check

    mine = types.ModuleType("mygrad_twins")
    mine.relu = lambda x: np.maximum(x, 0.0)
    ep = types.SimpleNamespace(name="mygrad", load=lambda: mine)
    monkeypatch.setattr("importlib.metadata.entry_points",
                        lambda group: [ep] if group == "refimpl.implementations" else [])
    assert check.load("mygrad") == ("mygrad", mine)


def test_the_readmes_framework_example_plugs_in(tmp_path):
    """The README's adapter example, as written there: exp passes; sigmoid fails in float32
    where torch underflows to 0 (an adapter without a probe() has no measured conventions
    to excuse it)."""
    pytest.importorskip("torch")
    readme = (ROOT / "README.md").read_text()
    block = readme.split("2. **A framework with its own autodiff**")[1].split("```python\n")[1].split("```")[0]
    (tmp_path / "torch_mine.py").write_text("\n".join(line[3:] for line in block.splitlines()) + "\n")
    out, rows = _check(str(tmp_path / "torch_mine.py"), "--ops", "exp,sigmoid,relu",
                       "--dtypes", "float32,float64")
    assert out.returncode == 1, out.stdout + out.stderr
    assert rows == {"exp": "pass", "sigmoid": "fail", "relu": "unsupported"}
    assert "float32 forward" in out.stdout and "got np.float64(0.0)" in out.stdout


def test_xfails_let_listed_failures_through_and_say_when_one_passes(tmp_path):
    xfails = tmp_path / "xfails.txt"
    xfails.write_text("# the learner's known mistakes\nsigmoid/float64/grad  # x for s\n"
                      "softmax/float64\nmse\nadd  # fixed already\n")
    out, rows = _check(str(LEARNER), "--dtypes", "float64", "--ops", "sigmoid,softmax,mse,add",
                       "--xfails", str(xfails))
    assert out.returncode == 0, out.stdout
    assert dict(re.findall(r"^(\w+)\s+(xfail|pass)\b", out.stdout, re.M)) == {
        "add": "pass", "sigmoid": "xfail", "softmax": "xfail", "mse": "xfail"}
    assert "-- listed: x for s" in out.stdout and "shrunk input" not in out.stdout
    assert "add" in out.stdout.split("listed in the xfails, but it does not fail")[0].splitlines()[-1]
    xfails.write_text("sigmoid/float64/forward\n")          # not the row that fails
    out, _ = _check(str(LEARNER), "--dtypes", "float64", "--ops", "sigmoid", "--xfails", str(xfails))
    assert out.returncode == 1 and re.search(r"^sigmoid\s+fail\b", out.stdout, re.M)
