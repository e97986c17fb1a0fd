"""Run folders never mix: the manifest is written last and the report reads only what it lists.

A run holds the folder's lock: a second run into the same folder refuses in one line and touches
nothing; a lock of a run that is gone is taken over (with its temporary files removed).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from _cli_helpers import assert_one_line_error
from ajx_actuarial.errors import AjxWarning, ValidationError
from ajx_actuarial.runs import LOCK, MANIFEST, RunFolder, add_to_run, read_run


@pytest.fixture
def run_copy(small_run, tmp_path):
    d = tmp_path / "run"
    shutil.copytree(small_run, d)
    return d


def test_run_folder_lists_every_output(small_run):
    m = json.loads((small_run / MANIFEST).read_text("utf-8"))
    assert m["kind"] == "stress" and m["seed"] == 2026 and m["inputs"]["years"] == 30
    on_disk = {p.name for p in small_run.iterdir()} - {MANIFEST}
    assert set(m["files"]) == on_disk and LOCK not in on_disk
    assert [s["file"] for s in m["scenarios"]] == [f"stress_{i:02d}.parquet" for i in range(9)]


def test_unlisted_files_are_ignored(run_cli, run_copy, tmp_path):
    # files an older run left behind: not in the manifest, so not in the report
    pd.DataFrame({"insured_loss": [9e12] * 5, "gross_loss": 9e12, "accidents": 1, "deaths": 1, "disabilities": 1}).to_parquet(
        run_copy / "simulation.parquet")
    pd.DataFrame({"insured_loss": [9e12]}).to_parquet(run_copy / "stress_09.parquet")
    code, _, err = run_cli("report", run_copy, "-o", tmp_path / "r.html")
    assert code == 0, err
    doc = (tmp_path / "r.html").read_text("utf-8")
    # no simulation section (other sections may name it in words), and none of the stray numbers
    assert '<section id="simulation">' not in doc and "<h2>Loss simulation</h2>" not in doc and "9,000,000" not in doc


def test_changed_listed_file_is_refused(run_cli, run_copy, tmp_path):
    st = pd.read_parquet(run_copy / "stress.parquet")
    st.assign(loss_ratio=0.01).to_parquet(run_copy / "stress.parquet")
    code, _, err = run_cli("report", run_copy, "-o", tmp_path / "r.html")
    assert_one_line_error(code, err, "'stress.parquet'", "changed after run")
    assert not (tmp_path / "r.html").exists()


def test_corrupt_listed_file_is_one_line(run_cli, run_copy, tmp_path):
    (run_copy / "stress.parquet").write_bytes(b"PAR1 garbage")
    m = json.loads((run_copy / MANIFEST).read_text("utf-8"))  # as if the run itself had written garbage
    import hashlib

    m["files"]["stress.parquet"]["sha256"] = hashlib.sha256(b"PAR1 garbage").hexdigest()
    (run_copy / MANIFEST).write_text(json.dumps(m), "utf-8")
    code, _, err = run_cli("report", run_copy, "-o", tmp_path / "r.html")
    assert_one_line_error(code, err, "cannot read 'stress.parquet'")


def test_run_killed_part_way_into_an_older_run_is_refused(run_cli, inputs, run_copy, tmp_path, monkeypatch):
    """A rerun killed (SIGKILL: no clean-up) after writing some files leaves no manifest: the report refuses."""
    import ajx_actuarial.stress as st_mod

    monkeypatch.setattr(RunFolder, "abort", lambda self: None)  # SIGKILL runs no clean-up

    def killed(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(st_mod, "run_detailed", killed)
    code, _, _ = run_cli("demo", "-n", 100, "--years", 10, "--stress-years", 10, "-o", run_copy)
    assert code == 130
    names = {p.name for p in run_copy.iterdir()}
    assert MANIFEST not in names and "priced.parquet" in names  # the new run's partial files
    assert not any(n.startswith("stress_") for n in names)  # the old run's files were removed first
    code, _, err = run_cli("report", run_copy, "-o", tmp_path / "r.html")
    assert_one_line_error(code, err, "no readable manifest.json: not a complete run")


@pytest.mark.slow
def test_demo_rerun_replaces_the_older_run(run_cli, run_copy, tmp_path):
    old_id = read_run(run_copy).manifest["run_id"]
    code, _, err = run_cli("demo", "-n", 300, "--years", 20, "--stress-years", 20, "--seed", 5, "-o", run_copy)
    assert code == 0, err
    run = read_run(run_copy)
    assert run.manifest["run_id"] != old_id and run.manifest["kind"] == "demo" and run.manifest["seed"] == 5
    doc = (run_copy / "report.html").read_text("utf-8")
    assert run.manifest["run_id"] in doc and old_id not in doc


def test_failed_run_leaves_no_folder(run_cli, inputs, tmp_path, monkeypatch):
    import ajx_actuarial.stress as st_mod

    def boom(*a, **k):
        from ajx_actuarial.errors import ValidationError

        raise ValidationError("scenario[0]: simulated failure")

    monkeypatch.setattr(st_mod, "run_detailed", boom)
    code, _, err = run_cli("demo", "-n", 100, "--years", 10, "--stress-years", 10, "-o", tmp_path / "d")
    assert_one_line_error(code, err, "simulated failure")
    assert not (tmp_path / "d").exists()


# ---------------------------------------------------------------- the run folder's lock

DEMO = ["demo", "-n", "100", "--years", "10", "--stress-years", "10"]
_CLI = "import sys; from ajx_actuarial.cli import main; sys.exit(main(sys.argv[1:]))"
# the first run waits, holding the lock, until the test says go (so the second surely finds it alive)
_HELD_RUN = ("import sys, time, pathlib; from ajx_actuarial import runs; from ajx_actuarial.cli import main\n"
             "go = pathlib.Path(sys.argv[1]); finish = runs.RunFolder.finish\n"
             "def waiting(self, *a, **k):\n"
             "    t = time.time()\n"
             "    while not go.exists() and time.time() - t < 300: time.sleep(0.05)\n"
             "    return finish(self, *a, **k)\n"
             "runs.RunFolder.finish = waiting\n"
             "sys.exit(main(sys.argv[2:]))\n")


def _snapshot(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in d.iterdir()} if d.exists() else {}


def _assert_consistent(d: Path) -> dict:
    """Every file the manifest lists exists with its checksum; nothing else but the manifest; no lock, no temp file."""
    run = read_run(d)
    for name in run.files:
        run.path(name)  # exists, checksum verified
    assert {p.name for p in d.iterdir()} == set(run.files) | {MANIFEST}
    return run.manifest


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(timeout=60)
    return proc.pid


def _write_lock(d: Path, pid: int, host: str | None = None, age_s: float = 0.0) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    lock = d / LOCK
    lock.write_text(json.dumps({"pid": pid, "host": host or socket.gethostname(), "started": "2026-01-01T00:00:00+0000",
                                "run_id": "old-run", "kind": "demo", "token": "x"}), "utf-8")
    if age_s:
        os.utime(lock, (time.time() - age_s, time.time() - age_s))
    return lock


def test_two_concurrent_demos_into_one_folder(tmp_path):
    """``ajx demo -o same`` twice at once: the second refuses in one line and touches nothing; the first completes."""
    same, go = tmp_path / "same", tmp_path / "go"
    first = subprocess.Popen([sys.executable, "-c", _HELD_RUN, str(go), *DEMO, "--seed", "1", "-o", str(same)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 300
        while not (same / "summary.json").exists() and first.poll() is None and time.time() < deadline:
            time.sleep(0.1)  # the first run is at finish(), holding the lock
        assert first.poll() is None and (same / LOCK).exists(), first.stderr.read() if first.poll() is not None else "no lock"
        before = _snapshot(same)
        second = subprocess.run([sys.executable, "-c", _CLI, *DEMO, "--seed", "2", "-o", str(same)], capture_output=True, text=True,
                                timeout=300)
        assert_one_line_error(second.returncode, second.stderr, f"run folder {str(same)!r} is in use by another run",
                              f"pid {first.pid}")
        assert _snapshot(same) == before  # touched nothing
        go.touch()
        assert first.wait(timeout=300) == 0, first.stderr.read()
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    m = _assert_consistent(same)
    assert m["seed"] == 1 and "report.html" in m["files"] and len(m["files"]) >= 16


@pytest.mark.slow
def test_two_demos_started_together(tmp_path):
    """No staging: whichever order they reach the folder, each exits 0 or 2 in one line, and the folder holds one consistent run."""
    same = tmp_path / "same"
    procs = [subprocess.Popen([sys.executable, "-c", _CLI, *DEMO, "--seed", str(seed), "-o", str(same)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for seed in (1, 2)]
    results = [(p.wait(timeout=600), p.stderr.read()) for p in procs]
    assert 0 in [code for code, _ in results], results
    for code, err in results:
        if code:
            assert_one_line_error(code, err, "is in use by another run")
    assert _assert_consistent(same)["seed"] in (1, 2)


def test_live_lock_refuses_and_touches_nothing(run_cli, inputs, run_copy):
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        _write_lock(run_copy, holder.pid)
        before = _snapshot(run_copy)
        code, _, err = run_cli("stress", inputs["book"], "--years", 5, "-o", run_copy)
        assert_one_line_error(code, err, "is in use by another run", f"pid {holder.pid}", "if that run is gone, delete")
        assert _snapshot(run_copy) == before
        with pytest.raises(ValidationError, match="is in use by another run"):
            add_to_run(run_copy, pd.DataFrame({"x": [1]}), "extra.parquet")
        code, _, err = run_cli("report", run_copy)  # the report into the folder waits for no one: refused too
        assert_one_line_error(code, err, "is in use by another run")
        assert _snapshot(run_copy) == before
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("lock", ["other-host", "being-written"])
def test_a_lock_this_host_cannot_judge_is_respected(run_copy, lock):
    if lock == "other-host":
        _write_lock(run_copy, _dead_pid(), host="elsewhere.example")
    else:
        (run_copy / LOCK).write_text("")  # created this instant, pid not written yet
    with pytest.raises(ValidationError, match="is in use by another run"):
        RunFolder(run_copy, kind="t").start()
    assert (run_copy / LOCK).exists() and (run_copy / MANIFEST).exists()


@pytest.mark.parametrize("lock", ["dead-pid", "unreadable-old"])
def test_stale_lock_is_taken_over_and_temps_cleaned(run_copy, lock):
    """A run killed by SIGKILL leaves its lock and a hidden temporary file: the next run takes over and removes both."""
    dead = _dead_pid()
    if lock == "dead-pid":
        _write_lock(run_copy, dead)
    else:
        (run_copy / LOCK).write_text("{not json")
        os.utime(run_copy / LOCK, (time.time() - 3600, time.time() - 3600))
    temps = [run_copy / f".simulation.parquet.ajx-{dead}-0a1b2c3d.tmp", run_copy / f".report.html.ajx-{dead}-ff.tmp"]
    for t in temps:
        t.write_bytes(b"half a file")
    with pytest.warns(AjxWarning, match=r"took over the lock of a run that is gone .*removed 2 temporary file"):
        with RunFolder(run_copy, kind="t", seed=1) as run:
            assert json.loads((run_copy / LOCK).read_text())["pid"] == os.getpid()
            run.write_table(pd.DataFrame({"x": [1]}), "x.parquet")
            run.finish()
    assert not any(t.exists() for t in temps) and not (run_copy / LOCK).exists()
    assert _assert_consistent(run_copy)["files"].keys() == {"x.parquet"}


def test_next_run_removes_dead_writers_temps_without_a_lock(run_copy):
    dead = _dead_pid()
    tmp = run_copy / f".stress_03.parquet.ajx-{dead}-0000.tmp"  # SIGKILL in a large write, the lock already gone
    tmp.write_bytes(b"half")
    with RunFolder(run_copy, kind="t") as run:
        run.finish()
    assert not tmp.exists()


@pytest.mark.parametrize("fail", [None, ValidationError("boom"), KeyboardInterrupt()])
def test_lock_is_removed_at_the_end(run_copy, fail):
    with pytest.raises(type(fail)) if fail is not None else _nothing():
        with RunFolder(run_copy, kind="t") as run:
            assert (run_copy / LOCK).exists()
            run.write_table(pd.DataFrame({"x": [1]}), "x.parquet")
            if fail is not None:
                raise fail
            run.finish()
    assert not (run_copy / LOCK).exists()
    assert not (run_copy / "x.parquet").exists() if fail is not None else (run_copy / "x.parquet").exists()


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_second_run_in_the_same_process_refuses(tmp_path):
    with RunFolder(tmp_path / "r", kind="a") as run:
        with pytest.raises(ValidationError, match="is in use by another run"):
            RunFolder(tmp_path / "r", kind="b").start()
        run.finish()
    assert (tmp_path / "r" / MANIFEST).exists() and not (tmp_path / "r" / LOCK).exists()


# ---------------------------------------------------------------- every file listed, the report included


def test_report_into_the_folder_is_listed(run_cli, run_copy, tmp_path):
    code, _, err = run_cli("report", run_copy)
    assert code == 0, err
    m = _assert_consistent(run_copy)
    assert m["files"]["report.html"]["sha256"] == hashlib.sha256((run_copy / "report.html").read_bytes()).hexdigest()
    code, _, err = run_cli("report", run_copy, "--lang", "zh")  # rewritten: the manifest follows
    assert code == 0, err
    _assert_consistent(run_copy)
    code, _, err = run_cli("report", run_copy, "-o", tmp_path / "elsewhere.html")  # outside the folder: not the run's file
    assert code == 0, err
    assert "elsewhere.html" not in read_run(run_copy).files


@pytest.mark.parametrize("cmd", ["project", "stress"])
def test_a_busy_folder_is_refused_before_any_computation(run_cli, inputs, tmp_path, monkeypatch, cmd):
    """Two `ajx project` (or project + stress) into one folder both exited 0: the lock was taken only to write,
    after the computation, and the later run replaced the first. The command now holds it from its start."""
    import ajx_actuarial.projection as projection
    import ajx_actuarial.stress as stress_mod

    def computed(*a, **k):
        raise AssertionError("computed although the folder is busy")

    monkeypatch.setattr(projection, "project", computed)
    monkeypatch.setattr(stress_mod, "run_detailed", computed)
    folder = tmp_path / "busy"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        _write_lock(folder, holder.pid)
        before = _snapshot(folder)
        args = ["--years", 2, "--paths", 5] if cmd == "project" else ["--years", 5]
        code, _, err = run_cli(cmd, inputs["book"], *args, "-o", folder)
        assert_one_line_error(code, err, "is in use by another run", f"pid {holder.pid}")
        assert _snapshot(folder) == before
    finally:
        holder.kill()
        holder.wait()


def test_a_refused_command_removes_the_folder_it_made(run_cli, inputs, tmp_path):
    out = tmp_path / "new" / "run"
    code, _, err = run_cli("stress", inputs["book"], "--scenarios", tmp_path / "missing.toml", "-o", out)
    assert code == 2 and not (tmp_path / "new").exists(), err


def test_taking_over_a_dead_runs_lock_is_one_warning_line(inputs, tmp_path):
    """The takeover note was a raw Python warning over two lines (`.../demo.py:116: AjxWarning: ...` then the source)."""
    folder = tmp_path / "stale"
    _write_lock(folder, _dead_pid())
    proc = subprocess.run([sys.executable, "-c", _CLI, "stress", str(inputs["book"]), "--years", "5", "-o", str(folder)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: run folder") and "took over the lock" in lines[0], proc.stderr
