"""Eligibility from records: consecutive years, index ranks with alternatives, already awarded."""

from __future__ import annotations

import pytest

from service.domain.campaign_file import RuleSpec
from service.domain.eligibility import Facts, IndexFact, evaluate, person_key

GOOD, EXCELLENT, PLAIN = "hoàn thành tốt nhiệm vụ", "Hoàn thành xuất sắc nhiệm vụ", "hoàn thành nhiệm vụ"
THREE_YEARS = RuleSpec("Y3", "consecutive_years", {"years": 3, "subject_type": "individual"}, "3 năm liên tục")
PAR_OR_DTI = RuleSpec("GD-GK-PAR", "index_rank", {"subject_type": "collective", "index": "PAR_INDEX", "max_rank": 3,
                                                   "alternatives": [{"index": "DTI", "max_rank": 15}]}, "PAR/DTI")  # fmt: skip


def status(rule, **facts):
    base = {"year": 2024, "kind": "individual", "award_form": "GK-XA"}
    return [(r.code, r.status) for r in evaluate([rule], Facts(**(base | facts)))]


@pytest.mark.parametrize(("ratings", "expected"), [
    ({2022: GOOD, 2023: EXCELLENT, 2024: GOOD}, "pass"),
    ({2022: GOOD, 2023: PLAIN, 2024: GOOD}, "fail"),
    ({2023: GOOD, 2024: GOOD}, "unknown"),
    ({2021: PLAIN, 2022: GOOD, 2023: GOOD, 2024: EXCELLENT}, "pass"),
])  # fmt: skip
def test_consecutive_years(ratings, expected):
    assert status(THREE_YEARS, ratings=ratings) == [("Y3", expected)]


def test_condition_applies_only_to_its_subject_type():
    assert status(THREE_YEARS, kind="collective", ratings={}) == []


@pytest.mark.parametrize(("indexes", "expected"), [
    ({"PAR_INDEX": IndexFact("PAR_INDEX", 2, None)}, "pass"),
    ({"PAR_INDEX": IndexFact("PAR_INDEX", 7, None), "DTI": IndexFact("DTI", 12, None)}, "pass"),
    ({"PAR_INDEX": IndexFact("PAR_INDEX", 7, None), "DTI": IndexFact("DTI", 40, None)}, "fail"),
    ({"PAR_INDEX": IndexFact("PAR_INDEX", 7, None)}, "unknown"),
    ({}, "unknown"),
])  # fmt: skip
def test_index_rank_with_alternatives(indexes, expected):
    assert status(PAR_OR_DTI, kind="collective", indexes=indexes) == [("GD-GK-PAR", expected)]


def test_min_class_compares_vietnamese_classes():
    rule = RuleSpec("BK", "index_rank", {"index": "PAR_INDEX", "min_class": "xuất sắc"}, "")
    assert status(rule, indexes={"PAR_INDEX": IndexFact("PAR_INDEX", None, "Xuất sắc")}) == [("BK", "pass")]
    assert status(rule, indexes={"PAR_INDEX": IndexFact("PAR_INDEX", None, "tốt")}) == [("BK", "fail")]


def test_already_awarded_this_year_fails_whatever_the_rules():
    assert status(THREE_YEARS, kind="collective", awarded_this_year=("GK-XA",)) == [("DA-KHEN", "fail")]


def test_names_match_regardless_of_case_spacing_and_composition():
    assert person_key("  Nguye\u0302\u0303n  THỊ   Hương ") == person_key("Nguyễn Thị Hương")


@pytest.mark.parametrize(("option", "fact", "said"), [
    ({"max_rank": 3}, IndexFact("PAR_INDEX", 4, None), "PAR INDEX xếp hạng 4 (cần ≤ 3)"),
    ({"max_rank": 3}, IndexFact("PAR_INDEX", None, None), "PAR INDEX năm 2024 chưa có thứ hạng"),
    ({"min_class": "xuất sắc"}, IndexFact("PAR_INDEX", None, "tốt"), "PAR INDEX xếp loại tốt (cần từ xuất sắc)"),
    ({"min_class": "xuất sắc"}, IndexFact("PAR_INDEX", None, None), "PAR INDEX năm 2024 chưa xếp loại"),
])  # fmt: skip
def test_every_index_detail_writes_the_index_as_officials_do(option, fact, said):
    """Not the record's code with its underscore (PAR_INDEX): every detail, as the one of a missing result does."""
    rule = RuleSpec("BK", "index_rank", {"index": "PAR_INDEX", **option}, "")
    (result,) = evaluate([rule], Facts(year=2024, kind="individual", award_form="GK-XA", indexes={"PAR_INDEX": fact}))
    assert str(result.detail) == said and "PAR_INDEX" not in str(result.detail)
