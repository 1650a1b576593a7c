"""GET /api/v1/campaigns."""

from __future__ import annotations

from flask import Response, g, jsonify

from ...models import OrgUnit
from ...queries.campaign_view import visible_campaigns
from ..context import get_session
from . import bp
from .schemas import iso


@bp.route("/campaigns")
def campaigns() -> Response:
    db = get_session()
    out = []
    for campaign in visible_campaigns(db, g.actor):
        issuer = db.get(OrgUnit, campaign.issuing_unit_id)
        out.append({"code": campaign.code, "title": campaign.title, "year": campaign.year,
                    "submission_deadline": iso(campaign.submission_deadline),
                    "issuing_unit": {"id": issuer.id, "code": issuer.code, "name": issuer.name} if issuer else None})  # fmt: skip
    return jsonify({"campaigns": out})
