"""The chairman issues the decision from the campaign page; its PDFs download identically every time."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from flask import Flask

from service.config import Config
from service.operations import job_kinds  # noqa: F401 - registers decision_certificates
from service.operations.accounts import actor_for
from service.operations.jobs import JobContext, drain
from service.operations.tasks import complete_task, open_task_for
from tests.conftest import FILES
from tests.web.conftest import Auth, csrf_from
from tests.web.test_batches import at_ward_chairman


def made(app: Flask, tmp_path: Path) -> None:
    """What `thidua worker` does after a decision is issued: its PDFs and certificates made (decisions in background)."""
    config = replace(Config.for_tests("", tmp_path), upload_dir=FILES)
    drain(app.extensions["thidua.session_factory"], "w", JobContext(settings={"config": config}))


def test_chairman_issues_a_decision_and_downloads_identical_pdfs(app, client, auth: Auth, tmp_path):
    auth.login("hn-hd-pl.chairman")
    page = client.get("/campaigns/TEST-PL-ALL").get_data(as_text=True)
    unit_id = re.search(r'name="unit_id" value="(\d+)">\s*<label>Người ký', page).group(1)
    refused = client.post("/campaigns/TEST-PL-ALL/decisions",
                          data={"_csrf": csrf_from(page), "unit_id": unit_id, "signer_name": "Nguyễn Văn Thành"})
    assert refused.status_code == 400 and "Chưa có" in refused.get_data(as_text=True)  # nobody granted yet

    dossier_id = at_ward_chairman(app, "HN-HD-PL-TP", ["Vũ Thị Hạnh"], award="GK-XA")
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        complete_task(session, actor_for(session, "hn-hd-pl.chairman"), engine, open_task_for(session, dossier_id).id, "approve")
    issued = client.post("/campaigns/TEST-PL-ALL/decisions",
                         data={"_csrf": csrf_from(page), "unit_id": unit_id, "signer_name": "Nguyễn Văn Thành"},
                         follow_redirects=True).get_data(as_text=True)
    assert "Đã ra quyết định số 01/QĐ-UBND" in issued
    made(app, tmp_path)
    links = re.findall(r'href="(/campaigns/TEST-PL-ALL/documents/\d+)"', client.get("/campaigns/TEST-PL-ALL").get_data(as_text=True))
    assert len(links) == 3  # the decision, one certificate and the PDF of all the decision's certificates
    first, again = client.get(links[0]), client.get(links[0])
    assert first.mimetype == "application/pdf" and first.data == again.data and first.data.startswith(b"%PDF")
    auth.logout()
    auth.login("qn-hl-gd.chairman")
    assert client.get(links[0]).status_code == 404


def test_unit_clerk_creates_the_proposal_and_the_chairman_prints_the_report(client, auth: Auth):
    auth.login("hn-hd-pl-tp.unit_clerk")
    page = client.get("/dossiers/1").get_data(as_text=True)  # the demo's draft of Bộ phận Tư pháp - Hộ tịch
    response = client.post("/dossiers/1/proposal", data={"_csrf": csrf_from(page)})
    assert response.status_code == 302
    pdf = client.get(response.headers["Location"])
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert "To-trinh-ho-so-1.pdf" in client.get("/dossiers/1").get_data(as_text=True)
    auth.logout()
    auth.login("hn-hd-pl.chairman")
    page = client.get("/campaigns/PL-CCHC-2024").get_data(as_text=True)
    report = client.post("/campaigns/PL-CCHC-2024/documents/report", data={"_csrf": csrf_from(page)})
    assert report.status_code == 200 and report.data.startswith(b"%PDF")
    none = client.post("/campaigns/PL-CCHC-2024/documents/notices", data={"_csrf": csrf_from(page)})
    assert none.status_code == 400  # nobody was turned down yet


def test_admin_places_fields_on_the_blank_previews_and_prints_text_only(app, client, auth: Auth, tmp_path):
    import subprocess
    import tempfile

    dossier_id = at_ward_chairman(app, "HN-HD-PL-VH", ["Đinh Thị Phôi"], award="GK-XA")
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        complete_task(session, actor_for(session, "hn-hd-pl.chairman"), engine, open_task_for(session, dossier_id).id, "approve")
    auth.login("admin")
    page = client.get("/campaigns/TEST-PL-ALL").get_data(as_text=True)
    blank_url = re.search(r'href="(/campaigns/blank/\d+)"', page).group(1)
    form_page = client.get(blank_url).get_data(as_text=True)
    form = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', form_page))
    form.update({"_csrf": csrf_from(form_page), "recipient_y": "95", "recipient_bold": "1"})
    preview = client.post(blank_url, data={**form, "action": "preview"})
    assert preview.mimetype == "application/pdf"
    outside = client.post(blank_url, data={**form, "recipient_x": "290", "action": "save"})
    assert outside.status_code == 400 and "ngoài khổ phôi" in outside.get_data(as_text=True)
    assert client.post(blank_url, data={**form, "action": "save"}).status_code == 302
    assert 'name="recipient_y" value="95.0"' in client.get(blank_url).get_data(as_text=True)
    auth.logout()
    auth.login("hn-hd-pl.chairman")
    page = client.get("/campaigns/TEST-PL-ALL").get_data(as_text=True)
    issued = client.post("/campaigns/TEST-PL-ALL/decisions", data={"_csrf": csrf_from(page), "signer_name": "Nguyễn Văn Thành",
        "unit_id": re.search(r'name="unit_id" value="(\d+)">\s*<label>Người ký', page).group(1)}, follow_redirects=True)  # fmt: skip
    assert issued.status_code == 200
    made(app, tmp_path)
    listed = client.get("/campaigns/TEST-PL-ALL").get_data(as_text=True)
    blank = re.search(r'href="(/campaigns/TEST-PL-ALL/documents/\d+/blank)"', listed).group(1)
    pdf = client.get(blank).data
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        text = subprocess.run(["pdftotext", handle.name, "-"], capture_output=True, text=True, check=True).stdout
    assert "Đinh Thị Phôi" in text and "CỘNG HÒA" not in text  # only the text goes onto the blank


def test_a_district_chairman_issues_the_decision_for_what_he_granted_in_a_ward_campaign(app, client, auth: Auth,
                                                                                       tmp_path):
    # TEST-PL-ALL is the ward's plan (issued by Phường Phú Lãm); a nominee proposed for the district's Giấy khen
    # travels to the district, whose chairman grants it and must issue its decision from the campaign's page.
    from service.models import Dossier
    from service.queries.eligibility import unconfirmed_keys

    dossier_id = at_ward_chairman(app, "HN-HD-PL-TP", ["Phạm Thị Ngọc Ánh"], award="GK-HUYEN")
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    for username in ("hn-hd-pl.chairman", "hn-hd.noi_vu", "hn-hd.council_secretary", "hn-hd.chairman"):
        with factory() as session, session.begin():
            complete_task(session, actor_for(session, username), engine, open_task_for(session, dossier_id).id,
                          "approve", confirmed=unconfirmed_keys(session, session.get(Dossier, dossier_id)))  # fmt: skip
    auth.login("hn-hd.chairman")
    assert "TEST-PL-ALL" in client.get("/campaigns/").get_data(as_text=True)
    page = client.get("/campaigns/TEST-PL-ALL").get_data(as_text=True)
    unit_id = re.search(r'name="unit_id" value="(\d+)">\s*<label>Người ký', page).group(1)
    issued = client.post("/campaigns/TEST-PL-ALL/decisions",
                         data={"_csrf": csrf_from(page), "unit_id": unit_id, "signer_name": "Trần Văn Hùng"},
                         follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "Đã ra quyết định số 01/QĐ-UBND" in issued
    made(app, tmp_path)
    listed = client.get("/campaigns/TEST-PL-ALL").get_data(as_text=True)
    assert len(re.findall(r'href="(/campaigns/TEST-PL-ALL/documents/\d+)"', listed)) == 3  # decision, certificate, all
    # Another province's officials still do not see the ward's plan; nor does the province's plan list change.
    auth.logout()
    auth.login("qn.chairman")
    assert client.get("/campaigns/TEST-PL-ALL").status_code == 404
    assert "TEST-PL-ALL" not in client.get("/campaigns/").get_data(as_text=True)
