"""The process editor opens a BPMN file drawn in another tool (the file input "Mở tệp BPMN…", or a file dropped on the
canvas), says clearly when a file cannot be read (keeping the diagram being edited), and asks before leaving with
unsaved work. The files are the BPMN Model Interchange Working Group's reference diagrams, read where they are.

Runs on its own server: the last test deploys a new process version."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from .conftest import REPO, serve
from .journeys import login

pytestmark = pytest.mark.browser
MIWG = REPO.parent / "shared" / "external" / "bpmn-miwg"
READY = "[data-testid=modeler][data-ready=true]"
COUNT = "() => window.thiduaModeler.get('elementRegistry').filter((e) => e.type !== 'label').length"
HAS = "(id) => Boolean(window.thiduaModeler.get('elementRegistry').get(id))"
# A change made as the palette or the properties panel would make it: a command on the modeler's stack.
RENAME = """(name) => { const m = window.thiduaModeler;
  m.get('modeling').updateLabel(m.get('elementRegistry').get('ward_office_review'), name); }"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    with serve(tmp_path_factory.mktemp("modeler-open-server")) as base:
        yield base


@pytest.fixture
def miwg() -> Path:
    if not (MIWG / "A.1.0.bpmn").exists():
        pytest.skip(f"the BPMN MIWG reference files are not at {MIWG}")
    return MIWG


def _editor(page, url: str = "/processes/versions/1/edit") -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.wait_for_selector(READY)


def _open(page, path: Path, state: str) -> None:  # type: ignore[no-untyped-def]
    """Opens `path` with the file input, as an admin choosing it in the file dialog, and waits for `state`."""
    page.set_input_files("[data-testid=modeler-file]", str(path))
    page.wait_for_selector(f"[data-testid=modeler-open][data-state={state}]")


def _drop(page, name: str, content: bytes) -> None:  # type: ignore[no-untyped-def]
    """Drops a file called `name` holding `content` on the canvas, as a drag from the desktop does."""
    carried = page.evaluate_handle("""([name, coded]) => { const data = new DataTransfer();
        const bytes = Uint8Array.from(atob(coded), (c) => c.charCodeAt(0));
        data.items.add(new File([bytes], name, { type: "application/xml" })); return data; }""",
                                   [name, base64.b64encode(content).decode()])  # fmt: skip
    page.dispatch_event("#modeler-canvas", "dragover", {"dataTransfer": carried})
    page.dispatch_event("#modeler-canvas", "drop", {"dataTransfer": carried})


