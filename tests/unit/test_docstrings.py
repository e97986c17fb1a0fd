"""Every example in the package's docstrings runs and prints what it shows (doctest, per module)."""

import doctest
import importlib
import pkgutil

import pytest

import ajx_actuarial

MODULES = sorted(m.name for m in pkgutil.walk_packages(ajx_actuarial.__path__, "ajx_actuarial.") if not m.name.endswith("__main__"))


@pytest.mark.parametrize("name", ["ajx_actuarial", *MODULES])
def test_docstring_examples(name, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # an example that writes a file writes it here
    monkeypatch.setenv("MPLBACKEND", "Agg")
    mod = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in doctest.DocTestFinder().find(mod, name):  # docstrings defined in this module only
        runner.run(test)
    assert runner.failures == 0, f"{runner.failures} failing example(s) in {name}; see the captured output"
