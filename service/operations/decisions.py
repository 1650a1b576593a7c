"""Issue an award decision: gapless number per issuing unit and year, the PDF with its list, one certificate each."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..documents.pdf import date_line, place_name, render_pdf
from ..domain.actors import Actor
from ..domain.deadlines import local_date
from ..domain.field_limits import check_length, within
from ..errors import Forbidden, InvalidInput, NotFound
from ..models import (
    AwardForm, Campaign, Decision, DecisionAward, DecisionCounter, Dossier, GeneratedDocument,
    HumanTask, Nominee, NomineeDecision, OrgUnit,
)  # fmt: skip
from ..queries.campaign_config import campaign_config
from ..storage import FileStore
from .audit import record_event

ISSUERS = ("chairman", "office_clerk", "noi_vu", "ban_tdkt")


@dataclass(frozen=True)
class IssuedDecision:
    decision: Decision
    documents: list[GeneratedDocument]


def next_number(session: Session, unit_id: int, year: int) -> int:
    """Take the next sequence number of a unit's decisions in a year; the counter row is locked until commit."""
    query = select(DecisionCounter).where(DecisionCounter.issuing_unit_id == unit_id, DecisionCounter.year == year)
    counter = session.scalar(query.with_for_update())
    if counter is None:
        try:
            with session.begin_nested():
                session.add(DecisionCounter(issuing_unit_id=unit_id, year=year, last_seq=0))
        except IntegrityError:  # another signer created it at the same moment: lock theirs
            pass
        counter = session.scalar(query.with_for_update())
    assert counter is not None
    counter.last_seq += 1
    session.flush()
    return counter.last_seq


def _granted_here(session: Session, campaign: Campaign, unit: OrgUnit) -> list[tuple[Nominee, AwardForm, Dossier, OrgUnit]]:
    awarded = select(DecisionAward.nominee_id)
    return list(session.execute(
        select(Nominee, AwardForm, Dossier, OrgUnit)
        .join(NomineeDecision, NomineeDecision.nominee_id == Nominee.id)
        .join(HumanTask, NomineeDecision.human_task_id == HumanTask.id)
        .join(AwardForm, Nominee.award_form_id == AwardForm.id)
        .join(Dossier, Nominee.dossier_id == Dossier.id)
        .join(OrgUnit, Dossier.unit_id == OrgUnit.id)
        .where(NomineeDecision.result == "granted", HumanTask.org_unit_id == unit.id, Dossier.campaign_id == campaign.id,
               Nominee.id.not_in(awarded))
        .order_by(AwardForm.code, Nominee.kind, Nominee.id)
    ).all())  # fmt: skip


