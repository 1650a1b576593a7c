"""Admin pages for BPMN processes: versions, each version's diagram and XML, what changed between two."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import login_required

from workflows import diff_definitions

from ..errors import Forbidden, NotFound
from ..models import ProcessVersion
from ..operations.definitions import load_definition
from ..queries.processes import process_versions
from .context import current_actor, get_session

bp = Blueprint("processes", __name__, url_prefix="/processes")


@bp.before_request
def only_admins() -> None:
    from flask_login import current_user

    if current_user.is_authenticated and not current_actor().is_admin:
        raise Forbidden("Chỉ quản trị viên mới xem và quản lý quy trình.")


@bp.route("/")
@login_required
def index() -> str:
    return render_template("processes/index.html", processes=process_versions(get_session()))


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
            diff = diff_definitions(load_definition(get_session(), older.id), load_definition(get_session(), version.id))
    return render_template("processes/show.html", version=version, others=others, diff=diff, compare=compare)


@bp.route("/versions/<int:version_id>/diagram.json")
@login_required
def diagram(version_id: int) -> Response:
    from flask import jsonify

    return jsonify({"xml": _version(version_id).bpmn_xml, "completed": [], "current": [], "cancelled": []})
