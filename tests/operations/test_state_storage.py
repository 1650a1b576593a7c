"""Instance states read back byte for byte from every stored format: dictionary v2 (written now), dictionary
v1 and plain zlib (0012); rows in the older formats are rewritten in format 2 when their instance moves on."""

from __future__ import annotations

import hashlib
import json
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text

from service import db
from service.db import (
    STATE_DICTIONARY_V1, STATE_DICTIONARY_V2, STATE_FORMAT_V1, STATE_FORMAT_V2, compress_state, decompress_state,
)  # fmt: skip
from service.models import ProcessInstance
from tests.operations.helpers import act, instance_id_in, new_dossier, open_task
from tests.operations.chain_states import province_chain_states
from tests.state_forms import full_form
from workflows import Engine, FixedClock
from workflows.state import COMPACT_FORMAT, STATE_FORMAT_KEY

# Pinned here on purpose: states written with a dictionary can only ever be read with these exact bytes.
# Never update these values; build a state_dictionary_v3.bin (scripts/build_state_dictionary.py) instead.
DICTIONARY_V1_SHA256 = "b604cbd26b7eac8913cdf77bd09646ffaf78ff1ad5b3f445a96edaf931a8ed69"
DICTIONARY_V2_SHA256 = "aab93f63f9a2e5a346679998dfdb7322bb304bd955f9719c029b7585d83edb99"

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
# Precomposed letters, the five tone marks as combining characters (text typed in NFD), JSON punctuation,
# and any other character UTF-8 can encode (a lone surrogate cannot; it is not text).
VIETNAMESE_TEXT = st.text(
    alphabet=st.sampled_from(VIETNAMESE + "\u0300\u0301\u0303\u0309\u0323" + " \"'{}[]:,\\\n\t0123456789")
    | st.characters(codec="utf-8")
)




def _stored(factory, instance_id: int) -> bytes:
    with factory() as session:
        query = text("SELECT state_zlib FROM process_instance WHERE id = :id")
        return bytes(session.execute(query, {"id": instance_id}).scalar_one())


def _store(factory, instance_id: int, data: bytes) -> None:
    with factory() as session, session.begin():
        session.execute(text("UPDATE process_instance SET state_zlib = :data WHERE id = :id"),
                        {"data": data, "id": instance_id})  # fmt: skip


def _format_v1(text_: str) -> bytes:
    """What the service wrote before format 2: format byte 1, level 5 with dictionary v1."""
    compressor = zlib.compressobj(5, zdict=STATE_DICTIONARY_V1.read_bytes())
    return STATE_FORMAT_V1 + compressor.compress(text_.encode("utf-8")) + compressor.flush()


WRITTEN_AS = {
    "dictionary_v2": compress_state,
    "dictionary_v1": _format_v1,
    "plain_zlib_0012": lambda text_: zlib.compress(text_.encode("utf-8"), 1),
}


@pytest.mark.parametrize(("path", "pinned", "in_service"), [
    (STATE_DICTIONARY_V1, DICTIONARY_V1_SHA256, db.STATE_DICTIONARY_V1_SHA256),
    (STATE_DICTIONARY_V2, DICTIONARY_V2_SHA256, db.STATE_DICTIONARY_V2_SHA256),
], ids=["v1", "v2"])  # fmt: skip
def test_state_dictionary_files_are_the_ones_states_were_written_with(path, pinned, in_service):
    dictionary = path.read_bytes()
    assert hashlib.sha256(dictionary).hexdigest() == pinned == in_service
    assert len(dictionary) <= 32 * 1024  # zlib would never look further back


@pytest.mark.parametrize(("name", "load"), [
    ("STATE_DICTIONARY_V1", db.state_dictionary_v1), ("STATE_DICTIONARY_V2", db.state_dictionary_v2),
], ids=["v1", "v2"])  # fmt: skip
def test_a_changed_dictionary_file_is_refused(tmp_path, monkeypatch, name, load):
    changed = tmp_path / "state_dictionary.bin"
    changed.write_bytes(getattr(db, name).read_bytes() + b" ")
    monkeypatch.setattr(db, name, changed)
    load.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="has changed"):
            load()
    finally:
        monkeypatch.undo()
        load.cache_clear()


