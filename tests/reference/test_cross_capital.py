"""C-ROSS phase II minimum capital for 责任险 computed by hand from the rule text.

Source: 《保险公司偿付能力监管规则第4号：保险风险最低资本（非寿险业务）》 (2021 revision), Arts. 7, 9, 13, 20,
22, 26, 42 (public Markdown copy ferryhe/c-ross-2; DOMAIN.md §10.2, official*):
RF0 = 0.203 (premium), 0.433 (reserve); k1 steps −0.05 / 0 / +0.05 / +0.10 at combined ratios
(0, 95 %], (95 %, 100 %], (100 %, 105 %], > 105 %; MC = sqrt(P² + 2·0.5·P·R + R²).
Hand arithmetic in the comments; tolerance 1e-9 relative (float rounding only).
"""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.projection import capital, k1_combined_ratio, k1_reserve, k2_ceded, minimum_capital, premium_risk_capital


def _book():
    # one path, three years: ex-VAT premium 100 m, combined ratio 90 %, 100 %, 110 %; insured loss 60, 70, 80 m
    return pd.DataFrame({"path": [0, 0, 0], "year": [2026, 2027, 2028], "premium_ex_vat": [100e6] * 3,
                         "insured_loss": [60e6, 70e6, 80e6], "combined_ratio": [0.90, 1.00, 1.10],
                         "underwriting_result": [10e6, 0.0, -10e6]})


def test_three_combined_ratios_by_hand():
    cap = capital(_book(), initial_capital=25e6, outstanding_ratio=0.5)
    b = cap.by_year.set_index("year")
    # premium risk: 100 m × 0.203 × (1 + k1), k1 = −0.05 (≤ 95 %), 0 (100 %), +0.10 (> 105 %)
    assert b["k1"].tolist() == [-0.05, 0.0, 0.10]
    np.testing.assert_allclose(b["mc_premium"], [19.285e6, 20.3e6, 22.33e6], rtol=1e-12)
    # reserve risk: 0.5 × loss × 0.433 = 30 m × 0.433 = 12.99 m; 35 m → 15.155 m; 40 m → 17.32 m
    np.testing.assert_allclose(b["mc_reserve"], [12.99e6, 15.155e6, 17.32e6], rtol=1e-12)
    # aggregate: sqrt(19.285² + 19.285·12.99 + 12.99²) = sqrt(371.911225 + 250.51215 + 168.7401) = sqrt(791.163475)
    #            sqrt(20.3² + 20.3·15.155 + 15.155²)   = sqrt(412.09 + 307.6465 + 229.674025)    = sqrt(949.410525)
    #            sqrt(22.33² + 22.33·17.32 + 17.32²)   = sqrt(498.6289 + 386.7556 + 299.9824)    = sqrt(1185.3669)
    mc = np.sqrt([791.163475, 949.410525, 1185.3669]) * 1e6
    np.testing.assert_allclose(b["minimum_capital"], mc, rtol=1e-9)
    assert b["minimum_capital"].round(-2).tolist() == [28_127_600.0, 30_812_500.0, 34_429_200.0]
    # capital: 25 m + cumulative result (10, 10, 0 m); solvency ratio = capital / MC
    assert b["capital"].tolist() == [35e6, 35e6, 25e6]
    np.testing.assert_allclose(b["solvency_ratio"], [35e6 / mc[0], 35e6 / mc[1], 25e6 / mc[2]], rtol=1e-12)
    assert cap.p_below(1.0) == 1.0  # 25 / 34.43 < 100 % in 2028
    # the initial capital that keeps >= 100 % in every year: max(28.13 − 10, 30.81 − 10, 34.43 − 0) m
    assert cap.required_initial_capital(0.5) == pytest.approx(mc[2], rel=1e-12)


def test_k_factor_steps_and_bounds():
    # Art. 13: the interval ends belong to the lower step: (0, 95 %], (95 %, 100 %], (100 %, 105 %]
    assert k1_combined_ratio([0.95, 0.9500001, 1.0, 1.0000001, 1.05, 1.0500001]).tolist() == [-0.05, 0.0, 0.0, 0.05, 0.05, 0.10]
    assert k1_combined_ratio([-0.2]).tolist() == [0.0]  # Art. 20: combined ratio below 0 -> k = 0
    assert k2_ceded([0.0, 0.025, 0.049, 0.06]).tolist() == [0.0, -0.018, -0.018, -0.047]
    assert k1_reserve([0.05, 0.10, 0.11]).tolist() == [0.0, 0.05, 0.10]
    # K = k1 + k2 within [−0.25, 0.25]: 0.10 + 0.136 = 0.236 is inside; RF = 0.203 × 1.236
    assert float(premium_risk_capital(1.0, 1.2, ne=-0.05)) == pytest.approx(0.203 * 1.236, rel=1e-12)
    # 金规〔2023〕5号 small-insurer relief × 0.9; no reserve -> MC = premium risk
    assert float(minimum_capital(10.0, 0.0, relief=0.9)) == pytest.approx(9.0, rel=1e-12)


