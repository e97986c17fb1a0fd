"""Shared small inputs for the CLI tests, built once per session."""

from __future__ import annotations

import pytest

import ajx_actuarial as ajx


@pytest.fixture(scope="session")
def inputs(tmp_path_factory):
    """A book (CSV), its priced version (Parquet) and experience (Parquet), in a read-only-by-convention folder."""
    d = tmp_path_factory.mktemp("inputs")
    book = ajx.synth.portfolio(200, rng=11)
    book.to_csv(d / "book.csv", index=False)
    ajx.price(book, "national-2025").to_parquet(d / "priced.parquet", index=False)
    ajx.synth.experience(ajx.synth.portfolio(600, rng=12), 2, rng=13).to_parquet(d / "exp.parquet", index=False)
    return {"book": d / "book.csv", "priced": d / "priced.parquet", "exp": d / "exp.parquet", "dir": d}


@pytest.fixture(scope="session")
def small_run(inputs, tmp_path_factory):
    """A finished stress run folder (regulator-2026, 30 years) for the report tests."""
    from ajx_actuarial.cli import main

    d = tmp_path_factory.mktemp("run") / "st"
    assert main(["stress", str(inputs["book"]), "--years", "30", "-o", str(d)]) == 0
    return d
