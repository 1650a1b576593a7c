"""Campaign pages: list, settings, registration, and the admin's editor (the campaign file as YAML)."""

from __future__ import annotations

import io

from flask import Blueprint, Response, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required

from ..domain.campaign_config import SUBJECT_LABELS
from ..domain.campaign_file import RULE_TYPES
from ..domain.deadlines import local_date
from ..domain.roles import LEVEL_LABELS
from ..domain.permissions import can_write_campaign_report, require_can_write_campaign_report
from ..errors import DomainError, Forbidden, InvalidInput, NotFound
from ..operations.campaigns import (
    dump_campaign_yaml,
    export_campaign,
    read_campaign_file,
    register_unit,
    save_campaign_from_page,
)
from ..queries.campaign_view import campaign_page, visible_campaigns
from ..models import Decision, GeneratedDocument, OrgUnit
from ..operations.audit import record_event
from ..operations.certificate_blanks import FIELDS as BLANK_FIELDS
from ..operations.certificate_blanks import SAMPLE as BLANK_SAMPLE
from ..operations.certificate_blanks import blank_for_certificate, check_layout, layout_for, render_blank, save_layout
from ..operations.decisions import ISSUERS, issue_decision
from ..operations.nominee_lists import export_nominees
from ..operations.official_documents import generate_forwarding_proposal, generate_notices, generate_report
from ..queries.dashboard import campaign_dashboard
from ..queries.decisions import campaign_decisions
from ..queries.documents import download_name, generated_names
from ..queries.org import unit_path
from .context import current_actor, get_engine, get_files, get_session, transaction
from .i18n import translate
from .messages_en import refusal

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")
NEW_CAMPAIGN = """code: MA-PHONG-TRAO
title: Tên phong trào thi đua
year: 2026
issuing_unit: HN-HD-PL
process: commendation_chain
deadlines:
  ward: 2026-12-10
award_forms:
  - code: GK-XA
    name: Giấy khen của Chủ tịch UBND phường
    granting_level: ward
rules: []
"""


def _require_admin() -> None:
    if not current_actor().is_admin:
        raise Forbidden("Chỉ quản trị viên mới tạo và sửa phong trào.")


@bp.route("/")
@login_required
def index() -> str:
    return render_template("campaigns/index.html", campaigns=visible_campaigns(get_session(), current_actor()),
                           is_admin=current_actor().is_admin)  # fmt: skip


@bp.route("/<code>")
@login_required
def show(code: str) -> str:
    return _campaign_page(code)


def _campaign_page(code: str, error: str | None = None, typed: dict[str, str] | None = None) -> str:
    """The campaign page; after a refused decision or document, with the refusal at the top and what the official
    typed in the form he used (`typed["unit_id"]` says which issuing unit's)."""
    page = campaign_page(get_session(), current_actor(), code, local_date(get_engine().clock.now()))
    if page is None:
        raise NotFound("Không tìm thấy phong trào.")
    actor = current_actor()
    issuers = [u for role, u in actor.roles if role in ISSUERS]
    decisions = campaign_decisions(get_session(), page.campaign)
    return render_template("campaigns/show.html", page=page, is_admin=actor.is_admin, decisions=decisions,
                           generated_names=generated_names(get_session(), [d for _, _, docs, _ in decisions for d in docs]),
                           issuing_units=[get_session().get(OrgUnit, u) for u in sorted(set(issuers))],
                           may_write_report=can_write_campaign_report(
                               actor, unit_path(get_session(), page.campaign.issuing_unit_id)),
                           level_labels=LEVEL_LABELS, subject_labels=SUBJECT_LABELS, rule_labels=RULE_TYPES,
                           error=error, typed=typed or {})  # fmt: skip


def _refused(code: str, exc: DomainError, *fields: str) -> tuple[str, int]:
    """A refusal of what was asked (nothing written: its transaction is rolled back) comes back on the campaign page
    with why and the typed `fields`, with its status. Who may not act (403) or what does not exist (404) keeps the
    error page: there is no page of theirs to go back to."""
    if exc.status not in (400, 409, 422):
        raise exc
    return _campaign_page(code, refusal(exc), {k: request.form.get(k, "") for k in fields}), exc.status


@bp.route("/<code>/register", methods=["POST"])
@login_required
def register(code: str) -> Response | tuple[str, int]:
    unit = request.form.get("unit_id", "")
    try:
        with transaction() as db:
            register_unit(db, current_actor(), code, int(unit) if unit.isdigit() else 0, get_engine().clock.now())
    except DomainError as exc:  # past the registration deadline: said on the campaign page
        return _refused(code, exc, "unit_id")
    flash(translate("Đã đăng ký thi đua."), "ok")
    return redirect(url_for("campaigns.show", code=code))


