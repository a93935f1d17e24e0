from bond_default.data.catalogue import (
    BY_NAME,
    CATEGORICAL_LEVELS,
    GROUPS,
    INDICATORS,
    KINDS,
    group_of,
    names_of_kind,
)


def test_catalogue_holds_the_papers_51_indicators_in_order():
    assert len(INDICATORS) == 51
    assert [i.number for i in INDICATORS] == list(range(1, 52))
    assert len(BY_NAME) == 51
    assert sum(i.family == "financial" for i in INDICATORS) == 31


def test_groups_and_kinds_are_known():
    assert set(GROUPS) == {"capital_structure", "profitability", "solvency", "growth_capacity",
                           "operating_capacity", "fundamental_properties",
                           "macroeconomic_environment"}
    assert all(i.kind in KINDS for i in INDICATORS)
    assert sum(i.group == "solvency" for i in INDICATORS) == 6
    assert set(names_of_kind("categorical")) == set(CATEGORICAL_LEVELS)


def test_papers_top_ranks_and_generic_group():
    ranked = sorted((i for i in INDICATORS if i.paper_shap_rank), key=lambda i: i.paper_shap_rank)
    assert ranked[0].name == "coupon_rate"
    assert group_of("Attr1") == "generic"
    assert group_of("quick_ratio") == "solvency"
