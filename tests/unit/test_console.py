"""Console tables speak the language asked for: no English header left in a ``--lang zh`` table."""

import pandas as pd
from rich.console import Console

from ajx_actuarial.present.console import stress_table


def _render(table) -> str:
    c = Console(record=True, width=200)
    c.print(table)
    return c.export_text()


def _headers(text: str) -> list[str]:
    """A rich table's column headers, each rebuilt from its wrapped lines."""
    rows = [line.split("┃")[1:-1] for line in text.splitlines() if line.startswith("┃")]
    cols = zip(*rows)
    return [" ".join(p.strip() for p in col if p.strip()) if not any("\u4e00" <= ch <= "\u9fff" for p in col for ch in p)
            else "".join(p.strip() for p in col) for col in cols]


def test_stress_table_headers_in_both_languages():
    st = pd.DataFrame({"premium": [572.04e6], "expected_loss": [324.31e6], "loss_ratio": [0.601], "var_995": [353.67e6],
                       "share_funded": [0.442], "prevention_shortfall": [189.59e6], "limit_death": [765_520.0],
                       "premium_per_unit": [5720.4], "victim_compensation_share": [0.556], "share_deaths_paid_in_full": [0.0],
                       "cross_minimum_capital": [129.28e6]}, index=pd.Index(["baseline"], name="scenario"))
    en, zh = _render(stress_table(st, "t", "en")), _render(stress_table(st, "t", "zh"))
    en, zh = en + "\n" + " | ".join(_headers(en)), zh + "\n" + " | ".join(_headers(zh))  # headers wrap: rebuilt per column
    for head in ("limit (k CNY)", "premium (m CNY)", "premium / unit", "victims' loss paid", "deaths paid in full", "loss ratio",
                 "VaR 99.5 % (m CNY)", "C-ROSS capital (m)", "mandates paid"):
        assert head in en and head not in zh
    for head in ("情景", "每人限额（千元）", "保费（百万元）", "户均保费", "受害者获赔比例", "死亡足额赔付", "赔付率", "偿二代最低资本（百万元）",
                 "强制服务费用支付比例"):
        assert head in zh
    for cell in ("766", "572.04", "5,720", "55.6 %", "0.0 %", "60.1 %", "353.67", "129.28", "44.2 %"):  # same figures either way
        assert cell in en and cell in zh


# --- issue 24: progress bars with a total and an ETA, quiet off a terminal; whole texts; $COLUMNS -------------------------

import io  # noqa: E402

import pytest  # noqa: E402
from rich.progress import TimeRemainingColumn  # noqa: E402

from ajx_actuarial.present import frame_table, make_console, progress_bar  # noqa: E402


def _terminal(buf=None) -> Console:
    return Console(file=buf or io.StringIO(), force_terminal=True, width=120)


@pytest.mark.parametrize("steps", [8, 3])
def test_progress_bar_shows_a_known_total_at_once_and_scales_the_callbacks_steps(steps):
    bar, cb = progress_bar("simulating 2,000 years", _terminal(), total=2000)
    with bar as p:
        task = p.tasks[0]
        assert task.total == 2000 and task.completed == 0  # "0/2000", not "0/?", before the first block ends
        assert any(isinstance(c, TimeRemainingColumn) for c in p.columns)  # an ETA
        cb(1, steps)
        assert task.completed == pytest.approx(2000 / steps)
        cb(steps, steps)
        assert task.completed == pytest.approx(2000)


def test_progress_bar_without_a_total_takes_the_callbacks():
    bar, cb = progress_bar("stress", _terminal())
    with bar as p:
        cb(3, 10)
        assert p.tasks[0].total == 10 and p.tasks[0].completed == 3


def test_progress_bar_is_quiet_off_a_terminal():
    buf = io.StringIO()
    bar, cb = progress_bar("simulating", Console(file=buf, width=120), total=100)
    with bar:
        cb(1, 2)
        cb(2, 2)
    assert buf.getvalue() == ""


@pytest.mark.parametrize("width", [80, 250])
def test_frame_table_wrap_keeps_every_text_whole(width):
    long = " ".join(f"word{i}" for i in range(120))
    df = pd.DataFrame({"part": ["a long header that is still shown whole"], "value": [long], "number_with_a_long_name": [1.5]})
    text = _render_at(frame_table(df, title=long, wrap=True), width)
    assert "…" not in text
    assert all(f"word{i}" in text for i in range(120)) and all(w in text for w in "a long header that is still shown whole".split())


def _render_at(table, width: int) -> str:
    c = Console(record=True, width=width)
    c.print(table)
    return c.export_text()


def test_make_console_takes_columns_from_the_environment(monkeypatch):
    monkeypatch.setenv("COLUMNS", "97")
    assert make_console().width == 97
    assert make_console(width=61).width == 61


def test_the_cli_console_follows_each_commands_columns(run_cli, monkeypatch):
    """A console made at import kept the $COLUMNS of whichever test imported the CLI first (80),
    so later commands wrapped their output; each command now takes its own width."""
    from ajx_actuarial.cli._app import out

    monkeypatch.setenv("COLUMNS", "80")
    run_cli("--version")
    assert out.width == 80
    monkeypatch.delenv("COLUMNS")
    run_cli("--version")
    assert out.width == 160  # piped/captured: wide


def test_segment_table_folds_long_codes_instead_of_cutting_them():
    """The demo's prevention table showed 'hazardous_che…' at 160 columns: a code now folds, whole."""
    import ajx_actuarial as ajx
    from ajx_actuarial.present import segment_table

    book = ajx.synth.portfolio(3000, rng=4)
    res = ajx.prevention.assess(ajx.price(book, "national-2025"), rules="xinzhou-2024", fee_ratio=0.2)
    buf = io.StringIO()
    Console(file=buf, width=160, color_system=None).print(segment_table(res, "segments"))
    text = buf.getvalue()
    assert "…" not in text
    assert "hazardous_chem" in text.replace("│", "").replace(" ", "")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", [160, 120])
def test_stress_table_fits_the_console_whole(lang, width):
    """Piped at 160 columns the demo's stress table lost its last two columns (no right border); headers now wrap,
    number columns are no wider than their figures, and every column is shown at 160 and 120."""
    import ajx_actuarial as ajx
    from ajx_actuarial import stress
    from ajx_actuarial.present import stress_table

    st = stress.run(ajx.synth.portfolio(400, rng=2), "regulator-2026", years=30, rng=1)
    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None).print(stress_table(st, "stress", lang))
    lines = buf.getvalue().splitlines()
    assert max(len(x) for x in lines) <= width and "…" not in buf.getvalue()
    body = [x for x in lines if x.startswith("│")]
    assert body and all(x.rstrip().endswith("│") for x in body)  # the right border: nothing cropped
    assert body[0].count("│") == 11  # scenario + 9 measures
