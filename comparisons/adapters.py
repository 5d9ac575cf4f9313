"""Each framework's adapter, imported the first time it is asked for.

The adapter of a framework is its package, ``comparisons/<framework>/``: ``VERSION``,
``forward``, ``vjp``, ``to_numpy`` and the ``REPRO`` template, beside the twins. A framework
that is not installed, or installed but broken, never stops a run: its rows say why
(``unavailable``).
"""

from __future__ import annotations

import importlib

from comparisons import FRAMEWORKS, first_line

_adapters: dict = {}
_import_errors: dict = {}   # framework -> why its import failed (not an ImportError)
# Where a framework's version is read without importing it (one not in the run).
_DISTRIBUTIONS = {"torch": ("torch",), "tensorflow": ("tensorflow", "tensorflow-cpu"),
                  "jax": ("jax",)}


def adapter(framework: str):
    """The framework's adapter module, or None when it did not import: not installed (an
    ImportError: its rows are ``missing``) or broken (anything else, a jaxlib that does
    not match jax, a protobuf clash in TensorFlow: its rows are ``error``, see
    ``unavailable``). Either way the run goes on."""
    if framework not in _adapters:
        _import_errors.pop(framework, None)
        try:
            _adapters[framework] = importlib.import_module(f"comparisons.{framework}")
        except ImportError:
            _adapters[framework] = None
        except Exception as e:   # installed but broken: the reason goes into its rows
            _adapters[framework] = None
            _import_errors[framework] = f"{framework} failed to import: {first_line(e)}"
    return _adapters[framework]


def unavailable(framework: str) -> tuple[str, str] | None:
    """(status, detail) of a framework that did not import: ("missing", "... is not
    installed") or ("error", "... failed to import: TypeError: ..."); None when it did."""
    if adapter(framework) is not None:
        return None
    if framework in _import_errors:
        return "error", _import_errors[framework]
    return "missing", f"{framework} is not installed"


def versions(frameworks=FRAMEWORKS) -> dict:
    """Each framework's version; None where it is not installed or does not import.
    Those of ``frameworks`` come from their imported modules; the others' from the
    installed package's metadata, so a run never imports a framework it was not asked for."""
    from importlib import metadata

    out = {}
    for fw in FRAMEWORKS:
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
