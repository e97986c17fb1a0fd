"""File I/O: encoding and delimiter detection, Excel and BOM CSV, atomic writes and stale temporary files."""

from __future__ import annotations

import errno
import os

import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial import io as aio

ZH = pd.DataFrame({"保单号": ["A1", "A2"], "行业": ["煤矿", "建筑施工"], "企业规模": ["大型", "微型"], "从业人数": [1500, 8]})


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_read_detects_encoding_and_delimiter(tmp_path, encoding, sep):
    p = tmp_path / "b.csv"
    ZH.to_csv(p, sep=sep, index=False, encoding=encoding)
    got = aio.read_table(p)
    pd.testing.assert_frame_equal(got, ZH)
    assert got.attrs["read"]["delimiter"] == sep
    assert ajx.validate_portfolio(got)["industry"].astype(str).tolist() == ["coal_mine", "construction"]


def test_explicit_encoding(tmp_path):
    p = tmp_path / "b.csv"
    ZH.to_csv(p, index=False, encoding="big5", errors="replace")  # big5 bytes are not valid GB18030 here
    with pytest.raises(ajx.ValidationError, match=r"unknown text encoding 'nope'"):
        aio.read_table(p, encoding="nope")
    ZH.to_csv(p, index=False, encoding="gbk")
    assert aio.read_table(p, encoding="gbk").shape == (2, 4)
    with pytest.raises(ajx.ValidationError, match=r"is not valid utf-8 text \(byte \d+\)"):
        aio.read_table(p, encoding="utf-8")


def test_detect_encoding_closed_cases():
    assert aio.detect_encoding("安全生产".encode("gb18030")) == "gb18030"
    assert aio.detect_encoding(b"\xef\xbb\xbfabc") == "utf-8-sig"
    with pytest.raises(ajx.ValidationError, match="neither UTF-8 nor GBK/GB18030"):
        aio.detect_encoding(b"\xff\xfe\x80\x80abc")


def test_duplicate_header_in_the_file(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("policy_id,headcount,headcount\n1,2,3\n")
    with pytest.raises(ajx.ValidationError, match=r"duplicate column\(s\) \['headcount'\] in the header"):
        aio.read_table(p)
    x = tmp_path / "d.xlsx"
    pd.DataFrame([[1, 2, 3]], columns=["policy_id", "headcount", "x"]).rename(columns={"x": "headcount"}).to_excel(x, index=False)
    with pytest.raises(ajx.ValidationError, match=r"duplicate column\(s\) \['headcount'\]"):
        aio.read_table(x)


def test_excel_round_trip_and_bom_csv(tmp_path):
    book = ajx.synth.portfolio(50, rng=1)
    aio.write_table(book, tmp_path / "b.xlsx")
    back = ajx.validate_portfolio(aio.read_table(tmp_path / "b.xlsx"))
    pd.testing.assert_frame_equal(back, ajx.validate_portfolio(book), check_dtype=False)
    aio.write_table(ZH, tmp_path / "z.csv")
    raw = (tmp_path / "z.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "煤矿".encode("utf-8") in raw
    with pytest.raises(ajx.ValidationError, match="cannot parse"):
        (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
        aio.read_table(tmp_path / "bad.xlsx")


def test_atomic_path_turns_os_errors_into_one_validation_error(tmp_path, monkeypatch):
    target = tmp_path / "t.parquet"

    def full(self, path, *a, **k):
        open(path, "wb").write(b"xx")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    with pytest.raises(ajx.ValidationError, match=r"write: cannot write '.*t\.parquet': No space left on device"):
        aio.write_table(ZH, target)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ajx.ValidationError, match="is a folder"):
        aio.write_table(ZH, tmp_path)


def test_stale_temporary_files(tmp_path):
    target = tmp_path / "x.csv"
    dead = tmp_path / ".x.csv.ajx-999999999-0000.tmp"
    mine = tmp_path / f".x.csv.ajx-{os.getpid()}-0000.tmp"  # this process may be writing it: kept
    young_legacy = tmp_path / ".x.csv.abcdefgh.tmp"  # an older version's name, written a moment ago: kept
    for f in (dead, mine, young_legacy):
        f.write_text("half")
    aio.write_table(ZH, target)
    assert not dead.exists() and mine.exists() and young_legacy.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, mine.name, young_legacy.name])


