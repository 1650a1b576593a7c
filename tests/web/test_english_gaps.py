"""Where an English page still showed Vietnamese (browser walks): the results of a bulk or batch approval, the
process editor's messages, the quota lines and eligibility details on the task page, the org pages' action words
and the auditor's filter sentences, the error pages. Each reads in English in the English locale and exactly as
before in Vietnamese. The audit CSV gives each event's time to the second, year first."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from service.models import Dossier, Nominee, OrgUnit, PastAward
from service.domain.eligibility import person_key
from service.operations.accounts import actor_for
from service.operations.audit import record_event
from service.operations.demo import attach_sample_documents
from service.operations.dossiers import NomineeInput, create_dossier
from service.operations.tasks import complete_task, open_task_for
from service.queries.eligibility import unconfirmed_keys
from service.storage import FileStore
from tests.conftest import CHAIN, FILES
from tests.web.conftest import Auth, csrf_from, submit_dossiers
from tests.web.test_batches import _batch_form, at_ward_council

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _text(page: str) -> str:
    return " ".join(html.unescape(page).split())


def _bulk_results(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-task-result="(\d+)">[^<]*?: ([^<]*)</li>', page))


# --- (a) bulk approval and batch decisions ---


def _bulk_with_one_already_decided(app, client, auth: Auth) -> list[int]:
    ids = submit_dossiers(app, 3)
    factory = app.extensions["thidua.session_factory"]
    with factory() as session, session.begin():  # a colleague already decided the second one
        complete_task(session, actor_for(session, "hn-hd-pl.office_clerk"), app.extensions["thidua.engine"],
                      ids[1], "approve", "Đã xem")  # fmt: skip
    auth.login("hn-hd-pl.office_clerk")
    return ids


def test_bulk_approval_results_read_in_english(app, client, auth: Auth):
    ids = _bulk_with_one_already_decided(app, client, auth)
    client.get("/inbox/?lang=en")
    response = client.post("/inbox/bulk", data={"task_id": [str(i) for i in ids], "_csrf": auth.token()},
                           follow_redirects=True)  # fmt: skip
    results = _bulk_results(response.get_data(as_text=True))
    assert results == {str(ids[0]): "Recorded", str(ids[1]): "This task was already handled or is no longer open.",
                       str(ids[2]): "Recorded"}  # fmt: skip


def test_bulk_results_stay_vietnamese_by_default_and_are_read_in_the_language_of_the_page_showing_them(
        app, client, auth: Auth):  # fmt: skip
    ids = _bulk_with_one_already_decided(app, client, auth)
    response = client.post("/inbox/bulk", data={"task_id": [str(i) for i in ids], "_csrf": auth.token()},
                           follow_redirects=True)  # fmt: skip
    results = _bulk_results(response.get_data(as_text=True))
    assert results == {str(ids[0]): "Đã ghi nhận", str(ids[1]): "Việc này đã được xử lý hoặc không còn hiệu lực.",
                       str(ids[2]): "Đã ghi nhận"}  # fmt: skip
    # Asked again in Vietnamese (every task decided now), shown after a switch to English: read in English.
    posted = client.post("/inbox/bulk", data={"task_id": [str(ids[0])], "_csrf": auth.token()})
    assert posted.status_code == 302
    results = _bulk_results(client.get("/inbox/?lang=en").get_data(as_text=True))
    assert results == {str(ids[0]): "This task was already handled or is no longer open."}


def _council_batch(app, client, auth: Auth, lang: str) -> set[str]:
    good = at_ward_council(app, "HN-HD-PL-TP", ["Người một"])
    bad = at_ward_council(app, "HN-HD-PL-VH", ["Người hai"])
    factory = app.extensions["thidua.session_factory"]
    with factory() as session:
        ids = {n.full_name: n.id for n in session.scalars(select(Nominee).where(Nominee.dossier_id.in_([good, bad])))}
    one, two = ids["Người một"], ids["Người hai"]
    _, form = _batch_form(client, auth)
    client.get(f"/inbox/?lang={lang}")
    form |= {"council_size": "9", "present": "7", f"nominee_{one}": "approve", f"nominee_{two}": "approve",
             f"votes_for_{one}": "6", f"votes_against_{one}": "1", f"votes_for_{two}": "6", f"votes_against_{two}": "5"}
    response = client.post("/inbox/batch", data=form)
    assert response.status_code == 400  # nothing recorded: the batch page again, the refusal under its dossier
    return set(re.findall(r'data-refusal="\d+">.*?</strong> ([^<]*)</td>', response.get_data(as_text=True)))


def test_a_batch_refusal_reads_in_english(app, client, auth: Auth):
    report = _council_batch(app, client, auth, "en")
    assert report == {"The vote counts for Người hai are not valid (more than the members present)."}


def test_a_batch_refusal_stays_vietnamese_by_default(app, client, auth: Auth):
    report = _council_batch(app, client, auth, "vi")
    assert report == {"Số phiếu của Người hai không hợp lệ (vượt số thành viên có mặt)."}


# --- (b) the process editor ---


def _deploy(client, auth: Auth, xml: str, lang: str):  # type: ignore[no-untyped-def]
    token = auth.token(f"/processes/?lang={lang}")
    return client.post("/processes/deploy", json={"xml": xml, "comment": ""}, headers={"X-CSRF-Token": token})


def _misspelt() -> str:
    return CHAIN.read_text(encoding="utf-8").replace("ward_office_review_decision == 'approve'",
                                                     "ward_ofice_decision == 'approve'")  # fmt: skip


def test_the_editor_says_what_is_wrong_in_english(app, client, auth: Auth):
    auth.login("admin")
    response = _deploy(client, auth, _misspelt(), "en")
    assert response.status_code == 422
    body = response.get_json()
    messages = [p["message"] for p in body["problems"]]
    assert "the condition uses unknown variables: ward_ofice_decision" in messages
    assert body["message"] == "The process is not valid yet: 1 problem(s) to fix."  # the list below it says which
    labels = [p["label"] for p in body["problems"]]
    # The flow's own name ("Đạt") is the diagram's data; the words around it are English.
    assert any(", line " in label and "the condition uses unknown variables" in label for label in labels), labels
    assert not any(_vietnamese(m) for m in [*messages, body["message"]]), body
    broken = _deploy(client, auth, "<not-bpmn", "en").get_json()
    assert broken["problems"][0]["message"].startswith("the XML cannot be read: ")
    assert broken["message"].startswith("The process is not valid yet:")
    unchanged = _deploy(client, auth, CHAIN.read_text(encoding="utf-8"), "en").get_json()  # said in English before
    assert unchanged["ok"] and not unchanged["created"]
    assert unchanged["message"] == "The process is the same as the version in use (v1): no new version was made."


def test_the_editor_still_says_it_in_vietnamese_by_default(app, client, auth: Auth):
    auth.login("admin")
    body = _deploy(client, auth, _misspelt(), "vi").get_json()
    assert "điều kiện dùng biến không xác định: ward_ofice_decision" in [p["message"] for p in body["problems"]]
    assert body["message"] == "Quy trình chưa hợp lệ: 1 lỗi." and any("dòng " in p["label"] for p in body["problems"])
    broken = _deploy(client, auth, "<not-bpmn", "vi").get_json()
    assert broken["problems"][0]["message"].startswith("XML không đọc được: ")


def _vietnamese(text: str) -> bool:
    return any(ch.isalpha() and not ch.isascii() for ch in text)


# --- (c) quota lines and eligibility on the task page ---


def _chairman_task_with_quota(app) -> int:
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        clerk = actor_for(session, "hn-hd-pl-tp.unit_clerk")
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-TP"))
        dossier = create_dossier(session, clerk, engine, campaign_code="PL-CCHC-2024", unit_id=unit.id,
                                 title="Tập thể", nominees=[NomineeInput("collective", "Bộ phận Tư pháp - Hộ tịch",
                                                                         "GK-XA")])  # fmt: skip
        attach_sample_documents(session, clerk, FileStore(FILES), engine.clock.now(), dossier.id)
        dossier_id = dossier.id
    for username, decision in (("hn-hd-pl-tp.unit_clerk", "submit"), ("hn-hd-pl.office_clerk", "approve"),
                               ("hn-hd-pl.council_secretary", "approve")):  # fmt: skip
        with factory() as session, session.begin():
            ticks = unconfirmed_keys(session, session.get(Dossier, dossier_id))
            task_id = open_task_for(session, dossier_id).id
            complete_task(session, actor_for(session, username), engine, task_id, decision, confirmed=ticks)
    with factory() as session:
        return open_task_for(session, dossier_id).id


def _quota_line(page: str, rule: str) -> str:
    return _text(re.search(rf'data-rule="{rule}">([^<]*)</li>', page).group(1))


def test_quota_lines_read_in_english_and_the_campaign_text_stays_as_typed(app, client, auth: Auth):
    task_id = _chairman_task_with_quota(app)
    auth.login("hn-hd-pl.chairman")
    line = _quota_line(client.get(f"/inbox/tasks/{task_id}?lang=en").get_data(as_text=True), "PL-TAP-THE")
    # The rule's description is the campaign file's; what the code writes around it is English.
    assert line == "PL-TAP-THE — Khen tập thể: từ 3 đến 5 tập thể có thành tích tiêu biểu: collective: 1/5 (at least 3)"
    vietnamese = _quota_line(client.get(f"/inbox/tasks/{task_id}?lang=vi").get_data(as_text=True), "PL-TAP-THE")
    assert vietnamese == ("PL-TAP-THE — Khen tập thể: từ 3 đến 5 tập thể có thành tích tiêu biểu: "
                          "tập thể: 1/5 (tối thiểu 3)")


def _office_task_with_conditions(app) -> int:
    """A collective at the ward office's review, already given the same award form this year (a past award)."""
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    name = "Bộ phận Tư pháp - Hộ tịch"
    with factory() as session, session.begin():
        clerk = actor_for(session, "hn-hd-pl-tp.unit_clerk")
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-TP"))
        session.add(PastAward(recipient_name=name, recipient_key=person_key(name), recipient_kind="collective",
                              org_unit_id=unit.id, award_name="Giấy khen", award_form_code="GK-XA", year=2024))
        dossier = create_dossier(session, clerk, engine, campaign_code="PL-CCHC-2024", unit_id=unit.id, title="Tập thể",
                                 nominees=[NomineeInput("collective", name, "GK-XA")])  # fmt: skip
        attach_sample_documents(session, clerk, FileStore(FILES), engine.clock.now(), dossier.id)
        complete_task(session, clerk, engine, open_task_for(session, dossier.id).id, "submit")
        return open_task_for(session, dossier.id).id


