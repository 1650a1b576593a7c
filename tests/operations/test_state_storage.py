"""Instance states read back byte for byte from both stored formats: dictionary v1 and plain zlib (0012)."""

from __future__ import annotations

import hashlib
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from service import db
from service.db import STATE_DICTIONARY_V1, STATE_FORMAT_V1, compress_state, decompress_state
from service.models import ProcessInstance
from tests.operations.helpers import instance_id_in
from tests.operations.chain_states import province_chain_states

# Pinned here on purpose: states written with the dictionary can only ever be read with these exact bytes.
# Never update this value; build a state_dictionary_v2.bin (scripts/build_state_dictionary.py) instead.
DICTIONARY_V1_SHA256 = "b604cbd26b7eac8913cdf77bd09646ffaf78ff1ad5b3f445a96edaf931a8ed69"

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


def test_state_dictionary_file_is_the_one_states_were_written_with():
    dictionary = STATE_DICTIONARY_V1.read_bytes()
    assert hashlib.sha256(dictionary).hexdigest() == DICTIONARY_V1_SHA256 == db.STATE_DICTIONARY_V1_SHA256
    assert len(dictionary) <= 32 * 1024  # zlib would never look further back


def test_a_changed_dictionary_file_is_refused(tmp_path, monkeypatch):
    changed = tmp_path / "state_dictionary_v1.bin"
    changed.write_bytes(STATE_DICTIONARY_V1.read_bytes() + b" ")
    monkeypatch.setattr(db, "STATE_DICTIONARY_V1", changed)
    db.state_dictionary_v1.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="has changed"):
            db.state_dictionary_v1()
    finally:
        monkeypatch.undo()
        db.state_dictionary_v1.cache_clear()


def test_the_format_byte_never_starts_a_plain_zlib_stream():
    # Whatever level and window, a zlib stream's first byte says "deflate" (8) in its low four bits.
    assert STATE_FORMAT_V1[0] & 0x0F != 8
    for level in range(10):
        for wbits in range(9, 16):
            compressor = zlib.compressobj(level, zlib.DEFLATED, wbits)
            assert (compressor.compress(b"{}") + compressor.flush())[:1] != STATE_FORMAT_V1


@pytest.mark.parametrize("stored_as", ["dictionary_v1", "plain_zlib_0012"])
@pytest.mark.parametrize("step", [0, 5, -1], ids=["started", "mid_chain", "finished"])
def test_both_formats_read_back_byte_for_byte(empty_factory, stored_as, step):
    state = province_chain_states()[step].replace('"TD-2026"', '"Thi đua yêu nước: Đồng ý đề nghị"')
    data = compress_state(state) if stored_as == "dictionary_v1" else zlib.compress(state.encode("utf-8"), 1)
    instance_id = instance_id_in(empty_factory)
    with empty_factory() as session, session.begin():
        session.execute(text("UPDATE process_instance SET state_zlib = :data WHERE id = :id"),
                        {"data": data, "id": instance_id})  # fmt: skip
    assert _stored(empty_factory, instance_id) == data
    with empty_factory() as session:
        assert session.get(ProcessInstance, instance_id).state_json == state


def test_a_finished_chain_is_written_with_the_dictionary_in_under_960_bytes(empty_factory):
    finished = province_chain_states()[-1]
    instance_id = instance_id_in(empty_factory)
    with empty_factory() as session, session.begin():
        session.get(ProcessInstance, instance_id).state_json = finished
    stored = _stored(empty_factory, instance_id)
    assert stored[:1] == STATE_FORMAT_V1
    decompressor = zlib.decompressobj(zdict=STATE_DICTIONARY_V1.read_bytes())
    assert decompressor.decompress(stored[1:]).decode("utf-8") == finished and decompressor.eof
    # Four instance rows (a state of up to about 948 bytes plus about 70 bytes of other columns) fit a 4 KiB
    # SQLite page: the dictionary, the engine's compact task ids (workflows/task_ids.py) and times of change
    # to the millisecond (workflows/state.py) all count.
    assert len(stored) < 960 < len(zlib.compress(finished.encode("utf-8"), 1))


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
