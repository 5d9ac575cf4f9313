"""The adapter contract, and each framework's adapter, imported the first time it is asked for.

The adapter of a framework is its package, ``comparisons/<framework>/``, beside its twins:
what ``Adapter`` lists, nothing more. A framework that is not installed, or installed
but broken, never stops a run: its rows say why (``unavailable``).
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol, runtime_checkable

import numpy as np

from comparisons import FRAMEWORKS, first_line


@runtime_checkable
class Adapter(Protocol):
    """What the harness needs of an implementation: its version, the way in and out of its
    arrays, and how it runs a twin forward and backward. ``fn`` is a twin (a function of
    the implementation's arrays named like refimpl's); ``arrays`` are numpy arrays.

    A module is an adapter when it defines these names (``isinstance(module, Adapter)``).
    A plugged-in one may also have: ``training``, a module whose ``trajectory`` is its
    training step (comparisons/trajectory.py; without it the training rows are
    ``unsupported``); ``XFAILS``, the path of its expected failures with their causes
    (comparisons/xfails.py); ``NOTE``, what it had to be given to run (the report prints
    both); ``probe()``, its conventions measured (comparisons/conventions/__init__.py).
    torch's, in comparisons/torch/__init__.py, in short::

        VERSION = torch.__version__

        def to_native(a):
            return torch.from_numpy(a.copy())

        def to_numpy(t, dtype):
            return t.detach().numpy()

        def forward(fn, arrays, kwargs, elementwise=False):
            with torch.no_grad():
                return fn(*[to_native(a) for a in arrays], **kwargs)

        def vjp(fn, arrays, kwargs, cotangents, wrt=None, elementwise=False):
            xs = [to_native(a).requires_grad_(i in wrt) for i, a in enumerate(arrays)]
            ys = fn(*xs, **kwargs)
            ys_t = ys if isinstance(ys, tuple) else (ys,)
            return ys, torch.autograd.grad(ys_t, [xs[i] for i in wrt],
                                           [to_native(g) for g in cotangents])
    """

    VERSION: str

    def to_native(self, a: np.ndarray) -> Any:
        """A numpy array (float16, bfloat16, float32, float64 or int) as the
        implementation's array, of the same dtype and values."""

    def to_numpy(self, t: Any, dtype: np.dtype) -> np.ndarray:
        """The implementation's array back as numpy, in ``dtype``."""

    def forward(self, fn, arrays, kwargs: dict, elementwise: bool = False) -> Any:
        """``fn(*arrays, **kwargs)`` on the implementation's arrays: one output or a tuple.
        ``elementwise``: every output element depends on the same element of each input
        (a hint; jax compiles one program for every shape with it)."""

    def vjp(self, fn, arrays, kwargs: dict, cotangents, wrt=None,
            elementwise: bool = False) -> tuple:
        """(outputs, gradients): the gradients of sum_i <y_i, g_i> (g_i: ``cotangents``,
        numpy) with respect to the arrays whose indices are in ``wrt`` (default all; the
        others, targets and class indices, are constants), in that order."""

# What Adapter asks for, by name (a Protocol lists its members only from Python 3.12 on).
MEMBERS = ("VERSION", "to_native", "to_numpy", "forward", "vjp")


class Unsupported(Exception):
    """What an implementation does not offer (a twin it lacks, a stub that raises
    NotImplementedError): the harness reports the row ``unsupported``, with this message."""


_adapters: dict = {}
_import_errors: dict = {}   # framework -> why its import failed (not an ImportError)
_twins: dict = {}           # a plugged-in implementation -> its twin of a registry op
ENTRY_POINTS = "refimpl.implementations"
# Where a framework's version is read without importing it (one not in the run).
_DISTRIBUTIONS = {"torch": ("torch",), "tensorflow": ("tensorflow", "tensorflow-cpu"),
                  "jax": ("jax",)}


