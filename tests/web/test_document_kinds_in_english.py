"""Document kinds are UI words: the English page names them in English (the files' own names stay as uploaded)."""

from __future__ import annotations

import re

from tests.web.conftest import Auth


def test_the_dossier_pages_document_list_and_upload_form_speak_the_pages_language(client, auth: Auth):
    auth.login("hn-hd-pl-tp.unit_clerk")
    vietnamese = client.get("/dossiers/1").get_data(as_text=True)
    english = client.get("/dossiers/1?lang=en").get_data(as_text=True)
    kinds = re.search(r'<select name="kind">(.*?)</select>', english, re.S).group(1)
    assert re.findall(r">([^<]+)</option>", kinds) == ["Minutes of the nomination meeting",
        "Letter proposing the commendation", "Achievement report", "Achievement summary sheet", "Other document"]  # fmt: skip
    assert "Biên bản họp bình xét</option>" in vietnamese and "Biên bản họp bình xét" not in english
