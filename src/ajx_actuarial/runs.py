"""Run folders: outputs of one run, listed in a manifest written last, under an exclusive lock.

``ajx demo`` and ``ajx stress`` write their outputs into a folder through a
:class:`RunFolder` (``with RunFolder(...) as run:``; a run that fails removes what it wrote,
and its folder if it made it). :meth:`RunFolder.start` first takes the folder's lock,
``.ajx-run.lock``, created atomically (``O_CREAT | O_EXCL``) and holding the pid, host, start
time and run id: a second run into the same folder while the first is alive refuses with one
:class:`~ajx_actuarial.errors.ValidationError` and touches nothing. A lock left by a process
that is gone (SIGKILL) is taken over with a warning, and the dead writers' temporary files
are removed (:func:`ajx_actuarial.io.remove_stale_temps`, also done by every start). The lock
is removed when the ``with`` block ends, on success or error. With the lock held,
:meth:`RunFolder.start` deletes the previous run's manifest first and then
the files it listed, so a run killed part-way leaves a folder without ``manifest.json``;
:meth:`RunFolder.finish` writes ``manifest.json`` last (run id, kind, seed, inputs, package
version, and every file with its size, rows and SHA-256). :func:`read_run` (used by
``ajx report``) accepts only a folder with a manifest, reads only the files it lists, and
refuses a listed file whose checksum changed, so outputs of two runs are never mixed. Every
file a run writes is listed, the HTML report included: a file written into a finished run
(``report.html`` by :func:`ajx_actuarial.report.write_report`) is added with :func:`list_in_run`.

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
import socket
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

from ._version import __version__
from .errors import AjxWarning, ValidationError
from .io import _pid_alive, atomic_path, remove_stale_temps, write_table

__all__ = ["MANIFEST", "LOCK", "RunFolder", "Run", "read_run", "add_to_run", "list_in_run", "run_lock", "is_plain_name", "save_stress"]

MANIFEST = "manifest.json"
LOCK = ".ajx-run.lock"
_LOCK_WRITE_S = 30.0  # an unreadable lock younger than this is being written: in use
_HELD: dict[str, str] = {}  # resolved folder -> token of the lock this process holds there
_RESERVED: set[str] = set()  # folders whose lock run_lock holds for a whole command: its RunFolder starts under it
FORMAT = 1
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def is_plain_name(name: str) -> bool:
    """Whether ``name`` may be a file of a run (plain ASCII: letters, digits, ``_ . -``; not the manifest)."""
    return bool(_PLAIN_NAME.match(name)) and name not in (".", "..", MANIFEST, LOCK)


def _check_name(name: str) -> str:
    if not is_plain_name(name):
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


def _read_lock(lock: Path) -> dict | None:
    try:
        info = json.loads(lock.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and isinstance(info.get("pid"), int) else None


def _lock_is_stale(lock: Path, info: dict | None) -> bool:
    """Whether the run that made ``lock`` is gone (its pid dead, on this host)."""
    if info is None:  # being written this instant, or left empty by a kill between create and write
        try:
            return time.time() - lock.stat().st_mtime > _LOCK_WRITE_S
        except OSError:
            return False
    if info.get("host") != socket.gethostname():
        return False  # another machine's process: its pid says nothing here
    if info["pid"] == os.getpid():
        return str(lock.parent.resolve()) not in _HELD  # this process, but not a lock it holds: a recycled pid
    return not _pid_alive(info["pid"])


def _acquire(folder: Path, kind: str, run_id: str) -> str:
    """Create ``folder/LOCK`` atomically for this process; returns its token. Refuses a live lock."""
    lock = folder / LOCK
    token = secrets.token_hex(8)
    doc = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
           "run_id": run_id, "kind": kind, "token": token}
    for _ in range(5):
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            info = _read_lock(lock)
            if not _lock_is_stale(lock, info):
                who = (f"pid {info['pid']} on {info.get('host')}, {info.get('kind') or 'a'} run {info.get('run_id')!r} started "
                       f"{info.get('started')}") if info else "a run starting now"
                raise ValidationError(f"output: run folder {str(folder)!r} is in use by another run ({who}); wait for it to finish "
                                      f"or give another -o folder (if that run is gone, delete {str(lock)!r})") from None
            if _read_lock(lock) != info:  # changed under us: another run took it over first
                continue
            try:
                lock.unlink()
            except FileNotFoundError:
                pass
            gone = remove_stale_temps(folder)
            warnings.warn(f"run folder {str(folder)!r}: took over the lock of a run that is gone "
                          f"({'pid ' + str(info['pid']) + ', started ' + str(info.get('started')) if info else 'unreadable lock'}); "
                          f"removed {len(gone)} temporary file(s) it left", AjxWarning, stacklevel=4)
            continue
        except OSError as exc:
            raise ValidationError(f"output: cannot lock run folder {str(folder)!r}: {exc.strerror or exc}") from exc
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh)
        _HELD[str(folder.resolve())] = token
        return token
    raise ValidationError(f"output: run folder {str(folder)!r} is in use by another run (its lock keeps changing); give another -o folder")


def _release(folder: Path) -> None:
    """Remove this process's lock of ``folder`` (only if it is still ours)."""
    token = _HELD.pop(str(folder.resolve()), None)
    lock = folder / LOCK
    info = _read_lock(lock)
    if token is not None and info is not None and info.get("token") == token:
        try:
            lock.unlink()
        except OSError:
            pass


