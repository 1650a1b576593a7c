"""After the district level is abolished (and a process version without it deployed), the new-dossier form shows
a district Giấy khen disabled with why, never chosen; the add-nominee form of a draft does not offer it; and a
form sent with it anyway is refused with the message, nothing written."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from sqlalchemy import func, select

from service.models import Dossier, OrgUnit
from service.operations.accounts import actor_for
from service.operations.demo import username_for
from service.operations.dossiers import NomineeInput, create_dossier
from tests.operations.test_unreachable_award_levels import HA_LONG_GK, NOW, abolish_district, deploy_district_free
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database, csrf_from
from workflows import Engine, FixedClock

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)  # SQLite, then PostgreSQL
UNIT = "QN-HL-GD-KP2"
CLERK = username_for(UNIT, "unit_clerk")


def _select(page: str, name: str) -> str:
    match = re.search(rf'<select[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    assert match, f"no select {name}"
    return match.group(1)


def _options(fragment: str) -> dict[str, tuple[bool, str]]:
    """code → (disabled, label) of each <option>."""
    return {value: ("disabled" in attrs, html.unescape(label).strip())
            for value, attrs, label in re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', fragment)}


def _reform(app: Flask) -> None:
    factory = app.extensions["thidua.session_factory"]
    with factory() as session, session.begin():
        deploy_district_free(session)
        abolish_district(session, Engine(FixedClock(NOW)))


def test_the_form_offers_the_district_award_until_the_reform_then_shows_it_disabled_with_why(app, client, auth: Auth,
                                                                                            clock):  # fmt: skip
    auth.login(CLERK)
    before = client.get("/dossiers/new?campaign=GD-CCHC-2024").get_data(as_text=True)
    assert _options(_select(before, "award_0"))["GK-HUYEN"] == (False, HA_LONG_GK)
    _reform(app)
    clock.set(NOW)
    page = client.get("/dossiers/new").get_data(as_text=True)
    template = re.search(r'<template data-award-options="GD-CCHC-2024">(.*?)</template>', page, re.S).group(1)
    for fragment in [_select(page, f"award_{row}") for row in range(4)] + [template]:
        offered = _options(fragment)
        disabled, label = offered["GK-HUYEN"]
        assert disabled and label == f"{HA_LONG_GK} — cấp quận/huyện không còn trên đường trình hồ sơ"
        assert not offered["GK-XA"][0] and not offered["BK-TINH"][0]
    assert 'data-unreachable="1"' in template
    assert not re.search(r'<option value="GK-HUYEN"[^>]*\bselected', page)
    # In English the reason reads in English too.
    english = client.get("/dossiers/new?lang=en").get_data(as_text=True)
    assert "the district level is no longer on the dossier&#39;s path" in english or \
        "the district level is no longer on the dossier's path" in english


def test_a_form_sent_with_the_district_award_anyway_is_refused_and_writes_nothing(app, client, auth: Auth, clock):
    _reform(app)
    clock.set(NOW)
    auth.login(CLERK)
    page = client.get("/dossiers/new").get_data(as_text=True)
    factory = app.extensions["thidua.session_factory"]
    with factory() as session:
        unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == UNIT))
        before = session.scalar(select(func.count()).select_from(Dossier))
    refused = client.post("/dossiers/new", data={
        "_csrf": csrf_from(page), "unit_id": str(unit_id), "campaign": "GD-CCHC-2024", "title": "Đề nghị năm 2024",
        "kind_0": "individual", "name_0": "Trần Văn Nam", "award_0": "GK-HUYEN"})  # fmt: skip
    shown = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 400
    error = re.search(r'data-testid="form-error">(.*?)</div>', shown, re.S).group(1)
    assert error == (f"Không đề nghị được “{HA_LONG_GK}” cho Trần Văn Nam: cấp quận/huyện không còn trên đường trình "
                     "hồ sơ của đơn vị (đã bãi bỏ hoặc quy trình không có bước cấp này). Hãy chọn hình thức khen khác.")
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Dossier)) == before


def test_a_draft_made_before_the_reform_no_longer_offers_the_district_award_to_add(app, client, auth: Auth, clock):
    factory = app.extensions["thidua.session_factory"]
    with factory() as session, session.begin():  # December 2024: the district is there
        unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == UNIT))
        draft = create_dossier(session, actor_for(session, CLERK), Engine(clock), campaign_code="GD-CCHC-2024",
                               unit_id=unit_id, title="Đề nghị năm 2024",
                               nominees=[NomineeInput("individual", "Lê Thị Hoa", "GK-XA")]).id  # fmt: skip
    auth.login(CLERK)
    assert "GK-HUYEN" in _select(client.get(f"/dossiers/{draft}").get_data(as_text=True), "award_form")
    _reform(app)
    clock.set(NOW)
    offered = _options(_select(client.get(f"/dossiers/{draft}").get_data(as_text=True), "award_form"))
    # The draft's instance still runs the version with the district's steps: the province's award stops there too.
    assert "GK-HUYEN" not in offered and "BK-TINH" not in offered and "GK-XA" in offered
