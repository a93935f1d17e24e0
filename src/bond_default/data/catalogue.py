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
    """

    number: int
    name: str
    group: str
    family: str
    kind: str
    paper_shap_rank: int | None
    meaning: str

    @property
    def is_discrete(self) -> bool:
        """Whether the indicator takes a few levels (ordinal, binary or categorical)."""
        return self.kind in ("ordinal", "binary", "categorical")


INDICATORS: tuple[Indicator, ...] = (
    Indicator(1, "human_capital_return", "capital_structure", "financial", "continuous", None, "return on human capital investment (profit per unit of staff cost)"),
    Indicator(2, "asset_liability_ratio", "capital_structure", "financial", "ratio_0_1", 5, "total liabilities / total assets"),
    Indicator(3, "shareholder_equity_ratio", "capital_structure", "financial", "ratio_0_1", 6, "shareholder equity / total assets"),
    Indicator(4, "current_assets_ratio", "capital_structure", "financial", "ratio_0_1", None, "current assets / total assets"),
    Indicator(5, "current_debt_ratio", "capital_structure", "financial", "ratio_0_1", 3, "current liabilities / total liabilities"),
    Indicator(6, "return_on_equity", "profitability", "financial", "continuous", None, "net profit / average equity"),
    Indicator(7, "net_sales_margin", "profitability", "financial", "continuous", None, "net profit / sales revenue"),
    Indicator(8, "sales_to_cost_ratio", "profitability", "financial", "continuous", 10, "sales revenue / cost of sales"),
    Indicator(9, "net_operating_margin", "profitability", "financial", "continuous", None, "operating profit / operating revenue"),
    Indicator(10, "main_business_margin", "profitability", "financial", "continuous", None, "main business profit / main business revenue"),
    Indicator(11, "operating_cash_flow_ratio", "profitability", "financial", "continuous", None, "operating net cash flow / operating revenue"),
    Indicator(12, "cash_recovery_on_assets", "profitability", "financial", "continuous", None, "operating net cash flow / average total assets"),
    Indicator(13, "ebitda_margin", "profitability", "financial", "continuous", None, "EBITDA / operating revenue"),
    Indicator(14, "income_tax_rate", "profitability", "financial", "continuous", None, "income tax / total profit"),
    Indicator(15, "current_ratio", "solvency", "financial", "positive", 4, "current assets / current liabilities"),
    Indicator(16, "quick_ratio", "solvency", "financial", "positive", 9, "(current assets - inventory) / current liabilities"),
    Indicator(17, "long_term_liability_share", "solvency", "financial", "ratio_0_1", 2, "long-term liabilities / total liabilities"),
    Indicator(18, "net_debt_ratio", "solvency", "financial", "continuous", 8, "(interest-bearing debt - cash) / total assets"),
    Indicator(19, "equity_ratio", "solvency", "financial", "positive", None, "total liabilities / shareholder equity"),
    Indicator(20, "ebitda_interest_cover", "solvency", "financial", "continuous", None, "EBITDA / interest expense"),
    Indicator(21, "total_profit_growth", "growth_capacity", "financial", "growth", None, "year-on-year growth of total profit"),
    Indicator(22, "main_profit_growth", "growth_capacity", "financial", "growth", None, "year-on-year growth of main business profit"),
    Indicator(23, "revenue_growth", "growth_capacity", "financial", "growth", None, "year-on-year growth of operating revenue"),
    Indicator(24, "equity_growth", "growth_capacity", "financial", "growth", None, "year-on-year growth of owners' equity"),
    Indicator(25, "fixed_asset_share", "operating_capacity", "financial", "ratio_0_1", None, "fixed assets / total assets"),
    Indicator(26, "inventory_turnover", "operating_capacity", "financial", "positive", None, "cost of sales / average inventory"),
    Indicator(27, "receivables_turnover", "operating_capacity", "financial", "positive", None, "revenue / average accounts receivable"),
    Indicator(28, "current_asset_turnover", "operating_capacity", "financial", "positive", None, "revenue / average current assets"),
    Indicator(29, "total_asset_turnover", "operating_capacity", "financial", "positive", None, "revenue / average total assets"),
    Indicator(30, "fixed_asset_turnover", "operating_capacity", "financial", "positive", None, "revenue / average fixed assets"),
    Indicator(31, "cash_turnover", "operating_capacity", "financial", "positive", None, "revenue / average cash"),
    Indicator(32, "coupon_rate", "fundamental_properties", "non_financial", "continuous", 1, "coupon rate at issue (%)"),
    Indicator(33, "issue_amount", "fundamental_properties", "non_financial", "positive", None, "amount of bond issuance (100 million RMB)"),
    Indicator(34, "issue_term_years", "fundamental_properties", "non_financial", "positive", None, "issuing period (years)"),
    Indicator(35, "issuer_rating", "fundamental_properties", "non_financial", "ordinal", None, "corporate credit rating at issue (AAA ... C)"),
    Indicator(36, "bond_rating", "fundamental_properties", "non_financial", "ordinal", None, "bond rating at issue (AAA ... C; may be unrated)"),
    Indicator(37, "listed", "fundamental_properties", "non_financial", "binary", None, "issuer is a listed company"),
    Indicator(38, "payment_method", "fundamental_properties", "non_financial", "categorical", None, "interest payment method (annual / semi-annual / at maturity ...)"),
    Indicator(39, "bond_type", "fundamental_properties", "non_financial", "categorical", 7, "bond type (corporate bond / enterprise bond / MTN / CP / PPN ...)"),
    Indicator(40, "industry", "fundamental_properties", "non_financial", "categorical", None, "industry of the issuer"),
    Indicator(41, "special_terms", "fundamental_properties", "non_financial", "binary", None, "bond has special terms (put / call / coupon step-up ...)"),
    Indicator(42, "rate_type", "fundamental_properties", "non_financial", "categorical", None, "interest rate variety (fixed / floating / progressive)"),
    Indicator(43, "new_issue_rate", "fundamental_properties", "non_financial", "continuous", None, "average interest rate on new issues at issue time (%)"),
    Indicator(44, "macro_prosperity_index", "macroeconomic_environment", "non_financial", "continuous", None, "macroeconomic prosperity index"),
    Indicator(45, "pmi_yoy", "macroeconomic_environment", "non_financial", "continuous", None, "manufacturing PMI (year on year)"),
    Indicator(46, "gdp_yoy", "macroeconomic_environment", "non_financial", "continuous", None, "GDP growth (year on year %)"),
    Indicator(47, "cpi_yoy", "macroeconomic_environment", "non_financial", "continuous", None, "consumer price index (year on year %)"),
    Indicator(48, "social_financing_yoy", "macroeconomic_environment", "non_financial", "continuous", None, "stock of social financing (year on year %)"),
    Indicator(49, "usd_cny", "macroeconomic_environment", "non_financial", "positive", None, "RMB per USD exchange rate"),
    Indicator(50, "local_fiscal_to_debt", "macroeconomic_environment", "non_financial", "positive", None, "local fiscal revenue / local debt stock (issuer's province)"),
    Indicator(51, "treasury_10y", "macroeconomic_environment", "non_financial", "continuous", None, "10-year treasury yield (%)"),
)

BY_NAME: dict[str, Indicator] = {ind.name: ind for ind in INDICATORS}
NAMES: tuple[str, ...] = tuple(ind.name for ind in INDICATORS)
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(ind.group for ind in INDICATORS))


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
