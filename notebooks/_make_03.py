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

This notebook takes a synthetic ledger whose truth is known (drawn from the package's default
loss model, `ajx.LossModel.default()`) and walks the actuary's route: ledger → triangles →
development to ultimate → trend to the rating year → GLM calibration → rate table; then it fits
the loss model itself to the same ledger (`ajx.LossModel.fit`) and audits the table against it,
which closes the loop. Every step is one call of the public API.
"""),
        code("""
import os
import warnings
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
The trend above is a market assumption. This synthetic market has none: its truth draws every
year from the same loss model (with a systemic year effect), so its frequency does not fall.
The trended experience is what a 2026 filing would use where frequencies do fall; the loop
below is closed on the developed experience before trend, the basis on which the loss model is
fitted too (`LossModel.fit` develops a ledger to ultimate but does not trend it).

## Calibration: developed against undeveloped experience

The same GLM (Poisson frequency, Gamma severity; the default factors, size included) on the
experience developed to ultimate and on the experience as reported at the valuation date. The
intervals are chosen by `calibrate`'s dispersion test (policy-clustered when the counts are
over-dispersed, notebook 01). `calibrate` warns where a relativity breaks its expected
direction; `quietly` lists those warnings. The truth's relativities, relative to the fit's base
levels, are the loss model's.
"""),
        code("""
def quietly(step, *args, **kwargs):
    \"\"\"Run a calibration step; return its result and the direction warnings it raised.\"\"\"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ajx.AjxWarning)
        out = step(*args, **kwargs)
    return out, [str(w.message).split(";")[0] for w in caught if issubclass(w.category, ajx.AjxWarning)]

dev = res.experience                                                     # chain ladder, before trend
undeveloped = dev.assign(claims=dev["claims_reported"], deaths=dev["deaths_reported"],
                         disabilities=dev["disabilities_reported"], incurred=dev["incurred_reported"])
fit, notes = quietly(ajx.calibrate, dev)
fit_raw, _ = quietly(ajx.calibrate, undeveloped)
print("intervals:", fit.diagnostics["intervals_note"])
print("direction warnings:", notes or "none")
m = ajx.LossModel.default()
want = {(f, str(k)): v / m.relativities[f][next(b for b in m.relativities[f] if str(b) == str(fit.bases[f]))]
        for f in ("size", "std_grade", "rectification") for k, v in m.relativities[f].items()}
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
(f_dev, _), (f_raw, _) = quietly(ajx.calibrate, se, severity=None), quietly(ajx.calibrate, se_raw, severity=None)
(f_raw.base_frequency["frequency"] / f_dev.base_frequency["frequency"]).round(3).rename("undeveloped / developed")
"""),
        md("""
The undeveloped base frequencies are short by the unreported share of the young years;
relativities move too where the book's mix changes between mature and young years (the test
suite shows both on a ledger built for it).

## The rate table

`to_rate_table` keeps the template's structure and loadings, writes the fitted schedules, takes
the size-class base rates from the fit (size is a default factor), blends thin industries and
thin factor levels toward the template by credibility (`credibility=0.25`), balances each
industry so that expected loss is the template's permissible loss ratio of the premium before
the minimum premium, and records its own provenance, including the experience's.

It balances on a book: by default the experience's last year. Policy-year rows record each
year's claims but not the unit's claims in the three years before it, so on them every unit's
history factor is neutral. The book to be priced has its histories, and `national-2025`'s
exposure-aware history factor discounts the units whose claims ran below expectation; a table
balanced on rows without history charges that book less than its target. So balance on the
book itself (`book=`, one full year per unit). Beside it, the table balanced on the experience
rows, and the same route on the trended experience, to show what the trend assumption is worth.
"""),
        code("""
template = ajx.RateTable.load("national-2025")
target = template.expected_loss_ratio()
balance_on = book.assign(exposure=book["headcount"].astype(float))   # the book to be priced, with its claim histories
table = fit.to_rate_table(template, target_loss_ratio=target, book=balance_on, name="from-claims-2026")
on_rows = fit.to_rate_table(template, target_loss_ratio=target, name="balanced-on-experience-rows")
trended_table = quietly(ajx.calibrate, exp)[0].to_rate_table(template, target_loss_ratio=target, book=balance_on,
                                                             name="from-claims-2026-trended")
