"""Run folders never mix: the manifest is written last and the report reads only what it lists."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from _cli_helpers import assert_one_line_error
from ajx_actuarial.runs import MANIFEST, RunFolder, read_run


@pytest.fixture
def run_copy(small_run, tmp_path):
    d = tmp_path / "run"
    shutil.copytree(small_run, d)
    return d


def test_run_folder_lists_every_output(small_run):
    m = json.loads((small_run / MANIFEST).read_text("utf-8"))
    assert m["kind"] == "stress" and m["seed"] == 2026 and m["inputs"]["years"] == 30
    on_disk = {p.name for p in small_run.iterdir()} - {MANIFEST, "report.html"}
    assert set(m["files"]) == on_disk
    assert [s["file"] for s in m["scenarios"]] == [f"stress_{i:02d}.parquet" for i in range(9)]


def test_unlisted_files_are_ignored(run_cli, run_copy, tmp_path):
    # files an older run left behind: not in the manifest, so not in the report
    pd.DataFrame({"insured_loss": [9e12] * 5, "gross_loss": 9e12, "accidents": 1, "deaths": 1, "disabilities": 1}).to_parquet(
        run_copy / "simulation.parquet")
    pd.DataFrame({"insured_loss": [9e12]}).to_parquet(run_copy / "stress_09.parquet")
    code, _, err = run_cli("report", run_copy, "-o", tmp_path / "r.html")
    assert code == 0, err
    doc = (tmp_path / "r.html").read_text("utf-8")
    assert "Loss simulation" not in doc and "9,000,000" not in doc


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