def _conditions(page: str) -> list[tuple[str, str]]:
    table = page.split('data-testid="eligibility"')[1].split("</table>")[0]
    return [(_text(d), _text(x)) for d, x in re.findall(r'<td>[^<]*</td><td>([^<]*)</td><td class="muted">([^<]*)</td>',
                                                         table)]  # fmt: skip


def test_eligibility_details_read_in_english_and_descriptions_from_the_campaign_stay_as_typed(app, client, auth: Auth):
    task_id = _office_task_with_conditions(app)
    auth.login("hn-hd-pl.office_clerk")
    english = _conditions(client.get(f"/inbox/tasks/{task_id}?lang=en").get_data(as_text=True))
    assert ("Not already given this award form in the year", "already given this award form in 2024") in english
    checklist = "Tập thể có chỉ số cải cách hành chính năm 2024 được quận chấm điểm tối đa"
    assert (checklist, "confirmed by the reviewer") in english
    vietnamese = _conditions(client.get(f"/inbox/tasks/{task_id}?lang=vi").get_data(as_text=True))
    assert ("Chưa được khen hình thức này trong năm", "đã được tặng hình thức này năm 2024") in vietnamese
    assert (checklist, "người thẩm định xác nhận") in vietnamese


def test_a_refusal_naming_an_unmet_condition_reads_its_detail_in_english(app, client, auth: Auth):
    task_id = _office_task_with_conditions(app)
    auth.login("hn-hd-pl.office_clerk")
    page = client.get(f"/inbox/tasks/{task_id}?lang=en").get_data(as_text=True)
    refused = client.post(f"/inbox/tasks/{task_id}/complete", data={"decision": "approve", "_csrf": csrf_from(page)})
    assert refused.status_code == 400
    said = _text(refused.get_data(as_text=True))
    assert ("Bộ phận Tư pháp - Hộ tịch does not meet “Not already given this award form in the year” (already given "
            "this award form in 2024)") in said
    assert "đã được tặng" not in said and "Chưa được khen hình thức" not in said


