"""A campaign file's rule holds only the keys its type reads: a key nothing reads (a typo, or a rule indented by
mistake into the previous rule's `alternatives:`) is refused with the key and where it is, never silently dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.domain.campaign_file import parse_campaign
from service.errors import InvalidInput
from service.operations.campaigns import CAMPAIGN_FILES, read_campaign_file

GIENG_DAY = (CAMPAIGN_FILES / "gieng-day-ward-2024.yaml").read_text(encoding="utf-8")
MISPLACED = """
      - code: GD-GK-CA-NHAN
        type: count_range
        description: Giấy khen thành phố cho cá nhân, tối đa 2
        award_form: GK-HUYEN
        subject_type: individual
        max: 2
"""


def _problems(text: str) -> list[str]:
    with pytest.raises(InvalidInput) as refused:
        read_campaign_file(text)
    return list(refused.value.details["problems"])


def test_a_rule_indented_into_the_previous_rules_alternatives_is_refused():
    text = GIENG_DAY.rstrip("\n") + MISPLACED
    problems = _problems(text)
    assert any(p.startswith("rules[1].alternatives[2].type:") and "'type'" in p for p in problems), problems
    assert any(p.startswith("rules[1].alternatives[2].max:") for p in problems), problems
    assert any(p.startswith("rules[1].alternatives[2]:") and "rules:" in p for p in problems), problems  # the likely cause
    # The same rule written at its place is accepted.
    fixed = read_campaign_file(GIENG_DAY.rstrip("\n") + "\n" + "\n".join(line[4:] for line in MISPLACED.splitlines()))
    assert [r.code for r in fixed.rules][-1] == "GD-GK-CA-NHAN"


@pytest.mark.parametrize("rule, path", [
    ({"code": "R", "type": "count_range", "award_form": "GK-XA", "maxx": 5}, "rules[0].maxx"),
    ({"code": "R", "type": "per_unit_max", "collective": 1, "max": 3}, "rules[0].max"),
    ({"code": "R", "type": "per_unit_max", "collective": 1, "exception": {"index": "PAR_INDEX", "top_n": 3, "colective": 2}},
     "rules[0].exception.colective"),
    ({"code": "R", "type": "index_rank", "index": "PAR_INDEX", "max_rank": 3, "alternatives": [{"index": "DTI", "rank": 15}]},
     "rules[0].alternatives[0].rank"),
    ({"code": "R", "type": "consecutive_years", "years": 3, "min_rate": "hoàn thành tốt nhiệm vụ"}, "rules[0].min_rate"),
    ({"code": "R", "type": "checklist", "descripton": "Gõ nhầm"}, "rules[0].descripton"),
])  # fmt: skip
def test_unknown_keys_anywhere_in_a_rule_are_named_with_their_place(rule: dict, path: str):
    data = {"code": "X", "title": "T", "year": 2024, "issuing_unit": "HN-HD-PL",
            "award_forms": [{"code": "GK-XA", "name": "Giấy khen", "granting_level": "ward"}], "rules": [rule]}  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        parse_campaign(data)
    key = path.rsplit(".", 1)[1]
    assert any(p.startswith(f"{path}:") and f"'{key}'" in p for p in refused.value.details["problems"]), refused.value.message
    assert path in refused.value.message


@pytest.mark.parametrize("alternatives", ["DTI", [["DTI", 15]], {"index": "DTI"}])
def test_alternatives_must_be_a_list_of_options(alternatives):
    data = {"code": "X", "title": "T", "year": 2024, "issuing_unit": "HN-HD-PL",
            "award_forms": [{"code": "GK-XA", "name": "Giấy khen", "granting_level": "ward"}],
            "rules": [{"type": "index_rank", "index": "PAR_INDEX", "alternatives": alternatives}]}  # fmt: skip
    with pytest.raises(InvalidInput, match=r"rules\[0\]\.alternatives"):
        parse_campaign(data)


def test_an_alternatives_rank_is_a_number():
    data = {"code": "X", "title": "T", "year": 2024, "issuing_unit": "HN-HD-PL",
            "award_forms": [{"code": "GK-XA", "name": "Giấy khen", "granting_level": "ward"}],
            "rules": [{"type": "index_rank", "index": "PAR_INDEX", "alternatives": [{"index": "DTI", "max_rank": "mười"}]}]}  # fmt: skip
    with pytest.raises(InvalidInput, match=r"rules\[0\]\.alternatives\[0\]\.max_rank"):
        parse_campaign(data)


TEST_CAMPAIGN = Path(__file__).parents[1] / "data" / "test-campaign-all-levels.yaml"


@pytest.mark.parametrize("path", [*sorted(CAMPAIGN_FILES.glob("*.yaml")), TEST_CAMPAIGN], ids=lambda p: p.name)
def test_every_shipped_and_test_campaign_file_still_reads(path: Path):
    assert read_campaign_file(path.read_text(encoding="utf-8"), path.name).rules is not None
