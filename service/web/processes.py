"""Admin pages for BPMN processes: versions, each version's diagram and XML, what changed between two."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, Response, flash, render_template, request
from flask_login import login_required

from workflows.lanes import LEVELS, TASK_ROLES

from ..domain.roles import SERVICE_WORK
from ..errors import DefinitionRejected, DomainError, Forbidden, NotFound
from ..models import ProcessDefinition, ProcessVersion
from ..queries.processes import active_of, compare_versions, lanes_in_use, process_title, process_versions
from .context import current_actor, get_session
from .i18n import current_locale, level_label, translate
from .lanes import LANE_ROLES_EN, LANE_ROLES_VI, lane_labels
from .messages_en import problem_in, refusal
from .modeler_catalogue import THIDUA_GROUP_VI

bp = Blueprint("processes", __name__, url_prefix="/processes")
EDITOR_FILE = "editor.bpmn"  # the name a process saved from the editor is parsed under (its problems name it)


# What an auditor may read (the versions, their diagrams and files: which process a dossier ran on, and who changed
# it when); editing and deploying stay with admins.
AUDITOR_READS = frozenset({"processes.index", "processes.show", "processes.xml", "processes.diagram"})


@bp.before_request
def only_admins() -> None:
    from flask_login import current_user

    if not current_user.is_authenticated:
        return
    actor = current_actor()
    if not actor.is_admin and not (actor.has_role("auditor") and request.endpoint in AUDITOR_READS):
        raise Forbidden("Chỉ quản trị viên mới xem và quản lý quy trình.")


@bp.route("/")
@login_required
def index() -> str:
    return render_template("processes/index.html", processes=process_versions(get_session()), title=process_title)


def _version(version_id: int) -> ProcessVersion:
    version = get_session().get(ProcessVersion, version_id)
    if version is None:
        raise NotFound("Không tìm thấy phiên bản quy trình.")
    return version


@bp.route("/versions/<int:version_id>.bpmn")
@login_required
def xml(version_id: int) -> Response:
    version = _version(version_id)
    return Response(version.bpmn_xml, mimetype="application/xml",
                    headers={"Content-Disposition": f"attachment; filename=process-v{version.version}.bpmn"})  # fmt: skip


@bp.route("/versions/<int:version_id>")
@login_required
def show(version_id: int) -> str:
    version = _version(version_id)
    others = [v for _, rows in process_versions(get_session()) for v in rows if v.version.definition_id == version.definition_id]
    compare = request.args.get("compare", "")
    diff = None
    if compare.isdigit():
        older = _version(int(compare))
        if older.definition_id == version.definition_id:
            diff = compare_versions(get_session(), older.id, version.id)
    row = next((r for r in others if r.version.id == version.id), None)
    process = get_session().get(ProcessDefinition, version.definition_id)
    # The diagram's lanes in words (the editor, edit.html, keeps the codes: admins edit them).
    return render_template("processes/show.html", version=version, others=others, diff=diff, compare=compare,
                           lane_labels=lane_labels(), path=row.path if row else (),
                           title=process_title(process.name) if process else "")  # fmt: skip


@bp.route("/versions/<int:version_id>/diagram.json")
@login_required
def diagram(version_id: int) -> Response:
    from flask import jsonify

    return jsonify({"xml": _version(version_id).bpmn_xml, "completed": [], "current": [], "cancelled": []})


# --- Editing in the browser: the bundled bpmn-js Modeler; saving validates first, then deploys ---

BLANK_DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  id="definitions_new" targetNamespace="http://thidua.local/bpmn">
  <bpmn:process id="new_process" name="Quy trình mới" isExecutable="true">
    <bpmn:startEvent id="start" name="Bắt đầu" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram_new">
    <bpmndi:BPMNPlane id="plane_new" bpmnElement="new_process">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="180" y="160" width="36" height="36" /></bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


# The roles of a level in the order a dossier meets them: who prepares or reviews, the council, who decides.
LANE_ROLE_ORDER = ("unit_clerk", "unit_head", "office_clerk", "noi_vu", "ban_tdkt", "council_member",
                   "council_secretary", "chairman")  # fmt: skip


def lane_options(in_use: Iterable[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """The (role, level) pairs the editor offers for a lane, by level (unit first), each level's roles in the order
    a dossier meets them: where a role that owns steps has work (domain/roles.py SERVICE_WORK), and the lanes of the
    processes `in_use` (an admin's version may have drawn others). Only pairs a deployment accepts (workflows.lanes);
    the others it accepts (a council at a khu phố…) would send work to no one."""
    pairs = {(role, level) for role, levels in SERVICE_WORK.items() for level in levels} | set(in_use)
    roles = [*LANE_ROLE_ORDER, *sorted(TASK_ROLES - set(LANE_ROLE_ORDER))]
    return [(role, level) for level in LEVELS for role in roles if role in TASK_ROLES and (role, level) in pairs]


def modeler_setup() -> dict[str, object]:
    """What the editor's script needs besides bpmn-js's catalogue, in the page's locale: the "Thi đua" group's
    texts (English templates → translation) and the lane choices, grouped by level, each in words with its code
    ("Công chức Văn phòng — cấp phường/xã (office_clerk@ward)")."""
    words = LANE_ROLES_EN if current_locale() == "en" else LANE_ROLES_VI
    groups: dict[str, list[dict[str, str]]] = {}
    for role, level in lane_options(lanes_in_use(get_session())):
        groups.setdefault(level, []).append(
            {"value": f"{role}@{level}", "label": f"{words.get(role, role)} — {level_label(level)} ({role}@{level})"})
    return {
        "translations": {} if current_locale() == "en" else THIDUA_GROUP_VI,
        "laneOptions": [{"label": level_label(level)[:1].upper() + level_label(level)[1:], "children": children}
                        for level, children in groups.items()],
    }  # fmt: skip


@bp.route("/versions/<int:version_id>/edit")
@login_required
def edit(version_id: int) -> str:
    version = _version(version_id)
    # Editing a version that is not the one new dossiers use: the page says so (deploying makes a new version from
    # this one's content, which then replaces the one in use).
    active = active_of(get_session(), version.definition_id)
    older_than_active = active is not None and active.id != version.id
    return render_template("processes/edit.html", version=version, xml=version.bpmn_xml, active=active,
                           older_than_active=older_than_active, modeler_setup=modeler_setup())  # fmt: skip


@bp.route("/new")
@login_required
def new() -> str:
    return render_template("processes/edit.html", version=None, xml=BLANK_DIAGRAM, modeler_setup=modeler_setup())


@bp.route("/deploy", methods=["POST"])
@login_required
def deploy() -> tuple[Response, int]:
    """Body: JSON {xml, comment} or a form with the same fields. 422 + [{element_id, line, message}] when invalid."""
    from flask import jsonify, url_for

    from ..operations.definitions import deploy_definition
    from .context import transaction

    body = request.get_json(silent=True) if request.is_json else request.form
    body = body or {}
    xml = str(body.get("xml") or "")
    comment = str(body.get("comment") or "").strip() or None
    if not xml.strip():
        problems = [{"element_id": None, "line": None, "message": translate("Chưa có nội dung BPMN.")}]
        return jsonify({"ok": False, "problems": problems}), 422
    try:
        with transaction() as db:
            result = deploy_definition(db, current_actor(), xml.encode("utf-8"), filename=EDITOR_FILE, comment=comment,
                                       require_comment=True)  # fmt: skip
            version_id, number, created = result.version.id, result.version.version, result.created
    except DefinitionRejected as exc:
        return jsonify(_rejection(exc)), 422
    except DomainError as exc:  # the version note (missing, too long): nothing was written
        said = refusal(exc)
        field = exc.details.get("field")
        return jsonify({"ok": False, "message": said, "field": field,
                        "problems": [{"element_id": None, "element_name": None, "line": None, "message": said,
                                      "field": field}]}), exc.status  # fmt: skip
    url = url_for("processes.show", version_id=version_id)
    if created:  # the new version's page confirms it (base.html shows the flashed message)
        flash(translate("Đã triển khai phiên bản {version}.").format(version=number), "ok")
    message = None if created else translate(
        "Quy trình không thay đổi so với phiên bản đang dùng (v{version}): không tạo phiên bản mới.").format(version=number)
    return jsonify({"ok": True, "version_id": version_id, "version": number, "created": created, "url": url,
                    "message": message}), 200  # fmt: skip


def _rejection(exc: DefinitionRejected) -> dict[str, object]:
    """Why the editor's process was refused, in the reader's language: each problem (element, line, what is wrong)
    and the summary above the list. The problems' texts are Vietnamese where found (workflows' lint, the
    service's conventions); messages_en.PROBLEMS_EN reads them back in English."""
    locale = current_locale()
    problems = [_problem(p, locale) for p in exc.details.get("problems") or []]  # type: ignore[union-attr]
    if not problems:
        return {"ok": False, "message": refusal(exc),
                "problems": [{"element_id": None, "line": None, "message": refusal(exc)}]}  # fmt: skip
    if not exc.details.get("invalid"):  # refused for another reason than validity (a level with no unit): say it
        return {"ok": False, "message": refusal(exc), "problems": problems}
    # A short summary above the list (the list says what each problem is; no internal file name, no run-on text).
    summary = translate("Quy trình chưa hợp lệ: {count} lỗi.").format(count=len(problems))
    return {"ok": False, "message": summary, "problems": problems}


def _problem(found: object, locale: str) -> dict[str, object]:
    """One problem (a workflows Problem, or its dict) as the editor's list shows it: the element by its name with
    its id in parentheses where it has a name (`where`), the id alone to outline it, and the text (`label`) whole."""
    item = found if isinstance(found, dict) else vars(found)
    element_id, name, line = item.get("element_id"), item.get("element_name"), item.get("line")
    where = f"{name} ({element_id})" if name and element_id else (element_id or name or "")
    message = problem_in(str(item.get("message") or ""), locale)
    at = translate("dòng {line}").format(line=line) if line else ""
    label = ", ".join(part for part in (where, at) if part)
    return {"element_id": element_id, "element_name": name, "line": line, "where": where, "message": message,
            "label": f"{label}: {message}" if label else message}  # fmt: skip