def test_the_format_bytes_never_start_a_plain_zlib_stream():
    # Whatever level and window, a zlib stream's first byte says "deflate" (8) in its low four bits.
    assert STATE_FORMAT_V1 != STATE_FORMAT_V2
    for format_byte in (STATE_FORMAT_V1, STATE_FORMAT_V2):
        assert format_byte[0] & 0x0F != 8
        for level in range(10):
            for wbits in range(9, 16):
                compressor = zlib.compressobj(level, zlib.DEFLATED, wbits)
                assert (compressor.compress(b"{}") + compressor.flush())[:1] != format_byte


def test_states_are_written_in_format_2():
    state = province_chain_states()[-1]
    data = compress_state(state)
    assert data[:1] == STATE_FORMAT_V2
    decompressor = zlib.decompressobj(zdict=STATE_DICTIONARY_V2.read_bytes())
    assert decompressor.decompress(data[1:]).decode("utf-8") == state and decompressor.eof


@pytest.mark.parametrize("stored_as", WRITTEN_AS)
@pytest.mark.parametrize("form", ["compact", "spiffworkflow"])
@pytest.mark.parametrize("step", [0, 5, -1], ids=["started", "mid_chain", "finished"])
def test_every_format_reads_back_byte_for_byte(empty_factory, stored_as, form, step):
    state = province_chain_states()[step]
    state = state if form == "compact" else full_form(state)
    state = state.replace('"TD-2026"', '"Thi đua yêu nước: Đồng ý đề nghị"')
    data = WRITTEN_AS[stored_as](state)
    instance_id = instance_id_in(empty_factory)
    _store(empty_factory, instance_id, data)
    assert _stored(empty_factory, instance_id) == data
    with empty_factory() as session:
        assert session.get(ProcessInstance, instance_id).state_json == state


def test_a_finished_chain_is_stored_in_under_260_bytes_a_quarter_of_format_1(empty_factory):
    finished = province_chain_states()[-1]
    instance_id = instance_id_in(empty_factory)
    with empty_factory() as session, session.begin():
        session.get(ProcessInstance, instance_id).state_json = finished
    stored = _stored(empty_factory, instance_id)
    assert stored[:1] == STATE_FORMAT_V2 and decompress_state(stored) == finished
    # The same instance as the service stored it before format 2: SpiffWorkflow's form, dictionary v1
    # (about 930 bytes: four instance rows to a 4 KiB SQLite page; now about 15).
    before = _format_v1(full_form(finished))
    assert len(stored) < 260 and len(stored) * 4 < len(before)


@pytest.mark.parametrize("stored_as", ["dictionary_v1", "plain_zlib_0012"])
def test_a_state_stored_before_format_2_is_read_and_rewritten_at_the_next_completion(factory, stored_as):
    engine = Engine(FixedClock())
    dossier_id = new_dossier(factory, engine)
    act(factory, engine, dossier_id)  # submit: the ward office's review is open
    with factory() as session:
        instance = session.scalars(select(ProcessInstance).where(ProcessInstance.dossier_id == dossier_id)).one()
        instance_id, written = instance.id, instance.state_json
    assert json.loads(written)[STATE_FORMAT_KEY] == COMPACT_FORMAT
    old = full_form(written)
    _store(factory, instance_id, WRITTEN_AS[stored_as](old))
    with factory() as session:
        assert session.get(ProcessInstance, instance_id).state_json == old
    assert open_task(factory, dossier_id).bpmn_id == "ward_office_review"
    act(factory, engine, dossier_id)
    stored = _stored(factory, instance_id)
    assert stored[:1] == STATE_FORMAT_V2
    assert json.loads(decompress_state(stored))[STATE_FORMAT_KEY] == COMPACT_FORMAT
    assert open_task(factory, dossier_id).bpmn_id == "ward_council_vote"


def test_a_truncated_state_is_an_error_never_a_shorter_text():
    data = compress_state(province_chain_states()[-1])
    for broken in (data[:-4], data[: len(data) // 2], data + b"\x00"):
        with pytest.raises(zlib.error):
            decompress_state(broken)


@given(VIETNAMESE_TEXT)
def test_any_text_comes_back_byte_for_byte(value):
    assert decompress_state(compress_state(value)) == value


@given(VIETNAMESE_TEXT)
def test_plain_zlib_states_of_any_text_still_read(value):
    assert decompress_state(zlib.compress(value.encode("utf-8"), 1)) == value
