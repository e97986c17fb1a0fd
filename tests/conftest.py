import os

import pandas as pd
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
# pytest-xdist's workers run with COLUMNS=80, which the CLI honours (a user's $COLUMNS); the tests read
# the piped width (160) unless a test sets COLUMNS itself (monkeypatch.setenv).
os.environ.pop("COLUMNS", None)


@pytest.fixture
def small_book():
    return pd.DataFrame(
        {
            "policy_id": ["A1", "A2", "A3"],
            "industry": ["coal_mine", "other", "construction"],
            "size": ["medium", "micro", "small"],
            "headcount": [300, 8, 120],
        }
    )


@pytest.fixture
def run_cli(capsys):
    from ajx_actuarial.cli import main

    def _run(*args):
        code = main([str(a) for a in args])
        cap = capsys.readouterr()
        return code, cap.out, cap.err

    return _run
