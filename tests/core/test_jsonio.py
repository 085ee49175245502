"""The gentle JSON decoder gives exactly what json.loads gives, and fails where it fails."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bx24presence.api import jsonio

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=6), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(values, st.integers(0, 6), st.booleans())
def test_same_result_as_json_loads(value: Any, depth: int, pretty: bool) -> None:
    text = json.dumps(value, indent=2 if pretty else None, ensure_ascii=False)
    assert jsonio._value(text, jsonio._skip(text, 0), depth)[0] == json.loads(text)


@pytest.mark.parametrize(
    "bad",
    ['{"a": 1,}', '{"a" 1}', "[1, 2", '{"a": [1, 2}', "{1: 2}", '{"a": 1} x', "", "nope", "[1 2]"],
)
def test_malformed_fails_like_json(bad: str) -> None:
    padded = bad + " " * jsonio.GENTLE_ABOVE  # force the gentle path
    with pytest.raises(json.JSONDecodeError):
        json.loads(padded)
    with pytest.raises(json.JSONDecodeError):
        jsonio.loads(padded)


def test_large_batch_answer() -> None:
    users = {str(i): {"id": i, "name": f"Person {i}", "phones": False} for i in range(3000)}
    body = {"result": {"result": {"d0": users}, "result_error": []}, "time": {"start": 1}}
    text = json.dumps(body)
    assert len(text) > jsonio.GENTLE_ABOVE
    assert jsonio.loads(text) == body
    assert jsonio.loads_bytes(("\ufeff" + text).encode()) == body
