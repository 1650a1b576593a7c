"""The one rule naming an award form for a campaign's dossiers: the campaign's own name, else the catalogue's."""

from __future__ import annotations

from service.domain.campaign_config import CampaignConfig, OfferedForm

PLAN = CampaignConfig(code="PL", offered={
    "BK-TINH": OfferedForm("BK-TINH", "Bằng khen của Chủ tịch UBND thành phố Hà Nội", "province", ("individual",), None),
})  # fmt: skip


def test_an_offered_form_is_named_as_the_campaign_names_it():
    assert PLAN.award_name("BK-TINH", "Bằng khen của Chủ tịch UBND tỉnh/thành phố") == "Bằng khen của Chủ tịch UBND thành phố Hà Nội"


def test_a_form_the_campaign_does_not_offer_keeps_the_catalogues_name():
    assert PLAN.award_name("GK-XA", "Giấy khen của Chủ tịch UBND phường/xã") == "Giấy khen của Chủ tịch UBND phường/xã"
    assert CampaignConfig(code="ALL").award_name("GK-XA", "Giấy khen") == "Giấy khen"  # a campaign offering none