def adapter(framework: str):
    """The framework's adapter module, or None when it did not import: not installed (an
    ImportError: its rows are ``missing``) or broken (anything else, a jaxlib that does
    not match jax, a protobuf clash in TensorFlow: its rows are ``error``, see
    ``unavailable``). Either way the run goes on. A name that is not a built-in framework
    is a plugged-in implementation: registered in this process, or an installed entry
    point (loaded here, so a pool's worker finds it as the parent did)."""
    if framework not in _adapters:
        _import_errors.pop(framework, None)
        try:
            entry_point = None if framework in FRAMEWORKS else installed().get(framework)
            if framework in FRAMEWORKS:
                _adapters[framework] = importlib.import_module(f"comparisons.{framework}")
            elif entry_point is not None:
                plug_in(framework, entry_point.load())
            else:
                _adapters[framework] = None
        except ImportError:
            _adapters[framework] = None
        except Exception as e:   # installed but broken: the reason goes into its rows
            _adapters[framework] = None
            _import_errors[framework] = f"{framework} failed to import: {first_line(e)}"
    return _adapters[framework]


def installed() -> dict:
    """name -> entry point of each implementation installed in the group
    ``refimpl.implementations`` (the shipped plug-ins, PLUGINS, among them)."""
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group=ENTRY_POINTS)}


def register(name: str, adapter: Adapter, twin_of) -> None:
    """Plug an implementation in under ``name``, beside the built-in frameworks: its
    ``adapter`` keeps the contract, and ``twin_of(op)`` gives its twin of a registry op
    (or raises ``Unsupported``)."""
    if not isinstance(adapter, Adapter):
        missing = [n for n in MEMBERS if not hasattr(adapter, n)]
        raise TypeError(f"{name}: not an adapter: it lacks {', '.join(missing)} "
                        "(see comparisons.adapters.Adapter)")
    _adapters[name], _twins[name] = adapter, twin_of


def plug_in(name: str, module) -> None:
    """Register a module under ``name``. One that keeps the contract is a framework: its
    twins are its functions named like refimpl's, in ``module.<op.module>`` or ``module``
    itself. Any other is a learner's hand-written numpy (comparisons/learner.py)."""
    if not isinstance(module, Adapter):
        from comparisons import learner

        register(name, learner, learner.twin_of(module))
        return

    def twin_of(op):
        for where in (getattr(module, op.module, None), module):
            if where is not None and callable(getattr(where, op.name, None)):
                return getattr(where, op.name)
        raise Unsupported(f"not implemented: no {op.name} in {module.__name__}")
    register(name, module, twin_of)


def twin(framework: str, op):
    """The framework's twin of ``op``: a plugged-in implementation's own lookup, or the
    function named like refimpl's in comparisons/<framework>/<module>.py (imports the
    framework; AttributeError where it has none)."""
    if framework in _twins:
        return _twins[framework](op)
    return getattr(importlib.import_module(f"comparisons.{framework}.{op.module}"), op.name)


def unavailable(framework: str) -> tuple[str, str] | None:
    """(status, detail) of a framework that did not import: ("missing", "... is not
    installed") or ("error", "... failed to import: TypeError: ..."); None when it did."""
    if adapter(framework) is not None:
        return None
    if framework in _import_errors:
        return "error", _import_errors[framework]
    return "missing", f"{framework} is not installed"


def versions(frameworks=FRAMEWORKS) -> dict:
    """Each built-in framework's version, and each plugged-in implementation's of
    ``frameworks``; None where it is not installed or does not import. Those of
    ``frameworks`` come from their imported modules; the other built-ins' from the
    installed package's metadata, so a run never imports a framework it was not asked for."""
    from importlib import metadata

    out = {}
    for fw in dict.fromkeys(FRAMEWORKS + tuple(frameworks)):
        if fw in frameworks:
            a = adapter(fw)
            out[fw] = a.VERSION if a else None
            continue
        out[fw] = None
        for dist in _DISTRIBUTIONS[fw]:
            try:
                out[fw] = metadata.version(dist)
                break
            except metadata.PackageNotFoundError:
                continue
    return out
