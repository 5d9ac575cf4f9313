"""Hypothesis profiles: `dev` (fast), `ci` (what `make test` runs), `thorough`.

Choose one with `pytest --hypothesis-profile=NAME`; plain `pytest` uses `dev`, or `ci`
when the CI environment variable is set.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

from _required import REQUIRED, problems
from comparisons import import_everything


def pytest_configure(config):
    """Stop at once, in one line, when a required framework does not import or is not
    the version constraints.txt pins: its rows would be `missing` and the suite green."""
    found = problems()
    if found:
        pytest.exit(f"refimpl: {'; '.join(found)}. make test needs {', '.join(REQUIRED)} at "
                    "the versions in constraints.txt (`make clean test` reinstalls them); "
                    "set REFIMPL_FRAMEWORKS to test only the ones you installed.", returncode=3)
    # Hypothesis draws from the literals of the imported project modules: load them all
    # now, so a test draws the same cases whichever tests ran before it in its worker.
    import_everything()


_common = dict(deadline=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.filter_too_much])
settings.register_profile("dev", max_examples=10, **_common)
settings.register_profile("ci", max_examples=100, derandomize=True, database=None, **_common)
settings.register_profile("thorough", max_examples=1000, **_common)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
