"""Hypothesis profiles: `dev` (fast), `ci` (what `make test` runs), `thorough`.

Choose one with `pytest --hypothesis-profile=NAME`; plain `pytest` uses `dev`, or `ci`
when the CI environment variable is set.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

from _required import REQUIRED, problems
from comparisons import FRAMEWORKS, PLUGINS, PROFILES, import_everything


def pytest_configure(config):
    """Stop at once, in one line, when a required framework does not import or is not
    the version constraints.txt pins: its rows would be `missing` and the suite green."""
    found = problems()
    if found:
        pytest.exit(f"refimpl: {'; '.join(found)}. make test needs {', '.join(REQUIRED)} at "
                    "the versions in constraints.txt (`make clean test` reinstalls them); "
                    "set REFIMPL_FRAMEWORKS to test only the ones you installed.", returncode=3)
    # Hypothesis draws from the literals of the imported project modules: load them all
    # now (the shipped plug-ins' too: test_plugins.py runs them), so a test draws the same
    # cases whichever tests ran before it in its worker.
    import_everything(FRAMEWORKS + PLUGINS)


_common = dict(deadline=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.filter_too_much])
for _name, _examples in PROFILES.items():     # the report's profiles, by the same names
    settings.register_profile(_name, max_examples=_examples, **_common,
                              **(dict(derandomize=True, database=None) if _name == "ci" else {}))
settings.load_profile("ci" if os.environ.get("CI") else "dev")
