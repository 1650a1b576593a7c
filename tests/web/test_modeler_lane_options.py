"""The editor's role@level choices for a lane: the server's list, in the page's locale, is what a deployment accepts
(every option passes the lane check; a name outside it, like "chu_tich@xa", is refused and not offered)."""

from __future__ import annotations

import html
import json
import re
import unicodedata

import pytest

from service.web.modeler_catalogue import MODELER_VI, THIDUA_GROUP_VI
from service.web.processes import lane_options
from tests.conftest import CHAIN
from tests.unit.bpmn_js_strings import literal_keys
from tests.web.conftest import Auth
from workflows.lanes import LEVELS, TASK_ROLES, parse_lane

MODELER_SOURCE = CHAIN.parents[1] / "service" / "static" / "src" / "modeler.js"


def _setup(client, path: str) -> dict:  # type: ignore[no-untyped-def]
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'<script type="application/json" id="modeler-setup">(.*?)</script>', page, re.S)
    assert found, "the editor page embeds no modeler-setup JSON"
    return json.loads(html.unescape(found.group(1)))


def _options(setup: dict) -> dict[str, str]:
    return {option["value"]: option["label"] for group in setup["laneOptions"] for option in group["children"]}


def test_every_option_is_a_lane_a_deployment_accepts_and_every_role_and_level_is_offered():
    offered = lane_options()
    assert len(offered) == len(set(offered))
    for role, level in offered:
        assert parse_lane(f"{role}@{level}").name == f"{role}@{level}"
    assert {role for role, _ in offered} == TASK_ROLES
    assert {level for _, level in offered} == set(LEVELS)
    # Where the service itself gives each level's work, as the shipped chain draws it.
    shipped = set(re.findall(r'<bpmn:lane id="[^"]*" name="([^"]+)"', CHAIN.read_text(encoding="utf-8")))
    assert shipped and shipped <= {f"{role}@{level}" for role, level in offered}
    # Not offered: a council or a chairman at a khu phố (deploy accepts them, but no one there would get the work).
    assert ("chairman", "unit") not in offered and ("council_member", "unit") not in offered


def test_a_name_outside_the_list_is_refused_by_the_lane_check_and_not_offered():
    for name in ("chu_tich@xa", "chairman@xa", "chu_tich@ward", "chairman", "admin@province"):
        with pytest.raises(ValueError):
            parse_lane(name)
        assert tuple(name.partition("@")[::2]) not in lane_options()


def test_lanes_of_the_processes_in_use_are_offered_too_when_a_deployment_accepts_them():
    offered = lane_options([("unit_head", "ward"), ("chu_tich", "xa"), ("admin", "province")])
    assert ("unit_head", "ward") in offered
    assert offered.index(("unit_head", "unit")) < offered.index(("unit_head", "ward")) < offered.index(
        ("chairman", "ward"))  # by level, then in the order a dossier meets the roles
    assert ("chu_tich", "xa") not in offered and ("admin", "province") not in offered


def test_the_editor_page_offers_the_lanes_in_words_in_its_locale(client, auth: Auth):
    auth.login("admin")
    vietnamese = _setup(client, "/processes/versions/1/edit")
    assert set(_options(vietnamese)) == {f"{role}@{level}" for role, level in lane_options()}
    assert _options(vietnamese)["office_clerk@ward"] == "Công chức Văn phòng — cấp phường/xã (office_clerk@ward)"
    assert _options(vietnamese)["chairman@province"] == "Chủ tịch UBND — cấp tỉnh/thành phố (chairman@province)"
    assert [group["label"] for group in vietnamese["laneOptions"]] == [
        "Đơn vị", "Cấp phường/xã", "Cấp quận/huyện", "Cấp tỉnh/thành phố"]
    assert vietnamese["translations"]["Role@level"] == "Vai trò@cấp"

    english = _setup(client, "/processes/versions/1/edit?lang=en")
    assert _options(english)["office_clerk@ward"] == "Office clerk — ward/commune (office_clerk@ward)"
    assert [group["label"] for group in english["laneOptions"]] == ["Unit", "Ward/commune", "District", "Province/city"]
    assert english["translations"] == {}  # the group's own texts are English
    assert set(_options(_setup(client, "/processes/new"))) == set(_options(vietnamese))


def test_the_thidua_group_texts_are_the_english_templates_the_bundle_translates():
    used = literal_keys(MODELER_SOURCE.read_text(encoding="utf-8"))
    assert not used - set(MODELER_VI) - set(THIDUA_GROUP_VI), "texts of the group with no Vietnamese"
    assert set(THIDUA_GROUP_VI) <= used, "Vietnamese for texts the group no longer shows"
    for english, vietnamese in THIDUA_GROUP_VI.items():
        assert MODELER_VI.get(english, vietnamese) == vietnamese, english
        assert unicodedata.normalize("NFC", vietnamese) == vietnamese and vietnamese.strip() == vietnamese
        assert set(re.findall(r"{\w+}", vietnamese)) == set(re.findall(r"{\w+}", english)), english
    assert THIDUA_GROUP_VI["Commendation"] == "Thi đua"
    assert MODELER_VI["Default flow"] == "Luồng mặc định" and "Default flow" in used
