"""The plug-ins shipped in the repository (comparisons.PLUGINS): implementations nobody here
wrote, judged through the same public path anyone's takes (comparisons/adapters.py).

They are installed by the extra [impls], which [dev] includes, so `make test` runs these.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import refimpl
from comparisons import FRAMEWORKS, PLUGINS, adapters, check, runner
from comparisons.xfails import of as xfails_of
from comparisons.adapters import Adapter

ROOT = Path(__file__).parents[1]
CONCEPTS = ("graph", "tensors", "activations", "losses")


@pytest.mark.parametrize("name", PLUGINS)
def test_each_plugin_is_an_installed_entry_point_that_keeps_the_contract(name):
    assert adapters.installed()[name].value == f"comparisons.{name}"
    ad = adapters.adapter(name)
    assert isinstance(ad, Adapter) and ad.VERSION


@pytest.mark.parametrize("name", FRAMEWORKS + PLUGINS)
def test_every_twin_is_named_and_called_like_its_refimpl_function(name):
    """A mirror keeps refimpl's names: a twin's module, name, parameters and defaults are
    refimpl's, so a reader finds one from the other (and the harness calls both alike)."""
    found = 0
    for concept in CONCEPTS:
        module = importlib.import_module(f"comparisons.{name}.{concept}")
        for fn_name, fn in vars(module).items():
            if fn_name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != module.__name__:
                continue
            ours = inspect.signature(getattr(refimpl, fn_name)).parameters.values()
            twin = inspect.signature(fn).parameters.values()
            assert [(p.name, p.default) for p in twin] == [(p.name, p.default) for p in ours], \
                f"comparisons/{name}/{concept}.py: {fn_name}"
            assert getattr(refimpl, fn_name).__module__ == f"refimpl.{concept}", fn_name
            found += 1
    assert found >= 20


