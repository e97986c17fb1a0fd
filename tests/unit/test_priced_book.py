"""The priced-book check (ajx_actuarial.priced.validate_priced) at simulate, simulate_many, stress and project,
and the size bounds shared with the CLI (ajx_actuarial._bounds)."""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial import LossModel, SimSpec
from ajx_actuarial._bounds import MAX_POLICIES, MAX_SCENARIOS, MAX_YEARS, shown
from ajx_actuarial.priced import FLOAT_FACTOR_MAX, float_bounds_of, validate_priced


@pytest.fixture(scope="module")
def book():
    return ajx.synth.portfolio(120, rng=3)


@pytest.fixture(scope="module")
def priced(book):
    return ajx.price(book, "national-2025")


def _text(s: pd.Series) -> pd.Series:
    return s.map(repr).astype(object)


BROKEN = {  # name: (change to the priced book, the message's fragment)
    "nan premium_ex_vat": (lambda p: p.assign(premium_ex_vat=np.where(np.arange(len(p)) == 4, np.nan, p["premium_ex_vat"])),
                           r"column 'premium_ex_vat' must be finite and > 0; bad rows \[4\] \(values \[nan\]\)"),
    "negative premium_ex_vat": (lambda p: p.assign(premium_ex_vat=-p["premium_ex_vat"]),
                                r"column 'premium_ex_vat' must be finite and > 0; bad rows \[0, 1, 2, 3, 4, \.\.\.\]"),
    "zero premium": (lambda p: p.assign(premium=0.0), r"column 'premium' must be finite and > 0"),
    "infinite premium": (lambda p: p.assign(premium=np.inf), r"column 'premium' must be finite and > 0"),
    "premium as text": (lambda p: p.assign(premium_ex_vat=_text(p["premium_ex_vat"])),
                        r"column 'premium_ex_vat' must be numeric, got dtype .* \(numbers stored as text\?\)"),
    "a word among premiums": (lambda p: p.assign(premium=p["premium"].astype(object).where(np.arange(len(p)) != 2, "n/a")),
                              r"column 'premium' must be numeric, got dtype object; not numbers at rows \[2\]"),
    "ex VAT above gross": (lambda p: p.assign(premium_ex_vat=p["premium"] * 2), r"'premium_ex_vat' must be <= premium"),
    "float factor 1e300": (lambda p: p.assign(float_factor=1e300), r"'float_factor' must be within the rate table's float floor and cap \[0\.7, 1\.3\]"),
    "float factor -1": (lambda p: p.assign(float_factor=-1.0), r"'float_factor' must be within .* \(values \[-1\.0"),
    "float factor nan": (lambda p: p.assign(float_factor=np.nan), r"'float_factor' must be within"),
    "unpriced, table unknown, 1e300": (lambda p: _no_table(p.assign(float_factor=1e300)), r"'float_factor' must be finite, > 0 and <= 10"),
    "missing column": (lambda p: p.drop(columns="float_factor"), r"the book is not priced \(missing column\(s\) \['float_factor'\]\); price it first"),
}


def _no_table(p: pd.DataFrame) -> pd.DataFrame:
    p = p.copy()
    p.attrs = {}
    return p


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_simulate_refuses_a_broken_priced_book(priced, case):
    change, match = BROKEN[case]
    with pytest.raises(ajx.ValidationError, match=r"^simulate: .*" + match):
        ajx.simulate(change(priced), 10, rng=1)


@pytest.mark.parametrize("case", ["negative premium_ex_vat", "float factor 1e300", "premium as text"])
def test_simulate_many_refuses_a_broken_priced_book(priced, case):
    change, match = BROKEN[case]
    with pytest.raises(ajx.ValidationError, match=match):
        ajx.simulate_many(change(priced), {"a": SimSpec(LossModel.default())}, 10, rng=1)


def test_an_unpriced_book_is_simulated_for_its_losses_alone_but_refused_where_priced_is_required(book):
    res = ajx.simulate(book, 5, rng=1)
    assert np.isnan(res.premium) and res.years == 5
    with pytest.raises(ajx.ValidationError, match=r"missing column\(s\) \['premium', 'premium_ex_vat', 'float_factor'\]"):
        validate_priced(book, "simulate")


def test_a_partly_priced_book_is_refused(book):
    with pytest.raises(ajx.ValidationError, match=r"simulate: the book is not priced \(missing column\(s\) \['premium_ex_vat', 'float_factor'\]\)"):
        ajx.simulate(book.assign(premium=100.0), 5, rng=1)


def test_the_check_reads_the_tables_bounds_and_copies_nothing(priced):
    assert float_bounds_of(priced) == (0.7, 1.3)
    assert float_bounds_of(_no_table(priced)) is None
    assert validate_priced(priced) is True
    # a float factor inside the generic bound but outside the recorded table's cap is refused only with the table
    p = priced.assign(float_factor=1.5)
    assert validate_priced(_no_table(p)) is True
    with pytest.raises(ajx.ValidationError, match=r"\[0\.7, 1\.3\]"):
        validate_priced(p)
    assert FLOAT_FACTOR_MAX == 10.0


def test_validation_does_not_copy_the_book():
    """Peak memory of the check on 200 000 policies: a few boolean temporaries, far below one float column (8 bytes a policy)."""
    import tracemalloc

    n = 200_000
    p = pd.DataFrame({"premium": np.full(n, 106.0), "premium_ex_vat": np.full(n, 100.0), "float_factor": np.ones(n)})
    tracemalloc.start()
    validate_priced(p)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 6 * n, peak


