"""make test stops, in one line, when a framework it needs is missing or at another version
(tests/_required.py, called by tests/conftest.py before anything runs)."""

import sys

import _required


def test_every_framework_imports_at_its_pinned_version_here():
    assert _required.problems() == []


def test_a_framework_that_does_not_import_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "comparisons.tensorflow", None)   # import now raises
    (problem,) = _required.problems()
    assert problem.startswith("tensorflow does not import (ModuleNotFoundError: ")


def test_another_version_is_named_with_the_pin(monkeypatch):
    pinned = _required.pins()
    monkeypatch.setattr(_required, "pins", lambda: {**pinned, "torch": "0.1", "tensorflow-cpu": "0.2"})
    problems = _required.problems()
    assert [p.split(" is ")[0] for p in problems] == ["torch", "tensorflow"]
    assert problems[0].endswith("constraints.txt pins 0.1")


def test_unknown_names_in_refimpl_frameworks_are_named(monkeypatch):
    monkeypatch.setattr(_required, "NAMED", ("torch", "mxnet"))
    monkeypatch.setattr(_required, "REQUIRED", ("torch",))
    assert _required.problems() == ["REFIMPL_FRAMEWORKS names mxnet: expected some of "
                                    "torch, tensorflow, jax"]
