"""A row of the registry: ``Op``, an op and what its comparison needs, and ``Convention``,
a documented way a framework computes it differently from refimpl."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable

from hypothesis import strategies as st

from comparisons import DTYPES, adapters
from comparisons import regions as R

ALL_DTYPES = tuple(DTYPES)


@dataclass(frozen=True)
class Op:
    name: str                      # the refimpl function's name, and every twin's
    module: str                    # refimpl.<module>, comparisons.<framework>.<module>
    concept: str                   # the concept it teaches (report grouping)
    # (dtype, regions, structure) -> hypothesis strategy of strategies.Case, the cases of
    # one entry of ``structures``; ``inputs(dtype)`` gives them all
    draw: Callable
    dtypes: tuple = ALL_DTYPES
    # How big an error may be is measured against: "value" (|ref|), "abs" (the same op on
    # |inputs|, for sums of terms) or a callable(case, dtype) -> list of arrays.
    forward_scale: object = "value"
    grad_scale: object = "abs"
    # framework -> {dtype or (dtype, check): reason}
    unsupported: dict = field(default_factory=dict)
    # (framework, dtype, check) -> why: a measured framework defect. The harness still
    # says `fail` (with its repro) and the report shows it; the tests expect it.
    known_failures: dict = field(default_factory=dict)
    domain: str = ""               # the input domain, in words, for the report
    # The arrays differentiated (indices); None: all. Losses differentiate the prediction
    # (and gaussian_nll's variance), never the target.
    wrt: tuple | None = None
    # case -> one bool mask per differentiated array, True where the op has no
    # derivative (relu at 0): a gradient that differs only there is a `convention`.
    kinks: Callable | None = None
    kink_points: str = ""          # where, in words
    # Measured conventions a framework may follow instead of refimpl's (see Convention).
    conventions: tuple = ()
    # Each output element depends only on the same element of its one input (every
    # output has the input's shape): jax runs such an op on one padded flat shape
    # instead of compiling it for every drawn shape (comparisons/jax/__init__.py).
    elementwise: bool = False
    # Where its values are drawn from and where a run's fell (comparisons/regions.py).
    regions: R.Regions = R.Regions()
    # Its pool of structures: the shapes and the arguments that change the program
    # (strategies.py says why a pool) or the keyword choices. A run gives each entry its
    # share of the examples, so every one is visited; (None,): shapes drawn freely.
    structures: tuple = (None,)

    def inputs(self, dtype: str, entry: int | None = None):
        """The strategy of this op's cases in ``dtype``: those of structure ``entry``, or
        of any (each drawn as likely)."""
        if entry is not None:
            return self.draw(dtype, self.regions, self.structures[entry])
        return st.sampled_from(self.structures).flatmap(lambda s: self.draw(dtype, self.regions, s))

    def smallest(self, dtype: str, holds=lambda case: True, max_examples: int = 2000):
        """The smallest of this op's cases in ``dtype`` for which ``holds(case)``, as
        hypothesis shrinks it (the simplest case of all by default); None when
        ``max_examples`` draws hold none."""
        from hypothesis import HealthCheck, find, settings
        from hypothesis.errors import NoSuchExample

        try:
            return find(self.inputs(dtype), holds, settings=settings(
                max_examples=max_examples, database=None, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck)))
        except NoSuchExample:
            return None

    def wrt_of(self, case) -> tuple:
        return tuple(range(len(case.arrays))) if self.wrt is None else self.wrt

    @property
    def reference(self):
        return getattr(importlib.import_module(f"refimpl.{self.module}"), self.name)

    def twin(self, framework: str):
        """The framework's twin (imports the framework; raises ImportError if missing)."""
        return adapters.twin(framework, self)


@dataclass(frozen=True)
class Convention:
    """A documented way a framework computes an op differently from refimpl.

    A mismatch is put down to it only when (1) the measured fact ``key`` (comparisons/conventions/)
    differs between that framework and the reference column (never refimpl's output),
    (2) refimpl itself is right on the case: it agrees with ``truth(op, case, dtype,
    check, cotangents)``, the answer by an independent formula in float64 (numpy's and the
    math module's functions, not refimpl's), so a refimpl bug is never excused, and (3) the
    framework's output agrees, within the usual tolerance, with ``expected(op, fn, case,
    dtype, check, cotangents, framework)``: the reference ``fn`` recomputed the framework's
    way (-> arrays, yardsticks or None). When the framework's way is a different formula
    for the same value (a derivative from the rounded output), ``consistent`` also
    requires the reference itself to agree with it within that formula's yardstick.
    """
    key: str
    checks: tuple
    expected: Callable
    truth: Callable
    consistent: bool = False
