"""Create a dossier with its nominees and start its process instance; withdraw or cancel it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, TypeVar

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from workflows import Engine

from .. import direct_sql
from ..domain.actors import Actor
from ..domain.awards import blocking_level, check_reachable, target_level
from ..domain.deadlines import local_date
from ..domain.field_limits import check_length
from ..domain.text import clean_text
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..domain.campaign_config import CampaignConfig
from ..models import AwardForm, Campaign, Dossier, Nominee, OrgUnit, ProcessInstance, Registration
from ..queries.campaign_config import campaign_config
from ..queries.org import open_levels
from .audit import record_event
from .definitions import active_definition, instance_definition
from .instances import apply_outcome
from .rows import insert_object, insert_objects


@dataclass(frozen=True)
class NomineeInput:
    """One nominee as entered by the unit clerk."""

    kind: str  # individual | collective
    full_name: str
    award_form_code: str
    position: str | None = None
    summary: str | None = None
    line: int | None = None  # the row of the form or sheet it was typed on, for messages (else its place in the list)


K = TypeVar("K")  # the key a caller names each process version by (unreachable_award_levels_for)


def nfc(text: str | None) -> str | None:
    """Vietnamese text is data: store it NFC-normalised and trimmed."""
    return clean_text(text) if text is not None else None


def create_dossier(
    session: Session, actor: Actor, engine: Engine, *, campaign_code: str, unit_id: int, title: str,
    nominees: list[NomineeInput],
) -> Dossier:  # fmt: skip
    """Create a dossier for a unit in a campaign and start its process at the unit's preparation step."""
    now = engine.clock.now()
    if not (campaign_code or "").strip():
        raise InvalidInput("Hãy chọn phong trào thi đua.")
    campaign = session.scalar(select(Campaign).where(Campaign.code == campaign_code))
    if campaign is None:
        raise NotFound("Không tìm thấy phong trào thi đua '{campaign_code}'.", {"campaign_code": campaign_code})
    unit = session.get(OrgUnit, unit_id)
    if unit is None or unit.level != "unit":
        raise InvalidInput("Hồ sơ phải do một đơn vị cơ sở (ngành, bộ phận, khu phố, ấp…) lập.")
    if not (actor.holds("unit_clerk", unit.id) or actor.is_admin):
        raise Forbidden("Chỉ cán bộ phụ trách thi đua của đơn vị mới lập được hồ sơ cho đơn vị này.")
    clean_title = nfc(title)
    if not clean_title:
        raise InvalidInput("Hồ sơ cần có tiêu đề.")
    check_length("dossier.title", clean_title)
    config = campaign_config(session, campaign)
    require_registered(session, config, campaign.id, unit)
    forms = _award_forms(session, nominees)
    for index, item in enumerate(nominees, start=1):
        config.check_nominee(item.line or index, item.kind, item.award_form_code)
    version_id, definition = active_definition(session, campaign.process_key)
    # Before anything is written: an award whose granting level the dossier cannot reach is never decided.
    require_reachable(session, config, unit.id, definition.levels, local_date(now),
                      [(nfc(item.full_name) or "", forms[item.award_form_code]) for item in nominees])
    # Each row goes in with one prebuilt INSERT (operations/rows.py), not a unit-of-work flush.
    dossier = insert_object(session, Dossier(
        campaign_id=campaign.id, unit_id=unit.id, title=clean_title, status="draft",
        target_level=target_level(f.granting_level for f in forms.values()),
        created_by=actor.user_id, created_at=now, updated_at=now,
    ))  # fmt: skip
    insert_objects(session, [
        Nominee(dossier_id=dossier.id, kind=item.kind, full_name=nfc(item.full_name), position=nfc(item.position),
                award_form_id=forms[item.award_form_code].id, summary=nfc(item.summary))
        for item in nominees
    ])  # fmt: skip
    outcome = engine.start(
        definition, {"dossier_id": dossier.id, "target_level": dossier.target_level, "campaign_code": campaign.code}
    )
    instance = insert_object(session, ProcessInstance(
        version_id=version_id, dossier_id=dossier.id, status="running", state_json=outcome.state,
        serializer_version="", created_at=now, updated_at=now,
    ))  # fmt: skip
    record_event(
        session, action="dossier.create", object_type="dossier", object_id=str(dossier.id), actor=actor.user_id,
        actor_role="unit_clerk", actor_unit_id=unit.id,
        after={"title": dossier.title, "campaign": campaign.code, "unit": unit.code, "target_level": dossier.target_level,
               "nominees": [n.full_name for n in nominees], "process_version": version_id},
        now=now,
    )  # fmt: skip
    apply_outcome(session, instance, dossier, definition, outcome, actor, now)
    return dossier