@bp.route("/<code>/export.yaml")
@login_required
def export(code: str) -> Response:
    if campaign_page(get_session(), current_actor(), code) is None:
        raise NotFound("Không tìm thấy phong trào.")
    text = dump_campaign_yaml(export_campaign(get_session(), code))
    return Response(text, mimetype="application/yaml; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={code}.yaml"})  # fmt: skip


CAMPAIGN_FILE_MAX = 1024 * 1024  # a campaign file is a few kilobytes of text


@bp.route("/edit", methods=["GET", "POST"], defaults={"code": None})
@bp.route("/<code>/edit", methods=["GET", "POST"])
@login_required
def edit(code: str | None) -> str | Response | tuple[str, int]:
    """Create a campaign, or edit one (keeping its code, or saving the file as a new campaign: the admin's choice);
    the file is typed into the text area or uploaded (an uploaded file wins). Never replaces another campaign."""
    _require_admin()
    if request.method == "GET":
        text = dump_campaign_yaml(export_campaign(get_session(), code)) if code else NEW_CAMPAIGN
        return render_template("campaigns/edit.html", code=code, text=text)
    text = request.form.get("text", "")
    as_new = code is not None and request.form.get("action") == "new"
    try:
        text, filename = _uploaded_text(text)
        spec = read_campaign_file(text, filename)
        with transaction() as db:
            _, created = save_campaign_from_page(db, current_actor(), spec, get_engine().clock.now(), editing=code,
                                                 as_new=as_new)  # fmt: skip
    except DomainError as exc:
        if exc.status not in (400, 409, 422):
            raise
        return render_template("campaigns/edit.html", code=code, text=text, error=refusal(exc)), exc.status
    if as_new:
        said = translate("Đã lưu thành phong trào mới {code}; phong trào {old} giữ nguyên.")
        said = said.format(code=spec.code, old=code)
    elif created:
        said = translate("Đã tạo phong trào mới {code}.").format(code=spec.code)
    else:
        said = translate("Đã lưu thay đổi của phong trào {code}.").format(code=spec.code)
    flash(said, "ok")
    return redirect(url_for("campaigns.show", code=spec.code))


def _uploaded_text(typed: str) -> tuple[str, str]:
    """The campaign file's text and name: the uploaded file's when one was chosen, else what was typed."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return typed, "campaign.yaml"
    data = upload.read(CAMPAIGN_FILE_MAX + 1)
    if not data:
        raise InvalidInput("Tệp rỗng.")
    if len(data) > CAMPAIGN_FILE_MAX:
        raise InvalidInput("Tệp lớn quá {value} MB.", {"value": CAMPAIGN_FILE_MAX // (1024 * 1024)})
    try:
        return data.decode("utf-8-sig"), upload.filename
    except UnicodeDecodeError:
        raise InvalidInput("{filename}: không phải tệp văn bản UTF-8 (YAML hoặc JSON).",
                           {"filename": upload.filename}) from None


@bp.route("/<code>/dashboard")
@login_required
def dashboard(code: str) -> str:
    page = campaign_page(get_session(), current_actor(), code)
    if page is None:
        raise NotFound("Không tìm thấy phong trào.")
    return render_template("campaigns/dashboard.html", d=campaign_dashboard(get_session(), page.campaign,
                                                                           get_engine().clock.now()))  # fmt: skip


@bp.route("/<code>/decisions", methods=["POST"])
@login_required
def issue(code: str) -> Response | tuple[str, int]:
    unit = request.form.get("unit_id", "")
    try:
        with transaction() as db:
            # Numbered and written at once; its PDF and certificates by `thidua worker` (the page counts them).
            issued = issue_decision(db, current_actor(), get_files(), get_engine().clock.now(), campaign_code=code,
                                    unit_id=int(unit) if unit.isdigit() else 0, signer_name=request.form.get("signer_name", ""),
                                    background=True)  # fmt: skip
            number = issued.decision.number
    except DomainError as exc:
        return _refused(code, exc, "unit_id", "signer_name")
    flash(translate("Đã ra quyết định số") + f" {number}.", "ok")
    return redirect(url_for("campaigns.show", code=code))


def _decision_document(code: str, document_id: int) -> GeneratedDocument:
    """A PDF of one of the campaign's decisions, if the user may see the campaign."""
    db = get_session()
    page = campaign_page(db, current_actor(), code)
    doc = db.get(GeneratedDocument, document_id)
    decision = db.get(Decision, doc.decision_id) if doc and doc.decision_id else None
    if page is None or doc is None or decision is None or decision.campaign_id != page.campaign.id:
        raise NotFound("Không tìm thấy văn bản.")
    return doc


