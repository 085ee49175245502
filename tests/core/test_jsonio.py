"""The door for a portal's answer: orjson when it can, json when it must, one error type."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bx24presence.api import jsonio


def test_a_large_batch_answer_decodes_like_json() -> None:
    users = {str(i): {"id": i, "name": f"Person {i}", "phones": False} for i in range(3000)}
    body = {"result": {"result": {"d0": users}, "result_error": []}, "time": {"start": 1}}
    text = json.dumps(body)
    assert jsonio.decode_answer(text.encode()) == body
    assert jsonio.loads_bytes(("\ufeff" + text).encode()) == body, "a byte-order mark"


@pytest.mark.parametrize("depth", [jsonio.MAX_DEPTH + 1, 900, 100_000])
def test_nesting_deeper_than_any_answer_is_malformed(depth: int) -> None:
    for text in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        with pytest.raises(jsonio.MalformedJson, match=r"(?i)nest"):
            jsonio.decode_answer(text.encode())
    ok = "[" * jsonio.MAX_DEPTH + "]" * jsonio.MAX_DEPTH
    assert jsonio.decode_answer(ok.encode()) == json.loads(ok)


def test_a_deep_nest_hidden_behind_a_lone_surrogate_is_refused_too() -> None:
    # The careful path (json) has the same limit.
    text = '["\\ud800", ' + "[" * (jsonio.MAX_DEPTH + 1) + "]" * (jsonio.MAX_DEPTH + 1) + "]"
    with pytest.raises(jsonio.MalformedJson, match=r"(?i)nest"):
        jsonio.decode_answer(text.encode())


def test_lone_surrogates_are_repaired_keys_included() -> None:
    raw = b'{"name": "A\\ud800B", "\\udfff": ["\\ud83d\\ude00", "\\uDC00"]}'
    assert jsonio.decode_answer(raw) == {"name": "A\ufffdB", "\ufffd": ["\U0001f600", "\ufffd"]}


@pytest.mark.parametrize(
    "raw",
    [b"\xff\xfe{}", b'{"a": "\xed\xa0\x80"}', b"1" * 5000, b"", b"nope", b'{"a": 1} x'],
    ids=["not-utf8", "utf8-surrogate", "4300-digits", "empty", "word", "extra"],
)
def test_every_broken_body_is_one_error(raw: bytes) -> None:
    with pytest.raises(jsonio.MalformedJson):
        jsonio.decode_answer(raw)


def test_a_large_answer_with_a_lone_surrogate_takes_the_careful_path() -> None:
    users = {str(i): {"id": i, "name": f"P\\ud800 {i}"} for i in range(3000)}
    text = json.dumps({"result": users}).replace("\\\\ud800", "\\ud800")
    got = jsonio.decode_answer(text.encode())
    assert got["result"]["5"]["name"] == "P\ufffd 5"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_decode_or_are_malformed_json(data: bytes) -> None:
    try:
        value = jsonio.decode_answer(data)
    except jsonio.MalformedJson:
        return
    json.dumps(value, ensure_ascii=False).encode("utf-8")  # no lone surrogate anywhere


surrogate_text = st.text(
    alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0xFFFF), max_size=8
)
# Integers within 64 bits: orjson reads longer ones as floats (see the next test).
any_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False)
    | surrogate_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(surrogate_text, children, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(any_json, st.booleans())
def test_any_json_value_decodes_with_every_string_encodable(value: Any, pretty: bool) -> None:
    text = json.dumps(value, indent=2 if pretty else None)
    got = jsonio.decode_answer(text.encode())
    json.dumps(got, ensure_ascii=False).encode("utf-8")
    if "\\ud" not in text.lower():
        assert got == json.loads(text), "the same values as json"


def test_an_integer_beyond_64_bits_is_read_as_a_float_or_refused() -> None:
    # No portal sends such numbers; what matters is that nothing breaks.
    assert jsonio.decode_answer(b'{"id": 123456789012345678901234567890}') == {
        "id": 1.2345678901234568e29
    }
    with pytest.raises(jsonio.MalformedJson):
        jsonio.decode_answer(b"1" * 5000)