meta = table.data["meta"]
print(meta["description"])
premium = pd.Series({t.name: ajx.price(book, t, lift_limits=True)["premium"].sum() for t in (template, table, on_rows, trended_table)})
print((premium / 1e6).round(2).rename("book premium, m CNY").to_string())
print(f"balanced on the experience rows / on the book: {premium['balanced-on-experience-rows'] / premium['from-claims-2026']:.3f}; "
      f"trended / untrended: {premium['from-claims-2026-trended'] / premium['from-claims-2026']:.3f}")
{k: meta["calibration"][k] for k in ("target_loss_ratio", "loss_ratio_after_minimum", "share_at_minimum",
                                     "size_structure", "off_balance_factor")}
"""),
        code("""
fit.premium_change(template, table).round(3).head(12)
"""),
        md("""
## The loss model, fitted to the same ledger

`ajx.LossModel.fit` keeps the default model's structure and moves each parameter as far as this
ledger supports it: the frequency of fatal, disability and medical-only accidents by part and
sector (a normal hierarchy: book level, part, sector), the relativities (a negative binomial GLM
of each unit's claims), the frailty CV, and from the ledger's amounts the medical-only cost law,
the disability grade mix and the deaths per fatal accident. The ledger is developed to ultimate
first, as above. Exposure comes from `policies`: the policy register, whose policy-years carry
mid-year inceptions (a book of units, one row each, would count every unit as exposed for every
full year).

`fit_report` gives every parameter its prior (the default), the data's estimate, the posterior,
the credibility weight `z` (0: the prior, 1: the data) and the posterior sd of its log. The book
and part levels, the frailty and the severities first, then the parameters the data moved most:
"""),
        code("""
fitted = ajx.LossModel.fit(ledger, policies=register, valuation_date=VALUATION)
report = fitted.fit_report.set_index("parameter")
headline = [p for p in report.index if "book" in p or p.startswith(("frailty", "medical-only", "disability grade", "larger +"))]
display(report.loc[headline].round(3))
moved = report.drop(index=headline).dropna(subset=["z"])
moved = moved.assign(moved=np.log(moved["posterior"] / moved["prior"]).abs()).sort_values("moved", ascending=False)
moved.head(10).round(3)
"""),
        md("""
Where the data are thick (the book level, medical-only claims, the common relativities) `z` is
near 1 and the posterior is the data's; where they are thin (fatal accidents by sector, a rare
level) `z` is small and the posterior stays near the prior, however far the raw estimate lies.
The levels and the relativities share the work: a book level below 1 beside relativities above
the prior's can leave the book's expected loss where it was (compared below).

Here the prior is also the truth (the ledger was drawn from the default model), so every move
in the report is this book's sampling noise: its units' frailties, five systemic year effects,
the claims themselves. That makes it a check of the credibility weights: a posterior many of its
own sds away from the truth would mean the fit trusted the data too much.
"""),
        code("""
fitted_rows = report.dropna(subset=["z", "sd_log"])
fitted_rows = fitted_rows[fitted_rows["sd_log"] > 0]
distance = (np.log(fitted_rows["posterior"] / fitted_rows["prior"]).abs() / fitted_rows["sd_log"]).rename("posterior sds from the truth")
print(f"{(distance > 2).sum()} of {len(distance)} posteriors lie more than 2 of their sds from the truth "
      f"(about {0.05 * len(distance):.0f} would by chance if the sds are right)")
fitted_rows.assign(**{distance.name: distance})[distance > 2].round(3)
"""),
        md("""
The fitted model against the same public anchors as the default (`LossModel.check`):
"""),
        code("""
checks = {"default": m.check(book), "fitted": fitted.check(book)}
side = checks["default"][["figure", "low", "high"]].assign(default=checks["default"]["model"], fitted=checks["fitted"]["model"],
                                                            **{"default ok": checks["default"]["ok"], "fitted ok": checks["fitted"]["ok"]})
side.round(3)
"""),
        md("""
## Closing the loop: the table against the model fitted to the same data

