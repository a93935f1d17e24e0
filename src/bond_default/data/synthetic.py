"""A synthetic Chinese credit-bond market that behaves like the real one.

Generative story
----------------
1. **Issuers.** Bonds come from issuers holding 2-6 bonds each. Every issuer has an industry,
   an ownership (state-owned or private) and a province. A latent credit quality ``q`` adds
   industry, ownership (SOEs stronger) and provincial fiscal-strength effects to a normal draw.
2. **Outcome years.** Each issuer has a home year in 2014..2021 (the market grows, so later
   years hold more bonds); its bonds' outcome years ``t`` scatter around it. Features are those
   of year ``t - 1``; financial statements are drawn once per issuer-year, so bonds of one
   issuer in one year share them.
3. **Financial ratios.** The issuer-year health ``h`` (``q`` plus a yearly shock, weaker when
   credit is tight) drives a small balance sheet and income statement through monotone,
   non-linear, noisy links; the 31 ratios are computed from them, so accounting identities
   hold (liability + equity shares sum to one, quick <= current ratio, DuPont return on equity,
   turnover = revenue / stock) and heavy tails and extreme values arise where denominators are
   small, as in real accounting data.
4. **Bond terms.** Bond type depends on ownership (private firms use private placements), the
   term on the type, the issue year on the term. Ratings at issue rank the issuers' quality at
   issue (plus an SOE bonus) into Chinese rating shares (AAA ~40%, AA+ ~27%, AA ~22%); the
   coupon is the 10-year treasury yield of the issue year plus a spread that prices quality,
   rating, term, type and ownership, so the coupon carries much of the signal.
5. **Macro.** Year-level figures of 2013-2021 (approximate public Chinese data); a row of
   outcome year ``t`` carries year ``t - 1``; ``local_fiscal_to_debt`` is provincial.
6. **Default.** The true default logit is a function of observed year ``t - 1`` indicators
   only (:func:`_hazard_logit`), through separate mechanisms, so defaulted bonds are not one
   blob: the market's view (coupon above ~6.5%); over-leverage of public bonds (corporate,
   enterprise, MTN), worse when EBITDA hardly covers interest; a liquidity squeeze of
   rollover bonds (CP, PPN, exchange private placements): short-term debt wall with a low quick
   ratio, a current ratio below one or implausibly far above two (window-dressed current
   assets), little long-term debt when credit is tight; a refinancing wall for rollover bonds
   when social-financing growth is low (they are safer than average in loose years); U-shaped
   gross-margin and revenue-growth terms (collapse or debt-fuelled expansion). Issuer-year and
   bond noise terms (not indicators) and a logistic draw give the label (a Bernoulli draw of
   the true probability); the threshold is set so that ``n_bonds x 406 / 26,561`` complete
   rows default: 406 at the paper's size, whose stratified 70% training split holds the
   paper's 284 defaulted rows (the paper's 416 cannot: 70% of 416 is 291).
7. **Gaps.** A few percent of issuer-years miss some items (more often human-capital return,
   income-tax rate, cash turnover; slightly more often for weaker issuers).
8. **Ground truth.** ``true_drivers`` ranks the indicators by the mean absolute change of the
   true default probability (noise averaged out) when that indicator alone is permuted across
   the generated rows; indicators the hazard does not read have zero influence and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bond_default.data.catalogue import NAMES, RATING_SCALE

#: Defaulted complete rows per generated bond: 406 of the paper's 26,561 bonds, so that a
#: stratified 70/30 split leaves the paper's 284 defaulted training rows (its 994 = 284 x 3.5
#: and 9,940 build on them). The paper's 416 of 25,290 (1.64%) would leave 291.
DEFAULTED_PER_BOND = 406 / 26_561

#: Approximate public Chinese figures for 2013..2021, one value per year.
_MACRO = {
    "macro_prosperity_index": [97.5, 96.0, 94.0, 94.5, 97.0, 96.5, 94.5, 92.0, 97.0],
    "pmi_yoy": [50.8, 50.7, 49.9, 50.3, 51.6, 50.9, 49.7, 49.9, 50.5],
    "gdp_yoy": [7.8, 7.4, 7.0, 6.8, 6.9, 6.7, 6.0, 2.2, 8.1],
    "cpi_yoy": [2.6, 2.0, 1.4, 2.0, 1.6, 2.1, 2.9, 2.5, 0.9],
    "social_financing_yoy": [17.5, 14.3, 12.4, 12.8, 12.0, 9.8, 10.7, 13.3, 10.3],
    "usd_cny": [6.19, 6.14, 6.23, 6.64, 6.75, 6.62, 6.90, 6.90, 6.45],
    "treasury_10y": [3.9, 4.2, 3.4, 2.9, 3.6, 3.6, 3.2, 2.9, 3.0],
}
#: Yearly average 10-year treasury yield 2009..2021 (coupons price off the issue year).
_TREASURY_FROM_2009 = np.array([3.5, 3.5, 3.9, 3.5] + _MACRO["treasury_10y"])

_YEARS = np.arange(2014, 2022)
_YEAR_WEIGHTS = np.array([0.06, 0.08, 0.10, 0.12, 0.14, 0.16, 0.17, 0.17])

# Industry tables, in the order of CATEGORICAL_LEVELS["industry"]: utilities, construction,
# real_estate, manufacturing, mining, transport, wholesale_retail, information_tech,
# agriculture, services.
_IND_P = np.array([0.10, 0.16, 0.10, 0.20, 0.08, 0.10, 0.08, 0.05, 0.03, 0.10])
_IND_SOE = np.array([0.85, 0.80, 0.45, 0.45, 0.80, 0.85, 0.50, 0.35, 0.40, 0.60])
_IND_Q = np.array([0.3, 0.0, -0.3, -0.1, -0.2, 0.2, -0.3, 0.0, -0.4, 0.0])
_IND_ALR = np.array([0.62, 0.72, 0.76, 0.56, 0.60, 0.60, 0.66, 0.48, 0.52, 0.56])
_IND_CAR = np.array([0.20, 0.66, 0.78, 0.50, 0.30, 0.25, 0.70, 0.60, 0.45, 0.45])
_IND_FIX = np.array([0.75, 0.35, 0.15, 0.65, 0.70, 0.75, 0.40, 0.35, 0.55, 0.55])
_IND_GM = np.array([0.30, 0.14, 0.32, 0.20, 0.28, 0.25, 0.10, 0.35, 0.18, 0.28])
_IND_TAT = np.array([0.15, 0.55, 0.22, 0.80, 0.40, 0.18, 1.60, 0.60, 0.60, 0.40])
# log-weights of (inventory, receivables, cash, other) inside current assets
_IND_CA_MIX = np.log(np.array([
    [0.10, 0.35, 0.25, 0.30], [0.30, 0.35, 0.15, 0.20], [0.65, 0.05, 0.12, 0.18],
    [0.30, 0.30, 0.20, 0.20], [0.15, 0.25, 0.30, 0.30], [0.05, 0.25, 0.35, 0.35],
    [0.35, 0.25, 0.20, 0.20], [0.18, 0.40, 0.25, 0.17], [0.35, 0.20, 0.20, 0.25],
    [0.10, 0.30, 0.30, 0.30],
]))

# Bond types, in the order of CATEGORICAL_LEVELS["bond_type"]: corporate_bond, enterprise_bond,
# mtn, commercial_paper, ppn, exchange_private; shares for SOE and private issuers.
_TYPE_P = {1: np.array([0.20, 0.20, 0.32, 0.18, 0.07, 0.03]),
           0: np.array([0.25, 0.03, 0.25, 0.15, 0.17, 0.15])}
_TYPE_TERMS = np.array([[3, 5, 7, 10], [5, 7, 10, 10], [3, 5, 5, 7],
                        [0.5, 0.74, 1, 1], [2, 3, 3, 5], [2, 2, 3, 3]], dtype=float)
_TYPE_TERM_P = np.array([[0.35, 0.40, 0.20, 0.05], [0.20, 0.45, 0.35, 0.0],
                         [0.45, 0.35, 0.15, 0.05], [0.15, 0.35, 0.50, 0.0],
                         [0.30, 0.50, 0.15, 0.05], [0.50, 0.0, 0.50, 0.0]])
_TYPE_SPREAD = np.array([0.2, 0.3, 0.0, -0.4, 0.6, 0.9])
#: Shares of rating codes AAA, AA+, AA, AA-, A+, A, A-, BBB+, BBB and below at issue.
_RATING_P = np.array([0.40, 0.27, 0.22, 0.06, 0.022, 0.012, 0.006, 0.004, 0.002, 0.004])

#: Standard deviation of each of the two default-noise terms (issuer-year and bond).
_NOISE_SD = 2.2
#: Issuer-year probability that an item is missing from the statements.
_GAP_P = {"human_capital_return": 0.0135, "income_tax_rate": 0.0097, "cash_turnover": 0.0077,
          "inventory_turnover": 0.0039, "main_profit_growth": 0.0029, "fixed_asset_turnover": 0.002,
          "ebitda_interest_cover": 0.002, "receivables_turnover": 0.002, "equity_growth": 0.001,
          "operating_cash_flow_ratio": 0.001, "cash_recovery_on_assets": 0.001}


def _sig(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1.0 - p))


def _choice(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of ``probs`` (rows sum to one)."""
    cum = np.cumsum(probs, axis=-1)
    u = rng.random(cum.shape[0])[:, None] * cum[:, -1:]
    return np.minimum((u > cum).sum(axis=1), probs.shape[1] - 1)


