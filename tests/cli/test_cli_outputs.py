"""Output safety: unwritable targets, disk full, stale temporary files, Excel and BOM CSV outputs.

Every failure is one stderr line and exit 2, leaves no output file and no temporary file.
"""

from __future__ import annotations

import errno
import os
import time

import pandas as pd
import pytest

import ajx_actuarial.io as aio
from _cli_helpers import assert_one_line_error, files_under

# Each writing command, with its output as a FILE (or a run FOLDER for stress/demo).
WRITERS = {
    "synth": lambda i, o: ["synth", "-n", 20, "-o", o],
    "price": lambda i, o: ["price", i["book"], "-o", o],
    "simulate": lambda i, o: ["simulate", i["priced"], "--years", 10, "-o", o],
    "prevention": lambda i, o: ["prevention", i["priced"], "-o", o],
    "calibrate": lambda i, o: ["calibrate", i["exp"], "--factors", "std_grade", "-o", o],
    "stress": lambda i, o: ["stress", i["book"], "--years", 10, "-o", o],
    "demo": lambda i, o: ["demo", "-n", 100, "--years", 10, "--stress-years", 10, "-o", o],
    "report": lambda i, o: ["report", i["run"], "-o", o],
}
SUFFIX = {"synth": ".csv", "price": ".xlsx", "simulate": ".parquet", "prevention": ".csv", "calibrate": ".toml", "stress": "",
          "demo": "", "report": ".html"}
FOLDER_WRITERS = ("stress", "demo")


@pytest.fixture
def ins(inputs, small_run):
    """The shared inputs plus a finished run folder (for `report`)."""
    return {**inputs, "run": small_run}


@pytest.mark.parametrize("cmd", sorted(WRITERS))
def test_output_is_a_folder_or_a_file_in_the_way(run_cli, ins, tmp_path, cmd):
    if cmd in FOLDER_WRITERS:  # writes a folder: a file in the way
        target = tmp_path / "taken"
        target.write_text("keep me")
        msg = "is a file; a run writes into a folder"
    else:
        target = tmp_path / f"out{SUFFIX[cmd]}"
        target.mkdir()
        msg = "is a folder; give a file name"
    before = files_under(tmp_path)
    code, _, err = run_cli(*WRITERS[cmd](ins, target))
    assert_one_line_error(code, err, msg)
    assert files_under(tmp_path) == before


@pytest.mark.parametrize("cmd", sorted(WRITERS))
def test_read_only_target_folder(run_cli, ins, tmp_path, cmd, monkeypatch):
    """Permission denied when creating the temporary file (simulated: the tests may run as root)."""

    def denied(target):
        raise PermissionError(errno.EACCES, "Permission denied", str(target))

    monkeypatch.setattr(aio, "_make_temp", denied)
    target = tmp_path / "ro" / f"out{SUFFIX[cmd]}"
    code, _, err = run_cli(*WRITERS[cmd](ins, target))
    assert_one_line_error(code, err, "cannot write", "Permission denied")
    assert not target.exists()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores folder permissions")
def test_really_read_only_folder(run_cli, ins, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        code, _, err = run_cli("price", ins["book"], "-o", ro / "p.parquet")
        assert_one_line_error(code, err, "cannot write")
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o755)