def test_reference_files_open_and_the_deploy_button_reports_the_servers_problems(page, miwg: Path):
    login(page, "admin")
    _editor(page, "/processes/new")
    label = page.get_by_label("Mở tệp BPMN…")  # the input is named by its label: reachable with Tab, as any input
    assert label.get_attribute("type") == "file"
    label.focus()
    assert page.evaluate("() => document.activeElement.id") == "modeler-file"
    for name in ("A.1.0.bpmn", "A.4.0.bpmn", "B.1.0.bpmn", "C.1.0.bpmn"):
        _open(page, miwg / name, "ok")
        assert page.evaluate(COUNT) > 5, name
        assert page.locator("#modeler-canvas .djs-element.djs-shape").count() > 5, name
        assert page.inner_text("[data-testid=modeler-open-status]") == (
            f"Đã mở tệp {name}. Hãy kiểm tra rồi triển khai.")
    # C.1.0 is a real process, but not one this service can run: the existing button sends it to the server,
    # whose problems are listed; nothing is deployed.
    page.fill("[data-testid=deploy-comment]", "Nhập từ Camunda Modeler")
    page.click("[data-testid=deploy]")
    page.wait_for_selector("[data-testid=modeler][data-saved=invalid]")
    problems = page.locator("[data-testid=modeler-problems] li")
    assert problems.count() >= 1
    assert page.inner_text("[data-testid=modeler-status]").strip()
    # The server's problems are the opened diagram's own (C.1.0's lanes are no role@level), marked on it.
    flagged = {problems.nth(i).get_attribute("data-element-id") for i in range(problems.count())}
    assert "approveInvoice" in flagged
    assert page.locator(".djs-element.bpmn-problem[data-element-id=approveInvoice]").count() == 1
    # Dropped on the canvas: the same.
    _drop(page, "A.2.0.bpmn", (miwg / "A.2.0.bpmn").read_bytes())
    page.wait_for_selector("[data-testid=modeler-open][data-state=ok]")
    assert "A.2.0.bpmn" in page.inner_text("[data-testid=modeler-open-status]")
    # The problems of the diagram that was replaced are gone with it.
    assert page.locator("[data-testid=modeler-problems] li").count() == 0
    assert page.evaluate("() => window.thiduaModeler.getDefinitions().name") == "A.2.0"  # no longer C.1.0

    # Read in the encoding the file declares (these reference files say ISO-8859-1), not as UTF-8.
    french = (miwg / "A.1.0.bpmn").read_text(encoding="latin-1").replace('name="Task 1"', 'name="Tâche 1"')
    _drop(page, "A.1.0-fr.bpmn", french.encode("latin-1"))
    page.wait_for_function("() => document.querySelector('[data-testid=modeler-open-status]').textContent"
                           ".includes('A.1.0-fr.bpmn')")  # fmt: skip
    assert page.get_attribute("[data-testid=modeler-open]", "data-state") == "ok"  # no "unsupported encoding"
    names = page.evaluate("() => window.thiduaModeler.get('elementRegistry').getAll()"
                          ".map((e) => e.businessObject.name)")  # fmt: skip
    assert "Tâche 1" in names

    # A file with parts bpmn-js cannot place (C.8.1: references to the drawing tool's own elements): opened, and
    # each warning listed.
    _open(page, miwg / "C.8.1.bpmn", "warnings")
    assert page.evaluate(COUNT) > 5
    assert page.inner_text("[data-testid=modeler-open-status]").startswith("Đã mở tệp C.8.1.bpmn, với 3 cảnh báo")
    assert page.locator("[data-testid=modeler-open-warnings] li").all_inner_texts() == [
        "unresolved reference <triso:unspecified>"] * 3


