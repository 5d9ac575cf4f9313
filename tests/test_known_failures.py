"""Every framework defect the registry lists still reproduces, on its pinned case.

The registry's known failures excuse a `fail` in the report and in the conformance tests;
an excuse nobody re-checks outlives the defect. Each has a pinned case
(comparisons/known_failures.json, found and shrunk by ``python -m
comparisons.known_failures``); the harness must still say `fail` on it. When it does not,
the framework changed: the listing is stale and comes out of the registry.
"""

import pytest

from _required import left_out
from comparisons import known_failures

LISTED = known_failures.listed()
PINNED = known_failures.load()


def test_every_listed_defect_has_a_pinned_case_and_every_case_a_listing():
    assert sorted(set(LISTED) - set(PINNED)) == [], (
        "listed without a case: run python -m comparisons.known_failures")
    assert sorted(set(PINNED) - set(LISTED)) == [], "cases of defects no longer listed"


@pytest.mark.parametrize("key", sorted(LISTED))
def test_the_listed_defect_still_reproduces(key):
    op, framework, dtype, check = LISTED[key]
    if key not in PINNED:
        pytest.fail(f"{key}: no pinned case")
    o = known_failures.outcome(op, framework, dtype, check, PINNED[key])
    if left_out(o):
        pytest.skip(f"{framework} left out by REFIMPL_FRAMEWORKS")
    assert o.status == "fail", (
        f"{key} no longer reproduces ({o.status}: {o.detail}); if {framework} fixed it, "
        f"take it out of the registry's known_failures")