def test_dezero_needs_np_int_and_its_plugin_lends_it_for_the_import_only():
    """The fix stays in the plug-in: DeZero 0.0.13 does not import under numpy 2 by itself,
    imports through comparisons.dezero, and numpy has no np.int afterwards."""
    plain = subprocess.run([sys.executable, "-c", "import dezero"], capture_output=True, text=True)
    assert plain.returncode != 0 and "has no attribute 'int'" in plain.stderr, plain.stderr
    code = ("import numpy as np, comparisons.dezero as d; "
            "assert not hasattr(np, 'int'), 'np.int leaked'; print(d.VERSION)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0.0.13"


def test_a_pool_worker_finds_a_plugin_by_its_entry_point_name():
    """refimpl report runs jobs in spawned processes that know nothing of the parent's
    registrations: the name alone must bring the plug-in in, and its note reaches the
    document."""
    doc = runner.run("dev", frameworks=("dezero",), ops=["mul", "neg"], dtypes=["float64"],
                     workers=2, accuracy=False)
    statuses = {(r["op"], r["check"]): r["status"] for r in doc["results"]}
    assert statuses == {(op, c): "pass" for op in ("mul", "neg") for c in ("forward", "grad")}
    plugin = doc["environment"]["plugins"]["dezero"]
    assert plugin["version"] == "0.0.13" and "np.int" in plugin["note"]


def test_check_writes_the_plugins_report_with_its_column(tmp_path, capsys):
    class Args:
        impl, ops, dtypes, profile, seed, xfails, out = "dezero", ["neg", "sum"], ["float64"], "dev", 0, None, tmp_path
        against = ["torch"]

    assert check.main(Args) == 1
    doc = json.loads((tmp_path / "parity.json").read_text())
    assert {r["framework"] for r in doc["results"]} == {"dezero", "torch"}
    md = (tmp_path / "parity.md").read_text()
    assert "| dtype | check | rtol | torch | dezero |" in md
    assert "| dezero (plug-in) | 0.0.13; DeZero 0.0.13 predates numpy 2" in md
    assert ("Reproduce: `refimpl check dezero --ops neg,sum --dtypes float64 --against torch "
            "--profile dev --seed 0`") in md
    # DeZero's Sum.backward tests hasattr(axis, 'len') (not '__len__'), so a tuple of axes
    # is wrapped in another tuple (dezero/utils.py, reshape_sum_backward)
    line = next(s for s in capsys.readouterr().out.splitlines() if s.startswith("sum "))
    assert "error" in line and "'>=' not supported between instances of 'tuple' and 'int'" in line
    assert line.endswith("[torch: pass]")


def _pytest(*args):
    """The run, and its tally: {"passed": 2, ...} from pytest's last line."""
    done = subprocess.run([sys.executable, "-m", "pytest", "--pyargs", "comparisons.conformance",
                           "-q", "-p", "no:cacheprovider", "--hypothesis-seed=0", *args],
                          capture_output=True, text=True, cwd=ROOT)
    last = done.stdout.strip().splitlines()[-1]
    return done, {what: int(n) for n, what in re.findall(r"(\d+) (\w+)", last)}


def test_pytest_runs_the_conformance_suite_on_a_plugin_with_its_xfails():
    """A framework's own CI: `pytest --pyargs comparisons.conformance --impl IMPL`. DeZero's
    sum fails on a tuple of axes (above): listed in its xfails, it is an xfail; unlisted,
    a failure with DeZero's error; an op it lacks is skipped, saying so."""
    picked = ("-k", "sum-float64-grad or neg-float64 or gelu-float64-forward")
    listed, tally = _pytest("--impl", "dezero", "--impl-xfails", "comparisons/dezero/xfails.txt",
                            *picked)
    assert listed.returncode == 0, listed.stdout
    assert {k: tally.get(k) for k in ("passed", "skipped", "xfailed")} == \
        {"passed": 2, "skipped": 1, "xfailed": 1}, listed.stdout
    unlisted, tally = _pytest("--impl", "dezero", "-rs", *picked)
    assert unlisted.returncode == 1
    assert {k: tally.get(k) for k in ("passed", "skipped", "failed")} == \
        {"passed": 2, "skipped": 1, "failed": 1}, unlisted.stdout
    assert "dezero: error: TypeError: '>=' not supported" in unlisted.stdout
    assert "not implemented: no gelu in comparisons.dezero" in unlisted.stdout


def test_the_conformance_suite_without_an_implementation_skips_saying_how():
    done, tally = _pytest("-k", "neg-float64", "-rs")
    assert done.returncode == 0 and tally.get("skipped") == 2 and "passed" not in tally
    assert "no implementation to judge: give --impl IMPL (or set REFIMPL_IMPL)" in done.stdout


@pytest.mark.parametrize("name", PLUGINS)
def test_every_failure_of_a_plugin_is_listed_with_its_cause(name, capsys):
    """Its xfails file (comparisons/<name>/xfails.txt) names every op that fails, each with
    the cause found in the implementation's source; the report prints them beside the rows.
    Here on the dev profile's draws; the committed report is made on ci's."""
    class Args:
        impl, ops, dtypes, profile, seed, out, against = name, None, None, "dev", 0, None, None
        xfails = xfails_of(name)

    assert check.main(Args) == 0, capsys.readouterr().out
    assert Args.xfails and all(why for why in Args.xfails.values())


def test_dezero_trains_step_for_step_with_refimpl_where_it_has_the_optimizer():
    """DeZero's training step (comparisons/dezero/training.py: its MLP and optimizers) on
    refimpl's runs: SGD with its weight-decay hook and MomentumSGD follow refimpl; Adam puts
    eps where Keras does, a convention its probe measures; what it lacks is unsupported."""
    check.plug_in("dezero")
    rows = check.run("dezero", ["sgd", "momentum", "adam", "nesterov"], ["float64"], "dev")
    status = {op: row.worst for (op, _fw, _dtype, _check), row in rows.items()}
    assert status == {"sgd": "pass", "momentum": "pass", "adam": "convention",
                      "nesterov": "unsupported"}
    assert "sqrt(v) + eps (epsilon hat) in dezero" in rows[("adam", "dezero", "float64",
                                                           "trajectory")].detail
    assert rows[("nesterov", "dezero", "float64", "trajectory")].detail == \
        "not implemented: DeZero has no nesterov optimizer"


def test_each_plugin_measures_its_conventions_with_its_own_functions():
    """A plug-in's probe() (comparisons/conventions/<name>.py) answers the facts it can,
    as the built-in frameworks' probes do; a fact it cannot measure is left out (the
    table's "–") and excuses nothing."""
    from comparisons import conventions

    dezero, autograd = conventions.measure("dezero"), conventions.measure("autograd")
    assert dezero["leaky_relu.default_slope"] == "0.2"        # dezero.functions.leaky_relu
    assert dezero["adam.eps_placement"] == "sqrt(v) + eps (epsilon hat)"
    assert autograd["relu_neg_zero"] == "-0.0"                # maximum(0, -0.0), float64
    assert "gelu.default" not in dezero and not conventions.differs("dezero", "gelu.default")
    table = conventions.table(("torch", "dezero", "autograd"))
    row = next(r for r in table if r["key"] == "gelu.default")
    assert row["dezero"] == "–" and row["autograd"] == "–"