# --- (d) the org pages' action words, the auditor's filter ---


def _alert(page: str) -> str:
    return _text(re.search(r'<div class="flash error" role="alert"[^>]*>(.*?)</div>', page, re.S).group(1))


def test_a_refused_merge_names_the_action_in_english(app, client, auth: Auth):
    submit_dossiers(app, 1, "HN-HD-PL-TC")  # a dossier still in process at the unit
    with app.extensions["thidua.session_factory"]() as session:
        source = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-TC"))
        target_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "HN-HD-PL-VH"))
        unit_id, name = source.id, source.name
    auth.login("admin")
    for lang, expected in (("en", f"Cannot merge '{name}': dossiers are still in process"),
                           ("vi", f"Không thể sáp nhập '{name}': còn hồ sơ đang xử lý")):  # fmt: skip
        token = auth.token(f"/admin/units/{unit_id}?lang={lang}")
        response = client.post(f"/admin/units/{unit_id}/merge", data={"_csrf": token, "target_id": str(target_id),
                                                                     "effective": "2025-07-01", "confirm": "1"})
        assert response.status_code == 409
        said = _alert(response.get_data(as_text=True))
        assert said.startswith(expected), said
        if lang == "en":
            assert "sáp nhập" not in said and "hồ sơ" not in said


