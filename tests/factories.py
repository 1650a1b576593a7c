"""Plain row factories for persistence tests: each takes a session, adds rows, flushes, never commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import (
    AwardForm, Campaign, Dossier, InstanceStatus, Level, Nominee, NomineeKind, OrgUnit, ProcessDefinition,
    ProcessInstance, ProcessVersion, Role, RoleAssignment, User,
)  # fmt: skip

# Not an argon2 hash, so nobody can log in as a factory user; tests that need a login hash a password.
UNUSABLE_PASSWORD_HASH = "!"


@dataclass(frozen=True)
class OrgTree:
    """The small tree of make_org_tree: province → district → ward → two units."""

    province: OrgUnit
    district: OrgUnit
    ward: OrgUnit
    office: OrgUnit  # Bộ phận Văn phòng - Thống kê
    military: OrgUnit  # Ban Chỉ huy Quân sự phường


@dataclass(frozen=True)
class AwardForms:
    """One award form per granting level, as make_award_forms creates them."""

    ward: AwardForm
    district: AwardForm
    province: AwardForm


def make_org_tree(session: Session, *, code_prefix: str = "") -> OrgTree:
    """Hà Nội → quận Hà Đông → phường Phú Lãm → two units. Pass code_prefix on a seeded database."""

    def unit(code: str, name: str, level: Level, parent: OrgUnit | None, kind: str | None, staff: int) -> OrgUnit:
        row = OrgUnit(code=code_prefix + code, name=name, level=level, kind=kind, parent=parent, staff_count=staff)
        session.add(row)
        return row

    province = unit("HN", "Thành phố Hà Nội", Level.province, None, None, 0)
    district = unit("HN-HD", "Quận Hà Đông", Level.district, province, None, 0)
    ward = unit("HN-HD-PL", "Phường Phú Lãm", Level.ward, district, None, 45)
    office = unit("HN-HD-PL-VP", "Bộ phận Văn phòng - Thống kê", Level.unit, ward, "bộ phận", 6)
    military = unit("HN-HD-PL-QS", "Ban Chỉ huy Quân sự phường", Level.unit, ward, "bộ phận", 4)
    session.flush()
    return OrgTree(province, district, ward, office, military)


def make_user(
    session: Session, username: str, role: Role | str, unit: OrgUnit, *, full_name: str | None = None,
    password_hash: str = UNUSABLE_PASSWORD_HASH,
) -> User:  # fmt: skip
    """A user holding `role` at `unit`."""
    user = User(username=username, full_name=full_name or username, password_hash=password_hash)
    session.add(user)
    session.flush()
    session.add(RoleAssignment(user_id=user.id, role=str(role), org_unit_id=unit.id))
    session.flush()
    return user


def make_award_forms(session: Session, *, code_prefix: str = "") -> AwardForms:
    """Giấy khen of the ward and of the district chairman, Bằng khen of the province chairman."""
    forms = AwardForms(
        ward=AwardForm(code=code_prefix + "GK-PHUONG", name="Giấy khen của Chủ tịch UBND phường",
                       granting_level=Level.ward),
        district=AwardForm(code=code_prefix + "GK-QUAN", name="Giấy khen của Chủ tịch UBND quận",
                           granting_level=Level.district),
        province=AwardForm(code=code_prefix + "BK-TINH", name="Bằng khen của Chủ tịch UBND thành phố",
                           granting_level=Level.province),
    )  # fmt: skip
    session.add_all([forms.ward, forms.district, forms.province])
    session.flush()
    return forms


def make_campaign(
    session: Session, issuing_unit: OrgUnit, *, code: str = "TEST-CCHC-2024", year: int = 2024,
    title: str = "Phong trào thi đua “Đẩy mạnh cải cách hành chính” năm 2024",
    process_key: str = "commendation_chain", submission_deadline: date | None = None,
) -> Campaign:  # fmt: skip
    """A campaign issued by `issuing_unit` (the rows only; no award forms or rules attached)."""
    campaign = Campaign(
        code=code, title=title, year=year, issuing_unit_id=issuing_unit.id, process_key=process_key,
        submission_deadline=submission_deadline,
    )  # fmt: skip
    session.add(campaign)
    session.flush()
    return campaign


def make_dossier(
    session: Session, campaign: Campaign, unit: OrgUnit, creator: User | None = None, *,
    nominees: Sequence[tuple[NomineeKind | str, str, AwardForm]] = (), target_level: Level = Level.ward,
    title: str = "Hồ sơ đề nghị khen thưởng năm 2024",
) -> Dossier:  # fmt: skip
    """A draft dossier with (kind, full name, award form) nominees; no process instance."""
    dossier = Dossier(
        campaign_id=campaign.id, unit_id=unit.id, title=title, target_level=target_level,
        created_by=creator.id if creator else None,
    )  # fmt: skip
    session.add(dossier)
    session.flush()
    for kind, full_name, form in nominees:
        session.add(Nominee(dossier_id=dossier.id, kind=str(kind), full_name=full_name, award_form_id=form.id))
    session.flush()
    return dossier


def make_process_instance(
    session: Session, dossier: Dossier, *, key: str = "commendation_chain", state_json: str = "{}",
) -> ProcessInstance:  # fmt: skip
    """A running instance row for `dossier` on version 1 of `key` (rows only; no engine, no real spec)."""
    definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key))
    if definition is None:
        definition = ProcessDefinition(key=key, name=key)
        session.add(definition)
        session.flush()
        session.add(ProcessVersion(definition_id=definition.id, version=1, bpmn_xml="<definitions/>",
                                   sha256="0" * 64, spec_json="{}", is_active=True))  # fmt: skip
        session.flush()
    version = session.scalars(
        select(ProcessVersion).where(ProcessVersion.definition_id == definition.id, ProcessVersion.version == 1)
    ).one()
    instance = ProcessInstance(version_id=version.id, dossier_id=dossier.id, status=InstanceStatus.running,
                               state_json=state_json, serializer_version="1.4")  # fmt: skip
    session.add(instance)
    session.flush()
    return instance


def make_dossier_with_instance(session: Session) -> ProcessInstance:
    """The smallest world with a running instance: an org tree, award forms, a unit clerk, a ward campaign,
    one draft dossier with one nominee, and its instance row (rows only; no engine)."""
    tree = make_org_tree(session)
    forms = make_award_forms(session)
    clerk = make_user(session, "vp.phulam", "unit_clerk", tree.office, full_name="Trần Thị Bình")
    campaign = make_campaign(session, tree.ward)
    dossier = make_dossier(session, campaign, tree.office, clerk,
                           nominees=[("individual", "Nguyễn Văn Ánh", forms.ward)])  # fmt: skip
    return make_process_instance(session, dossier)