`ajx.adequacy` prices the book with the table and compares each segment (industry × size ×
limit band) with the loss model's risk premium. Against the model fitted to this ledger, the
two sides are two estimators of the same risk from the same data: the GLM follows each rating
cell's pure premium and is blended with the template by credibility; the loss-model fit follows
claim counts by part with one severity law per part and shrinks toward its prior. They differ
by a few per cent in a segment, so the audit runs at a 10 % tolerance (the default 5 % is for
auditing a table against an independent view of the risk; a price war cuts 15 % or more). A
segment is flagged when it is below its risk premium by more than the tolerance and by more than
two standard errors of its units' mix; segments under 30 policies are thin, never flagged.
"""),
        code("""
audits = {"fitted model": ajx.adequacy(book, table, fitted, tolerance=0.10),
          "default model": ajx.adequacy(book, table, tolerance=0.10)}
pd.DataFrame({k: {"rated / risk premium": a.summary["rated_premium"] / a.summary["risk_premium"],
                  "implied loss ratio": a.summary["implied_loss_ratio"],
                  "permissible loss ratio": a.summary["permissible_loss_ratio"],
                  "segments": a.summary["segments"], "thin": int(a.by_segment["thin"].sum()),
                  "flagged": a.summary["flagged_segments"]} for k, a in audits.items()}).round(3)
"""),
        code("""
pd.concat({k: a.flagged[["policies", "ratio", "ratio_se"]] for k, a in audits.items()}).round(3)
"""),
        md("""
Against the fitted model few segments are flagged: the loop closes. The default model was not
fitted to this book. Its frequencies are the national averages; this book's five years differ
from them by the sampling noise of its units and frailties and by the systemic year effects,
and the fit followed the data wherever they were credible. Where the fit moved an industry's
risk down, the table calibrated on the same data looks cheap against the default model (a lower
rated / risk ratio, flagged where it falls below the tolerance); where the fit moved the risk
up, the default audit sees the table as dear. By industry (an industry of a few units is thin
in every segment and its ratio is dominated by the minimum premium):
"""),
        code("""
priced = ajx.price(book, table, lift_limits=True)
el = pd.DataFrame({k: ajx.expected_loss(priced, mod)["expected_loss"].to_numpy() for k, mod in (("fitted", fitted), ("default", m))})
el["industry"] = priced["industry"].astype(str).to_numpy()
by_ind = el.groupby("industry").sum()
out = pd.DataFrame({"fitted / default expected loss": by_ind["fitted"] / by_ind["default"]})
for k, a in audits.items():
    seg = a.by_segment.reset_index()
    seg["industry"] = seg["industry"].astype(str)
    g = seg.groupby("industry")
    out[f"rated / risk, {k}"] = g["rated_premium"].sum() / g["risk_premium"].sum()
    out[f"flagged, {k}"] = g["below_risk"].sum()
total = el[["fitted", "default"]].sum()
print(f"on the whole book the fitted model's expected loss is {total['fitted'] / total['default']:.3f} × the default's")
out.round(3)
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
  −6.5 % a year on frequency against 4–5 % a year of income growth on benefits. It is an
  assumption about the market; on this synthetic market, whose frequency does not fall, it
  would underprice (the trended / untrended premium above).
- The minimum premium binds on many of the smallest units; the table is balanced before it, and
  the loss ratio after it is reported rather than bought back by underpricing larger policies.
  Balance on the book to be priced, histories included: experience rows carry no claim history,
  and a table balanced on them charges a book with histories less than its target under an
  exposure-aware history factor (the ratio printed above).
- The loss model fitted to the same ledger says, parameter by parameter, how far this book's
  data moved the default and with what credibility, and stays inside the public anchors where
  the default does. The table calibrated from the ledger passes the audit against that model
  at a 10 % tolerance: one set of claims, two estimators, the same risk. The audit against the
  default model differs where the data moved the model, in the direction shown by industry.
- The relativities' intervals are chosen by a dispersion test (policy-clustered on a frailty
  book; notebook 01): a relativity a few points from the truth inside its interval is expected.
"""),
    ])


if __name__ == "__main__":
    claims_to_rate_table()