@contextmanager
def run_lock(folder: str | os.PathLike[str], kind: str = "", run_id: str = "") -> Iterator[Path]:
    """Hold the lock of run folder ``folder`` for the ``with`` block (nothing to do if this process holds it already).

    A command that computes before it writes holds the lock from its start, so a second run into the
    same folder is refused at once, not after both computed; a :class:`RunFolder` started inside the
    block writes under this lock.

    Raises
    ------
    ValidationError
        Another live run holds the folder.
    """
    d = Path(folder)
    key = str(d.resolve())
    if key in _HELD:
        yield d
        return
    _acquire(d, kind, run_id)
    _RESERVED.add(key)
    try:
        yield d
    finally:
        _RESERVED.discard(key)
        _release(d)


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
        self._locked = False

    def __enter__(self) -> "RunFolder":
        return self.start()

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None:
            self.abort()
        self.release()
        return False

    def release(self) -> None:
        """Remove the folder's lock (done by the ``with`` block; call it after :meth:`start` used without one)."""
        if self._locked:
            self._locked = False
            _release(self.folder)

    def abort(self) -> None:
        """Remove what this run wrote and its lock (and its folder, if it made it and it is empty): a failed run leaves nothing."""
        for name in self.files:
            try:
                (self.folder / name).unlink(missing_ok=True)
            except OSError:
                pass
        self.files.clear()
        self.release()
        if self._created:
            try:
                self.folder.rmdir()
            except OSError:
                pass

    def start(self) -> "RunFolder":
        """Create the folder and take its lock; remove dead writers' temporary files, the previous run's manifest, then its files.

        Raises
        ------
        ValidationError
            Another live run holds the folder (nothing is touched), or the folder cannot be made.
        """
        d = self.folder
        try:
            created = not d.exists()
            d.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValidationError(f"output: cannot prepare run folder {str(d)!r}: {exc.strerror or exc}") from exc
        reserved = str(d.resolve()) in _RESERVED  # the command holds the lock since it began (run_lock): start under it
        if not reserved:
            _acquire(d, self.kind, self.run_id)
        self._locked, self._created = not reserved, created
        try:
            remove_stale_temps(d)
            old = _read_manifest(d)
            (d / MANIFEST).unlink(missing_ok=True)
            if old:
                for name in [*old.get("files", {}), *old.get("derived", [])]:
                    if isinstance(name, str) and _PLAIN_NAME.match(name):
                        (d / name).unlink(missing_ok=True)
        except OSError as exc:
            self.release()
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
    """Write ``df`` as ``name`` into the finished run in ``folder`` and list it in its manifest (under the folder's lock)."""
    with run_lock(folder):
        run = read_run(folder)
        w = RunFolder(run.folder, kind=run.manifest.get("kind", ""), seed=run.manifest.get("seed"), inputs=run.manifest.get("inputs", {}),
                      run_id=run.manifest["run_id"], files=dict(run.manifest["files"]), scenarios=list(run.manifest.get("scenarios", [])),
                      derived=list(run.manifest.get("derived", [])))
        p = w.write_table(df, name)
        w.finish()
    return p


def list_in_run(folder: str | os.PathLike[str], name: str) -> Path:
    """List the file ``name``, already written into the finished run in ``folder``, in its manifest (size and SHA-256).

    Used for ``report.html``, which is made from the finished run and so written after its
    manifest: the manifest is rewritten (atomically, under the folder's lock) to list it too.
    """
    with run_lock(folder):
        run = read_run(folder)
        p = run.folder / _check_name(name)
        if not p.is_file():
            raise ValidationError(f"run: cannot list {name!r} in run {run.manifest.get('run_id')!r}: no such file in {str(run.folder)!r}")
        doc = dict(run.manifest)
        doc["files"] = {**doc["files"], name: {"bytes": p.stat().st_size, "sha256": _sha256(p)}}
        with atomic_path(run.folder / MANIFEST) as tmp:
            tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
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
