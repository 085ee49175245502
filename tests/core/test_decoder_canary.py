"""Canary: the C JSON decoder is the one pinned, and still behaves as jsonio relies on.

A new orjson release that started to accept lone surrogates (without repairing them) or
stopped refusing absurd depth would let strings that cannot be encoded, or nests that break
recursive code, past the door; one that changed its exception type would turn a broken
answer into a traceback. This test makes such a release fail CI instead of users.
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import orjson
import pytest

from bx24presence.api import jsonio

ROOT = Path(__file__).resolve().parents[2]


def test_the_installed_release_is_within_the_pin() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pin = next(d for d in deps if d.startswith("orjson"))
    low, high = re.findall(r"[<>]=?\s*([\d.]+)", pin)
    major = int(version("orjson").split(".")[0])
    as_tuple = tuple(int(x) for x in version("orjson").split(".")[:2])
    assert tuple(int(x) for x in low.split(".")[:2]) <= as_tuple
    assert major < int(high.split(".")[0])
    assert jsonio.DECODER == "orjson"


@pytest.mark.parametrize(
    "raw", [b'"\\ud800"', b"\xef\xbb\xbf{}", b"[" * 2000 + b"]" * 2000, b"\xff", b"NaN"]
)
def test_orjson_still_refuses_what_the_careful_path_handles(raw: bytes) -> None:
    with pytest.raises(orjson.JSONDecodeError) as caught:
        orjson.loads(raw)
    assert isinstance(caught.value, ValueError)


def test_orjson_decodes_bytes_to_plain_python_values() -> None:
    value = orjson.loads(b'{"a": [1, 2.5, "\\u00e9\\ud83d\\ude00", null, true], "b": {}}')
    assert value == {"a": [1, 2.5, "\u00e9\U0001f600", None, True], "b": {}}
    assert type(value) is dict and type(value["a"]) is list
