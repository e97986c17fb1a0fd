"""Formula (CSV) injection: text from the inputs never becomes a live formula in an output.

OWASP's advice, applied in one place (``io.write_table``): a text cell starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` in CSV and JSON, and is
written as a literal (quote-prefixed) string in xlsx, never ``<f>``. Numbers are never
altered: a numeric column with negative numbers stays numeric.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial import io as aio

PAYLOADS = ['=HYPERLINK("http://x","click")', "=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
SAFE = ["Beijing", "北京", "a=b", "1-2", " =1"]  # do not start like a formula: written as they are


def _frame() -> pd.DataFrame:
    text = PAYLOADS + SAFE
    n = len(text)
    return pd.DataFrame({"label": text, "amount": np.linspace(-3.5, 2.5, n), "count": np.arange(n) - 5,
                         "cat": pd.Categorical(text), "s": pd.array(text, dtype="string")})


def _xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/"))


def _csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def _assert_no_formula(path: Path) -> None:
    xml = _xml(path)
    assert "<f>" not in xml and "<f " not in xml, re.findall(r"<f[ >].{0,60}", xml)[:3]


def _expected_csv(v: str) -> str:
    return "'" + v if v in PAYLOADS else v


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_write_table_neutralises_every_payload(tmp_path, fmt):
    df = _frame()
    before = df.copy()
    path = aio.write_table(df, tmp_path / f"t.{fmt}")
    pd.testing.assert_frame_equal(df, before)  # the caller's frame is not changed
    if fmt == "csv":
        rows = _csv_rows(path)
        assert rows[0] == ["label", "amount", "count", "cat", "s"]
        for row, v in zip(rows[1:], PAYLOADS + SAFE):
            assert row[0] == row[3] == row[4] == _expected_csv(v), row
        back = pd.read_csv(path, encoding="utf-8-sig")
        assert back["amount"].dtype == float and back["count"].dtype.kind == "i"  # numbers stay numbers
        np.testing.assert_allclose(back["amount"], df["amount"])
        assert (back["count"] == df["count"]).all() and (back["count"] < 0).any()
    elif fmt == "json":
        recs = json.loads(path.read_text("utf-8"))
        for rec, v, a, c in zip(recs, PAYLOADS + SAFE, df["amount"], df["count"]):
            assert rec["label"] == rec["cat"] == rec["s"] == _expected_csv(v)
            assert isinstance(rec["amount"], float) and rec["amount"] == pytest.approx(a)
            assert isinstance(rec["count"], int) and rec["count"] == c
    else:
        _assert_no_formula(path)
        from openpyxl import load_workbook

        ws = load_workbook(path)["data"]
        for r, v in enumerate(PAYLOADS + SAFE, start=2):
            for col in (1, 4, 5):
                cell = ws.cell(row=r, column=col)
                assert cell.data_type == "s" and cell.value == v.replace("\r", "\n"), (r, col, cell.value)
                assert cell.quotePrefix == (v in PAYLOADS)
            for col in (2, 3):  # numbers, negatives included
                assert ws.cell(row=r, column=col).data_type == "n"
        assert ws.cell(row=2, column=2).value == -3.5 and ws.cell(row=2, column=3).value == -5


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_column_name_is_neutralised_too(tmp_path, fmt, payload):
    path = aio.write_table(pd.DataFrame({payload: [1.5, -2.0], "x": ["a", "b"]}), tmp_path / f"h.{fmt}")
    if fmt == "csv":
        assert _csv_rows(path)[0][0] == "'" + payload
    else:
        _assert_no_formula(path)


def test_parquet_is_written_as_it_is(tmp_path):
    df = _frame()
    back = pd.read_parquet(aio.write_table(df, tmp_path / "t.parquet"))
    assert back["label"].tolist() == df["label"].tolist()


@pytest.mark.parametrize("values", [[-1.0, -2.5, 3.0], [-1, -2, 3], [np.nan, -1.0, 2.0]])
@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_negative_numbers_stay_numbers(tmp_path, fmt, values):
    df = pd.DataFrame({"premium_change": values, "note": ["-5", "ok", "=1"]})
    path = aio.write_table(df, tmp_path / f"n.{fmt}")
    back = pd.read_csv(path, encoding="utf-8-sig") if fmt == "csv" else pd.read_json(path) if fmt == "json" else pd.read_excel(path)
    assert pd.api.types.is_numeric_dtype(back["premium_change"])
    np.testing.assert_allclose(back["premium_change"].astype(float), np.asarray(values, dtype=float))
    assert back["note"].tolist() == (["-5", "ok", "=1"] if fmt == "xlsx" else ["'-5", "ok", "'=1"])


def test_object_column_mixing_numbers_and_text(tmp_path):
    df = pd.DataFrame({"v": pd.Series([-1.5, "=1+1", 7, None], dtype=object)})
    recs = json.loads(aio.write_table(df, tmp_path / "m.json").read_text("utf-8"))
    assert [r["v"] for r in recs] == [-1.5, "'=1+1", 7, None]


# ---------------------------------------------------------------- through the CLI


@pytest.fixture(scope="module")
def hostile_book(tmp_path_factory) -> Path:
    """A valid book whose free-text ``region`` carries every payload."""
    d = tmp_path_factory.mktemp("hostile")
    book = ajx.synth.portfolio(2 * len(PAYLOADS), rng=3)
    book["region"] = PAYLOADS * 2
    path = d / "book.parquet"  # (a CSV needs CRLF line ends to carry a bare CR inside a cell)
    book.to_parquet(path, index=False)
    return path


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_price_output_has_no_live_formula(run_cli, hostile_book, tmp_path, fmt):
    out = tmp_path / f"priced.{fmt}"
    code, _, err = run_cli("price", hostile_book, "-o", out)
    assert code == 0, err
    if fmt == "xlsx":
        _assert_no_formula(out)
        got = pd.read_excel(out)
        assert got["region"].tolist() == [p.replace("\r", "\n") for p in PAYLOADS * 2]
    else:
        got = pd.read_csv(out, encoding="utf-8-sig") if fmt == "csv" else pd.read_json(out)
        assert got["region"].tolist() == ["'" + p for p in PAYLOADS * 2]
    for c in ("premium", "premium_ex_vat", "headcount"):
        assert pd.api.types.is_numeric_dtype(got[c]) and (got[c] > 0).all(), c


def test_run_workbook_keeps_input_text_literal(run_cli, hostile_book, tmp_path):
    """A run workbook (``ajx stress ... -o x.xlsx``) with scenario names from the user's TOML and the book's regions."""
    names = PAYLOADS[:4]
    toml = "\n".join(f'[[scenario]]\nname = {json.dumps(n)}\nlimits = {{ policy = "fixed", amount = {400000 + 100000 * i} }}\n'
                     for i, n in enumerate(names))
    (tmp_path / "s.toml").write_text('[meta]\nname = "=cmd|calc"\n\n' + toml, "utf-8")
    out = tmp_path / "lab.xlsx"
    code, _, err = run_cli("stress", hostile_book, "--scenarios", tmp_path / "s.toml", "--years", 5, "-o", out)
    assert code == 0, err
    _assert_no_formula(out)
    from openpyxl import load_workbook

    texts = {c.value for ws in load_workbook(out) for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert set(names) <= texts  # the names are there, as text
