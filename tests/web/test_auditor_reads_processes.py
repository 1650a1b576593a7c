"""An auditor reads the process versions (diagram, file, path) and the instances with their tasks and history, and
is offered no edit, deploy, migration or action; posting one is refused and changes nothing."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from service.models import AuditEvent, ProcessInstance
from tests.web.conftest import Auth


def test_the_auditor_reads_processes_and_instances_and_can_change_nothing(app, client, auth: Auth):
    auth.login("auditor")
    home = client.get("/audit/").get_data(as_text=True)
    assert 'href="/processes/"' in home and 'href="/instances/"' in home  # in the header
    processes = client.get("/processes/").get_data(as_text=True)
    assert 'data-testid="version-path"' in processes
    assert 'data-testid="edit-version"' not in processes and 'data-testid="new-process"' not in processes
    assert "/instances/migrate" not in processes
    assert client.get("/processes/versions/1").status_code == 200
    assert client.get("/processes/versions/1.bpmn").status_code == 200
    for refused in ("/processes/versions/1/edit", "/processes/new", "/instances/migrate"):
        assert client.get(refused).status_code == 403, refused
    instances = client.get("/instances/").get_data(as_text=True)
    instance_id = int(re.findall(r'data-instance="(\d+)"', instances)[0])
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert 'data-testid="open-tasks"' in page or "Việc đang mở" in page
    for form in ("suspend-form", "resume-form", "cancel-form", "reassign-form"):
        assert f'data-testid="{form}"' not in page, form
    token = re.search(r'name="_csrf" value="([^"]+)"', home).group(1)
    with app.extensions["thidua.session_factory"]() as session:
        before = session.scalar(select(func.count()).select_from(AuditEvent))
        status = session.get(ProcessInstance, instance_id).status
    answer = client.post(f"/instances/{instance_id}/cancel", data={"reason": "thử", "_csrf": token})
    assert answer.status_code == 403
    with app.extensions["thidua.session_factory"]() as session:
        assert session.get(ProcessInstance, instance_id).status == status
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == before
