"""The campaign page speaks Vietnamese: levels, subject types and rule kinds in words, never their codes
(`province`, `collective`, `index_rank`, `forward_cap`) as text on the page."""

from __future__ import annotations

import html
import re

from flask.testing import FlaskClient

from tests.web.conftest import Auth

CODES = ("unit", "ward", "district", "province", "collective", "individual", "count_range", "percent_of_staff",
         "per_unit_max", "forward_cap", "percent_of_registered", "registered_by", "index_rank", "consecutive_years",
         "initiative_recognised", "checklist")  # fmt: skip


def _text(page: str) -> str:
    """What a reader sees of the page's content: its text, without tags or attributes."""
    main = re.search(r"<main[^>]*>(.*)</main>", page, re.S).group(1)
    inline = re.sub(r"</?(?:span|strong|small|b|a|em)\b[^>]*>", "", main)  # text runs on across these
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def _codes_shown(text: str) -> list[str]:
    return [code for code in CODES if re.search(rf"(?<![\w-]){code}(?![\w-])", text)]


def test_award_forms_and_rules_read_in_words(client: FlaskClient, auth: Auth):
    auth.login("qn-hl-gd.chairman")
    text = _text(client.get("/campaigns/GD-CCHC-2024").get_data(as_text=True))
    assert "(BK-TINH, cấp tặng: tỉnh/thành phố; tập thể, cá nhân)" in text
    assert "(GK-HUYEN, cấp tặng: quận/huyện; tập thể, cá nhân)" in text
    assert "Xếp hạng chỉ số (PAR INDEX, SIPAS, DTI, DDCI)" in text
    assert _codes_shown(text) == []


def test_quota_rules_and_deadlines_read_in_words(client: FlaskClient, auth: Auth):
    auth.login("bt-gt-mt.chairman")
    text = _text(client.get("/campaigns/MT-CCHC-2015").get_data(as_text=True))
    assert "Số lượng tối đa được trình lên cấp trên" in text  # forward_cap
    assert "Số lượng tối đa mỗi đơn vị được đề nghị" in text  # per_unit_max
    assert "phường/xã 25/11/2015; quận/huyện 10/12/2015" in text
    assert _codes_shown(text) == []


def test_the_codes_stay_at_hand_for_whoever_needs_them(client: FlaskClient, auth: Auth):
    auth.login("qn-hl-gd.chairman")
    page = client.get("/campaigns/GD-CCHC-2024").get_data(as_text=True)
    assert 'title="index_rank"' in page  # the rule's kind, as the campaign file writes it
