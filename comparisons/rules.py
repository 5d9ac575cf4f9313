"""refimpl's own rules at NaN and at the kinks, written once and checked for refimpl alone.

Where an op has no derivative (relu at 0, any op at a NaN input) the frameworks pick
different values, and the harness excuses a framework there (a `kink` convention). That
excuse must not hide refimpl: if refimpl's value at the kink were wrong, every framework
would be excused and nothing would fail. So refimpl's choice at each kink is a rule,
stated here, and every case checks refimpl against it before any framework is judged
(``harness.run_case``): a broken rule is a `fail` for every framework, with its repro.

The rules (the choices refimpl's docstrings state; conventions' reference column holds
the same values):

- **NaN in, NaN out.** A NaN input gives a NaN output element (elementwise ops; a loss's
  element, or its whole reduction) and a NaN gradient element, for every op whose
  derivative depends on its input.
- **The subgradient at 0** (+0 and -0 alike): relu' = 0, step' = 0, leaky_relu' = slope,
  elu' = alpha (the x <= 0 side), and mae' = 0 where y_hat = t.

What is left to the frameworks' choice without a rule: the gradients of gelu and of the
losses at +-inf (a formula meets inf * 0 or inf - inf there).
"""

from __future__ import annotations

import numpy as np

from comparisons.ulp import ulp

# op -> the derivative refimpl takes at x = 0 (kwargs -> value)
AT_ZERO = {
    "relu": lambda kw: 0.0,
    "step": lambda kw: 0.0,
    "leaky_relu": lambda kw: kw.get("slope", 0.01),
    "elu": lambda kw: kw.get("alpha", 1.0),
}
ELEMENTWISE_LOSSES = ("mse", "mae", "huber")


def _f64(a):
    return np.asarray(a).astype(np.float64)


def broken(op, case, dtype: str, check: str, expected, cotangents) -> str | None:
    """Where refimpl's ``expected`` (outputs or gradients) breaks a rule, in words; else None."""
    nan_in = _nan_inputs(op, case)
    if nan_in is None:
        return None
    if check == "forward":
        y = _f64(expected[0])
        if op.elementwise or case.kwargs.get("reduction") == "none":
            bad = np.broadcast_to(nan_in, y.shape) & ~np.isnan(y)
        else:   # a loss reduced to one number
            bad = np.asarray(nan_in.any() and not np.isnan(y).all())
        return _where(bad, "NaN in, NaN out: a NaN input gave", y)
    if op.name == "neg" or op.name == "branch":
        return None        # derivatives that do not depend on x
    g = _f64(expected[0])
    bad = np.broadcast_to(nan_in, g.shape) & ~np.isnan(g)
    if bad.any():
        return _where(bad, "NaN in, NaN gradient out: a NaN input gave", g)
    return _at_zero(op, case, dtype, g, _f64(cotangents[0]))


def _nan_inputs(op, case):
    """Where an element's inputs hold a NaN, for the ops the rules cover; None elsewhere."""
    if op.elementwise and op.name not in ("pow",):
        return np.isnan(_f64(case.arrays[0]))
    if op.name in ELEMENTWISE_LOSSES:
        y, t = (_f64(a) for a in case.arrays[:2])
        return np.isnan(y) | np.isnan(t)
    return None


def _at_zero(op, case, dtype, g, dout):
    kw = case.kwargs
    if op.name in AT_ZERO:
        x = _f64(case.arrays[0])
        zero, want = x == 0, AT_ZERO[op.name](kw) * dout
    elif op.name == "mae":
        y, t = (_f64(a) for a in case.arrays[:2])
        zero, want = (y == t) & np.isfinite(y), np.zeros_like(g)
    else:
        return None
    want = np.broadcast_to(want, g.shape)
    with np.errstate(all="ignore"):   # refimpl rounds dout * value once in the dtype (and slope first)
        bad = zero & (np.abs(g - want) > 2 * ulp(want, dtype))
    return _where(bad, f"the subgradient at the kink ({op.kink_points}) is {np.ravel(want)[:1]} "
                  "times dout; refimpl gave", g)


def _where(bad, what, got) -> str | None:
    bad = np.asarray(bad)
    if not bad.any():
        return None
    i = tuple(int(k) for k in np.argwhere(bad)[0]) if bad.ndim else ()
    return f"refimpl breaks its own rule (comparisons/rules.py): {what} {np.asarray(got)[i]!r} at {i}"