def test_projection_capital_matches_the_formula_and_the_var():
    book = ajx.synth.portfolio(800, preset="beijing", rng=4)
    res = ajx.project(book, years=2, table="beijing-2026", paths=200, rng=3)
    cap = res.capital(initial_capital=1e6, outstanding_ratio=0.0)
    y = res.by_year.sort_values(["path", "year"]).reset_index(drop=True)
    k1 = np.select([y["combined_ratio"] <= 0.95, y["combined_ratio"] <= 1.0, y["combined_ratio"] <= 1.05], [-0.05, 0.0, 0.05], 0.10)
    np.testing.assert_allclose(cap.by_year["minimum_capital"], y["premium_ex_vat"] * 0.203 * (1 + k1), rtol=1e-12)
    cum = y.groupby("path")["underwriting_result"].cumsum()
    np.testing.assert_allclose(cap.by_year["capital"], 1e6 + cum, rtol=1e-12)
    loss = -y.loc[y["year"] == 2027, "underwriting_result"].to_numpy()
    assert cap.internal.loc[2027, "var"] == pytest.approx(np.quantile(loss, 0.995), rel=1e-12)
    assert cap.internal.loc[2027, "var_lo"] <= cap.internal.loc[2027, "var"] <= cap.internal.loc[2027, "var_hi"]
    s = cap.summary()
    assert s.loc[2026, "p_below_100"] == pytest.approx(float((cap.by_year.query("year == 2026")["solvency_ratio"] < 1).mean()))


def test_reserve_risk_is_on_by_default_from_the_development_pattern():
    # the default reserve is Σ_k u_k × loss(t − k) on each path, years before the first at its mean loss,
    # u_k from the ledger's delays (disabilities wait about ten months for their appraisal)
    from ajx_actuarial.projection.solvency import outstanding_ratio, unpaid_pattern
    from ajx_actuarial.synth import DevelopmentTruth

    u = unpaid_pattern()
    assert 0.5 < u[0] < 0.7 and u[1] < 0.2 and u[-1] < 1e-4          # the accident year's own share dominates
    assert outstanding_ratio() == pytest.approx(u.sum(), rel=1e-12)
    # one part alone: exactly the development truth's share of that injury
    assert unpaid_pattern({"disability": 1.0}, years=3) == pytest.approx(DevelopmentTruth().unpaid_shares("disability", 3), rel=1e-12)
    y = _book()
    cap = capital(y, initial_capital=25e6)
    d = y.sort_values(["path", "year"]).reset_index(drop=True)
    for p_, g in d.groupby("path"):
        losses = g["insured_loss"].to_numpy()
        prior = d.loc[d["year"] == d["year"].min(), "insured_loss"].mean()
        for t in range(len(g)):
            want = sum(u[j] * (losses[t - j] if t - j >= 0 else prior) for j in range(u.size))
            got = cap.by_year.loc[(cap.by_year["path"] == p_) & (cap.by_year["year"] == g["year"].iloc[t]), "outstanding"].item()
            assert got == pytest.approx(want, rel=1e-12)
    # reserve risk raises the minimum capital over premium risk alone (Art. 42, ρ = 0.5)
    assert (cap.by_year["minimum_capital"] > capital(y, 25e6, outstanding_ratio=0.0).by_year["minimum_capital"]).all()


def test_bad_capital_inputs():
    with pytest.raises(ajx.ValidationError, match=r"capital: outstanding_ratio must be a number in \[0, 20\], got -1"):
        capital(_book(), 1.0, outstanding_ratio=-1)
    with pytest.raises(ajx.ValidationError, match=r"capital: initial_capital must be a number >= 0"):
        capital(_book(), -5.0)
    with pytest.raises(ajx.ValidationError, match=r"capital: by_year lacks \['combined_ratio'"):
        capital(_book().drop(columns="combined_ratio"))


def test_more_bad_capital_inputs_found_in_review():
    with pytest.raises(ajx.ValidationError, match=r"capital: ne must be a number in \[-1, 1\], got nan"):
        capital(_book(), 1.0, ne=float("nan"))
    with pytest.raises(ajx.ValidationError, match=r"capital: runoff_deviation must be a number in \[-1, 10\], got 'x'"):
        capital(_book(), 1.0, runoff_deviation="x")
    with pytest.raises(ajx.ValidationError, match=r"capital: initial_capital must be a number >= 0, got 'abc'"):
        capital(_book(), "abc")
    with pytest.raises(ajx.ValidationError, match=r"capital: by_year must be a non-empty DataFrame"):
        capital([1, 2])
    with pytest.raises(ajx.ValidationError, match=r"capital: by_year must be a non-empty DataFrame"):
        capital(_book().iloc[:0])
    c = capital(_book(), np.float64(1.0), ne=np.float32(0.0))  # numpy numbers are numbers
    with pytest.raises(ajx.ValidationError, match=r"required_initial_capital: prob must be in \(0, 1\), got '0.5'"):
        c.required_initial_capital(prob="0.5")
    with pytest.raises(ajx.ValidationError, match=r"required_initial_capital: level must be a number in \[0, 100\], got nan"):
        c.required_initial_capital(level=float("nan"))
    with pytest.raises(ajx.ValidationError, match=r"p_below: level must be a number in \[0, 100\], got 'a'"):
        c.p_below("a")


def test_indexed_limit_is_the_beijing_formula_and_checks_its_inputs():
    from ajx_actuarial.losses import beijing_limit
    from ajx_actuarial.projection import indexed_limit

    assert indexed_limit(2025) == beijing_limit(2024)  # one formula (losses.limits.beijing_formula) behind both
    for kwargs, message in (({"policy_year": 10**6}, r"policy_year must be an integer year"),
                            ({"policy_year": 2026, "income_growth": float("nan")}, r"income_growth must be a number in \[-0.5, 1\]"),
                            ({"policy_year": 2026, "income_growth": -5}, r"income_growth must be a number in \[-0.5, 1\]"),
                            ({"policy_year": 2026, "floor": float("nan")}, r"floor must be a number in \(0, 1e8\]"),
                            ({"policy_year": 2026, "offset": -1.0}, r"offset amount must be a number in \[0, 1e8\]")):
        with pytest.raises(ajx.ValidationError, match=message):
            indexed_limit(**kwargs)