def issue_decision(
    session: Session, actor: Actor, store: FileStore, now: datetime, *, campaign_code: str, unit_id: int,
    signer_name: str, signer_title: str = "Chủ tịch",
) -> IssuedDecision:  # fmt: skip
    """One decision for the nominees the unit's chairman granted in the campaign and no decision covers yet."""
    campaign = session.scalar(select(Campaign).where(Campaign.code == campaign_code))
    unit = session.get(OrgUnit, unit_id)
    if campaign is None or unit is None:
        raise NotFound("Không tìm thấy phong trào hoặc đơn vị.")
    if not any(actor.holds(role, unit.id) for role in ISSUERS) and not actor.is_admin:
        raise Forbidden("Chỉ lãnh đạo hoặc bộ phận thi đua của đơn vị mới ra quyết định khen thưởng.")
    if not signer_name.strip():
        raise InvalidInput("Cần ghi tên người ký quyết định.")
    check_length("decision.signer_name", signer_name.strip())
    rows = _granted_here(session, campaign, unit)
    if not rows:
        raise InvalidInput("Chưa có tập thể, cá nhân nào được Chủ tịch đồng ý khen mà chưa có quyết định.")
    today = local_date(now)
    seq = next_number(session, unit.id, today.year)  # written from 01 each year (Nghị định 30/2020, Phụ lục I)
    config = campaign_config(session, campaign)
    names = {nominee.id: config.award_name(form.code, form.name) for nominee, form, _, _ in rows}
    decision = Decision(
        campaign_id=campaign.id, issuing_unit_id=unit.id, level=str(unit.level), year=today.year, seq=seq,
        number=f"{seq:02d}/QĐ-UBND", decided_on=today, signer_name=signer_name.strip(), signer_title=signer_title,
        title=within("decision.title",
                     f"Về việc khen thưởng thành tích trong {campaign.title[0].lower()}{campaign.title[1:]}"),
        created_by=actor.user_id, created_at=now,
    )  # fmt: skip
    session.add(decision)
    session.flush()
    for nominee, *_ in rows:
        session.add(DecisionAward(decision_id=decision.id, nominee_id=nominee.id))
    # One list per award form (rows come ordered by form), each under the campaign's name for it.
    groups: dict[str, list[dict[str, str | None]]] = {}
    for n, _, _, u in rows:
        groups.setdefault(names[n.id], []).append({"name": n.full_name, "position": n.position, "unit": u.name,
                                                   "kind": str(n.kind)})  # fmt: skip
    common = {"issuer_name": unit.name, "campaign_title": campaign_phrase(campaign.title)}
    documents = [_store(session, store, actor, now, "decision", f"Quyet-dinh-{seq}-{today.year}-{unit.code}.pdf",
                        render_pdf("decision.html", d=decision, groups=list(groups.items()),
                                   campaign_source=campaign.source, **common), decision_id=decision.id)]  # fmt: skip
    for nominee, form, dossier, owner in rows:
        award_name = names[nominee.id]
        pdf = render_pdf("certificate.html", signer_title=signer_title, award_title=_award_title(form.code, award_name),
                         award_name=award_name, recipient=nominee.full_name, position=nominee.position,
                         unit=owner.name, citation=certificate_citation(campaign.title),
                         decision_lines=certificate_decision_lines(decision.number, unit.name, today),
                         signer_name=decision.signer_name, **common)  # fmt: skip
        documents.append(_store(session, store, actor, now, "certificate", f"{_file_word(_award_title(form.code, names[nominee.id]))}-{seq}-{today.year}-{unit.code}-{nominee.id}.pdf", pdf,
                                decision_id=decision.id, dossier_id=dossier.id, nominee_id=nominee.id))  # fmt: skip
    record_event(session, action="decision.issue", object_type="decision", object_id=str(decision.id), actor=actor.user_id,
                 actor_unit_id=unit.id, after={"number": decision.number, "nominees": [n.id for n, *_ in rows],
                                               "documents": [{"id": d.id, "sha256": d.sha256} for d in documents]},
                 now=now)  # fmt: skip
    return IssuedDecision(decision, documents)


def campaign_phrase(title: str) -> str:
    """A campaign's title inside a sentence: 'Phong trào thi đua “…”' → 'phong trào thi đua “…”'."""
    return title[:1].lower() + title[1:]


def certificate_citation(campaign_title: str) -> str:
    """What a certificate says the awardee did, naming the campaign: the full design and the blank print the same."""
    return f"Đã có thành tích xuất sắc trong {campaign_phrase(campaign_title)}"


def certificate_decision_lines(number: str, issuer_name: str, decided_on: date) -> tuple[str, str]:
    """The certificate's reference to its decision: its number, then the place and date line (each line kept whole)."""
    return f"Quyết định số {number}", date_line(place_name(issuer_name), decided_on)


def _file_word(title: str) -> str:
    """'Bằng khen' → 'Bang-khen': a file name every system and e-mail client keeps as it is."""
    plain = unicodedata.normalize("NFD", title.replace("đ", "d").replace("Đ", "D"))
    return "-".join("".join(c for c in plain if not unicodedata.combining(c)).split())


def _award_title(code: str, name: str) -> str:
    """What a certificate is, from its award form's code and the name the campaign gives the form."""
    return "Bằng khen" if code.startswith("BK") or "Bằng khen" in name else "Giấy khen"


def _store(session: Session, store: FileStore, actor: Actor, now: datetime, kind: str, filename: str, data: bytes,
           replaces: list[int] | None = None, **links: int | None) -> GeneratedDocument:  # fmt: skip
    """Store a generated PDF and audit it; `replaces` names the documents it supersedes (kept in the event only
    when there are some, as document.upload keeps them)."""
    doc = GeneratedDocument(kind=kind, filename=filename, sha256=store.put(data), size=len(data), created_by=actor.user_id,
                            created_at=now, **links)  # fmt: skip
    session.add(doc)
    session.flush()
    after: dict[str, object] = {"kind": kind, "sha256": doc.sha256, "dossier_id": links.get("dossier_id")}
    if replaces:
        after["replaces"] = replaces
    record_event(session, action="document.generate", object_type="generated_document", object_id=str(doc.id),
                 actor=actor.user_id, after=after, now=now)  # fmt: skip
    return doc