def test_a_refused_abolition_names_the_level_in_english(app, client, auth: Auth):
    auth.login("admin")
    for lang, expected in (("en", "Cannot abolish the ward/commune level: dossiers are still in process"),
                           ("vi", "Không thể bãi bỏ cấp phường/xã: còn hồ sơ đang xử lý")):  # fmt: skip
        token = auth.token(f"/admin/units?lang={lang}")
        response = client.post("/admin/levels/abolish",
                               data={"_csrf": token, "level": "ward", "effective": "2025-07-01", "confirm": "1"})
        assert response.status_code == 409
        said = _alert(response.get_data(as_text=True))
        assert said.startswith(expected), said


def test_the_auditors_filter_sentences_read_in_english(app, client, auth: Auth):
    auth.login("auditor")
    query = "date_from=hôm-qua&dossier_id=abc&unit_id=NO-SUCH&actor=nobody"
    english = client.get(f"/audit/?{query}&lang=en")
    assert english.status_code == 400
    said = _text(english.get_data(as_text=True).split('data-testid="filter-problems">')[1].split("</div>")[0])
    assert "“From” is not a date (year-month-day): “hôm-qua”." in said
    assert "The dossier number must be a positive whole number: “abc”." in said
    assert "There is no unit with code “NO-SUCH”." in said and "There is no account “nobody”." in said
    assert "không phải một ngày" not in said and "Số hồ sơ phải" not in said and "Không có" not in said
    export = client.get(f"/audit/export.csv?{query}&lang=en")
    assert export.status_code == 400 and "There is no account “nobody”." in _text(export.get_data(as_text=True))
    vietnamese = _text(client.get(f"/audit/?{query}&lang=vi").get_data(as_text=True))
    assert "“Từ ngày” không phải một ngày (năm-tháng-ngày): “hôm-qua”." in vietnamese
    assert "Không có tài khoản “nobody”." in vietnamese


