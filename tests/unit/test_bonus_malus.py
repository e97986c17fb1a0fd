"""BonusMalus analytics against independent references."""

import numpy as np
import pytest
from scipy import integrate, stats

import ajx_actuarial as ajx
from ajx_actuarial.rating import BonusMalus, RateTable


@pytest.fixture
def m12():
    return BonusMalus([0.6, 0.7, 0.8, 1.0, 1.2, 1.5], start=3)  # -1/+2


@pytest.mark.parametrize("lam", [0.05, 0.2, 0.8])
def test_stationary_is_left_eigenvector(m12, lam):
    P = m12.transition_matrix(lam)
    assert np.allclose(P.sum(axis=1), 1.0)
    w, v = np.linalg.eig(P.T)
    ev = np.real(v[:, np.argmin(np.abs(w - 1))])
    ev /= ev.sum()
    np.testing.assert_allclose(m12.stationary(lam), ev, atol=1e-12)


def test_stationary_matches_long_simulation(m12):
    lam, n = 0.2, 200_000
    traj = m12.simulate(n, 40, lam, rng=5)
    freq = np.bincount(traj[-1], minlength=6) / n
    pi = m12.stationary(lam)
    # binomial sd at n = 200 000 is <= 0.0012; after 40 years the chain is mixed
    assert (np.abs(freq - pi) <= 5 * np.sqrt(pi * (1 - pi) / n) + 1e-4).all(), (freq, pi)


def test_minus1_top_scale_closed_form():
    """-1/top scale: any claim sends to the top class s, a claim-free year moves down one.

    Published closed form (Denuit, Maréchal, Pitrebois & Walhin 2007, *Actuarial Modelling of
    Claim Counts*, §4.x, the -1/top scale): with p0 = exp(-λ),
    π_s = 1 - p0, π_{s-j} = (1 - p0) p0^j for 0 < j < s, π_0 = p0^s.
    """
    s = 5
    rules = np.array([[max(c - 1, 0), s] for c in range(s + 1)])
    b = BonusMalus(np.linspace(0.6, 1.6, s + 1), start=s, rules=rules)
    for lam in (0.05, 0.1, 0.3):
        p0 = np.exp(-lam)
        expect = np.array([p0**s] + [(1 - p0) * p0 ** (s - k) for k in range(1, s + 1)])
        np.testing.assert_allclose(b.stationary(lam), expect, rtol=1e-12)


@pytest.mark.parametrize("lam, shape", [(0.1, None), (0.4, None), (0.1, 1.5), (0.3, 0.8)])
def test_efficiency_matches_finite_difference(m12, lam, shape):
    h = 1e-5 * lam
    fd = (np.log(m12.mean_relativity(lam + h, shape)) - np.log(m12.mean_relativity(lam - h, shape))) / (np.log(lam + h) - np.log(lam - h))
    assert m12.efficiency(lam, shape) == pytest.approx(fd, rel=1e-6)


def test_negative_binomial_transition(m12):
    lam, a = 0.3, 2.0
    probs = m12.outcome_probs(lam, a)
    n = np.arange(probs.size - 1)
    np.testing.assert_allclose(probs[:-1], stats.nbinom.pmf(n, a, a / (a + lam)))
    assert probs.sum() == pytest.approx(1.0)


def test_optimal_relativities_match_quadrature(m12):
    mean, shape = 0.15, 1.5
    r = m12.optimal_relativities(mean, shape)
    dist = stats.gamma(shape, scale=mean / shape)
    for k in (0, 2, 5):
        num = integrate.quad(lambda x: x * m12.stationary(x)[k] * dist.pdf(x), 0, np.inf, limit=200)[0]
        den = integrate.quad(lambda x: m12.stationary(x)[k] * dist.pdf(x), 0, np.inf, limit=200)[0]
        assert r[k] == pytest.approx(num / den / mean, rel=1e-5)
    # optimal relativities increase with the class
    assert (np.diff(r) > 0).all()


def test_balanced(m12):
    b = m12.balanced(0.2)
    assert b.mean_relativity(0.2) == pytest.approx(1.0)
    bp = m12.balanced(0.2, shape=1.5)
    assert bp.portfolio_stationary(0.2, 1.5) @ bp.relativities == pytest.approx(1.0)