@pytest.mark.parametrize("case", ["negative premium_ex_vat", "float factor 1e300"])
def test_stress_and_project_check_the_book_they_priced(book, monkeypatch, case):
    """Both reprice the book; the book they priced is checked before any simulation (a broken pricing is caught)."""
    change, match = BROKEN[case]
    import ajx_actuarial.projection.loop as loop
    import ajx_actuarial.stress as st

    real = ajx.price
    monkeypatch.setattr(st, "price", lambda *a, **k: change(real(*a, **k)))
    with pytest.raises(ajx.ValidationError, match=r"stress: scenario 'a': .*" + match):
        st.run(book, [{"name": "a"}], years=10)
    monkeypatch.setattr(loop, "price", lambda *a, **k: change(real(*a, **k)))
    with pytest.raises(ajx.ValidationError, match=r"project: the book priced for the first year: .*" + match):
        ajx.project(book, years=1, paths=5)


# ----------------------------------------------------------------------------- sizes bounded before allocating


def test_bounds_are_the_clis():
    from ajx_actuarial.cli import _common

    assert (MAX_POLICIES, MAX_YEARS) == (_common.MAX_POLICIES, _common.MAX_YEARS) == (10_000_000, 1_000_000)
    assert MAX_SCENARIOS == 1_000


class _Huge(dict):
    """A mapping that claims 10^8 entries without holding them: refused by its length, never listed."""

    def __len__(self):
        return 10**8

    def items(self):  # pragma: no cover - must not be called
        raise AssertionError("listed")


@pytest.mark.parametrize("call, match", [
    (lambda p: ajx.simulate_many(p, _Huge(), 10, rng=1), r"simulate_many: scenarios must hold at most 1,000 scenarios, got 100,000,000"),
    (lambda p: ajx.simulate_many(p, {f"s{i}": SimSpec(LossModel.default()) for i in range(1001)}, 1, rng=1),
     r"at most 1,000 scenarios, got 1,001"),
    (lambda p: ajx.simulate_many(p, {1: SimSpec(LossModel.default())}, 10, rng=1), r"simulate_many: scenario names must be non-empty strings .* got 1"),
    (lambda p: ajx.simulate_many(p, {"": SimSpec(LossModel.default())}, 10, rng=1), r"scenario names must be non-empty strings"),
    (lambda p: ajx.simulate_many(p, {"a": SimSpec(LossModel.default())}, 10**7, rng=1), r"years must be an integer in \[1, 1,000,000\]"),
    (lambda p: ajx.simulate(p, 10, rng=1, progress="yes"), r"simulate: progress must be True, False or a callable"),
    (lambda p: ajx.simulate(p, 10, rng=1, events="no"), r"simulate: events must be True or False, got 'no'"),
    (lambda p: ajx.simulate(p, 10, rng=1, client="tcp://127.0.0.1:1"), r"client= is used only with backend='dask'"),
    (lambda p: ajx.simulate(p, 10, rng=1, backend="dask", client="file system"), r"client must be a dask.distributed Client or a scheduler address"),
    (lambda p: ajx.simulate(None, 10, rng=1), r"simulate: the book must be a pandas DataFrame, got NoneType"),
    (lambda p: ajx.synth.portfolio(10**12), r"portfolio: n must be an integer >= 1 and at most 10,000,000 .* got 1000000000000"),
    (lambda p: ajx.synth.portfolio(10**400), r"n must be an integer >= 1 and at most 10,000,000 .* got an integer of 401 digits"),
])
def test_sizes_are_bounded_before_anything_is_allocated(priced, call, match):
    with pytest.raises(ajx.ValidationError, match=match):
        call(priced)


def test_a_scheduler_that_does_not_answer_is_one_error_naming_it(priced):
    pytest.importorskip("dask.distributed")
    with pytest.raises(ajx.ValidationError, match=r"simulate: cannot reach the dask scheduler at 'tcp://127\.0\.0\.1:1'"):
        ajx.simulate(priced, 10, rng=1, backend="dask", client="tcp://127.0.0.1:1")


def test_shown_never_echoes_a_huge_value():
    assert shown("x" * 1000).endswith("...") and len(shown("x" * 1000)) == 60
    assert shown(10**5000) == "a huge integer" and shown([1]) == "list"


@pytest.mark.parametrize("server", ["silent", "http"])
def test_something_that_is_not_a_dask_scheduler_is_refused_within_the_deadline(priced, monkeypatch, server):
    """A port that accepts but is not dask hung for 12 minutes (an HTTP server) or read garbage as a frame length
    (an exabyte allocation, a traceback); the handshake now has a hard deadline and one error naming the address."""
    pytest.importorskip("dask.distributed")
    import socket
    import threading

    import ajx_actuarial.losses._dask as dk

    monkeypatch.setattr(dk, "DASK_CONNECT_TIMEOUT", 1)
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    port = srv.getsockname()[1]
    held = []

    def serve():
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            held.append(conn)
            if server == "http":
                try:
                    conn.sendall(b"HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n" * 64)
                except OSError:
                    pass

    threading.Thread(target=serve, daemon=True).start()
    try:
        with pytest.raises(ajx.ValidationError, match=rf"simulate: no dask scheduler answers at 'tcp://127\.0\.0\.1:{port}'"):
            ajx.simulate(priced, 10, rng=1, backend="dask", client=f"tcp://127.0.0.1:{port}")
    finally:
        srv.close()
        for c in held:
            c.close()


def test_a_damaged_table_record_is_refused_not_ignored(priced):
    """A corrupt attrs['rate_table_toml'] fell back silently to the loose (0, 10] float-factor bound."""
    bad = priced.copy()
    bad.attrs = {**priced.attrs, "rate_table_toml": "not = [valid toml"}
    with pytest.raises(ajx.ValidationError, match=r"records a rate table .* without valid \[premium\] float_floor and float_cap"):
        ajx.simulate(bad, 10, rng=1)
