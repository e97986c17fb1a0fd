"""Helpers of the CLI tests: the one-line-error check and folder listings."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data"


def assert_one_line_error(code: int, err: str, *fragments: str) -> None:
    """Exit code 2, exactly one stderr line starting with ``error:``, no traceback, each fragment present."""
    assert code == 2, (code, err)
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert "Traceback" not in err
    for f in fragments:
        assert f in err, (f, err)


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}
