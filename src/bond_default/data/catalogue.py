"""The 51 indicators of the reference study: the one catalogue every module reads.

Generator, validation, preprocessing (which columns are categorical, ordinal or binary) and
the SHAP grouping all read :data:`INDICATORS`; nothing else lists indicator names.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Rating scale of Chinese issuers and bonds, best first (ordinal indicators are coded 0 = best).
RATING_SCALE: tuple[str, ...] = (
    "AAA", "AA+", "AA", "AA-", "A+", "A", "A-", "BBB+", "BBB", "BBB-",
    "BB+", "BB", "BB-", "B+", "B", "B-", "CCC", "CC", "C",
)

#: Levels of the categorical indicators, as the synthetic market codes them (0, 1, ...).
CATEGORICAL_LEVELS: dict[str, tuple[str, ...]] = {
    "payment_method": ("annual", "semi_annual", "at_maturity", "quarterly"),
    "bond_type": ("corporate_bond", "enterprise_bond", "mtn", "commercial_paper", "ppn", "exchange_private"),
    "industry": (
        "utilities", "construction", "real_estate", "manufacturing", "mining", "transport",
        "wholesale_retail", "information_tech", "agriculture", "services",
    ),
    "rate_type": ("fixed", "floating", "progressive"),
}

#: Chinese short-term ratings (commercial paper), best first, and the long-term rating each is
#: read as: the agencies define A-1 as the strongest capacity to repay (AAA to AA-), A-2 as
#: strong (A band), A-3 as adequate (BBB band); B, C and D read as the long-term B, C and C (the
#: catalogue's lowest level), so a column may mix both scales.
SHORT_TERM_RATINGS: dict[str, str] = {"A-1": "AA", "A-2": "A", "A-3": "BBB", "B": "B", "C": "C",
                                      "D": "C"}

#: Units an indicator can be held in (``code``: levels of an ordinal, binary or categorical one).
UNITS = ("fraction", "percent", "times", "rmb_100m", "years", "index", "rmb_per_usd", "code")

KINDS = ("continuous", "ratio_0_1", "positive", "growth", "ordinal", "binary", "categorical")


@dataclass(frozen=True)
class Indicator:
    """One indicator of the catalogue.

    Parameters
    ----------
    number : int
        Position in the paper's Table 1 (1-51); also the order of the CNN's 1-D input.
    name : str
        Column name used everywhere in the project.
    group : str
        Wind's third-level group (capital_structure, solvency, ...), used to aggregate SHAP.
    family : str
        ``financial`` or ``non_financial``.
    kind : str
        One of :data:`KINDS`: decides range checks, preprocessing and generation.
    paper_shap_rank : int or None
        Rank the paper's SHAP analysis gave the indicator, where it names it.
    meaning : str
        Definition in words.
    unit : str
        One of :data:`UNITS`: the unit the project holds the indicator in (a file may give it
        in another, see :mod:`bond_default.data.units`).
    """

    number: int
    name: str
    group: str
    family: str
    kind: str
    paper_shap_rank: int | None
    meaning: str
    unit: str

    @property
    def is_discrete(self) -> bool:
        """Whether the indicator takes a few levels (ordinal, binary or categorical)."""
        return self.kind in ("ordinal", "binary", "categorical")


INDICATORS: tuple[Indicator, ...] = (
    Indicator(1, "human_capital_return", "capital_structure", "financial", "continuous", None, "return on human capital investment (profit per unit of staff cost)", "times"),
    Indicator(2, "asset_liability_ratio", "capital_structure", "financial", "ratio_0_1", 5, "total liabilities / total assets", "fraction"),
    Indicator(3, "shareholder_equity_ratio", "capital_structure", "financial", "ratio_0_1", 6, "shareholder equity / total assets", "fraction"),
    Indicator(4, "current_assets_ratio", "capital_structure", "financial", "ratio_0_1", None, "current assets / total assets", "fraction"),
    Indicator(5, "current_debt_ratio", "capital_structure", "financial", "ratio_0_1", 3, "current liabilities / total liabilities", "fraction"),
    Indicator(6, "return_on_equity", "profitability", "financial", "continuous", None, "net profit / average equity", "fraction"),
    Indicator(7, "net_sales_margin", "profitability", "financial", "continuous", None, "net profit / sales revenue", "fraction"),
    Indicator(8, "sales_to_cost_ratio", "profitability", "financial", "continuous", 10, "sales revenue / cost of sales", "times"),
    Indicator(9, "net_operating_margin", "profitability", "financial", "continuous", None, "operating profit / operating revenue", "fraction"),
    Indicator(10, "main_business_margin", "profitability", "financial", "continuous", None, "main business profit / main business revenue", "fraction"),
    Indicator(11, "operating_cash_flow_ratio", "profitability", "financial", "continuous", None, "operating net cash flow / operating revenue", "fraction"),
    Indicator(12, "cash_recovery_on_assets", "profitability", "financial", "continuous", None, "operating net cash flow / average total assets", "fraction"),
    Indicator(13, "ebitda_margin", "profitability", "financial", "continuous", None, "EBITDA / operating revenue", "fraction"),
    Indicator(14, "income_tax_rate", "profitability", "financial", "continuous", None, "income tax / total profit", "fraction"),
    Indicator(15, "current_ratio", "solvency", "financial", "positive", 4, "current assets / current liabilities", "times"),
    Indicator(16, "quick_ratio", "solvency", "financial", "positive", 9, "(current assets - inventory) / current liabilities", "times"),
    Indicator(17, "long_term_liability_share", "solvency", "financial", "ratio_0_1", 2, "long-term liabilities / total liabilities", "fraction"),
    Indicator(18, "net_debt_ratio", "solvency", "financial", "continuous", 8, "(interest-bearing debt - cash) / total assets", "fraction"),
    Indicator(19, "equity_ratio", "solvency", "financial", "positive", None, "total liabilities / shareholder equity", "times"),
    Indicator(20, "ebitda_interest_cover", "solvency", "financial", "continuous", None, "EBITDA / interest expense", "times"),
    Indicator(21, "total_profit_growth", "growth_capacity", "financial", "growth", None, "year-on-year growth of total profit", "fraction"),
    Indicator(22, "main_profit_growth", "growth_capacity", "financial", "growth", None, "year-on-year growth of main business profit", "fraction"),
    Indicator(23, "revenue_growth", "growth_capacity", "financial", "growth", None, "year-on-year growth of operating revenue", "fraction"),
    Indicator(24, "equity_growth", "growth_capacity", "financial", "growth", None, "year-on-year growth of owners' equity", "fraction"),
    Indicator(25, "fixed_asset_share", "operating_capacity", "financial", "ratio_0_1", None, "fixed assets / total assets", "fraction"),
    Indicator(26, "inventory_turnover", "operating_capacity", "financial", "positive", None, "cost of sales / average inventory", "times"),
    Indicator(27, "receivables_turnover", "operating_capacity", "financial", "positive", None, "revenue / average accounts receivable", "times"),
    Indicator(28, "current_asset_turnover", "operating_capacity", "financial", "positive", None, "revenue / average current assets", "times"),
    Indicator(29, "total_asset_turnover", "operating_capacity", "financial", "positive", None, "revenue / average total assets", "times"),
    Indicator(30, "fixed_asset_turnover", "operating_capacity", "financial", "positive", None, "revenue / average fixed assets", "times"),
    Indicator(31, "cash_turnover", "operating_capacity", "financial", "positive", None, "revenue / average cash", "times"),
    Indicator(32, "coupon_rate", "fundamental_properties", "non_financial", "continuous", 1, "coupon rate at issue (%)", "percent"),
    Indicator(33, "issue_amount", "fundamental_properties", "non_financial", "positive", None, "amount of bond issuance (100 million RMB)", "rmb_100m"),
    Indicator(34, "issue_term_years", "fundamental_properties", "non_financial", "positive", None, "issuing period (years)", "years"),
    Indicator(35, "issuer_rating", "fundamental_properties", "non_financial", "ordinal", None, "corporate credit rating at issue (AAA ... C)", "code"),
    Indicator(36, "bond_rating", "fundamental_properties", "non_financial", "ordinal", None, "bond rating at issue (AAA ... C; may be unrated)", "code"),
    Indicator(37, "listed", "fundamental_properties", "non_financial", "binary", None, "issuer is a listed company", "code"),
    Indicator(38, "payment_method", "fundamental_properties", "non_financial", "categorical", None, "interest payment method (annual / semi-annual / at maturity ...)", "code"),
    Indicator(39, "bond_type", "fundamental_properties", "non_financial", "categorical", 7, "bond type (corporate bond / enterprise bond / MTN / CP / PPN ...)", "code"),
    Indicator(40, "industry", "fundamental_properties", "non_financial", "categorical", None, "industry of the issuer", "code"),
    Indicator(41, "special_terms", "fundamental_properties", "non_financial", "binary", None, "bond has special terms (put / call / coupon step-up ...)", "code"),
    Indicator(42, "rate_type", "fundamental_properties", "non_financial", "categorical", None, "interest rate variety (fixed / floating / progressive)", "code"),
    Indicator(43, "new_issue_rate", "fundamental_properties", "non_financial", "continuous", None, "average interest rate on new issues at issue time (%)", "percent"),
    Indicator(44, "macro_prosperity_index", "macroeconomic_environment", "non_financial", "continuous", None, "macroeconomic prosperity index", "index"),
    Indicator(45, "pmi_yoy", "macroeconomic_environment", "non_financial", "continuous", None, "manufacturing PMI (year on year)", "index"),
    Indicator(46, "gdp_yoy", "macroeconomic_environment", "non_financial", "continuous", None, "GDP growth (year on year %)", "percent"),
    Indicator(47, "cpi_yoy", "macroeconomic_environment", "non_financial", "continuous", None, "consumer price index (year on year %)", "percent"),
    Indicator(48, "social_financing_yoy", "macroeconomic_environment", "non_financial", "continuous", None, "stock of social financing (year on year %)", "percent"),
    Indicator(49, "usd_cny", "macroeconomic_environment", "non_financial", "positive", None, "RMB per USD exchange rate", "rmb_per_usd"),
    Indicator(50, "local_fiscal_to_debt", "macroeconomic_environment", "non_financial", "positive", None, "local fiscal revenue / local debt stock (issuer's province)", "fraction"),
    Indicator(51, "treasury_10y", "macroeconomic_environment", "non_financial", "continuous", None, "10-year treasury yield (%)", "percent"),
)

BY_NAME: dict[str, Indicator] = {ind.name: ind for ind in INDICATORS}
NAMES: tuple[str, ...] = tuple(ind.name for ind in INDICATORS)
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(ind.group for ind in INDICATORS))

#: Indicators that take one value per year for every bond (the national macro environment of
#: year t-1; ``local_fiscal_to_debt`` is the issuer's province and varies within a year).
YEAR_LEVEL: tuple[str, ...] = ("macro_prosperity_index", "pmi_yoy", "gdp_yoy", "cpi_yoy",
                               "social_financing_yoy", "usd_cny", "treasury_10y")


def names_of_kind(*kinds: str) -> list[str]:
    """Names of the catalogue indicators whose kind is one of ``kinds``, in catalogue order."""
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown indicator kind(s) {sorted(unknown)}; allowed: {KINDS}")
    return [ind.name for ind in INDICATORS if ind.kind in kinds]


def group_of(name: str) -> str:
    """The catalogue group of ``name``; columns outside the catalogue are ``generic``."""
    ind = BY_NAME.get(name)
    return ind.group if ind else "generic"