def test_temporary_file_of_a_sigkilled_writer_is_removed_by_the_next_write(tmp_path):
    """A real SIGKILL in the middle of a write: the killed process cannot clean up; the next write does."""
    import signal
    import subprocess
    import sys
    import time

    target = tmp_path / "book.parquet"
    code = ("import sys, time; from ajx_actuarial.io import atomic_path\n"
            "with atomic_path(sys.argv[1]) as tmp:\n"
            "    tmp.write_bytes(b'half a parquet file'); print('writing', flush=True); time.sleep(120)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(target)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    left = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(left) == 1 and f"ajx-{proc.pid}-" in left[0].name and not target.exists()
    deadline = time.time() + 5
    while time.time() < deadline and aio._pid_alive(proc.pid):  # the pid is reaped by wait(); be sure
        time.sleep(0.05)
    aio.write_table(ZH, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.parquet"]


# ---------------------------------------------------------------- reading: what is not a text CSV, ragged rows


def _parquet_bytes(tmp_path) -> bytes:
    ZH.to_parquet(tmp_path / "x.parquet")
    return (tmp_path / "x.parquet").read_bytes()


def _xlsx_bytes(tmp_path) -> bytes:
    ZH.to_excel(tmp_path / "x.xlsx", index=False)
    return (tmp_path / "x.xlsx").read_bytes()


@pytest.mark.parametrize("content, says", [
    (lambda d: _xlsx_bytes(d), "a zip archive (an Excel .xlsx workbook?)"),
    (lambda d: _parquet_bytes(d), "a Parquet file"),
    (lambda d: bytes(range(256)) * 8, "binary data (a NUL byte at byte 0)"),
    (lambda d: b"policy_id,industry\n1,coal\x00mine\n", "binary data (a NUL byte at byte 25)"),
    (lambda d: bytes(range(1, 9)) * 100, "binary data (800 control bytes"),
    (lambda d: b"\x81\xff" * 500, "is not a text CSV file: neither UTF-8 nor GBK/GB18030 text; pass --encoding"),
], ids=["xlsx", "parquet", "bytes", "nul", "control", "undecodable"])
def test_binary_file_named_csv_names_the_file(tmp_path, content, says):
    p = tmp_path / "book.csv"
    p.write_bytes(content(tmp_path))
    with pytest.raises(ajx.ValidationError) as e:
        aio.read_table(p)
    msg = str(e.value)
    assert msg.startswith(f"read: {str(p)!r} is not a text CSV file") and says in msg, msg


def test_binary_file_named_csv_is_one_line_in_the_cli(run_cli, tmp_path):
    p = tmp_path / "图书.csv"
    p.write_bytes(bytes(range(256)) * 4)
    code, _, err = run_cli("validate", p)
    assert code == 2 and err.count("\n") == 1 and "图书.csv" in err and "is not a text CSV file" in err, err


def test_utf16_text_is_not_called_binary(tmp_path):
    p = tmp_path / "u16.csv"
    p.write_bytes(ZH.to_csv(index=False, sep="\t").encode("utf-16"))
    with pytest.raises(ajx.ValidationError, match=r"not a text CSV file: neither UTF-8 nor GBK/GB18030 text; pass --encoding .*utf-16"):
        aio.read_table(p)
    pd.testing.assert_frame_equal(aio.read_table(p, encoding="utf-16"), ZH)


HEADER = "policy_id,industry,size,headcount\n"


@pytest.mark.parametrize("body, line, fields, why", [
    ("1,coal_mine,large,10,99\n2,coal_mine,large,10,99\n", 2, 5, "a stray delimiter"),  # every row: pandas would shift the names
    ("1,coal_mine,large,10,99\n2,coal_mine,large,10\n", 2, 5, "a stray delimiter"),
    ("1,coal_mine,large,10\n2,coal_mine,large,10\n3,coal_mine,large,10,5,6\n", 4, 6, "a stray delimiter"),
    ('1,"coal\nmine",large,10\n2,coal_mine,large,10,5\n', 4, 5, "a stray delimiter"),  # a quoted line break: physical line 4
    ("1,coal_mine,large,10,\n2,coal_mine,large,10,\n", 2, 5, "a trailing delimiter"),
], ids=["every-row", "first-row", "later-row", "quoted-newline", "trailing-delimiter"])
def test_ragged_csv_names_the_file_and_line(tmp_path, body, line, fields, why):
    p = tmp_path / "ragged.csv"
    p.write_text(HEADER + body, "utf-8")
    with pytest.raises(ajx.ValidationError) as e:
        aio.read_table(p)
    msg = str(e.value)
    assert f"{str(p)!r} line {line}: {fields} fields but the header has 4" in msg and why in msg, msg
    assert "industry" not in msg


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_ragged_csv_with_another_delimiter(tmp_path, sep):
    p = tmp_path / "r.csv"
    p.write_text(HEADER.replace(",", sep) + sep.join(["1", "coal_mine", "large", "10", "x"]) + "\n", "utf-8")
    with pytest.raises(ajx.ValidationError, match=r"line 2: 5 fields but the header has 4"):
        aio.read_table(p)


def test_ragged_csv_is_one_line_in_the_cli(run_cli, tmp_path):
    p = tmp_path / "book.csv"
    p.write_text(HEADER + "1,coal_mine,large,10,99\n", "utf-8")
    code, _, err = run_cli("validate", p)
    assert code == 2 and err.count("\n") == 1 and "book.csv' line 2: 5 fields" in err and "industry" not in err, err


def test_short_rows_still_read(tmp_path):
    p = tmp_path / "short.csv"
    p.write_text(HEADER + "1,coal_mine,large\n", "utf-8")
    assert aio.read_table(p)["headcount"].isna().all()


# ---------------------------------------------------------------- stale temporary files of any target in the folder


def _dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(timeout=60)
    return proc.pid


@pytest.mark.parametrize("write", ["table", "atomic_path"])
def test_any_write_removes_dead_writers_temps_in_the_folder(tmp_path, write):
    dead = _dead_pid()
    stale = [tmp_path / f".big.parquet.ajx-{dead}-a1b2c3d4.tmp", tmp_path / f".other.csv.ajx-{dead}-0000.tmp"]
    kept = [tmp_path / f".big.parquet.ajx-{os.getpid()}-0000.tmp",  # this process may be writing it
            tmp_path / f".x.csv.ajx-{os.getppid()}-0000.tmp",  # a live writer
            tmp_path / "notes.ajx-1-0.tmp", tmp_path / f"ajx-{dead}-x.tmp"]  # not a temporary file's name
    for f in stale + kept:
        f.write_bytes(b"half")
    if write == "table":
        aio.write_table(ZH, tmp_path / "new.csv")
    else:
        with aio.atomic_path(tmp_path / "new.txt") as tmp:
            tmp.write_text("ok")
    assert not any(f.exists() for f in stale) and all(f.exists() for f in kept)


def test_remove_stale_temps_returns_what_it_removed(tmp_path):
    dead = _dead_pid()
    f = tmp_path / f".priced.xlsx.ajx-{dead}-ff.tmp"
    f.write_bytes(b"x")
    assert aio.remove_stale_temps(tmp_path) == [f] and aio.remove_stale_temps(tmp_path / "missing") == []
