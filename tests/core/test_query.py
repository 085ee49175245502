"""Batch command encoding, read back the way PHP's parse_str would."""

from __future__ import annotations

from urllib.parse import parse_qsl

from bx24presence.api.query import BatchRef, build_query, command


def test_nested_filter_and_lists() -> None:
    q = build_query({"FILTER": {"ACTIVE": "Y", ">ID": 5}, "ID": [1, 2], "start": 0, "skip": None})
    assert parse_qsl(q) == [
        ("FILTER[ACTIVE]", "Y"),
        ("FILTER[>ID]", "5"),
        ("ID[0]", "1"),
        ("ID[1]", "2"),
        ("start", "0"),
    ]


def test_values_are_escaped() -> None:
    q = build_query({"NAME": "A&B=C Ё"})
    assert parse_qsl(q) == [("NAME", "A&B=C Ё")]
    assert "&B" not in q


def test_booleans_like_http_build_query() -> None:
    assert build_query({"a": True, "b": False}) == "a=1&b=0"


def test_reference_is_written_raw() -> None:
    assert (
        command("im.user.list.get", {"ID": BatchRef("online")})
        == "im.user.list.get?ID=$result[online]"
    )


def test_method_without_params() -> None:
    assert command("user.online") == "user.online"