def require_registered(session: Session, config: CampaignConfig, campaign_id: int, unit: OrgUnit) -> None:
    """Where the campaign asks units to register (đăng ký thi đua), an unregistered unit's dossier is refused."""
    if not config.registration_required:
        return
    registered = session.scalar(
        select(Registration.id).where(Registration.campaign_id == campaign_id, Registration.org_unit_id == unit.id)
    )
    if registered is None:
        by = f" trước ngày {config.registration_deadline:%d/%m/%Y}" if config.registration_deadline else ""
        raise InvalidInput(
            "{name} chưa đăng ký thi đua trong phong trào {code}: theo quy định của phong trào, chỉ đơn vị đã đăng ký thi đua{by} mới được đề nghị khen thưởng.", {"name": unit.name, "code": config.code, "by": by},
            rule="registration",
        )  # fmt: skip


class FormNaming(Protocol):
    """What require_reachable reads of a nominee's award form: an AwardForm, or a row of those columns."""

    code: str
    name: str
    granting_level: str


def require_reachable(
    session: Session, config: CampaignConfig, unit_id: int, process_levels: Iterable[str], day: date,
    nominees: Iterable[tuple[str, FormNaming]],
) -> None:  # fmt: skip
    """Refuse (InvalidInput, nothing written) the first nominee whose award form's granting level the unit's
    dossier cannot reach on `day`: no open unit at that level above the unit, or no step there in the process
    version (`process_levels`). The award is named as the campaign names it."""
    opened: frozenset[str] | None = None
    for full_name, form in nominees:
        if opened is None:
            opened = open_levels(session, unit_id, day)
        check_reachable(full_name, config.award_name(form.code, form.name), str(form.granting_level), opened,
                        process_levels)  # fmt: skip


def unreachable_award_levels(session: Session, unit_id: int, day: date,
                             process_levels: Iterable[str] | None) -> dict[str, str]:  # fmt: skip
    """For the forms: each catalogue award form a nominee of the unit's dossier cannot ask for on `day`, with the
    level that stops it (its granting level, or one below it: the rule of require_reachable). `process_levels`
    None (no process deployed): none listed, as creating the dossier then says what is wrong."""
    return unreachable_award_levels_for(session, unit_id, day, {None: process_levels})[None]


def unreachable_award_levels_for(session: Session, unit_id: int, day: date,
                                 versions: Mapping[K, Iterable[str] | None]) -> dict[K, dict[str, str]]:  # fmt: skip
    """unreachable_award_levels for several process versions at once (the new-dossier form: one per campaign), the
    unit's path and the catalogue read once."""
    if all(levels is None for levels in versions.values()):
        return {key: {} for key in versions}
    opened = open_levels(session, unit_id, day)
    catalogue = session.execute(select(AwardForm.code, AwardForm.granting_level))
    forms = [(str(code), str(level)) for code, level in catalogue]
    found: dict[K, dict[str, str]] = {}
    for key, levels in versions.items():
        steps = tuple(levels) if levels is not None else None
        blocked = {code: blocking_level(level, opened, steps) for code, level in forms} if steps is not None else {}
        found[key] = {code: level for code, level in blocked.items() if level is not None}  # the level that stops it
    return found


def campaign_process_levels(session: Session, campaign: Campaign) -> tuple[str, ...] | None:
    """The levels of the process version a new dossier of the campaign starts on (None: none deployed)."""
    try:
        return active_definition(session, campaign.process_key)[1].levels
    except NotFound:
        return None


