import numpy as np
import pandas as pd
import pytest

from _cli_helpers import assert_one_line_error, files_under


def test_simulate_cli(run_cli, tmp_path):
    book = tmp_path / "book.parquet"
    priced = tmp_path / "priced.parquet"
    run_cli("synth", "--n", 300, "-o", book)
    run_cli("price", book, "-o", priced)
    out = tmp_path / "sim.parquet"
    code, stdout, err = run_cli("simulate", priced, "--years", 200, "--limits", "beijing:2024", "-o", out)
    assert code == 0, err
    df = pd.read_parquet(out)
    assert len(df) == 200 and {"insured_loss", "deaths"} <= set(df.columns)
    assert "Beijing formula" in stdout and "VaR 99.5 %" in stdout


def test_simulate_cli_errors(run_cli, inputs, tmp_path):
    out = tmp_path / "sim.parquet"
    for args, msg in ((["--limits", "fixed:100"], "below the floor"), (["--years", 0], "years must be"),
                      (["--shock-cv", -1], "shock_cv"), (["--limits", "cap:5"], "--limits: expected")):
        code, _, err = run_cli("simulate", inputs["priced"], *args, "-o", out)
        assert code == 2 and msg in err and err.count("\n") == 1, err
        assert not out.exists()


def _broken(priced: pd.DataFrame, case: str) -> pd.DataFrame:
    p = priced.copy()
    if case == "negative premium":
        p["premium_ex_vat"] = -1.0
    elif case == "nan premium":
        p.loc[3, "premium_ex_vat"] = np.nan
    elif case == "premium as text":
        p["premium_ex_vat"] = p["premium_ex_vat"].map(lambda v: f"{v:,.2f}")  # "1,234.50": text, not numbers
    elif case == "float factor 1e300":
        p["float_factor"] = 1e300
    elif case == "float factor -1":
        p["float_factor"] = -1.0
    elif case == "unpriced":
        p = p.drop(columns=["premium", "premium_ex_vat", "float_factor"])
    return p


@pytest.mark.parametrize("case, msg", [
    ("negative premium", "simulate: column 'premium_ex_vat' must be finite and > 0; bad rows [0, 1, 2, 3, 4, ...]"),
    ("nan premium", "simulate: column 'premium_ex_vat' must be finite and > 0; bad rows [3] (values [nan])"),
    ("premium as text", "simulate: column 'premium_ex_vat' must be numeric"),
    ("float factor 1e300", "simulate: column 'float_factor' must be"),
    ("float factor -1", "simulate: column 'float_factor' must be"),
    ("unpriced", "simulate: the book is not priced (missing column(s) ['premium', 'premium_ex_vat', 'float_factor']); price it first"),
])
@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_simulate_cli_refuses_a_broken_priced_book_and_writes_nothing(run_cli, inputs, tmp_path, case, msg, suffix):
    """Issue 23: a negative premium exited 2 but left s.parquet behind; a text premium was a traceback."""
    src = tmp_path / "in" / f"bad{suffix}"
    src.parent.mkdir()
    bad = _broken(pd.read_parquet(inputs["priced"]), case)
    bad.to_parquet(src) if suffix == ".parquet" else bad.to_csv(src, index=False)
    out = tmp_path / "out"
    out.mkdir()
    code, _, err = run_cli("simulate", src, "--years", 10, "-o", out / "s.parquet")
    assert_one_line_error(code, err, msg)
    assert files_under(out) == set()


@pytest.mark.parametrize("args, msg", [
    (["--limits", "fixed:1e300"], "--limits 'fixed:1e300': LimitPolicy.limit_death: must be <= 100,000,000 CNY per person"),
    (["--limits", "fixed:abc"], "--limits: cannot read 'fixed:abc'"),
    (["--limits", "beijing:1800"], "--limits 'beijing:1800': income: no urban disposable income"),
    (["--scheduler", "file system"], "--scheduler: expected a dask scheduler address such as tcp://10.0.0.5:8786 or HOST:PORT, got 'file system'"),
    (["--scheduler", ""], "--scheduler: expected a dask scheduler address"),
    (["--scheduler", "tcp://127.0.0.1:1"], "simulate: cannot reach the dask scheduler at 'tcp://127.0.0.1:1'"),
])
def test_simulate_cli_bad_limits_and_scheduler(run_cli, inputs, tmp_path, args, msg):
    """Issue 23: --limits fixed:1e300 ran (a 300-digit label); --scheduler failed after 30 s as "file system::"."""
    if "cannot reach" in msg:
        pytest.importorskip("dask.distributed")
    code, _, err = run_cli("simulate", inputs["priced"], "--years", 10, *args, "-o", tmp_path / "s.parquet")
    assert_one_line_error(code, err, msg)
    assert "file system" not in err.replace("got 'file system'", "")
    assert files_under(tmp_path) == set()


def test_a_priced_parquet_keeps_its_table_so_simulate_checks_its_bounds(run_cli, tmp_path):
    """`ajx price -o x.parquet` dropped the frame's table, so a float_factor of 5 passed the generic (0, 10]
    bound against the table's [0.7, 1.3]. The Parquet file keeps rate_table / rate_table_toml (only those)."""
    import ajx_actuarial as ajx

    book, priced, bad = tmp_path / "b.parquet", tmp_path / "p.parquet", tmp_path / "bad.parquet"
    ajx.synth.portfolio(200, rng=3).to_parquet(book, index=False)
    assert run_cli("price", book, "-o", priced)[0] == 0
    q = pd.read_parquet(priced)
    assert set(q.attrs) == {"rate_table", "rate_table_toml"} and q.attrs["rate_table"] == "national-2025"
    q.loc[0, "float_factor"] = 5.0
    q.to_parquet(bad)
    code, _, err = run_cli("simulate", bad, "--years", 10, "-o", tmp_path / "s.parquet")
    assert code == 2 and "within the rate table's float floor and cap [0.7, 1.3]" in err and err.count("\n") == 1
    assert not (tmp_path / "s.parquet").exists()
