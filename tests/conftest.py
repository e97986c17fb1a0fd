import os

import pandas as pd
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


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
