"""Quota arithmetic: percentages round down, boundaries hold, and only additions can break a rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.campaign_file import RuleSpec
from service.domain.quotas import Nominated, RuleContext, Tally, allowed_by_percent, check_rule


@pytest.mark.parametrize(
    ("percent", "base", "allowed"),
    [(30, 7, 2), (50, 7, 3), (30, 10, 3), (50, 10, 5), (100, 7, 7), (0, 7, 0), (30, 0, 0), (33.3, 3, 0), (33.4, 3, 1),
     (12.5, 8, 1), (49.99, 2, 0)],
)  # fmt: skip
def test_percent_of_staff_rounds_down(percent, base, allowed):
    assert allowed_by_percent(percent, base) == allowed


@given(st.integers(0, 100), st.integers(0, 10_000))
def test_percent_never_exceeds_the_share_and_misses_it_by_less_than_one(percent, base):
    allowed = allowed_by_percent(percent, base)
    assert allowed * 100 <= percent * base < (allowed + 1) * 100 or base == 0 or percent == 0


@given(st.integers(0, 100), st.integers(0, 500), st.integers(0, 500))
def test_percent_is_monotonic(percent, a, b):
    low, high = sorted((a, b))
    assert allowed_by_percent(percent, low) <= allowed_by_percent(percent, high)


def nominees(collectives: int, individuals: int, form: str = "GK-XA") -> Tally:
    return Tally(tuple([Nominated("collective", form)] * collectives + [Nominated("individual", form)] * individuals))


PL_COLLECTIVES = RuleSpec("PL-TAP-THE", "count_range", {"award_form": "GK-XA", "subject_type": "collective",
                                                         "level": "ward", "min": 3, "max": 5}, "3–5 tập thể")  # fmt: skip
MT_PER_UNIT = RuleSpec("MT-DON-VI", "per_unit_max", {"collective": 1, "individual": 3}, "1 tập thể, 3 cá nhân")
PL_STAFF = RuleSpec("PL-CA-NHAN", "percent_of_staff", {"subject_type": "individual", "min_percent": 30,
                                                        "max_percent": 50}, "30–50 %")  # fmt: skip


@pytest.mark.parametrize(("decided", "adding", "ok"), [(4, 1, True), (5, 0, True), (5, 1, False), (0, 6, False), (2, 3, True)])
def test_phu_lam_three_to_five_collectives(decided, adding, ok):
    check = check_rule(PL_COLLECTIVES, nominees(decided, 0), nominees(adding, 0), RuleContext())
    assert check.ok is ok
    assert check.lines[0] == ("tập thể", decided + adding, 5, 3)


def test_collectives_of_another_award_form_do_not_count():
    check = check_rule(PL_COLLECTIVES, nominees(5, 0, form="GK-HUYEN"), nominees(1, 0), RuleContext())
    assert check.ok and check.lines[0][1] == 1


@pytest.mark.parametrize(("decided", "adding", "ok"), [((0, 0), (1, 3), True), ((1, 3), (0, 1), False),
                                                       ((1, 0), (1, 0), False), ((0, 2), (0, 1), True)])  # fmt: skip
def test_my_thanh_one_collective_three_individuals_per_unit(decided, adding, ok):
    assert check_rule(MT_PER_UNIT, nominees(*decided), nominees(*adding), RuleContext()).ok is ok


@pytest.mark.parametrize(("staff", "individuals", "ok"), [(7, 3, True), (7, 4, False), (10, 5, True), (10, 6, False), (1, 1, False)])
def test_phu_lam_half_of_the_staff_at_most(staff, individuals, ok):
    check = check_rule(PL_STAFF, Tally(), nominees(0, individuals), RuleContext(staff_count=staff))
    assert check.ok is ok


def test_a_decision_adding_nothing_never_breaks_a_rule_already_over():
    assert check_rule(PL_COLLECTIVES, nominees(9, 0), nominees(0, 2), RuleContext()).ok


@given(st.integers(0, 20), st.integers(0, 20), st.integers(0, 20))
def test_count_rule_allows_exactly_up_to_its_maximum(high, decided, adding):
    rule = RuleSpec("R", "count_range", {"subject_type": "collective", "max": high}, "")
    check = check_rule(rule, nominees(decided, 0), nominees(adding, 0), RuleContext())
    assert check.ok is (adding == 0 or decided + adding <= high)


def test_eligibility_rules_are_not_quotas():
    assert check_rule(RuleSpec("E", "registered_by", {}, ""), Tally(), Tally(), RuleContext()) is None


def test_units_ranked_top_n_get_the_exception_limits():
    rule = RuleSpec("R", "per_unit_max", {"collective": 1, "individual": 3,
                                          "exception": {"index": "PAR_INDEX", "top_n": 3, "individual": 5}}, "")  # fmt: skip
    adding = nominees(0, 5)
    assert not check_rule(rule, Tally(), adding, RuleContext(unit_index_ranks={"PAR_INDEX": 4})).ok
    assert check_rule(rule, Tally(), adding, RuleContext(unit_index_ranks={"PAR_INDEX": 3})).ok
    assert not check_rule(rule, Tally(), nominees(2, 0), RuleContext(unit_index_ranks={"PAR_INDEX": 1})).ok


def test_percent_of_nominees_or_of_registered_units():
    units = RuleSpec("R", "percent_of_registered", {"subject_type": "collective", "max_percent": 20}, "")
    people = RuleSpec("R", "percent_of_registered", {"max_percent": 25, "of": "nominees"}, "")
    assert check_rule(units, nominees(1, 0), nominees(1, 0), RuleContext(registered_units=10)).ok
    assert not check_rule(units, nominees(2, 0), nominees(1, 0), RuleContext(registered_units=10)).ok
    assert check_rule(people, nominees(0, 2), nominees(0, 1), RuleContext(nominees_proposed=12)).ok
    assert not check_rule(people, nominees(0, 3), nominees(0, 1), RuleContext(nominees_proposed=12)).ok
