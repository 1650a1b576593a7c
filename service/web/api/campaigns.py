"""GET /api/v1/campaigns: the campaigns issued on the path above one of the caller's units (admins: all)."""

from __future__ import annotations

from flask import Response, g, jsonify

from ...models import OrgUnit
from ...queries.campaign_view import visible_campaigns
from ..context import get_session
from . import bp
from .schemas import campaign_json


@bp.route("/campaigns")
def campaigns() -> Response:
    db = get_session()
    out = []
    for campaign in visible_campaigns(db, g.actor):
        issuer = db.get(OrgUnit, campaign.issuing_unit_id)
        assert issuer is not None
        out.append(campaign_json(campaign, issuer))
    return jsonify({"count": len(out), "campaigns": out})