def _award_forms(session: Session, nominees: list[NomineeInput]) -> dict[str, AwardForm]:
    if not nominees:
        raise InvalidInput("Hồ sơ phải có ít nhất một tập thể hoặc cá nhân được đề nghị khen thưởng.")
    codes = {n.award_form_code for n in nominees}
    forms = {f.code: f for f in session.scalars(select(AwardForm).where(AwardForm.code.in_(codes)))}
    for index, item in enumerate(nominees, start=1):
        row = item.line or index
        if item.award_form_code not in forms:
            raise InvalidInput("Dòng {row}: hình thức khen thưởng '{award_form_code}' không có.",
                               {"row": row, "award_form_code": item.award_form_code})
        if item.kind not in ("individual", "collective"):
            raise InvalidInput("Dòng {row}: loại đối tượng phải là cá nhân hoặc tập thể.", {"row": row})
        if not nfc(item.full_name):
            raise InvalidInput("Dòng {row}: thiếu tên tập thể/cá nhân.", {"row": row})
        check_nominee_lengths(item.full_name, item.position, row)
    return forms


def check_nominee_lengths(full_name: str, position: str | None, row: int | None = None) -> None:
    """Refuse a nominee's name or position longer than its column holds (domain.field_limits), as typed on `row`."""
    check_length("nominee.full_name", nfc(full_name), row)
    check_length("nominee.position", nfc(position), row)


def cancel_dossier(session: Session, actor: Actor, engine: Engine, dossier_id: int, reason: str) -> Dossier:
    """Cancel a dossier's running process (admins only); open tasks close, the history stays."""
    if not actor.is_admin:
        raise Forbidden("Chỉ quản trị viên mới hủy được quy trình của hồ sơ.")
    if not (reason or "").strip():
        raise InvalidInput("Phải ghi lý do hủy.")
    dossier = session.get(Dossier, dossier_id)
    instance = session.scalar(select(ProcessInstance).where(ProcessInstance.dossier_id == dossier_id))
    if dossier is None or instance is None:
        raise NotFound("Không tìm thấy hồ sơ.")
    if instance.status not in ("running", "suspended"):
        finished = "đã bị hủy" if instance.status == "cancelled" else "đã kết thúc"
        raise Conflict("Quy trình của hồ sơ này {finished}; không hủy được nữa.", {"finished": finished})
    now: datetime = engine.clock.now()
    definition = instance_definition(session, instance)
    outcome = engine.cancel(definition, instance.state_json)
    record_event(
        session, action="instance.cancel", object_type="process_instance", object_id=str(instance.id),
        actor=actor.user_id, before={"status": instance.status}, after={"status": "cancelled"}, comment=nfc(reason), now=now,
        dossier_id=dossier.id,
    )  # fmt: skip
    apply_outcome(session, instance, dossier, definition, outcome, actor, now)
    return dossier


def dossier_process_levels(session: Session, dossier_id: int) -> tuple[str, ...]:
    """The levels of the process version the dossier's instance runs on (its lanes, role@level)."""
    instance = session.scalar(select(ProcessInstance).where(ProcessInstance.dossier_id == dossier_id))
    return instance_definition(session, instance).levels if instance is not None else ()


# Read at every submission: built once, run straight on the driver (direct_sql).
_NOMINEE_AWARDS = (
    select(Nominee.full_name, AwardForm.code, AwardForm.name, AwardForm.granting_level)
    .join(AwardForm, Nominee.award_form_id == AwardForm.id)
    .where(Nominee.dossier_id == bindparam("dossier_id"))
    .order_by(Nominee.id)
)


def require_reachable_awards(
    session: Session, dossier: Dossier, day: date, config: CampaignConfig | None = None,
    process_levels: Iterable[str] | None = None,
) -> None:  # fmt: skip
    """Every nominee's award form must still be reachable on `day`: a level abolished (or a process version
    without it) since the dossier was drafted is refused, naming the award and the level, before anything is
    written. Checked at every submission (operations.tasks), whichever page or API sends it; the submission
    passes the campaign's config and its instance's levels, which it has already read."""
    if config is None:
        campaign = session.get(Campaign, dossier.campaign_id)
        assert campaign is not None
        config = campaign_config(session, campaign)
    if process_levels is None:
        process_levels = dossier_process_levels(session, dossier.id)
    rows = direct_sql.execute(session, _NOMINEE_AWARDS, {"dossier_id": dossier.id}).rows
    # Each row names its award as an AwardForm does (code, name, granting_level): what require_reachable reads.
    require_reachable(session, config, dossier.unit_id, process_levels, day, [(row.full_name, row) for row in rows])