def test_history_factor_chain_agrees_with_pricing():
    t = RateTable.load("national-2025")  # exposure-aware: the chain of a 100-worker 'other' unit, E = 3 × 100 × its rate
    lam = 100 * t.factors[[f.kind for f in t.factors].index("history")].spec["expected_per_worker"]["other"]
    b = t.bonus_malus(lam)
    assert b.n_classes == 1 + 5 + 25 + 125
    assert b.relativities[b.start] == 1.0
    # simulate trajectories, then price the implied history columns with the rate table
    traj = b.simulate(3000, 6, 0.4, rng=3)
    labels = np.array(b.labels)[traj[-1]]
    rows = []
    for lab in labels:
        parts = [lab[i:i + 2] if lab[i] == "f" else lab[i] for i in range(len(lab)) if not (i > 0 and lab[i - 1] == "f")]
        known = [p for p in parts if p != "U"]
        deaths = max([{"f1": 1, "f2": 3, "f3": 10}.get(p, 0) for p in known], default=0)
        acc = sum(p != "0" for p in known)
        cfy = 0
        for p in reversed(known):
            if p != "0":
                break
            cfy += 1
        rows.append((acc, deaths, cfy))
    import pandas as pd

    book = pd.DataFrame(rows, columns=["accidents_3y", "deaths_3y", "claim_free_years"]).assign(
        policy_id=range(len(rows)), industry="other", size="small", headcount=100)
    priced = ajx.price(book, t)
    np.testing.assert_allclose(priced["f_claim_history"].to_numpy(), b.relativities[traj[-1]])
    # a worse risk sits higher in the stationary state
    assert b.mean_relativity(1.0) > b.mean_relativity(0.1)


def test_kernel_twin():
    """The numba kernel against a NumPy twin driven by an identically seeded Generator."""
    b = BonusMalus([0.6, 0.8, 1.0, 1.3, 1.6], start=2)
    lam = np.full(200, 0.5)
    got = b.simulate(200, 10, lam, rng=np.random.SeedSequence(9))
    from ajx_actuarial._random import block_generator

    g = block_generator(np.random.SeedSequence(9), 0)
    want = np.empty_like(got)
    m = b.rules.shape[1] - 1
    for i in range(200):
        c = b.start
        want[0, i] = c
        for y in range(10):
            k = g.poisson(lam[i])
            c = b.rules[c, min(k, m)]
            want[y + 1, i] = c
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"relativities": [1.0]}, "relativities must be >= 2 finite numbers > 0"),
        ({"relativities": [1.0, -1.0]}, "relativities must be >= 2 finite numbers > 0"),
        ({"relativities": [1.0, 1.2], "start": 5}, r"start must be a class index in \[0, 1\]"),
        ({"relativities": [1.0, 1.2], "bonus": -1}, "bonus must be an integer >= 0"),
        ({"relativities": [1.0, 1.2], "rules": [[0, 3], [0, 1]]}, r"rules must hold class indices in \[0, 1\]"),
        ({"relativities": [1.0, 1.2], "rules": [[0, 1, 1], [0, 1, 1]], "severity": [0.5, 0.6]}, "severity must be probabilities"),
    ],
)
def test_bad_systems(kwargs, match):
    with pytest.raises(ajx.ValidationError, match=match):
        BonusMalus(**kwargs)


def test_bad_lambda(m12):
    with pytest.raises(ajx.ValidationError, match="lam must be a finite number > 0"):
        m12.stationary(-0.1)
    with pytest.raises(ajx.ValidationError, match="gamma shape must be > 0"):
        m12.stationary(0.1, shape=0)
    with pytest.raises(ajx.ValidationError, match="portfolio_stationary: gamma shape must be <= 1e"):
        m12.portfolio_stationary(0.1, 1e300)  # named, not blamed on lam (its quadrature overflowed to nan)
    with pytest.raises(ajx.ValidationError, match="gamma shape must be > 0"):
        m12.portfolio_stationary(0.1, "2")
    with pytest.raises(ajx.ValidationError, match="years must be an integer >= 1"):
        m12.simulate(10, 0, 0.1, rng=1)
