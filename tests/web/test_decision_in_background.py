"""Issuing a decision from the campaign page returns at once: the decision and its PDF are there, the page counts
the certificates `thidua worker` is making; once made, they are listed with one PDF of them all."""

from __future__ import annotations

import re
from dataclasses import replace

from service.config import Config
from service.operations import job_kinds  # noqa: F401 - registers decision_certificates
from service.operations.accounts import actor_for
from service.operations.jobs import JobContext, drain
from service.operations.tasks import complete_task, open_task_for
from tests.conftest import FILES
from tests.web.conftest import Auth, csrf_from
from tests.web.test_batches import at_ward_chairman


def test_the_page_counts_the_certificates_then_offers_them_all_in_one_pdf(app, client, auth: Auth, tmp_path):
    dossier_id = at_ward_chairman(app, "HN-HD-PL-TP", ["Vũ Thị Hạnh", "Đỗ Văn Nam"], award="GK-XA")
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        complete_task(session, actor_for(session, "hn-hd-pl.chairman"), engine, open_task_for(session, dossier_id).id, "approve")
    auth.login("hn-hd-pl.chairman")
    page = client.get("/campaigns/TEST-PL-ALL").get_data(as_text=True)
    unit_id = re.search(r'name="unit_id" value="(\d+)">\s*<label>Người ký', page).group(1)
    issued = client.post("/campaigns/TEST-PL-ALL/decisions",
                         data={"_csrf": csrf_from(page), "unit_id": unit_id, "signer_name": "Nguyễn Văn Thành"},
                         follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "Đã ra quyết định số 01/QĐ-UBND" in issued
    assert re.search(r'data-testid="certificates-progress">Đang tạo giấy khen: 0/2<', issued)
    assert 'data-decision="' in issued and not re.search(r"/campaigns/TEST-PL-ALL/documents/\d", issued)  # PDFs to come
    assert 'data-testid="all-certificates"' not in issued

    config = replace(Config.for_tests("", tmp_path), upload_dir=FILES)
    assert drain(factory, "w", JobContext(settings={"config": config})).done == 1
    page = client.get("/campaigns/TEST-PL-ALL").get_data(as_text=True)
    assert "certificates-progress" not in page
    assert page.count('data-testid="certificate-name"') == 2 and "Quyết định số 01/QĐ-UBND" in page
    everything = re.search(r'data-testid="all-certificates" data-document-id="\d+"><a href="([^"]+)"', page).group(1)
    assert "In tất cả giấy khen của quyết định" in page
    first, again = client.get(everything), client.get(everything)
    assert first.mimetype == "application/pdf" and first.data.startswith(b"%PDF") and first.data == again.data


def test_the_dossier_page_does_not_list_the_pdf_of_every_units_certificates(app, client, auth: Auth, tmp_path):
    dossier_id = at_ward_chairman(app, "HN-HD-PL-TP", ["Vũ Thị Hạnh"], award="GK-XA")
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        complete_task(session, actor_for(session, "hn-hd-pl.chairman"), engine, open_task_for(session, dossier_id).id, "approve")
    auth.login("hn-hd-pl.chairman")
    page = client.get("/campaigns/TEST-PL-ALL").get_data(as_text=True)
    unit_id = re.search(r'name="unit_id" value="(\d+)">\s*<label>Người ký', page).group(1)
    client.post("/campaigns/TEST-PL-ALL/decisions",
                data={"_csrf": csrf_from(page), "unit_id": unit_id, "signer_name": "Nguyễn Văn Thành"})
    drain(factory, "w", JobContext(settings={"config": replace(Config.for_tests("", tmp_path), upload_dir=FILES)}))
    dossier = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    assert "tat-ca" not in dossier and "Vũ Thị Hạnh" in dossier
