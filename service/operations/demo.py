"""Demo data: the org trees of the three seed plans, one user per role per unit, campaigns, sample dossiers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import Engine, FixedClock

from ..domain.actors import Actor
from ..domain.documents import PER_DOSSIER, PER_NOMINEE
from ..domain.roles import ROLE_LABELS
from ..models import AwardForm, Campaign, Dossier, Nominee, OrgUnit, RoleAssignment, User
from ..storage import FileStore
from .accounts import actor_for, hash_password
from ..queries.eligibility import unconfirmed_keys
from .campaigns import load_shipped_campaigns
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
# When the sample dossiers of each shipped campaign are created (inside the campaign's own period).
DEMO_CLOCKS = {
    "PL-CCHC-2024": datetime(2024, 12, 2, 2, 0, tzinfo=UTC),
    "GD-CCHC-2024": datetime(2024, 12, 5, 2, 0, tzinfo=UTC),
    "MT-CCHC-2015": datetime(2015, 11, 20, 2, 0, tzinfo=UTC),
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: str
    unit: str


def username_for(unit_code: str, role: str) -> str:
    return f"{unit_code.lower()}.{role}"


def load_demo(session: Session, password: str, store: FileStore) -> list[DemoLogin]:
    """Create (idempotently) the demo org trees, users, award forms, campaigns and sample dossiers."""
    units = _org_tree(session)
    logins = _users(session, units, password)
    ensure_award_forms(session)
    session.flush()
    if session.scalar(select(Campaign.id).limit(1)) is None:
        load_shipped_campaigns(session, Actor(None, "thidua demo"), datetime.now(UTC))
    if session.scalar(select(Dossier.id).limit(1)) is None:
        _sample_dossiers(session, units, store)
    return logins


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


def _sample_dossiers(session: Session, units: dict[str, OrgUnit], store: FileStore) -> None:
    """A few dossiers placed at different steps so every inbox has something to clear."""
    plan = [
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
    for campaign_code, unit_code, title, nominees, steps in plan:
        start = DEMO_CLOCKS[campaign_code]
        engine = Engine(FixedClock(start))
        clerk = actor_for(session, username_for(unit_code, "unit_clerk"))
        dossier = create_dossier(session, clerk, engine, campaign_code=campaign_code, unit_id=units[unit_code].id,
                                 title=title, nominees=nominees)  # fmt: skip
        attach_sample_documents(session, clerk, store, engine.clock.now(), dossier.id)
        for _ in range(steps):
            task = open_task_for(session, dossier.id)
            if task is None:
                break
            owner = session.get(OrgUnit, task.org_unit_id)
            actor: Actor = actor_for(session, username_for(owner.code, task.role))
            decision = "submit" if task.bpmn_id == "unit_prepare" else "approve"
            # The demo reviewer has checked the conditions no record decides (as a person ticks them).
            complete_task(session, actor, engine, task.id, decision, "Hồ sơ đầy đủ, đề nghị chuyển bước tiếp theo.",
                          confirmed=unconfirmed_keys(session, dossier))  # fmt: skip


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