def _disk_full_after_partial_write(monkeypatch):
    """Every pandas writer writes a few bytes, then fails with ENOSPC (a full disk)."""

    def full(self, path, *a, **k):
        with open(path, "wb") as fh:
            fh.write(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    for name in ("to_parquet", "to_csv", "to_json"):
        monkeypatch.setattr(pd.DataFrame, name, full)
    monkeypatch.setattr(aio, "_write_xlsx", lambda df, tmp: full(df, tmp))


@pytest.mark.parametrize("cmd", ["synth", "price", "simulate", "prevention", "stress"])
def test_disk_full(run_cli, ins, tmp_path, cmd, monkeypatch):
    target = tmp_path / "out" / f"o{SUFFIX[cmd]}"
    (tmp_path / "out").mkdir()
    _disk_full_after_partial_write(monkeypatch)
    code, _, err = run_cli(*WRITERS[cmd](ins, target))
    assert_one_line_error(code, err, "No space left on device")
    assert files_under(tmp_path / "out") == set(), "no output, no temporary file, no empty run folder"


def test_disk_full_writing_the_report(run_cli, tmp_path, monkeypatch, small_run):
    import pathlib

    real = pathlib.Path.write_text

    def full(self, *a, **k):
        if self.name.startswith(".r.html."):
            real(self, "partial")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *a, **k)

    monkeypatch.setattr(pathlib.Path, "write_text", full)
    code, _, err = run_cli("report", small_run, "-o", tmp_path / "r.html")
    assert_one_line_error(code, err, "No space left on device")
    assert [p.name for p in tmp_path.iterdir()] == []


def test_stale_temp_files_are_removed_by_the_next_write(run_cli, tmp_path):
    target = tmp_path / "book.csv"
    dead = tmp_path / ".book.csv.ajx-999999999-dead.tmp"  # writer killed (SIGKILL): no such pid
    legacy = tmp_path / ".book.csv.k3j4h5g6.tmp"  # older mkstemp name, two hours old
    live = tmp_path / f".book.csv.ajx-{os.getppid()}-live.tmp"  # a writer still running: kept
    other = tmp_path / ".other.csv.ajx-999999998-dead.tmp"  # another target's, its writer dead too: removed (same folder)
    other_live = tmp_path / f".other.csv.ajx-{os.getppid()}-live.tmp"  # another target's, writer alive: kept
    for f in (dead, legacy, live, other, other_live):
        f.write_text("half")
    old = time.time() - 7200
    os.utime(legacy, (old, old))
    code, _, err = run_cli("synth", "-n", 10, "-o", target)
    assert code == 0, err
    assert target.is_file() and not dead.exists() and not legacy.exists() and not other.exists()
    assert live.exists() and other_live.exists()


def test_excel_output_round_trips(run_cli, ins, tmp_path):
    xlsx, pq = tmp_path / "p.xlsx", tmp_path / "p.parquet"
    assert run_cli("price", ins["book"], "-o", xlsx)[0] == 0
    assert run_cli("price", ins["book"], "-o", pq)[0] == 0
    a, b = pd.read_excel(xlsx, sheet_name="data"), pd.read_parquet(pq)
    assert list(a.columns) == list(b.columns) and len(a) == len(b) == 200
    for c in b.columns:
        if pd.api.types.is_numeric_dtype(b[c]) and not pd.api.types.is_bool_dtype(b[c]):
            pd.testing.assert_series_equal(a[c].astype(float), b[c].astype(float), check_names=False, rtol=1e-12)
        else:
            assert a[c].astype(str).tolist() == b[c].astype(str).tolist(), c
    # read back as input too
    assert run_cli("validate", xlsx)[0] == 0


@pytest.mark.parametrize("cmd", ["synth", "simulate", "prevention"])
def test_every_table_command_writes_excel(run_cli, ins, tmp_path, cmd):
    out = tmp_path / "o.xlsx"
    code, _, err = run_cli(*WRITERS[cmd](ins, out))
    assert code == 0, err
    assert len(pd.read_excel(out)) > 0


def test_csv_has_a_bom_and_reads_back(run_cli, tmp_path):
    out = tmp_path / "b.csv"
    assert run_cli("synth", "-n", 30, "-o", out)[0] == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(out, encoding="utf-8-sig").columns[0] == "policy_id"


def test_excel_too_large_is_refused_before_writing(tmp_path, monkeypatch):
    monkeypatch.setattr(aio, "EXCEL_MAX_ROWS", 10)
    with pytest.raises(aio.ValidationError, match=r"do not fit one Excel sheet"):
        aio.write_table(pd.DataFrame({"x": range(20)}), tmp_path / "big.xlsx")
    assert list(tmp_path.iterdir()) == []