def _hazard_logit(x: dict[str, np.ndarray]) -> np.ndarray:
    """True default logit in year t from observed year t-1 indicators, without intercept.

    Parameters
    ----------
    x : dict of str to numpy.ndarray
        Indicator columns by catalogue name (complete values; bond_type as integer codes).

    Returns
    -------
    numpy.ndarray
        Logit contribution of the indicators, one value per row.
    """
    coupon, btype = x["coupon_rate"], x["bond_type"]
    lev = 0.5 * x["asset_liability_ratio"] + 0.5 * (1.0 - x["shareholder_equity_ratio"])
    ndr, cr, qr = x["net_debt_ratio"], x["current_ratio"], x["quick_ratio"]
    cdr, lts = x["current_debt_ratio"], x["long_term_liability_share"]
    stc, rg = x["sales_to_cost_ratio"], x["revenue_growth"]
    weak_cover = _sig((1.5 - x["ebitda_interest_cover"]) / 0.5)
    tight = _sig((11.8 - x["social_financing_yoy"]) / 0.5)   # credit-tight years
    rollover = btype >= 3                                       # CP, PPN, exchange private
    market = 3.9 * _sig((coupon - 6.5) / 0.2)
    leverage = (3.5 * _sig((lev - 0.72) / 0.03) + 3.0 * _sig((ndr - 0.38) / 0.04)
                ) * (0.5 + 0.5 * weak_cover)
    squeeze = (4.5 * _sig((cdr - 0.66) / 0.04) * _sig((0.8 - qr) / 0.1)
               + 1.5 * _sig((1.0 - cr) / 0.1) + 5.0 * _sig((cr - 2.6) / 0.06)
               + 4.5 * _sig((0.14 - lts) / 0.012) * (2.4 * tight - 0.7))
    refinancing = np.where(btype == 3, 0.6, 1.0) * rollover * (2.0 * tight - 0.8)
    margin = 0.9 * _sig((1.09 - stc) / 0.02) + 0.6 * _sig((stc - 2.2) / 0.1)
    growth = 1.2 * (_sig((-0.15 - rg) / 0.02) + _sig((rg - 0.45) / 0.03))
    return market + np.where(rollover, squeeze, leverage) + refinancing + margin + growth