def test_a_file_that_is_not_bpmn_is_refused_and_the_diagram_is_kept(page, miwg: Path, tmp_path: Path):
    login(page, "admin")
    _editor(page)
    before = page.evaluate(COUNT)
    assert page.evaluate(HAS, "ward_office_review")
    page.evaluate(RENAME, "Văn phòng xem xét (đã sửa)")

    notes = tmp_path / "ghi-chu.xml"  # named as XML, but plain text (the MIWG licence)
    notes.write_text((miwg / "LICENSE.txt").read_text())
    _open(page, notes, "error")
    status = page.inner_text("[data-testid=modeler-open-status]")
    assert status.startswith("Không mở được tệp ghi-chu.xml: tệp không phải là sơ đồ BPMN đọc được. "
                             "Sơ đồ đang sửa được giữ nguyên.")  # fmt: skip
    assert page.evaluate(COUNT) == before and page.evaluate(HAS, "ward_office_review")
    # The edit made before is still there, and can still be undone: the editor was not reloaded.
    name = "() => window.thiduaModeler.get('elementRegistry').get('ward_office_review').businessObject.name"
    assert page.evaluate(name) == "Văn phòng xem xét (đã sửa)"
    assert page.evaluate("() => window.thiduaModeler.get('commandStack').canUndo()")

    broken = tmp_path / "B.1.0-cut.bpmn"  # a reference file cut short, as a failed download leaves it
    text = (miwg / "B.1.0.bpmn").read_text(encoding="latin-1")
    broken.write_text(text[: len(text) // 2] + "<semantic:task id=", encoding="latin-1")
    _open(page, broken, "error")
    assert "Không mở được tệp B.1.0-cut.bpmn" in page.inner_text("[data-testid=modeler-open-status]")
    assert page.evaluate(COUNT) == before and page.evaluate(HAS, "ward_office_review")

    _open(page, miwg / "LICENSE.txt", "error")  # not even called BPMN
    assert page.inner_text("[data-testid=modeler-open-status]") == (
        "Chỉ mở được tệp .bpmn hoặc .xml; LICENSE.txt không phải. Sơ đồ đang sửa được giữ nguyên.")
    _drop(page, "ghi-chu.xml", "không phải XML".encode())
    page.wait_for_function("() => document.querySelector('[data-testid=modeler-open-status]').textContent"
                           ".startsWith('Không mở được tệp ghi-chu.xml')")  # fmt: skip
    assert page.evaluate(COUNT) == before


def test_the_messages_follow_the_pages_language(page, miwg: Path, tmp_path: Path):
    login(page, "admin")
    _editor(page, "/processes/new?lang=en")
    assert page.get_by_label("Open BPMN file…").get_attribute("type") == "file"
    _open(page, miwg / "A.1.0.bpmn", "ok")
    assert page.inner_text("[data-testid=modeler-open-status]") == (
        "Opened A.1.0.bpmn. Validate and deploy it when it is ready.")
    notes = tmp_path / "notes.bpmn"
    notes.write_text("just some notes")
    _open(page, notes, "error")
    assert page.inner_text("[data-testid=modeler-open-status]").startswith(
        "Could not open notes.bpmn: it is not a readable BPMN diagram. The diagram being edited is kept.")
    page.goto("/processes/?lang=vi")


def _leave_by_header(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Clicks the header's inbox link; returns the types of the dialogs shown (each dismissed: the admin stays)."""
    seen: list[str] = []

    def stay(dialog) -> None:  # type: ignore[no-untyped-def]
        seen.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.click("header.top a[href='/inbox/']", no_wait_after=True)
    page.wait_for_timeout(1500)  # the question (if any) is asked and answered before any navigation ends
    page.remove_listener("dialog", stay)
    return seen


def test_leaving_with_unsaved_work_asks_first_and_not_after_deploying(page, miwg: Path):
    login(page, "admin")
    _editor(page)
    assert page.get_attribute("[data-testid=modeler]", "data-unsaved") == "false"
    page.locator("#modeler-canvas").click(position={"x": 5, "y": 300})  # the admin has used the page
    assert _leave_by_header(page) == []  # nothing changed: no question
    page.wait_for_url("**/inbox/")

    _editor(page)
    page.locator("#modeler-canvas").click(position={"x": 5, "y": 300})
    page.evaluate(RENAME, "Văn phòng xem xét hồ sơ")
    assert page.get_attribute("[data-testid=modeler]", "data-unsaved") == "true"
    assert _leave_by_header(page) == ["beforeunload"]
    assert page.url.endswith("/processes/versions/1/edit")  # stayed, with the change
    assert page.evaluate(HAS, "ward_office_review")
    # Closing the tab asks too.
    seen: list[str] = []
    page.on("dialog", lambda dialog: (seen.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(1500)
    assert seen == ["beforeunload"] and not page.is_closed()  # the admin chose to stay


def test_an_opened_file_counts_as_unsaved_and_a_deployment_ends_the_question(page, miwg: Path):
    login(page, "admin")
    _editor(page)
    page.locator("#modeler-canvas").click(position={"x": 5, "y": 300})
    _open(page, miwg / "A.1.0.bpmn", "ok")
    assert page.get_attribute("[data-testid=modeler]", "data-unsaved") == "true"
    assert _leave_by_header(page) == ["beforeunload"]

    _editor(page)
    page.locator("#modeler-canvas").click(position={"x": 5, "y": 300})
    page.evaluate(RENAME, "Văn phòng xem xét hồ sơ đề nghị")
    page.fill("[data-testid=deploy-comment]", "Đổi tên bước văn phòng")
    seen: list[str] = []
    page.on("dialog", lambda dialog: (seen.append(dialog.type), dialog.accept()))
    page.click("[data-testid=deploy]")
    page.wait_for_url("**/processes/versions/*")
    assert "/edit" not in page.url and seen == []  # saved: the page went on to the new version, unasked
