"""Generate the tờ trình, the campaign summary report and the notices to units not awarded, as stored PDFs.

All are unsigned, unnumbered drafts, generated again as often as asked: each new one replaces the previous draft of
the same thing (a dossier's tờ trình, a unit's notice in a campaign, a level's tờ trình, a campaign's báo cáo), its
`document.generate` event naming it in "replaces"; the older ones stay on record. A decision and its certificates
(operations.decisions) are numbered and signed: issuing never replaces one, and covers only nominees none covers.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..documents.pdf import render_pdf
from ..domain.actors import Actor
from ..domain.deadlines import local_date
from ..domain.nominee_standing import SET_APART
from ..domain.permissions import can_view_dossier
from ..domain.text import in_sentence
from ..errors import Forbidden, InvalidInput, NotFound
from ..models import AwardForm, Campaign, Dossier, GeneratedDocument, Nominee, NomineeDecision, OrgUnit
from ..queries.campaign_config import campaign_config
from ..queries.dashboard import campaign_dashboard, proposed
from ..queries.org import unit_path
from ..queries.quota_usage import counted_decisions
from ..storage import FileStore
from .decisions import _store

LEVEL_NAMES = {"ward": "cấp phường/xã", "district": "cấp quận/huyện", "province": "cấp tỉnh"}
# The báo cáo's results, in this order, of the nominees proposed (nominee_standing.nominee_state).
REPORT_OUTCOMES = (("granted_ward", "khen cấp phường/xã"), ("granted_district", "khen cấp quận/huyện"),
                   ("granted_province", "khen cấp tỉnh"), ("rejected", "không được khen"), ("travelling", "đang xét"))


def _campaign_title(campaign: Campaign) -> str:
    return campaign.title[0].lower() + campaign.title[1:]


def _previous_unlinked(session: Session, kind: str, filename: str) -> list[int] | None:
    """The newest earlier draft a campaign-wide document replaces (the level's tờ trình, the báo cáo): linked to no
    dossier or decision, it is told by its name, which spells its campaign (and unit)."""
    previous = session.scalar(select(func.max(GeneratedDocument.id)).where(
        GeneratedDocument.kind == kind, GeneratedDocument.filename == filename, GeneratedDocument.dossier_id.is_(None),
        GeneratedDocument.decision_id.is_(None)))  # fmt: skip
    return [previous] if previous is not None else None


def generate_proposal(session: Session, actor: Actor, store: FileStore, now: datetime, dossier_id: int) -> GeneratedDocument:
    """The unit's tờ trình for its dossier, filled with its nominees, addressed to the level above.

    It is an unsigned draft: it replaces the dossier's previous draft, and the checklist's tờ trình is still the
    signed copy the unit uploads (operations.documents)."""
    dossier = session.get(Dossier, dossier_id)
    if dossier is None or not can_view_dossier(actor, unit_path(session, dossier.unit_id)):
        raise NotFound("Không tìm thấy hồ sơ.")
    if not (actor.holds("unit_clerk", dossier.unit_id) or actor.holds("unit_head", dossier.unit_id)):
        raise Forbidden("Chỉ đơn vị lập hồ sơ mới tạo tờ trình của đơn vị.")
    unit, campaign = session.get(OrgUnit, dossier.unit_id), session.get(Campaign, dossier.campaign_id)
    assert unit is not None and campaign is not None
    ward = unit.ancestor_at("ward")
    config = campaign_config(session, campaign)
    rows = [{"name": n.full_name, "position": n.position, "unit": unit.name, "award": config.award_name(f.code, f.name),
             "kind": str(n.kind)}
            for n, f in session.execute(select(Nominee, AwardForm).join(AwardForm, Nominee.award_form_id == AwardForm.id)
                                        .where(Nominee.dossier_id == dossier.id).order_by(Nominee.id))]  # fmt: skip
    pdf = render_pdf("proposal.html", issuer_name=ward.name if ward else unit.name, top_body=(ward.name.upper() if ward else ""),
                     unit_line=unit.name.upper(), symbol="TTr", number=None, day=local_date(now), place_of=ward.name if ward else unit.name,
                     campaign_title=_campaign_title(campaign), campaign_source=campaign.source, sender=unit.name,
                     addressee=f"Hội đồng Thi đua - Khen thưởng {in_sentence(ward.name) if ward else ''}".strip(),
                     rows=rows,
                     signer_title="Thủ trưởng đơn vị", signer_name=None)  # fmt: skip
    # A new draft replaces the one before: only the newest of the dossier's drafts is current (dossier_generated).
    previous = session.scalar(select(func.max(GeneratedDocument.id)).where(
        GeneratedDocument.dossier_id == dossier.id, GeneratedDocument.kind == "proposal_letter"))  # fmt: skip
    return _store(session, store, actor, now, "proposal_letter", f"To-trinh-ho-so-{dossier.id}.pdf", pdf,
                  replaces=[previous] if previous is not None else None, dossier_id=dossier.id)  # fmt: skip


def generate_forwarding_proposal(session: Session, actor: Actor, store: FileStore, now: datetime, campaign_code: str,
                                 unit_id: int) -> GeneratedDocument:  # fmt: skip
    """A level's consolidated tờ trình: every nominee its chairman forwarded upward in the campaign."""
    campaign = session.scalar(select(Campaign).where(Campaign.code == campaign_code))
    unit = session.get(OrgUnit, unit_id)
    if campaign is None or unit is None:
        raise NotFound("Không tìm thấy phong trào hoặc đơn vị.")
    if not any(actor.holds(r, unit.id) for r in ("chairman", "office_clerk", "noi_vu", "ban_tdkt")):
        raise Forbidden("Chỉ lãnh đạo hoặc bộ phận thi đua của đơn vị mới lập tờ trình của đơn vị.")
    # Each nominee once, as the level's chairman last decided it: forwarded and still standing (a return and a
    # second approval list nobody twice; one refused since, or withdrawn, is not listed).
    ids = [c.nominee_id for c in counted_decisions(session, campaign.id, "chairman", ("approve",), level=str(unit.level),
                                                  org_unit_id=unit.id)]  # fmt: skip
    forwarded = session.execute(
        select(Nominee, AwardForm, OrgUnit).join(AwardForm, Nominee.award_form_id == AwardForm.id)
        .join(Dossier, Nominee.dossier_id == Dossier.id).join(OrgUnit, Dossier.unit_id == OrgUnit.id)
        .where(Nominee.id.in_(ids)).order_by(OrgUnit.name, Nominee.id)
    ).all() if ids else []  # fmt: skip
    config = campaign_config(session, campaign)
    rows = [{"name": n.full_name, "position": n.position, "unit": u.name, "award": config.award_name(f.code, f.name),
             "kind": str(n.kind)} for n, f, u in forwarded]  # fmt: skip
    if not rows:
        raise InvalidInput("Chưa có tập thể, cá nhân nào được trình lên cấp trên.")
    parent = session.get(OrgUnit, unit.parent_id) if unit.parent_id else None
    pdf = render_pdf("proposal.html", issuer_name=unit.name, symbol="TTr-UBND", number=None, day=local_date(now),
                     place_of=unit.name, campaign_title=_campaign_title(campaign), campaign_source=campaign.source,
                     sender=f"Ủy ban nhân dân {in_sentence(unit.name)}",
                     addressee=f"Ủy ban nhân dân {in_sentence(parent.name)}" if parent else "cấp trên",
                     rows=rows, signer_title="Chủ tịch", signer_name=None)  # fmt: skip
    name = f"To-trinh-{unit.code}-{campaign.code}.pdf"
    return _store(session, store, actor, now, "proposal_letter", name, pdf,
                  replaces=_previous_unlinked(session, "proposal_letter", name))  # fmt: skip


def generate_report(session: Session, actor: Actor, store: FileStore, now: datetime, campaign_code: str) -> GeneratedDocument:
    """The báo cáo tổng kết of a campaign: counts by unit, outcome level and award form."""
    campaign = session.scalar(select(Campaign).where(Campaign.code == campaign_code))
    if campaign is None:
        raise NotFound("Không có phong trào này.")
    issuer = session.get(OrgUnit, campaign.issuing_unit_id)
    assert issuer is not None
    board = campaign_dashboard(session, campaign, now)
    # A draft is not yet a proposal, and a withdrawn or cancelled dossier no longer one: they are counted apart, and
    # their nominees are neither proposed nor under review.
    apart = [f"{board.totals[status]} hồ sơ {label}" for status, label in
             (("draft", "đang lập"), ("withdrawn", "đơn vị đã rút"), ("cancelled", "đã hủy")) if board.totals[status]]  # fmt: skip
    known = dict(REPORT_OUTCOMES)
    outcomes = [(label, board.nominee_totals[state]) for state, label in REPORT_OUTCOMES if board.nominee_totals[state]] + [
        (state, count) for state, count in sorted(board.nominee_totals.items()) if state not in known and state not in SET_APART]
    config = campaign_config(session, campaign)
    by_award = Counter(config.award_name(f.code, f.name) for n, f in session.execute(
        select(Nominee, AwardForm).join(AwardForm, Nominee.award_form_id == AwardForm.id).join(Dossier, Nominee.dossier_id == Dossier.id)
        .where(Dossier.campaign_id == campaign.id, Nominee.outcome == "granted")))  # fmt: skip
    pdf = render_pdf("report.html", issuer_name=issuer.name, symbol="BC-UBND", number=None, day=local_date(now), place_of=issuer.name,
                     campaign_title=_campaign_title(campaign), dossiers=proposed(board.totals),
                     nominees=proposed(board.nominee_totals), outcomes=outcomes, apart=apart,
                     units=[u for u in board.units if u.proposed or proposed(u.nominees)],
                     by_award=sorted(by_award.items()), signer_title="Chủ tịch", signer_name=None)  # fmt: skip
    name = f"Bao-cao-tong-ket-{campaign.code}.pdf"
    return _store(session, store, actor, now, "report", name, pdf, replaces=_previous_unlinked(session, "report", name))


def generate_notices(session: Session, actor: Actor, store: FileStore, now: datetime, campaign_code: str) -> list[GeneratedDocument]:
    """One thông báo per unit whose nominees were not awarded, each nominee with the level and the reason."""
    campaign = session.scalar(select(Campaign).where(Campaign.code == campaign_code))
    if campaign is None:
        raise NotFound("Không có phong trào này.")
    issuer = session.get(OrgUnit, campaign.issuing_unit_id)
    assert issuer is not None
    rejected = session.execute(
        select(Nominee, AwardForm, OrgUnit, Dossier.id).join(AwardForm, Nominee.award_form_id == AwardForm.id)
        .join(Dossier, Nominee.dossier_id == Dossier.id).join(OrgUnit, Dossier.unit_id == OrgUnit.id)
        .where(Dossier.campaign_id == campaign.id, Nominee.outcome == "rejected").order_by(OrgUnit.name, Nominee.id)
    ).all()  # fmt: skip
    config = campaign_config(session, campaign)
    by_unit: dict[int, list[dict[str, str]]] = {}
    units: dict[int, tuple[OrgUnit, int]] = {}
    for nominee, form, unit, dossier_id in rejected:
        reason = session.scalar(select(NomineeDecision.reason).where(NomineeDecision.nominee_id == nominee.id,
                                                                     NomineeDecision.result == "reject")
                                .order_by(NomineeDecision.id.desc()).limit(1))  # fmt: skip
        award = config.award_name(form.code, form.name)
        by_unit.setdefault(unit.id, []).append({"name": nominee.full_name, "award": award,
                                                "level": LEVEL_NAMES.get(nominee.outcome_level or "", ""), "reason": reason or ""})  # fmt: skip
        units[unit.id] = (unit, dossier_id)
    # Unsigned and unnumbered, like the unit's tờ trình draft: a unit's new notice replaces its previous one in the
    # campaign (only the newest is current: queries.decisions.dossier_generated), the older ones stay on record.
    previous: dict[int, int] = {unit_id: newest for unit_id, newest in session.execute(
        select(Dossier.unit_id, func.max(GeneratedDocument.id)).join(Dossier, GeneratedDocument.dossier_id == Dossier.id)
        .where(GeneratedDocument.kind == "notice", Dossier.campaign_id == campaign.id, Dossier.unit_id.in_(list(units)))
        .group_by(Dossier.unit_id)
    )} if units else {}  # fmt: skip
    out = []
    for unit_id, rows in by_unit.items():
        unit, dossier_id = units[unit_id]
        pdf = render_pdf("notice.html", issuer_name=issuer.name, symbol="TB-UBND", number=None, day=local_date(now),
                         place_of=issuer.name, campaign_title=_campaign_title(campaign), recipient_unit=unit.name, rows=rows,
                         signer_name=None)  # fmt: skip
        replaced = previous.get(unit_id)
        out.append(_store(session, store, actor, now, "notice", f"Thong-bao-{unit.code}.pdf", pdf,
                          replaces=[replaced] if replaced is not None else None, dossier_id=dossier_id))  # fmt: skip
    return out
