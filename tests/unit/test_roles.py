"""Where each role has work: the rule that refuses a role granted where its holder would have nothing to do."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from service.domain.roles import LEVELS, ROLE_LABELS, SERVICE_WORK, SYSTEM_ROLES, grant_refusal, levels_with_work
from service.models.org import Role
from service.operations.demo import ROLES_BY_LEVEL

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
LANE = re.compile(r'<bpmn:lane [^>]*name="([a-z_]+)@([a-z]+)"')


def test_every_role_has_a_name_and_is_placed():
    assert set(ROLE_LABELS) == {r.value for r in Role}
    assert set(SERVICE_WORK) | SYSTEM_ROLES == {r.value for r in Role}


def test_the_shipped_processes_lanes_are_all_places_the_service_already_gives_work():
    lanes = {(m[0], m[1]) for path in BPMN.glob("*.bpmn") for m in LANE.findall(path.read_text(encoding="utf-8"))}
    assert ("chairman", "ward") in lanes and ("unit_clerk", "unit") in lanes
    assert [lane for lane in sorted(lanes) if grant_refusal(*lane, "x", ()) is not None] == []


def test_the_demo_grants_only_roles_with_work():
    assert [(role, level) for level, roles in ROLES_BY_LEVEL.items() for role in roles
            if grant_refusal(role, level, "x", ()) is not None] == []  # fmt: skip


def test_a_chairman_at_a_khu_pho_is_refused_with_where_the_role_works():
    message = grant_refusal("chairman", "unit", "Khu phố 1", ())
    assert message == (
        "Vai trò «Chủ tịch UBND» không có việc ở cấp cơ sở (đơn vị, khu phố, trường…) (Khu phố 1): người giữ sẽ "
        "không nhận được việc nào. Vai trò này làm việc ở cấp: phường/xã, quận/huyện, tỉnh/thành phố. Hãy chọn đơn "
        "vị ở một trong các cấp đó; chưa giao."
    )
    assert grant_refusal("chairman", "ward", "Phường Phú Lãm", ()) is None


def test_a_lane_drawn_by_an_admin_opens_its_level():
    assert grant_refusal("office_clerk", "district", "Quận Hà Đông", ()) is not None
    assert grant_refusal("office_clerk", "district", "Quận Hà Đông", {("office_clerk", "district")}) is None
    assert levels_with_work("office_clerk", {("office_clerk", "district"), ("noi_vu", "province")}) == ("ward", "district")


def test_admins_and_auditors_are_granted_anywhere():
    assert all(grant_refusal(role, level, "x", ()) is None for role in SYSTEM_ROLES for level in LEVELS)


lanes_strategy = st.frozensets(st.tuples(st.sampled_from(sorted(ROLE_LABELS)), st.sampled_from(LEVELS)), max_size=12)


@given(role=st.sampled_from(sorted(ROLE_LABELS)), level=st.sampled_from(LEVELS), lanes=lanes_strategy, more=lanes_strategy)
def test_more_lanes_never_take_a_level_away(role, level, lanes, more):
    assert set(levels_with_work(role, lanes)) <= set(levels_with_work(role, lanes | more))
    if (role, level) in lanes:
        assert grant_refusal(role, level, "x", lanes) is None
    refused = grant_refusal(role, level, "Tổ 3", lanes)
    assert (refused is None) == (level in levels_with_work(role, lanes))
    if refused is not None:
        assert ROLE_LABELS[role] in refused and "(Tổ 3)" in refused and refused.endswith("chưa giao.")