@bp.route("/<code>/documents/<int:document_id>")
@login_required
def generated(code: str, document_id: int) -> Response:
    doc = _decision_document(code, document_id)
    with transaction() as tx:
        record_event(tx, action="document.download", object_type="generated_document", object_id=str(doc.id),
                     actor=current_actor().user_id, after={"sha256": doc.sha256, "dossier_id": doc.dossier_id})  # fmt: skip
    inline = request.args.get("print") == "1"
    return send_file(io.BytesIO(get_files().read(doc.sha256)), mimetype="application/pdf", as_attachment=not inline,
                     download_name=download_name(get_session(), doc))  # fmt: skip


@bp.route("/<code>/documents/<kind>", methods=["POST"])
@login_required
def official(code: str, kind: str) -> Response | tuple[str, int]:
    """The báo cáo tổng kết, a level's tờ trình upward, or the notices: stored, audited, and sent back to print."""
    try:
        data, name = _official_document(code, kind)
    except DomainError as exc:
        return _refused(code, exc, "unit_id")
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=False, download_name=name)


def _official_document(code: str, kind: str) -> tuple[bytes, str]:
    unit = request.form.get("unit_id", "")
    now, actor = get_engine().clock.now(), current_actor()
    with transaction() as db:
        page = campaign_page(db, actor, code)
        if page is None:
            raise NotFound("Không tìm thấy phong trào.")
        if kind in ("report", "notices"):  # the issuing level's documents: not for whoever merely reads the campaign
            require_can_write_campaign_report(actor, unit_path(db, page.campaign.issuing_unit_id))
        if kind == "report":
            docs = [generate_report(db, actor, get_files(), now, code)]
        elif kind == "forwarding":
            docs = [generate_forwarding_proposal(db, actor, get_files(), now, code, int(unit) if unit.isdigit() else 0)]
        elif kind == "notices":
            docs = generate_notices(db, actor, get_files(), now, code)
        else:
            raise NotFound("Không có loại văn bản này.")
        if not docs:
            raise InvalidInput("Không có đơn vị nào cần thông báo.")
        first = docs[0]
        return get_files().read(first.sha256), first.filename


@bp.route("/<code>/nominees.xlsx")
@login_required
def nominees_xlsx(code: str) -> Response:
    unit = request.args.get("unit_id", "")
    with transaction() as db:
        if campaign_page(db, current_actor(), code) is None:
            raise NotFound("Không tìm thấy phong trào.")
        data = export_nominees(db, current_actor(), code, get_engine().clock.now(),
                               unit_id=int(unit) if unit.isdigit() else None, level=request.args.get("level") or None)  # fmt: skip
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"danh-sach-{code}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip


def _layout_from_form() -> dict[str, object]:
    form = request.form
    return {"width": form.get("width"), "height": form.get("height"),
            "fields": {name: {"x": form.get(f"{name}_x"), "y": form.get(f"{name}_y"), "width": form.get(f"{name}_width"),
                              "size": form.get(f"{name}_size"), "bold": form.get(f"{name}_bold") == "1"}
                       for name in BLANK_FIELDS}}  # fmt: skip


@bp.route("/blank/<int:unit_id>", methods=["GET", "POST"])
@login_required
def blank_layout(unit_id: int) -> str | Response | tuple[str, int]:
    _require_admin()
    db = get_session()
    unit = db.get(OrgUnit, unit_id)
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị.")
    if request.method == "POST":
        layout = _layout_from_form()
        try:
            if request.form.get("action") == "preview":
                pdf = render_blank(check_layout(layout), BLANK_SAMPLE, preview=True)
                return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name="xem-thu-phoi.pdf")
            with transaction() as tx:
                save_layout(tx, current_actor(), unit_id, layout, get_engine().clock.now())
        except DomainError as exc:
            if exc.status not in (400, 409, 422):
                raise
            # The form again, as typed, with why (nothing saved: the transaction is rolled back).
            return render_template("campaigns/blank.html", unit=unit, layout=layout, fields=BLANK_FIELDS,
                                   error=refusal(exc)), exc.status  # fmt: skip
        flash(translate("Đã lưu bố cục phôi."), "ok")
        return redirect(url_for("campaigns.blank_layout", unit_id=unit_id))
    return render_template("campaigns/blank.html", unit=unit, layout=layout_for(db, unit_id), fields=BLANK_FIELDS)


@bp.route("/<code>/documents/<int:document_id>/blank")
@login_required
def print_on_blank(code: str, document_id: int) -> Response:
    doc = _decision_document(code, document_id)
    return send_file(io.BytesIO(blank_for_certificate(get_session(), document_id)), mimetype="application/pdf",
                     download_name=f"phoi-{doc.filename}")  # fmt: skip
