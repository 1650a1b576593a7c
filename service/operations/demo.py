"""Demo data: the org trees of the three seed plans, one user per role per unit, campaigns, sample dossiers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflows import Engine, FixedClock

from ..domain.actors import Actor
from ..domain.campaign_file import CampaignSpec
from ..domain.deadlines import VN, local_date
from ..domain.demo_dates import closing_day, rehearsal_shift, shift_campaign
from ..domain.documents import PER_DOSSIER, PER_NOMINEE
from ..domain.roles import ROLE_LABELS
from ..models import AuditEvent, AwardForm, Campaign, Dossier, Nominee, OrgUnit, RoleAssignment, User
from ..storage import FileStore
from .accounts import actor_for, hash_password
from ..queries.eligibility import unconfirmed_keys
from .campaigns import CAMPAIGN_FILES, import_campaign, load_shipped_campaigns, read_campaign_file
from .documents import StoredUpload, store_upload, upload_document
from .dossiers import NomineeInput, create_dossier
from .tasks import complete_task, open_task_for

# (code, name, level, kind, parent code, staff)
ORG_TREE: list[tuple[str, str, str, str | None, str | None, int]] = [
    ("HN", "Thành phố Hà Nội", "province", "tỉnh/thành phố", None, 0),
    ("HN-HD", "Quận Hà Đông", "district", "quận", "HN", 0),
    ("HN-HD-PL", "Phường Phú Lãm", "ward", "phường", "HN-HD", 25),
    ("HN-HD-PL-TP", "Bộ phận Tư pháp - Hộ tịch", "unit", "bộ phận", "HN-HD-PL", 4),
    ("HN-HD-PL-VH", "Bộ phận Văn hóa - Thông tin", "unit", "bộ phận", "HN-HD-PL", 3),
    ("HN-HD-PL-TC", "Bộ phận Tài chính - Kế toán", "unit", "bộ phận", "HN-HD-PL", 3),
    ("QN", "Tỉnh Quảng Ninh", "province", "tỉnh/thành phố", None, 0),
    ("QN-HL", "Thành phố Hạ Long", "district", "thành phố", "QN", 0),
    ("QN-HL-GD", "Phường Giếng Đáy", "ward", "phường", "QN-HL", 30),
    ("QN-HL-GD-VP", "Bộ phận Văn phòng - Thống kê", "unit", "bộ phận", "QN-HL-GD", 5),
    ("QN-HL-GD-KP1", "Khu phố 1", "unit", "khu phố", "QN-HL-GD", 6),
    ("QN-HL-GD-KP2", "Khu phố 2", "unit", "khu phố", "QN-HL-GD", 6),
    ("BT", "Tỉnh Bến Tre", "province", "tỉnh/thành phố", None, 0),
    ("BT-GT", "Huyện Giồng Trôm", "district", "huyện", "BT", 0),
    ("BT-GT-MT", "Xã Mỹ Thạnh", "ward", "xã", "BT-GT", 20),
    ("BT-GT-MT-VP", "Văn phòng - Thống kê xã", "unit", "bộ phận", "BT-GT-MT", 3),
    ("BT-GT-MT-A1", "Ấp 1", "unit", "ấp", "BT-GT-MT", 4),
    ("BT-GT-MT-A2", "Ấp 2", "unit", "ấp", "BT-GT-MT", 4),
]

ROLES_BY_LEVEL = {
    "unit": ["unit_clerk", "unit_head"],
    "ward": ["office_clerk", "council_secretary", "council_member", "chairman"],
    "district": ["noi_vu", "council_secretary", "council_member", "chairman"],
    "province": ["ban_tdkt", "council_secretary", "council_member", "chairman"],
}
ROLE_TITLES = ROLE_LABELS  # the demo users are named after their role and unit
AWARD_FORMS = [
    ("GK-XA", "Giấy khen của Chủ tịch UBND phường/xã", "ward"),
    ("GK-HUYEN", "Giấy khen của Chủ tịch UBND quận/huyện/thành phố", "district"),
    ("BK-TINH", "Bằng khen của Chủ tịch UBND tỉnh/thành phố", "province"),
]
# When the sample dossiers of each shipped campaign are created (inside the campaign's own period): the historic
# demo (load_demo without as_of), which the tests build on. A rehearsal (as_of) stages them today instead.
DEMO_CLOCKS = {
    "PL-CCHC-2024": datetime(2024, 12, 2, 2, 0, tzinfo=UTC),
    "GD-CCHC-2024": datetime(2024, 12, 5, 2, 0, tzinfo=UTC),
    "MT-CCHC-2015": datetime(2015, 11, 20, 2, 0, tzinfo=UTC),
}
# A rehearsal's writes are spaced this far apart, the last one at the staging moment (so they keep their order).
STEP_GAP = timedelta(seconds=1)
# Without an explicit moment, a rehearsal for a day is staged at this hour of that day in Vietnam.
STAGING_HOUR = time(8, 0)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: str
    unit: str


@dataclass(frozen=True)
class DemoCampaignDates:
    """Where a shipped plan stands in the database: its first closing day there and how far it was moved."""

    code: str
    closing_day: date | None  # the first day after which the campaign refuses something (domain.demo_dates)
    shift_days: int  # days added to the plan's own dates (0: the plan as issued)


def username_for(unit_code: str, role: str) -> str:
    return f"{unit_code.lower()}.{role}"


def shipped_specs() -> list[CampaignSpec]:
    """The shipped campaign files (service/campaign_files), parsed, in file-name order."""
    paths = sorted(CAMPAIGN_FILES.glob("*.yaml"))
    return [read_campaign_file(path.read_text(encoding="utf-8"), path.name) for path in paths]


def load_demo(session: Session, password: str, store: FileStore, as_of: date | None = None, *,
              now: datetime | None = None) -> list[DemoLogin]:  # fmt: skip
    """Create (idempotently) the demo org trees, users, award forms, campaigns and sample dossiers.

    as_of=None: the shipped plans with their own (historic) dates and the sample dossiers made at DEMO_CLOCKS.
    as_of=a day: each plan is loaded as a rehearsal, its dates moved by whole days (domain.demo_dates) so that it
    closes nothing before REHEARSAL_MARGIN_DAYS after as_of, and the sample dossiers are made and advanced just
    before `now` (default: 08:00 in Vietnam on as_of), a second a step, so their timers fall due after it.
    Campaigns are imported only into a database without any, dossiers made only where there are none: a database
    staged earlier keeps its dates (demo_campaign_dates tells how they stand; README: a fresh demo)."""
    moments = None
    if as_of is not None:
        now = now or datetime.combine(as_of, STAGING_HOUR, tzinfo=VN).astimezone(UTC)
        if local_date(now) != as_of:
            raise ValueError(f"now {now.isoformat()} is not on {as_of.isoformat()} in Vietnam")
        moments = _staging_moments(now, as_of, session.scalar(select(func.max(AuditEvent.occurred_at))))
    units = _org_tree(session)
    logins = _users(session, units, password)
    ensure_award_forms(session)
    session.flush()
    if session.scalar(select(Campaign.id).limit(1)) is None:
        if as_of is None or moments is None:
            load_shipped_campaigns(session, Actor(None, "thidua demo"), datetime.now(UTC))
        else:
            for spec in shipped_specs():
                rehearsal = shift_campaign(spec, rehearsal_shift(spec, as_of))
                import_campaign(session, Actor(None, "thidua demo"), rehearsal, moments[0])
    if session.scalar(select(Dossier.id).limit(1)) is None:
        _sample_dossiers(session, units, store, as_of, moments)
    return logins


def demo_campaign_dates(session: Session) -> list[DemoCampaignDates]:
    """Each shipped plan found in the database, with its first closing day there and the days it was moved by
    (compared with the shipped file): what `thidua demo` reports, and warns about once that day has passed."""
    found = []
    for spec in shipped_specs():
        campaign = session.scalar(select(Campaign).where(Campaign.code == spec.code))
        if campaign is None:
            continue
        stored = _stored_closing_day(campaign)
        own = closing_day(spec)
        found.append(DemoCampaignDates(spec.code, stored, (stored - own).days if stored and own else 0))
    return found


def _stored_closing_day(campaign: Campaign) -> date | None:
    """domain.demo_dates.closing_day of a campaign as stored."""
    days = [date.fromisoformat(day) for day in json.loads(campaign.deadlines_json or "{}").values()]
    days += [campaign.receipt_to, campaign.registration_deadline, campaign.period_to]
    known = [day for day in days if day is not None]
    return min(known) if known else None


def _staging_moments(now: datetime, as_of: date, last_event: datetime | None) -> list[datetime]:
    """The moments of a rehearsal's writes, in order: the campaigns' import, then each dossier's creation and
    steps (SAMPLE_DOSSIERS), STEP_GAP apart and the last at `now`; none before midnight of as_of in Vietnam, nor
    before the last audit event when that is not after `now` (the trail's times then keep their order)."""
    count = 1 + sum(1 + steps for *_, steps in SAMPLE_DOSSIERS)
    floor = datetime.combine(as_of, time(0), tzinfo=VN).astimezone(UTC)
    if last_event is not None and floor < last_event <= now:
        floor = last_event
    return [max(now - (count - 1 - number) * STEP_GAP, floor) for number in range(count)]


def _org_tree(session: Session) -> dict[str, OrgUnit]:
    units = {u.code: u for u in session.scalars(select(OrgUnit))}
    for code, name, level, kind, parent, staff in ORG_TREE:
        if code not in units:
            unit = OrgUnit(code=code, name=name, level=level, kind=kind, staff_count=staff,
                           parent_id=units[parent].id if parent else None, created_at=datetime.now(UTC))  # fmt: skip
            session.add(unit)
            session.flush()
            units[code] = unit
    return units


def _users(session: Session, units: dict[str, OrgUnit], password: str) -> list[DemoLogin]:
    logins = []
    password_hash = None
    existing = {u.username: u for u in session.scalars(select(User))}
    wanted = [(username_for(code, role), role, code) for code, *_ in ORG_TREE for role in ROLES_BY_LEVEL[units[code].level]]
    wanted += [("admin", "admin", "HN"), ("auditor", "auditor", "HN")]
    for username, role, code in wanted:
        unit = units[code]
        user = existing.get(username)
        if user is None:
            password_hash = password_hash or hash_password(password)
            user = User(username=username, full_name=f"{ROLE_TITLES[role]} {unit.name}", password_hash=password_hash,
                        is_active=True, created_at=datetime.now(UTC))  # fmt: skip
            session.add(user)
            session.flush()
            session.add(RoleAssignment(user_id=user.id, role=role, org_unit_id=unit.id))
        logins.append(DemoLogin(username, user.full_name, role, unit.name))
    if "admin" in existing or password_hash:
        admin = session.scalar(select(User).where(User.username == "admin"))
        for code in ("QN", "BT"):
            _ensure_role(session, admin, "admin", units[code])
    return logins


def _ensure_role(session: Session, user: User | None, role: str, unit: OrgUnit) -> None:
    if user is None:
        return
    found = session.scalar(
        select(RoleAssignment).where(RoleAssignment.user_id == user.id, RoleAssignment.role == role,
                                     RoleAssignment.org_unit_id == unit.id)  # fmt: skip
    )
    if found is None:
        session.add(RoleAssignment(user_id=user.id, role=role, org_unit_id=unit.id))


def ensure_award_forms(session: Session) -> None:
    """The catalog's standard award forms (Giấy khen of ward and district, Bằng khen of the province), once."""
    existing = set(session.scalars(select(AwardForm.code)))
    for code, name, level in AWARD_FORMS:
        if code not in existing:
            session.add(AwardForm(code=code, name=name, granting_level=level))


# (campaign, unit, title, nominees, steps taken after creation): placed so every inbox has something to clear.
SAMPLE_DOSSIERS: list[tuple[str, str, str, list[NomineeInput], int]] = [
    ("PL-CCHC-2024", "HN-HD-PL-TP", "Đề nghị khen thưởng Bộ phận Tư pháp - Hộ tịch",
     [NomineeInput("individual", "Nguyễn Thị Hương", "GK-XA", "Công chức Tư pháp - Hộ tịch")], 0),
    ("PL-CCHC-2024", "HN-HD-PL-VH", "Đề nghị khen thưởng Bộ phận Văn hóa - Thông tin",
     [NomineeInput("collective", "Bộ phận Văn hóa - Thông tin", "GK-XA"),
      NomineeInput("individual", "Trần Văn Đức", "GK-XA", "Công chức Văn hóa - Xã hội")], 1),
    ("GD-CCHC-2024", "QN-HL-GD-KP1", "Đề nghị khen thưởng Khu phố 1",
     [NomineeInput("collective", "Khu phố 1, phường Giếng Đáy", "BK-TINH")], 4),
    ("MT-CCHC-2015", "BT-GT-MT-A1", "Đề nghị khen thưởng Ấp 1",
     [NomineeInput("individual", "Lê Văn Thành", "GK-HUYEN", "Trưởng ấp")], 2),
]  # fmt: skip


def _sample_dossiers(session: Session, units: dict[str, OrgUnit], store: FileStore, as_of: date | None,
                     moments: list[datetime] | None) -> None:  # fmt: skip
    """A few dossiers placed at different steps so every inbox has something to clear: each at its campaign's
    DEMO_CLOCKS moment (historic demo), or, in a rehearsal, each write at its own staging moment (moments[1:])."""
    offsets = _rehearsal_offsets(session, as_of) if as_of is not None else {}
    writes = iter(moments[1:] if moments else [])
    for campaign_code, unit_code, title, nominees, steps in SAMPLE_DOSSIERS:
        clock = FixedClock(DEMO_CLOCKS[campaign_code])
        engine = Engine(clock)
        offset = offsets.get(campaign_code, timedelta(0))
        _next_write(clock, writes, offset)
        clerk = actor_for(session, username_for(unit_code, "unit_clerk"))
        dossier = create_dossier(session, clerk, engine, campaign_code=campaign_code, unit_id=units[unit_code].id,
                                 title=title, nominees=nominees)  # fmt: skip
        attach_sample_documents(session, clerk, store, engine.clock.now(), dossier.id)
        for _ in range(steps):
            _next_write(clock, writes, offset)
            task = open_task_for(session, dossier.id)
            if task is None:
                break
            owner = session.get(OrgUnit, task.org_unit_id)
            actor: Actor = actor_for(session, username_for(owner.code, task.role))
            decision = "submit" if task.bpmn_id == "unit_prepare" else "approve"
            # The demo reviewer has checked the conditions no record decides (as a person ticks them).
            complete_task(session, actor, engine, task.id, decision, "Hồ sơ đầy đủ, đề nghị chuyển bước tiếp theo.",
                          confirmed=unconfirmed_keys(session, dossier))  # fmt: skip


def _next_write(clock: FixedClock, writes: Iterator[datetime], offset: timedelta) -> None:
    """In a rehearsal, set the clock to the next write's staging moment (moved into the campaign's stored frame);
    in the historic demo (no moments) leave it at the campaign's DEMO_CLOCKS moment."""
    moment = next(writes, None)
    if moment is not None:
        clock.set(moment + offset)


def _rehearsal_offsets(session: Session, as_of: date) -> dict[str, timedelta]:
    """For a rehearsal into a database whose campaigns were imported earlier (and hold no dossier): how far each
    campaign's stored dates lie from those a rehearsal on as_of would give them, so its sample dossiers still stand
    where they are meant to in the campaign as stored. Zero for the campaigns this rehearsal imported."""
    wanted = {spec.code: rehearsal_shift(spec, as_of) for spec in shipped_specs()}
    return {found.code: timedelta(days=found.shift_days - wanted[found.code]) for found in demo_campaign_dates(session)}


@dataclass(frozen=True)
class SampleFiles:
    """The sample PDFs of one dossier, already in the file store (store_sample_documents)."""

    per_dossier: dict[str, StoredUpload]
    per_nominee: list[dict[str, StoredUpload]]  # the nominees' files, nominees in the order of their ids


def store_sample_documents(store: FileStore, label: str, nominees: int = 1) -> SampleFiles:
    """Write one dossier's sample PDFs to the store before the transaction that attaches them (as a web upload
    does, operations.documents.store_upload); `label` makes each dossier's files its own."""
    return SampleFiles(
        {kind: store_upload(store, sample_pdf(f"{kind} - ho so {label}")) for kind in PER_DOSSIER},
        [{kind: store_upload(store, sample_pdf(f"{kind} - {label} - {n}")) for kind in PER_NOMINEE} for n in range(nominees)],
    )  # fmt: skip


def attach_sample_documents(session: Session, clerk: Actor, store: FileStore, now: datetime, dossier_id: int,
                            files: SampleFiles | None = None) -> None:  # fmt: skip
    """Upload a small PDF for every document the default checklist requires (demo, tests and bench): the
    files given (already stored), or made and stored here."""
    for kind in PER_DOSSIER:
        data = files.per_dossier[kind] if files else sample_pdf(f"{kind} - ho so {dossier_id}")
        upload_document(session, clerk, store, now, dossier_id=dossier_id, kind=kind, filename=f"{kind}.pdf",
                        data=data)  # fmt: skip
    nominees = session.scalars(select(Nominee).where(Nominee.dossier_id == dossier_id).order_by(Nominee.id)).all()
    for number, nominee in enumerate(nominees):
        for kind in PER_NOMINEE:
            data = files.per_nominee[number][kind] if files else sample_pdf(f"{kind} - {nominee.id}")
            upload_document(session, clerk, store, now, dossier_id=dossier_id, kind=kind, nominee_id=nominee.id,
                            filename=f"{kind}-{nominee.id}.pdf", data=data)  # fmt: skip


def sample_pdf(text: str) -> bytes:
    """A valid one-page PDF showing an ASCII line: a stand-in for a scanned document in demo data."""
    safe = "".join(c for c in text if 32 <= ord(c) < 127 and c not in "()\\")
    stream = f"BT /F1 14 Tf 72 760 Td ({safe}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
