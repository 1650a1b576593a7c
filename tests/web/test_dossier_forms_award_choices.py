"""The new-dossier form and the dossier page offer only the campaign's own award forms, under its names,
and a refused new-dossier form comes back with everything that was typed."""

from __future__ import annotations

import re

from tests.web.conftest import Auth, csrf_from

CLERK = "hn-hd-pl-tc.unit_clerk"
PHU_LAM_GK = "Giấy khen của Chủ tịch UBND phường Phú Lãm"


def select_of(page: str, name: str) -> str:
    """The inner HTML of the form's <select name=...>."""
    match = re.search(rf'<select[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    assert match, f"no select {name}"
    return match.group(1)


def options(html: str) -> list[tuple[str, str]]:
    """(value, label) of each <option> in a piece of HTML."""
    return [(v, label.strip()) for v, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', html)]


def selected(html: str) -> str | None:
    match = re.search(r'<option value="([^"]*)"[^>]*\bselected\b', html)
    return match.group(1) if match else None


def test_each_row_offers_only_the_chosen_campaigns_forms_under_its_names(client, auth: Auth):
    auth.login(CLERK)
    page = client.get("/dossiers/new").get_data(as_text=True)
    assert selected(select_of(page, "campaign")) == "PL-CCHC-2024"
    for row in range(4):  # PL-CCHC-2024 offers only its ward's Giấy khen
        assert options(select_of(page, f"award_{row}")) == [("GK-XA", PHU_LAM_GK)]
    # Every campaign's own list is on the page for the script to switch to.
    all_levels = re.search(r'<template data-award-options="TEST-PL-ALL">(.*?)</template>', page, re.S).group(1)
    assert options(all_levels) == [("GK-XA", PHU_LAM_GK), ("GK-HUYEN", "Giấy khen của Chủ tịch UBND quận Hà Đông"),
                                   ("BK-TINH", "Bằng khen của Chủ tịch UBND thành phố Hà Nội")]  # fmt: skip
    assert '<script src="/static/dossier-award-forms.js"' in page
    with client.get("/static/dossier-award-forms.js") as script:
        assert script.status_code == 200 and b"data-award-options" in script.data


def test_the_server_renders_the_options_of_the_campaign_that_was_chosen(client, auth: Auth):
    auth.login(CLERK)
    page = client.get("/dossiers/new").get_data(as_text=True)
    refused = client.post("/dossiers/new", data={
        "_csrf": csrf_from(page), "unit_id": selected(select_of(page, "unit_id")), "campaign": "TEST-PL-ALL",
        "title": "", "kind_0": "individual", "name_0": "Lê Văn Hùng", "award_0": "BK-TINH"})  # fmt: skip
    shown = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "tiêu đề" in shown
    assert selected(select_of(shown, "campaign")) == "TEST-PL-ALL"
    assert [code for code, _ in options(select_of(shown, "award_0"))] == ["GK-XA", "GK-HUYEN", "BK-TINH"]
    assert selected(select_of(shown, "award_0")) == "BK-TINH"


def test_a_refused_form_keeps_every_row_as_typed_and_names_the_form_it_refused(client, auth: Auth):
    auth.login(CLERK)
    page = client.get("/dossiers/new").get_data(as_text=True)
    unit_id = selected(select_of(page, "unit_id"))
    typed = {
        "_csrf": csrf_from(page), "unit_id": unit_id, "campaign": "PL-CCHC-2024",
        "title": "Đề nghị khen thưởng năm 2024",
        "kind_0": "individual", "name_0": "Phạm Thị Lan", "position_0": "Kế toán", "award_0": "GK-XA",
        "kind_1": "collective", "name_1": "Bộ phận Tài chính - Kế toán", "position_1": "", "award_1": "GK-HUYEN",
    }  # fmt: skip
    refused = client.post("/dossiers/new", data=typed)
    shown = refused.get_data(as_text=True)
    assert refused.status_code == 400
    error = re.search(r'data-testid="form-error">(.*?)</div>', shown, re.S).group(1)
    assert "“Giấy khen của Chủ tịch UBND quận/huyện/thành phố” (GK-HUYEN)" in error and "'GK-HUYEN'" not in error
    assert selected(select_of(shown, "unit_id")) == unit_id
    assert selected(select_of(shown, "campaign")) == "PL-CCHC-2024"
    assert 'name="title" value="Đề nghị khen thưởng năm 2024"' in shown
    assert selected(select_of(shown, "kind_0")) == "individual" and selected(select_of(shown, "kind_1")) == "collective"
    assert 'name="name_1" value="Bộ phận Tài chính - Kế toán"' in shown and 'name="position_0" value="Kế toán"' in shown
    assert selected(select_of(shown, "award_0")) == "GK-XA"
    # The form the campaign does not offer stays chosen in its row, said to be missing, not swapped silently.
    row_1 = select_of(shown, "award_1")
    assert selected(row_1) == "GK-HUYEN" and "phong trào này không có" in row_1

    # Choosing an offered form and sending again creates the collective as a collective.
    created = client.post("/dossiers/new", data=typed | {"_csrf": csrf_from(shown), "award_1": "GK-XA"})
    assert created.status_code == 302
    dossier = client.get(created.headers["Location"]).get_data(as_text=True)
    assert re.search(r"Bộ phận Tài chính - Kế toán <span class=\"badge\">tập thể</span>", dossier)
    assert "Phạm Thị Lan</td>" in dossier


def test_the_dossier_pages_add_form_offers_only_the_dossiers_campaign_forms(client, auth: Auth):
    auth.login(CLERK)
    page = client.get("/dossiers/new").get_data(as_text=True)
    created = client.post("/dossiers/new", data={
        "_csrf": csrf_from(page), "unit_id": selected(select_of(page, "unit_id")), "campaign": "PL-CCHC-2024",
        "title": "Đề nghị khen thưởng", "kind_0": "individual", "name_0": "Phạm Thị Lan", "award_0": "GK-XA",
    })  # fmt: skip
    dossier = client.get(created.headers["Location"]).get_data(as_text=True)
    assert options(select_of(dossier, "award_form")) == [("GK-XA", PHU_LAM_GK)]


def test_a_refusal_names_the_row_as_the_form_numbers_it_blank_rows_counted(client, auth: Auth):
    auth.login(CLERK)
    page = client.get("/dossiers/new").get_data(as_text=True)
    typed = {
        "_csrf": csrf_from(page), "unit_id": selected(select_of(page, "unit_id")), "campaign": "PL-CCHC-2024",
        "title": "Đề nghị khen thưởng năm 2024", "kind_0": "individual", "name_0": "", "award_0": "GK-XA",
        "kind_1": "individual", "name_1": "Phạm Thị Lan", "award_1": "GK-XA",
        "kind_2": "individual", "name_2": "  ", "award_2": "GK-XA",
        "kind_3": "collective", "name_3": "Bộ phận Một cửa", "award_3": "GK-HUYEN",
    }  # fmt: skip
    refused = client.post("/dossiers/new", data=typed)
    assert refused.status_code == 400
    error = re.search(r'data-testid="form-error">(.*?)</div>', refused.get_data(as_text=True), re.S).group(1)
    assert error.strip().startswith("Dòng 4:")  # the fourth row on the screen, not the second one filled
