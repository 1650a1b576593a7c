"""Parts of a message (Phrase, Listed) keep what a translator needs when copied or pickled."""

from __future__ import annotations

import copy
import pickle

import pytest

from service.errors import Listed, Phrase


@pytest.mark.parametrize("clone", [copy.copy, copy.deepcopy, lambda x: pickle.loads(pickle.dumps(x))])
def test_a_phrase_keeps_its_template_and_values(clone):  # type: ignore[no-untyped-def]
    phrase = Phrase("đã được tặng {award} năm {year}", {"award": "Giấy khen", "year": 2024})
    copied = clone(phrase)
    assert copied == "đã được tặng Giấy khen năm 2024"
    assert type(copied) is Phrase and copied.template == phrase.template and copied.values == phrase.values


@pytest.mark.parametrize("clone", [copy.copy, copy.deepcopy, lambda x: pickle.loads(pickle.dumps(x))])
def test_listed_parts_keep_their_separator(clone):  # type: ignore[no-untyped-def]
    listed = Listed(["tờ trình", "biên bản họp"], sep=", ")
    copied = clone(listed)
    assert type(copied) is Listed and tuple(copied) == ("tờ trình", "biên bản họp") and f"{copied}" == "tờ trình, biên bản họp"
