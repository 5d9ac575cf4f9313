"""Error messages are part of refimpl's public API: tests match them whole."""

import re

import pytest


def case(call, error, message, id):
    """One case of a bad-input matrix: the call, the exception type and its whole message."""
    return pytest.param(call, error, message, id=id)


def exactly(message: str) -> str:
    """A ``pytest.raises(match=...)`` pattern for the whole message and nothing else."""
    return "^" + re.escape(message) + "$"
