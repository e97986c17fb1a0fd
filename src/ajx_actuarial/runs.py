"""Run folders: outputs of one run, listed in a manifest written last.

``ajx demo`` and ``ajx stress`` write their outputs into a folder through a
:class:`RunFolder` (``with RunFolder(...) as run:``; a run that fails removes what it wrote,
and its folder if it made it). :meth:`RunFolder.start` deletes the previous run's manifest first and then
the files it listed, so a run killed part-way leaves a folder without ``manifest.json``;
:meth:`RunFolder.finish` writes ``manifest.json`` last (run id, kind, seed, inputs, package
version, and every file with its size, rows and SHA-256). :func:`read_run` (used by
``ajx report``) accepts only a folder with a manifest, reads only the files it lists, and
refuses a listed file whose checksum changed, so outputs of two runs are never mixed.

Scenario outputs are named by position (``stress_00.parquet`` ...) and the manifest maps each
scenario name to its file, so names such as ``x/y`` and ``x?y`` or ``基准`` and ``压力`` never
collide and never reach the file system.

Adding an output to a finished run (e.g. ``adequacy.parquet`` for a new report section)::

    from ajx_actuarial.runs import add_to_run
    add_to_run("ajx-demo", adequacy_frame, "adequacy.parquet")   # rewrites the manifest

>>> import tempfile, pandas as pd
>>> run = RunFolder(tempfile.mkdtemp(), kind="example", seed=1)
>>> with run:
...     _ = run.write_table(pd.DataFrame({"x": [1]}), "x.parquet")
...     _ = run.finish()
>>> read_run(run.folder).files
['x.parquet']
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ._version import __version__
from .errors import ValidationError
from .io import atomic_path, write_table

__all__ = ["MANIFEST", "RunFolder", "Run", "read_run", "add_to_run", "save_stress"]

MANIFEST = "manifest.json"
FORMAT = 1
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _check_name(name: str) -> str:
    if not _PLAIN_NAME.match(name) or name in (".", "..", MANIFEST):
        raise ValidationError(f"run: file name {name!r} must be plain ASCII (letters, digits, _ . -) and not {MANIFEST!r}")
    return name


def _folder(folder: str | os.PathLike[str]) -> Path:
    d = Path(folder)
    if d.exists() and not d.is_dir():
        raise ValidationError(f"output: {str(d)!r} is a file; a run writes into a folder (give a folder name)")
    return d


def _read_manifest(d: Path) -> dict | None:
    try:
        data = json.loads((d / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@dataclass
class RunFolder:
    """Writer of one run's outputs into ``folder``; see the module docstring."""

    folder: Path
    kind: str
    seed: Any = None
    inputs: dict = field(default_factory=dict)
    run_id: str = field(default_factory=lambda: time.strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3))
    files: dict = field(default_factory=dict)
    scenarios: list = field(default_factory=list)
    derived: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self.folder = _folder(self.folder)
        self._created = False

    def __enter__(self) -> "RunFolder":
        return self.start()

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None:
            self.abort()
        return False

    def abort(self) -> None:
        """Remove what this run wrote (and its folder, if it made it and it is empty): a failed run leaves nothing."""
        for name in self.files:
            try:
                (self.folder / name).unlink(missing_ok=True)
            except OSError:
                pass
        self.files.clear()
        if self._created:
            try:
                self.folder.rmdir()
            except OSError:
                pass

    def start(self) -> "RunFolder":
        """Create the folder; remove the previous run's manifest, then the files it listed."""
        d = self.folder
        try:
            self._created = not d.exists()
            d.mkdir(parents=True, exist_ok=True)
            old = _read_manifest(d)
            (d / MANIFEST).unlink(missing_ok=True)
            if old:
                for name in [*old.get("files", {}), *old.get("derived", [])]:
                    if isinstance(name, str) and _PLAIN_NAME.match(name):
                        (d / name).unlink(missing_ok=True)
        except OSError as exc:
            raise ValidationError(f"output: cannot prepare run folder {str(d)!r}: {exc.strerror or exc}") from exc
        return self

    def _record(self, name: str, rows: int | None) -> Path:  # called right after a successful write
        p = self.folder / name
        self.files[name] = {"bytes": p.stat().st_size, "sha256": _sha256(p), **({"rows": rows} if rows is not None else {})}
        return p

    def write_table(self, df: pd.DataFrame, name: str) -> Path:
        """Write ``df`` as ``name`` (atomically) and list it in the manifest."""
        write_table(df, self.folder / _check_name(name))
        return self._record(name, len(df))

    def write_json(self, obj: Any, name: str) -> Path:
        """Write ``obj`` as JSON (UTF-8) and list it in the manifest."""
        with atomic_path(self.folder / _check_name(name)) as tmp:
            tmp.write_text(json.dumps(obj, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
        return self._record(name, None)

    def add_scenario(self, name: str, file: str) -> None:
        """Record that scenario ``name`` (any text) is stored in ``file`` (already written)."""
        self.scenarios.append({"name": str(name), "file": file})

    def finish(self, derived: tuple[str, ...] = ()) -> Path:
        """Write ``manifest.json`` last. ``derived``: files made from the run later (``report.html``)."""
        self.derived = sorted(set(self.derived) | {_check_name(n) for n in derived})
        doc = {"format": FORMAT, "run_id": self.run_id, "kind": self.kind, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
               "ajx_actuarial": __version__, "seed": self.seed, "inputs": self.inputs, "files": self.files,
               "scenarios": self.scenarios, "derived": self.derived}
        with atomic_path(self.folder / MANIFEST) as tmp:
            tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
        return self.folder / MANIFEST


@dataclass(frozen=True)
class Run:
    """A finished run read back: its manifest and checked access to the files it lists."""

    folder: Path
    manifest: dict

    @property
    def files(self) -> list[str]:
        return sorted(self.manifest.get("files", {}))

    def has(self, name: str) -> bool:
        return name in self.manifest.get("files", {})

    def path(self, name: str) -> Path:
        """Path of a listed file, after checking it is the file the run wrote."""
        meta = self.manifest.get("files", {}).get(name)
        if meta is None:
            raise ValidationError(f"report: {name!r} is not part of run {self.manifest.get('run_id')!r} in {str(self.folder)!r}")
        p = self.folder / name
        if not p.is_file():
            raise ValidationError(f"report: run {self.manifest.get('run_id')!r} lists {name!r} but the file is gone; rerun")
        if _sha256(p) != meta.get("sha256"):
            raise ValidationError(f"report: {name!r} in {str(self.folder)!r} changed after run {self.manifest.get('run_id')!r} "
                                  "(checksum differs); rerun the command that wrote the folder")
        return p

    def table(self, name: str) -> pd.DataFrame:
        p = self.path(name)
        try:
            return pd.read_parquet(p) if name.endswith(".parquet") else pd.read_csv(p)
        except Exception as exc:  # pyarrow raises several types on a corrupt file
            raise ValidationError(f"report: cannot read {name!r} in {str(self.folder)!r}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from exc

    def json(self, name: str) -> Any:
        try:
            return json.loads(self.path(name).read_text("utf-8"))
        except ValueError as exc:
            raise ValidationError(f"report: {name!r} in {str(self.folder)!r} is not valid JSON: {exc}") from exc

    def scenario_files(self) -> dict[str, str]:
        """Scenario name → its file, in run order."""
        return {s["name"]: s["file"] for s in self.manifest.get("scenarios", []) if self.has(s.get("file", ""))}


def read_run(folder: str | os.PathLike[str]) -> Run:
    """The finished run in ``folder``.

    Raises
    ------
    ValidationError
        No such folder, no (valid) ``manifest.json`` (an interrupted run, or files from an
        older version), or a manifest of a newer format.
    """
    d = Path(folder)
    if not d.is_dir():
        raise ValidationError(f"report: {str(d)!r} is not a folder of outputs (run `ajx demo -o DIR` or `ajx stress BOOK -o DIR`)")
    m = _read_manifest(d)
    if m is None:
        raise ValidationError(f"report: {str(d)!r} has no readable {MANIFEST}: not a complete run (interrupted, or written by an "
                              "older version); rerun `ajx demo -o DIR` or `ajx stress BOOK -o DIR`")
    if not isinstance(m.get("files"), dict) or m.get("format", 0) > FORMAT:
        raise ValidationError(f"report: {str(d / MANIFEST)!r} is not a manifest this version ({__version__}) can read")
    return Run(d, m)


def add_to_run(folder: str | os.PathLike[str], df: pd.DataFrame, name: str) -> Path:
    """Write ``df`` as ``name`` into the finished run in ``folder`` and list it in its manifest."""
    run = read_run(folder)
    w = RunFolder(run.folder, kind=run.manifest.get("kind", ""), seed=run.manifest.get("seed"), inputs=run.manifest.get("inputs", {}),
                  run_id=run.manifest["run_id"], files=dict(run.manifest["files"]), scenarios=list(run.manifest.get("scenarios", [])),
                  derived=list(run.manifest.get("derived", [])))
    p = w.write_table(df, name)
    w.finish()
    return p


def save_stress(result, run: RunFolder) -> None:
    """Write a stress comparison (``stress.parquet``) and each scenario's annual losses.

    Scenario files are numbered by position (``stress_00.parquet`` ...); the manifest maps names to files.
    """
    run.write_table(result.table.reset_index(), "stress.parquet")
    for i, (name, sim) in enumerate(result.simulations.items()):
        f = f"stress_{i:02d}.parquet"
        run.write_table(sim.annual[["insured_loss"]].reset_index(), f)
        run.add_scenario(name, f)
