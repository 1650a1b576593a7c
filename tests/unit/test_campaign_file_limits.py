"""A campaign file's texts fit their columns: a title, theme, source, code, award name, rule code or rule description
longer than its column is refused with its path and both lengths (every one at once), before anything is written
(PostgreSQL would fail the import with an error; SQLite would keep the text). At the limit it is taken; a
Vietnamese letter counts as one character however it was typed."""

from __future__ import annotations

import copy
import unicodedata

import pytest
import yaml

from service.domain.campaign_file import parse_campaign
from service.domain.field_limits import LIMITS
from service.errors import InvalidInput
from service.operations.campaigns import CAMPAIGN_FILES

GIENG_DAY = yaml.safe_load((CAMPAIGN_FILES / "gieng-day-ward-2024.yaml").read_text(encoding="utf-8"))

# (where in the file, the field whose column bounds it)
PLACES = [
    (("code",), "campaign.code"),
    (("title",), "campaign.title"),
    (("process",), "campaign.process_key"),
    (("theme",), "campaign.theme"),
    (("source",), "campaign.source"),
    (("award_forms", 0, "code"), "award_form.code"),
    (("award_forms", 0, "name"), "campaign_award_form.name"),
    (("rules", 0, "code"), "campaign_rule.code"),
    (("rules", 0, "description"), "campaign_rule.description"),
]


def _with(data: dict, where: tuple, value: str) -> dict:
    changed = copy.deepcopy(data)
    holder = changed
    for key in where[:-1]:
        holder = holder[key]
    holder[where[-1]] = value
    return changed


def _path(where: tuple) -> str:
    return "".join(f"[{k}]" if isinstance(k, int) else (f".{k}" if i else k) for i, k in enumerate(where))


@pytest.mark.parametrize(("where", "field"), PLACES, ids=[f for _, f in PLACES])
def test_a_text_longer_than_its_column_is_refused_with_its_place_and_lengths(where, field):
    limit = LIMITS[field]
    with pytest.raises(InvalidInput) as refused:
        parse_campaign(_with(GIENG_DAY, where, "Đ" * (limit + 1)))
    assert f"{_path(where)}: dài {limit + 1} ký tự; tối đa {limit} ký tự" in refused.value.details["problems"]


@pytest.mark.parametrize(("where", "field"), [p for p in PLACES if p[1] != "campaign.process_key"],
                         ids=[f for _, f in PLACES if f != "campaign.process_key"])  # a process key names a deployed process
def test_a_text_at_its_limit_is_taken_and_a_decomposed_letter_counts_once(where, field):
    limit = LIMITS[field]
    typed = unicodedata.normalize("NFD", "ễ") * limit  # three code points each as typed, one letter composed
    assert len(typed) == 3 * limit
    try:
        parse_campaign(_with(GIENG_DAY, where, typed))
    except InvalidInput as refused:  # a renamed award code leaves its rules naming the old one: that alone is said
        assert not [p for p in refused.details["problems"] if "ký tự" in p]
        assert field == "award_form.code"


def test_decomposed_text_is_stored_composed():
    spec = parse_campaign(_with(GIENG_DAY, ("title",), unicodedata.normalize("NFD", "Phong trào Giếng Đáy")))
    assert spec.title == "Phong trào Giếng Đáy" and unicodedata.is_normalized("NFC", spec.title)


def test_every_text_too_long_is_listed_at_once():
    data = GIENG_DAY
    for where, field in PLACES:
        data = _with(data, where, "x" * (LIMITS[field] + 1))
    with pytest.raises(InvalidInput) as refused:
        parse_campaign(data)
    listed = [p for p in refused.value.details["problems"] if "ký tự; tối đa" in p]
    assert sorted(p.split(":")[0] for p in listed) == sorted(_path(where) for where, _ in PLACES)