def _true_probability(x: dict[str, np.ndarray], intercept: float) -> np.ndarray:
    """True default probability given the indicators: the logistic averaged over the noise
    terms, with the probit approximation ``E[sig(z + e)] ~ sig(z / sqrt(1 + pi * var(e) / 8))``.
    """
    return _sig((intercept + _hazard_logit(x)) / np.sqrt(1.0 + np.pi * 2 * _NOISE_SD**2 / 8.0))


def _influence(x: dict[str, np.ndarray], intercept: float, rng: np.random.Generator) -> list[str]:
    """Rank indicators by how much permuting each one moves the true default probability."""
    base = _true_probability(x, intercept)
    scores = {}
    for name in NAMES:
        shuffled = dict(x)
        shuffled[name] = x[name][rng.permutation(len(base))]
        scores[name] = float(np.mean(np.abs(_true_probability(shuffled, intercept) - base)))
    ranked = sorted((-s, NAMES.index(n), n) for n, s in scores.items() if s > 1e-12)
    return [n for _, _, n in ranked]


def _issuers(rng: np.random.Generator, n_bonds: int) -> tuple[np.ndarray, int]:
    sizes = rng.choice(np.arange(2, 7), size=n_bonds // 2 + 1, p=[0.3, 0.25, 0.2, 0.15, 0.1])
    issuer = np.repeat(np.arange(len(sizes)), sizes)[:n_bonds]
    return issuer, int(issuer[-1]) + 1


def _financials(rng: np.random.Generator, ind: np.ndarray, h: np.ndarray, eps: np.ndarray,
                private: np.ndarray, gdp: np.ndarray) -> dict[str, np.ndarray]:
    """Statements of each issuer-year and the 31 financial ratios computed from them."""
    n = len(h)
    e = iter(eps.T)
    alr = np.clip(_sig(_logit(_IND_ALR[ind]) - 0.15 * h + 0.45 * next(e)), 0.03, 0.985)
    ser = np.clip(1.0 - alr - np.abs(rng.normal(0.0, 0.003, n)), 0.0, 1.0)
    car = _sig(_logit(_IND_CAR[ind]) + 0.5 * next(e))
    fas = (1.0 - car) * _sig(_logit(_IND_FIX[ind]) + 0.6 * next(e))
    cdr = _sig(0.2 - 0.12 * h + 0.45 * private + 0.6 * next(e))
    lts = (1.0 - cdr) * _sig(1.0 + 0.15 * h + 0.7 * next(e))
    mix = _IND_CA_MIX[ind] + 0.7 * rng.standard_normal((n, 4))
    mix[:, 2] += 0.25 * h
    mix = np.exp(mix) / np.exp(mix).sum(axis=1, keepdims=True)
    inv, rec, cash = mix[:, 0] * car, mix[:, 1] * car, mix[:, 2] * car
    cur_liab = cdr * alr
    gm = _sig(_logit(_IND_GM[ind]) + 0.15 * h + 0.45 * next(e))
    tat = _IND_TAT[ind] * np.exp(0.10 * h + 0.30 * next(e))
    rev = tat
    sga = np.exp(np.log(0.08) + 0.3 * next(e)) * (1.0 - 0.1 * np.tanh(h))
    da = 0.045 * fas + 0.01
    ibd = alr * _sig(0.4 - 0.3 * h + 0.5 * next(e))
    interest = ibd * np.clip(0.05 - 0.006 * h + 0.012 * rng.standard_normal(n), 0.025, 0.12)
    ebitda = rev * (gm - sga) + da + 0.01 * rng.standard_normal(n)
    op = ebitda - da - interest
    profit = op + 0.006 * rng.standard_normal(n)
    tax = 0.22 * np.maximum(profit, 0.0) * rng.uniform(0.6, 1.1, n) + 0.002 * np.abs(
        rng.standard_normal(n))
    net = profit - tax
    staff = rev * np.exp(np.log(0.08) + 0.4 * rng.standard_normal(n))
    ocf = ebitda * (0.75 + 0.1 * np.tanh(h)) - tax + rev * 0.06 * rng.standard_normal(n)
    rg = np.exp(rng.normal(0.07 + 0.05 * h + 0.02 * (gdp - 6.5), 0.22, n))
    rg *= np.where(rng.random(n) < 0.006, np.exp(rng.normal(0.0, 1.2, n)), 1.0)
    prev_profit = (profit / rg * np.exp(0.3 * rng.standard_normal(n))
                   + 0.012 * rng.standard_normal(n))
    gm_prev = gm * np.exp(0.35 * rng.standard_normal(n))
    eq_g = np.exp(rng.normal(0.06 + 0.04 * h, 0.12, n)) - 1.0
    eq_g += np.where(rng.random(n) < 0.02, rng.uniform(0.3, 2.0, n), 0.0)
    surcharge = rng.uniform(0.005, 0.05, n) + 0.05 * (ind == 2)
    out = {
        "human_capital_return": profit / staff,
        "asset_liability_ratio": alr,
        "shareholder_equity_ratio": ser,
        "current_assets_ratio": car,
        "current_debt_ratio": cdr,
        "return_on_equity": net / np.maximum(ser, 0.02),
        "net_sales_margin": net / rev,
        "sales_to_cost_ratio": 1.0 / (1.0 - gm),
        "net_operating_margin": op / rev,
        "main_business_margin": gm - surcharge,
        "operating_cash_flow_ratio": ocf / rev,
        "cash_recovery_on_assets": ocf,
        "ebitda_margin": ebitda / rev,
        "income_tax_rate": tax / np.where(np.abs(profit) < 1e-4, 1e-4, profit),
        "current_ratio": car / cur_liab,
        "quick_ratio": (car - inv) / cur_liab,
        "long_term_liability_share": lts,
        "net_debt_ratio": ibd - cash,
        "equity_ratio": alr / np.maximum(ser, 1e-3),
        "ebitda_interest_cover": ebitda / interest,
        "total_profit_growth": (profit - prev_profit) / np.maximum(np.abs(prev_profit), 1e-4),
        "main_profit_growth": rg * gm / gm_prev - 1.0,
        "revenue_growth": rg - 1.0,
        "equity_growth": eq_g,
        "fixed_asset_share": fas,
        "inventory_turnover": rev * (1.0 - gm) / inv,
        "receivables_turnover": rev / rec,
        "current_asset_turnover": rev / car,
        "total_asset_turnover": rev,
        "fixed_asset_turnover": rev / fas,
        "cash_turnover": rev / cash,
    }
    for name in ("receivables_turnover", "inventory_turnover", "ebitda_interest_cover"):
        extreme = rng.random(n) < 0.002
        out[name] = np.where(extreme, out[name] * np.exp(rng.uniform(1.5, 4.0, n)), out[name])
    return out


def generate_market(n_bonds: int = 26_561, seed: int = 0) -> tuple[pd.DataFrame, list[str]]:
    """Generate a synthetic Chinese credit-bond market with a known default mechanism.

    Parameters
    ----------
    n_bonds : int, default 26561
        Number of bonds (rows), the paper's count before rows with gaps were removed.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``; the same seed gives the same frame.

    Returns
    -------
    frame : pandas.DataFrame
        The 51 catalogue indicators in catalogue order, then ``year`` (outcome year t,
        2014..2021; indicators are of year t-1) and ``default`` (0/1). About 4.8% of rows have
        gaps (NaN) in some financial indicators; ``round(n_bonds x 406 / 26,561)`` complete
        rows defaulted (406 of about 25,300, 1.6%, at the default size).
        Categorical indicators are integer codes into ``CATEGORICAL_LEVELS``, ratings are codes
        into ``RATING_SCALE`` (0 = AAA).
    true_drivers : list of str
        Indicators that drive the true default hazard, most influential first (mean absolute
        change of the true default probability when the indicator is permuted across rows).
    """
    market = market_with_truth(n_bonds, seed)
    return market.frame, market.true_drivers


@dataclass
class SyntheticMarket:
    """A generated market with its ground truth: what :func:`generate_market` returns, and
    the true default probability of every bond (a perfect model of the market).

    Attributes
    ----------
    frame : pandas.DataFrame
        As returned by :func:`generate_market`.
    true_drivers : list of str
        As returned by :func:`generate_market`.
    indicators : pandas.DataFrame
        The 51 indicators of every bond without gaps, in catalogue order (generation order of
        rows, not the shuffled order of ``frame``).
    intercept : float
        Intercept of the true default logit.
    """

    frame: pd.DataFrame
    true_drivers: list[str]
    indicators: pd.DataFrame
    intercept: float

    def true_probability(self, rows) -> np.ndarray:
        """True default probability of rows of the 51 indicators (catalogue order, categories
        as integer codes): the logistic of the true logit with the noise averaged out, the
        probability ``true_drivers`` are ranked by."""
        values = np.asarray(rows, dtype=float)
        return _true_probability({name: values[:, i] for i, name in enumerate(NAMES)},
                                 self.intercept)


def market_with_truth(n_bonds: int = 26_561, seed: int = 0) -> SyntheticMarket:
    """The market of :func:`generate_market` (same arguments, same frame) with its truth."""
    if n_bonds < 2:
        raise ValueError(f"n_bonds={n_bonds} is too small; generate at least 2 bonds")
    rng = np.random.default_rng(seed)
    issuer, n_iss = _issuers(rng, n_bonds)

    # issuers: industry, ownership, province and latent quality
    industry = _choice(rng, np.broadcast_to(_IND_P, (n_iss, 10)))
    soe = (rng.random(n_iss) < _IND_SOE[industry]).astype(int)
    prov_p = rng.dirichlet(np.full(31, 2.0))
    prov_strength = rng.standard_normal(31)
    province = rng.choice(31, size=n_iss, p=prov_p)
    q = _IND_Q[industry] + 0.6 * soe + 0.25 * prov_strength[province] + rng.standard_normal(n_iss)
    home = rng.choice(_YEARS, size=n_iss, p=_YEAR_WEIGHTS)

    # bonds: outcome year, issuer-year statements
    year = np.clip(home[issuer] + rng.choice([-1, 0, 0, 0, 1], size=n_bonds), 2014, 2021)
    fy = year - 1 - 2013                                   # index of year t-1 in the macro table
    macro = {k: np.asarray(v)[fy] for k, v in _MACRO.items()}
    iy_keys, iy = np.unique(issuer * 16 + (year - 2014), return_inverse=True)
    iy_issuer = iy_keys // 16
    iy_sf = np.asarray(_MACRO["social_financing_yoy"])[iy_keys % 16 + 2014 - 1 - 2013]
    iy_gdp = np.asarray(_MACRO["gdp_yoy"])[iy_keys % 16 + 2014 - 1 - 2013]
    n_iy = len(iy_keys)
    h = q[iy_issuer] + 0.08 * (iy_sf - 12.0) + 0.45 * rng.standard_normal(n_iy)
    eps = 0.6 * rng.standard_normal((n_iss, 10))[iy_issuer] + 0.8 * rng.standard_normal((n_iy, 10))
    fin = _financials(rng, industry[iy_issuer], h, eps, 1 - soe[iy_issuer], iy_gdp)
    x: dict[str, np.ndarray] = {k: v[iy] for k, v in fin.items()}

    # bond terms, ratings and pricing at issue
    soe_b, ind_b = soe[issuer], industry[issuer]
    btype = _choice(rng, np.where(soe_b[:, None] == 1, _TYPE_P[1], _TYPE_P[0]))
    k_term = _choice(rng, _TYPE_TERM_P[btype])
    term = _TYPE_TERMS[btype, k_term]
    issue_year = np.maximum(year - 1 - np.floor(rng.random(n_bonds) * np.minimum(term, 5)), 2009)
    tsy_issue = _TREASURY_FROM_2009[(issue_year - 2009).astype(int)]
    q_issue = q[issuer] + 0.25 * rng.standard_normal(n_bonds)
    amount = np.exp(1.6 + 0.35 * q_issue + 0.3 * soe_b + 0.6 * rng.standard_normal(n_bonds))
    score = (q_issue + 0.7 * soe_b + 0.25 * rng.standard_normal(n_iss)[issuer]
             + 0.1 * rng.standard_normal(n_bonds))
    pct = np.argsort(np.argsort(-score)) / n_bonds
    issuer_rating = np.searchsorted(np.cumsum(_RATING_P)[:-1], pct, side="right")
    issuer_rating = np.where(issuer_rating == 9, 9 + rng.integers(0, 10, n_bonds), issuer_rating)
    notch = rng.random(n_bonds)
    bond_rating = np.clip(issuer_rating - (notch < 0.22) + (notch > 0.96), 0,
                          len(RATING_SCALE) - 1)
    private = 1 - soe_b
    spread = (0.9 + 0.35 * np.minimum(bond_rating, 8) + 0.45 * _softplus(-1.2 * q_issue)
              + 0.06 * term + _TYPE_SPREAD[btype] - 0.35 * soe_b
              + 0.5 * private * np.isin(issue_year, (2018, 2019))
              + 0.5 * rng.standard_normal(n_bonds))
    x["coupon_rate"] = np.round(tsy_issue + np.maximum(spread, 0.2), 3)
    x["issue_amount"] = np.round(amount, 2)
    x["issue_term_years"] = term
    x["issuer_rating"], x["bond_rating"] = issuer_rating, bond_rating
    x["listed"] = (rng.random(n_bonds) < np.where(soe_b == 1, 0.25, 0.45)).astype(int)
    pay = _choice(rng, np.broadcast_to([0.90, 0.05, 0.03, 0.02], (n_bonds, 4)))
    x["payment_method"] = np.where(btype == 3, 2, pay)
    x["bond_type"], x["industry"] = btype, ind_b
    x["special_terms"] = (rng.random(n_bonds) < np.where(btype == 3, 0.08, 0.45)).astype(int)
    x["rate_type"] = _choice(rng, np.where((btype == 1)[:, None], [[0.85, 0.03, 0.12]],
                                           [[0.95, 0.03, 0.02]]))
    x["new_issue_rate"] = np.round(tsy_issue + 1.5 + 0.3 * rng.standard_normal(n_bonds), 3)
    x.update(macro)
    fiscal = np.exp(-0.6 + 0.35 * prov_strength[province[issuer]] - 0.06 * (year - 2014))
    x["local_fiscal_to_debt"] = fiscal * np.exp(0.05 * rng.standard_normal(n_bonds))

    # default: true logit of observed indicators + issuer-year and bond noise + a logistic
    # draw (the same as a Bernoulli draw of the probability); the threshold makes exactly
    # round(n_bonds x DEFAULTED_PER_BOND) complete rows default
    noise = _NOISE_SD * (rng.standard_normal(n_iy)[iy] + rng.standard_normal(n_bonds))
    logit = _hazard_logit(x) + noise
    weak = np.exp(-0.25 * (h - h.mean()))[iy]
    gaps = {k: rng.random(n_iy)[iy] < p * weak for k, p in _GAP_P.items()}
    complete = ~np.logical_or.reduce(list(gaps.values()))
    latent = logit + rng.logistic(size=n_bonds)
    pool = latent[complete] if complete.any() else latent
    n_defaulted = min(max(round(n_bonds * DEFAULTED_PER_BOND), 1), len(pool))
    threshold = np.partition(pool, len(pool) - n_defaulted)[len(pool) - n_defaulted]
    default = (latent >= threshold).astype(int)
    intercept = -threshold
    drivers = _influence(x, intercept, rng)

    frame = pd.DataFrame({name: x[name] for name in NAMES})
    for name, gap in gaps.items():
        frame.loc[gap, name] = np.nan
    frame["year"] = year.astype(int)
    frame["default"] = default
    order = rng.permutation(n_bonds)
    indicators = pd.DataFrame({name: np.asarray(x[name], dtype=float) for name in NAMES})
    return SyntheticMarket(frame.iloc[order].reset_index(drop=True), drivers, indicators,
                           float(intercept))

