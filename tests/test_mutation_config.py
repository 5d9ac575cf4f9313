"""`make mutation` judges refimpl/ with the tests it is told about: keep that list whole.

mutmut runs each mutant against the test files in pyproject's
``pytest_add_cli_args_test_selection`` only; a numpy-only test file left out of it kills
nothing there, and the published score would undercount it silently. The equivalent
mutants (mutation/equivalent/*.toml) are checked against mutmut's own files by
``python -m mutation.score``; here, only that each entry says what and why.
"""

import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_every_numpy_only_test_file_is_in_the_mutation_run():
    selection = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"][
        "pytest_add_cli_args_test_selection"]
    numpy_only = {f"tests/{p.name}" for p in (ROOT / "tests").glob("test_refimpl_*.py")}
    assert numpy_only <= set(selection), sorted(numpy_only - set(selection))


def test_every_equivalent_mutant_has_a_reason_and_its_changed_line():
    files = sorted((ROOT / "mutation" / "equivalent").glob("*.toml"))
    assert files
    for path in files:
        for reason in tomllib.loads(path.read_text()).get("reason", []):
            assert reason["why"].strip(), path
            assert reason["mutants"], path
            module = f"refimpl.{path.stem}."
            for name, line in reason["mutants"].items():
                assert name.startswith(module) and "__mutmut_" in name, (path, name)
                assert line.strip(), (path, name)
