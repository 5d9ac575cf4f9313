"""Error messages are part of refimpl's public API: tests match them whole."""

import re


def exactly(message: str) -> str:
    """A ``pytest.raises(match=...)`` pattern for the whole message and nothing else."""
    return "^" + re.escape(message) + "$"