def test_dates_in_the_wrong_order_are_said_in_english(app, client, auth: Auth):
    auth.login("auditor")
    said = _text(client.get("/audit/?date_from=2024-05-02&date_to=2024-05-01&lang=en").get_data(as_text=True))
    assert "“From” (02/05/2024) is after “To” (01/05/2024)." in said


# --- (e) error pages ---


def _boom(app) -> None:
    def boom() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/test-boom", "test_boom", boom)


def test_the_500_page_reads_in_english_without_anyone_signed_in(app, client):
    _boom(app)
    response = client.get("/test-boom?lang=en")
    assert response.status_code == 500
    page = _text(response.get_data(as_text=True))
    assert re.search(r"Something unexpected went wrong; nothing was changed\. Error reference: [0-9a-f]{12}", page)
    assert "Đã có lỗi ngoài dự kiến" not in page and '<html lang="en">' in page


def test_the_500_page_follows_the_sessions_locale_and_stays_vietnamese_by_default(app, client, auth: Auth):
    _boom(app)
    assert "Đã có lỗi ngoài dự kiến; không có thay đổi nào được ghi. Mã lỗi:" in client.get("/test-boom").get_data(
        as_text=True)
    auth.login("hn-hd-pl.office_clerk")
    client.get("/inbox/?lang=en")  # the choice the session carries, on a later request without ?lang
    page = _text(client.get("/test-boom").get_data(as_text=True))
    assert "Something unexpected went wrong" in page and "Đã có lỗi" not in page


def test_when_the_page_around_it_fails_the_500_message_is_still_said_in_english(app, client, monkeypatch):
    from service.web import errors

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the database is gone")

    _boom(app)
    monkeypatch.setattr(errors, "render_template", broken)
    response = client.get("/test-boom?lang=en")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert '<html lang="en">' in page and "Something unexpected went wrong; nothing was changed." in page


def test_a_form_without_its_token_is_refused_in_english(app, client):
    client.get("/auth/login?lang=en")
    response = client.post("/auth/login", data={"username": "x", "password": "y"})
    assert response.status_code == 400
    page = _text(response.get_data(as_text=True))
    assert "Your session has expired or the form is not valid. Reload the page." in page
    assert "Phiên làm việc" not in page
    client.get("/auth/login?lang=vi")
    assert "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Hãy tải lại trang." in _text(
        client.post("/auth/login", data={"username": "x"}).get_data(as_text=True))


# --- (f) the audit CSV ---


def test_the_audit_csv_gives_each_time_to_the_second_in_vietnam_time(app, client, auth: Auth):
    moments = [datetime(2024, 5, 6, 1, 2, 3, tzinfo=UTC), datetime(2024, 5, 6, 1, 2, 41, tzinfo=UTC),
               datetime(2024, 12, 31, 17, 0, 5, tzinfo=UTC)]  # fmt: skip
    with app.extensions["thidua.session_factory"]() as session, session.begin():
        for number, moment in enumerate(moments):
            record_event(session, action="dossier.edit", object_type="dossier", object_id="2", actor_role="unit_clerk",
                         comment=f"Giây {number}", now=moment)  # fmt: skip
    auth.login("auditor")
    body = client.get("/audit/export.csv?action=dossier.edit").get_data().decode("utf-8-sig")
    rows = [r for r in csv.reader(io.StringIO(body))][1:]
    times = {r[12]: r[1] for r in rows if r[12].startswith("Giây")}
    assert times == {"Giây 0": "2024-05-06 08:02:03", "Giây 1": "2024-05-06 08:02:41", "Giây 2": "2025-01-01 00:00:05"}
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", r[1]) for r in rows)
    parsed = [datetime.strptime(times[f"Giây {n}"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=VN) for n in range(3)]
    assert parsed == [m.astimezone(VN) for m in moments]
