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
