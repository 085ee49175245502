"""No code recognises a failure by the words of its message: reasons are data.

Reads the package's source: a membership test (``"refused" in text``) whose right side is an
exception's text (``str(exc)``, ``err.message``, or a lower-cased copy of one) is how the
old code told failures apart, and breaks as soon as a message changes or is translated.
Every failure carries a :class:`~bx24presence.api.reasons.Reason` instead.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import bx24presence
from bx24presence.api.errors import ApiError, BadPortalUrl, Reason
from bx24presence.failures import FailureKind, english, failure_kind

PACKAGE = Path(bx24presence.__file__).parent
#: An exception's text: ``str(exc)``, ``err.message``, ``low`` (a lower-cased copy).
MESSAGE_TEXT = re.compile(r"\bstr\((exc|err|e|error)\)|\.message\b|^low$")
#: Places that read another library's words because it offers nothing else, with why.
ALLOWED = {
    # redis-py flattens some TLS failures into a ConnectionError without a cause.
    "bx24presence/relay/address.py",
}


def message_tests(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn) and MESSAGE_TEXT.search(ast.unparse(right)):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    return found


def test_no_failure_is_recognised_by_its_words() -> None:
    found = [
        hit
        for path in sorted(PACKAGE.rglob("*.py"))
        if "demo" not in path.parts and path.relative_to(PACKAGE.parent).as_posix() not in ALLOWED
        for hit in message_tests(path)
    ]
    assert not found, "failures recognised by their words:\n" + "\n".join(found)


def test_every_reason_has_a_kind_and_an_english_sentence() -> None:
    for reason in Reason:
        err = ApiError(reason=reason, host="portal.example")
        assert isinstance(failure_kind(err), FailureKind)
        text = english(err)
        assert text and "{" not in text and text == str(err)


def test_a_timeout_is_its_own_kind_not_the_network() -> None:
    assert failure_kind(ApiError(reason=Reason.TIMEOUT)) is FailureKind.TIMEOUT
    assert failure_kind(ApiError(reason=Reason.REFUSED)) is FailureKind.NETWORK


def test_the_data_stays_data() -> None:
    """The portal's words are an appendix, the attempts and the detail only in English."""
    err = ApiError(reason=Reason.PORTAL_ERROR, code="X_CODE", said="maintenance \x1b[2J")
    err.attempts = 3
    assert err.failure.code == "X_CODE" and err.failure.attempts == 3
    assert str(err).startswith("The portal reported an error: X_CODE.")
    assert "gave up after 3 attempts" in str(err) and "\x1b" not in str(err)
    bad = BadPortalUrl(Reason.PLAIN_HTTP, host="intranet.example")
    assert bad.failure.host == "intranet.example" and "--allow-http" in str(bad)
