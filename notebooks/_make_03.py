"""Write notebook 03 (claims ledger to rate table) from its cell sources, outputs stripped.

Run: python notebooks/_make_03.py   (the helpers come from notebooks/_make.py)
"""

from __future__ import annotations

from _make import code, md, write


def claims_to_rate_table():
    write("03_claims_to_rate_table.ipynb", [
        md("""
# From a claims ledger to a filed rate table

Insurers do not hold policy-year experience at ultimate. They hold a **policy register** and a
**claims ledger**: accident and report dates, payments, case reserves, disability grades that
are appraised months after the accident. Calibrating on such data as it stands underprices the
line: Beijing's pilot showed a 15 % paid loss ratio after six months (DOMAIN.md §6.4), which is
an immature number, not a loss ratio.

This notebook takes a synthetic ledger whose truth is known and walks the actuary's route:
ledger → triangles → development to ultimate → trend to the rating year → GLM calibration →
rate table → adequacy against the loss model. Every step is one call of the public API.
"""),
        code("""
import os
import numpy as np
import pandas as pd
import ajx_actuarial as ajx

N = int(os.environ.get("AJX_NB_N", 50_000))   # policies; the test suite runs this small
pd.set_option("display.width", 160, "display.max_columns", 20)
VALUATION = "2025-12-31"                         # accident year 2025 is 12 months old

book = ajx.synth.portfolio(N, rng=2026)
truth = ajx.synth.experience(book, 5, rng=7)            # policy-years 2021-2025 at ultimate: the truth
ledger = ajx.synth.claims(book, 5, VALUATION, rng=7)    # the same accidents, as known at the valuation date
register = truth.drop(columns=["claims", "deaths", "disabilities", "incurred"])  # policy-years and exposure
print(f"{len(book):,} policies, {len(register):,} policy-years, {ledger['claim_id'].nunique():,} claims "
      f"in {len(ledger):,} transactions")
ledger.head()
"""),
        md("""
## The ledger

One row per transaction. A disability shows as a medical claim with a case reserve until it is
appraised; the appraisal changes `injury` to `disability`, sets the `grade` and pays the share
of the limit. Deaths are reported within days and reserved at the limit.
"""),
        code("""
appraised = ledger.loc[ledger["injury"].astype(str) == "disability", "claim_id"]
example = ledger[ledger["claim_id"] == appraised.iloc[0]] if len(appraised) else ledger.head(3)
example[["claim_id", "accident_date", "report_date", "transaction_date", "paid", "case_reserve", "injury", "grade"]]
"""),
        md("""
## Triangles and development factors

`ajx.experience_from_claims` cuts the ledger at the valuation date, builds chainladder-python
triangles (accident year × 12-month development periods ending on the valuation date's
anniversaries) for paid, incurred (paid + case reserve), accidents, deaths and disabilities,
and develops each with `chainladder.Development` and `Chainladder`.
"""),
        code("""
res = ajx.experience_from_claims(register, ledger, VALUATION)
res.triangles["incurred"]
"""),
        code("""
pd.concat({m: res.development(m) for m in ("incurred", "claims", "disabilities")}).round(3)
"""),
        md("""
Disability counts develop the most: an injury becomes a disability only at its appraisal.
The ultimates against the truth (known here because the ledger is synthetic):
"""),
        code("""
true = truth.groupby("year")[["incurred", "claims", "disabilities"]].sum()
u = res.ultimates
pd.DataFrame({
    "incurred reported": u["incurred"], "incurred ultimate": u["ultimate"], "incurred truth": true["incurred"],
    "accidents reported": u["claims_reported"], "accidents ultimate": u["claims_ultimate"], "accidents truth": true["claims"],
    "disabilities reported": u["disabilities_reported"], "disabilities ultimate": u["disabilities_ultimate"],
    "disabilities truth": true["disabilities"],
}).round(0)
"""),
        md("""
### Other methods

Bornhuetter–Ferguson needs an a-priori loss ratio and a premium; Cape Cod estimates the
a-priori from the data. Both lean on the a-priori for the youngest year, where chain ladder
leans on a few months of claims. Here the premium comes from pricing the register with the
national table.
"""),
        code("""
priced_register = register.assign(premium=ajx.price(register.drop(columns=["year", "exposure"]).assign(
    policy_id=np.arange(len(register))), "national-2025", lift_limits=True)["premium_ex_vat"].to_numpy())
methods = {
    "chain ladder": res,
    "BF (a-priori 60 %)": ajx.experience_from_claims(priced_register, ledger, VALUATION, method="bf", apriori=0.6),
    "Cape Cod": ajx.experience_from_claims(priced_register, ledger, VALUATION, method="capecod"),
}
pd.DataFrame({k: v.ultimates["ultimate"] for k, v in methods.items()}).assign(truth=true["incurred"]).round(0)
"""),
        md("""
## Trend and large losses

Experience from 2021 prices 2026 only after trend: accident frequency falls 5–8 % a year
(DOMAIN.md §6.5; default −6.5 %) and benefits follow urban income, which limits are indexed to
(severity factor = income of the year before the rating year over income of the year before the
accident year). Counts stay whole numbers: exposure is on-levelled instead, which gives the
same GLM. Catastrophes (accidents with three or more deaths) are taken out of the triangles and
loaded back from the loss model, so one cluster does not set an industry's rate.
"""),
        code("""
developed = ajx.experience_from_claims(register, ledger, VALUATION, trend="default", large="catastrophe")
exp = developed.experience
print(developed.provenance["trend"], "rating year", developed.provenance["rating_year"])
exp.groupby("year")[["trend_frequency", "trend_severity", "large_load"]].agg({"trend_frequency": "first",
                                                                              "trend_severity": "first", "large_load": "sum"}).round(3)
"""),
        code("""
developed.large
"""),
        md("""
## Calibration: developed against undeveloped experience

The same GLM (Poisson frequency with a quasi-Poisson scale for the frailty in the book, Gamma
severity; the default factors, size included) on the developed experience and on the
experience as reported at the valuation date. The truth's relativities are known.
"""),
        code("""
undeveloped = exp.assign(claims=exp["claims_reported"], deaths=exp["deaths_reported"],
                         disabilities=exp["disabilities_reported"], incurred=exp["incurred_reported"])
fit = ajx.calibrate(exp, scale="X2")
fit_raw = ajx.calibrate(undeveloped, scale="X2")
tm = ajx.synth.TruthModel.default()
want = {("std_grade", str(k)): v for k, v in tm.relativities["std_grade"].items()}
want |= {("size", k): v for k, v in tm.relativities["size"].items()}
want |= {("rectification", k): v for k, v in tm.relativities["rectification"].items()}
rel = fit.relativities.set_index(["factor", "level"])
raw = fit_raw.relativities.set_index(["factor", "level"])
pd.DataFrame({"truth": pd.Series(want), "developed": rel["relativity"], "ci_low": rel["ci_low"], "ci_high": rel["ci_high"],
              "undeveloped": raw["relativity"]}).dropna(subset=["truth"]).round(3)
"""),
        code("""
level = pd.DataFrame({"developed": fit.base_frequency["frequency"], "undeveloped": fit_raw.base_frequency["frequency"]})
level["undeveloped / developed"] = level["undeveloped"] / level["developed"]
level.round(5)
"""),
        md("""
In this book injured workers' claims reach the insurer within weeks (the synthetic market's
reporting delays, `ajx.synth.DevelopmentTruth`), so after 12 months few accidents are missing
and the frequency level barely moves; losses still develop, through disability appraisals.

### A market that reports slowly

Where small medical claims are filed months late (median 120 days here, an assumption for the
illustration), the undeveloped experience is visibly short, and chain ladder restores it:
"""),
        code("""
slow = ajx.synth.DevelopmentTruth(report_medical=(120.0, 1.0))
slow_ledger = ajx.synth.claims(book, 5, VALUATION, rng=7, development=slow)
slow_res = ajx.experience_from_claims(register, slow_ledger, VALUATION)
su = slow_res.ultimates
print(pd.DataFrame({"accidents reported": su["claims_reported"], "accidents ultimate": su["claims_ultimate"],
                    "accidents truth": true["claims"]}).round(0))
se = slow_res.experience
se_raw = se.assign(claims=se["claims_reported"], deaths=se["deaths_reported"], disabilities=se["disabilities_reported"],
                   incurred=se["incurred_reported"])
f_dev, f_raw = ajx.calibrate(se, scale="X2", severity=None), ajx.calibrate(se_raw, scale="X2", severity=None)
(f_raw.base_frequency["frequency"] / f_dev.base_frequency["frequency"]).round(3).rename("undeveloped / developed")
"""),
        md("""
The undeveloped base frequencies are short by the unreported share of the young years;
relativities move too where the book's mix changes between mature and young years (the test
suite shows both on a ledger built for it).

## The rate table

`to_rate_table` keeps the template's structure and loadings, writes the fitted schedules, takes
the size-class base rates from the fit (size is a default factor), balances each industry so
that expected loss is the target share of the premium before the minimum premium, and records
its own provenance, including the experience's.
"""),
        code("""
table = fit.to_rate_table("national-2025", target_loss_ratio=0.60, name="from-claims-2026")
meta = table.data["meta"]
print(meta["description"])
{k: meta["calibration"][k] for k in ("target_loss_ratio", "loss_ratio_after_minimum", "share_at_minimum",
                                     "size_structure", "off_balance_factor")}
"""),
        code("""
fit.premium_change("national-2025", table).round(3).head(12)
"""),
        md("## Adequacy against the loss model"),
        code("""
adequacy = ajx.adequacy(book, table)
s = adequacy.summary
print(f"rated / risk premium {s['rated_premium'] / s['risk_premium']:.3f}; implied loss ratio {s['implied_loss_ratio']:.3f} "
      f"against {s['permissible_loss_ratio']:.3f} permissible; {s['flagged_segments']} of {s['segments']} segments flagged")
"""),
        md("""
The audit measures the calibrated table against a *different* view of the risk: the default
loss model's frequencies (DOMAIN.md §6.5, national statistics, assumptions), not this book's
experience developed and trended to the rating year. Where the calibrated table charges less
than the model's risk premium, one of the two is wrong for this book: with credible experience
(here, five years of a synthetic book whose truth is known), the experience wins and the loss
model should be recalibrated before the audit is used as a filing gate; with thin experience,
the flagged segments are the ones to question first.
"""),
        md("""
## Conclusion

- Calibrating on the ledger as it stands at the valuation date understates every industry's
  base frequency by the unreported share of the young accident years (small where claims are
  reported within weeks, large where they are not), and it tilts relativities wherever the
  book's mix drifts between mature and young years. Developed to ultimate with chain ladder
  (or BF / Cape Cod when the youngest year is too thin), the experience recovers the truth's
  ultimates within their sampling error.
- Disability counts develop slowest (appraisal months after the accident); deaths are known at
  once. Triangles per measure make that visible; the development factors printed above are the
  ones applied.
- Trend matters as much as development for a rate one to five years after the experience:
  −6.5 % a year on frequency against 4–5 % a year of income growth on benefits.
- The minimum premium binds on many of the smallest units; the table is balanced before it, and
  the loss ratio after it is reported rather than bought back by underpricing larger policies.
- The filed table records where it came from (`meta.calibration`, with the experience's
  provenance); the adequacy audit compares it with the default loss model's risk premium, and
  says where the experience and the model disagree (printed above).
- The GLM's Poisson intervals understate the uncertainty of a relativity (policy frailty; see
  notebook 01): a relativity a few points outside its interval from the truth is expected.
"""),
    ])


if __name__ == "__main__":
    claims_to_rate_table()
