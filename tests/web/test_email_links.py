"""The addresses e-mails give lead to the pages they name (an e-mail linked /tasks/<id>, a page that never existed)."""

from __future__ import annotations

from service.operations.notifications import dossier_link, task_link


def test_the_links_in_e_mails_are_served_by_the_pages_they_name(app):  # type: ignore[no-untyped-def]
    routes = app.url_map.bind("thidua.example.vn")
    base = "https://thidua.example.vn"
    assert routes.match(task_link(base, 8).removeprefix(base))[0] == "inbox.task"
    assert routes.match(dossier_link(base, 3).removeprefix(base))[0] == "dossiers.show"
