"""Links from colleagues' profiles: only http(s), tel: and mailto: built by the app ever open."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot

from bx24presence.domain import Phones
from bx24presence.qt.details.pane import DetailsPane, ElidedButton, ElidedText
from bx24presence.qt.links import LinkKind, checked_url, safe_url
from tests.factories import SERVER_NOW, TODAY, colleague

HOSTILE_WEBSITES = [
    "file:///etc/passwd",
    "FILE:///etc/passwd",
    "smb://attacker.example/share",
    "ssh://attacker.example",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox",
    "mailto:a@b.example?attach=/etc/passwd",
    "//attacker.example/x",
    "https://portal.example@attacker.example/",
    "https://exa mple.com",
    "https://example.com/\x1b]8;;x\x1b\\",
    "https://ex\u202eample.com",
    "https://example.com\\@attacker.example",
    "https://a.example:99999/",
    "http:/no-host",
    "https://" + "a" * 3000 + ".example",
]

HOSTILE_EMAILS = [
    "a@b.example?attach=/etc/passwd",
    "a@b.example&attach=/etc/passwd",
    "a@b.example,c@d.example",
    "a@b.example;c@d.example",
    "a b@c.example",
    "a@b.example%3Fattach=x",
    "a@b.example\nBcc: c@d.example",
    "a@@b.example",
    "<a@b.example>",
    "no-at-sign",
    "a@localhost",
    "file:///etc/passwd",
]

HOSTILE_PHONES = [
    "+7 495 123-45-67;phone-context=x",
    "123?x=1",
    "+1+2+3",
    "*21*attacker#",
    "javascript:1",
    "12",
    "\u0661\u0662\u0663\u0664",  # Arabic-Indic digits: not ASCII
    "+1 555\n0100",
]


@pytest.mark.parametrize("value", HOSTILE_WEBSITES)
def test_hostile_websites_are_not_links(value: str) -> None:
    assert safe_url(LinkKind.WEB, value) is None
    assert checked_url(value) is None


@pytest.mark.parametrize("value", HOSTILE_EMAILS)
def test_hostile_emails_are_not_links(value: str) -> None:
    assert safe_url(LinkKind.EMAIL, value) is None
    assert checked_url(f"mailto:{value}") is None


@pytest.mark.parametrize("value", HOSTILE_PHONES)
def test_hostile_phones_are_not_links(value: str) -> None:
    assert safe_url(LinkKind.PHONE, value) is None
    assert checked_url(f"tel:{value}") is None


@pytest.mark.parametrize(
    ("kind", "value", "url"),
    [
        (LinkKind.WEB, "example.com", "https://example.com"),
        (LinkKind.WEB, "http://example.com/a?b=1#c", "http://example.com/a?b=1#c"),
        (LinkKind.WEB, "HTTPS://Example.com/", "https://Example.com/"),
        (LinkKind.WEB, "localhost:8080/x", "https://localhost:8080/x"),
        (LinkKind.WEB, "https://пример.рф/", "https://пример.рф/"),
        (LinkKind.PHONE, "+7 (495) 123-45-67", "tel:+74951234567"),
        (LinkKind.PHONE, "8.800.555.35.35", "tel:88005553535"),
        (LinkKind.EMAIL, "ivan.petrov+work@acme.example", "mailto:ivan.petrov+work@acme.example"),
        (LinkKind.EMAIL, " o'brien@acme.example ", "mailto:o'brien@acme.example"),
    ],
)
def test_ordinary_values_become_links(kind: LinkKind, value: str, url: str) -> None:
    assert safe_url(kind, value) == url


def test_checked_url_accepts_only_what_the_allow_list_builds() -> None:
    assert checked_url("tel:+74951234567") == "tel:+74951234567"
    assert checked_url("mailto:a@b.example") == "mailto:a@b.example"
    assert checked_url("https://acme.example/online/?IM_DIALOG=5")
    for url in ("tel:+7 495", "mailto:a@b.example?subject=x", "ftp://x.example/", "about:blank"):
        assert checked_url(url) is None


class _Opened:
    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: QUrl) -> bool:
        self.urls.append(url.toString())
        return True


def _pane(qtbot: QtBot, opened: _Opened, **kw: Any) -> DetailsPane:
    pane = DetailsPane(None, portal=kw.pop("portal", "https://acme.example"), open_url=opened)
    qtbot.addWidget(pane)
    c = colleague(7, **kw)
    pane.show_colleague(c, server_now=SERVER_NOW, today=TODAY, departments={})
    return pane


def _click_all_links(pane: DetailsPane) -> list[str]:
    shown = []
    for button in pane.findChildren(ElidedButton):
        shown.append(button.full_text)
        button.click()
    return shown


@pytest.mark.parametrize("website", HOSTILE_WEBSITES[:10])
def test_pane_never_opens_a_hostile_website(qtbot: QtBot, website: str) -> None:
    opened = _Opened()
    pane = _pane(qtbot, opened, website=website, phones=Phones())

    _click_all_links(pane)

    assert opened.urls == []
    texts = [label.full_text for label in pane.findChildren(ElidedText)]
    assert website.strip() in texts, "shown as text without a link"


@pytest.mark.parametrize("email", HOSTILE_EMAILS[:6])
def test_pane_never_opens_a_hostile_email(qtbot: QtBot, email: str) -> None:
    opened = _Opened()
    pane = _pane(qtbot, opened, email=email, phones=Phones())

    _click_all_links(pane)

    assert opened.urls == []


def test_pane_opens_links_built_from_the_values(qtbot: QtBot) -> None:
    opened = _Opened()
    pane = _pane(
        qtbot,
        opened,
        email="ivan@acme.example",
        website="acme.example/ivan",
        phones=Phones(work_phone="+7 (495) 123-45-67", personal_mobile="ext. 25 #3"),
    )

    shown = _click_all_links(pane)

    assert sorted(opened.urls) == [
        "https://acme.example/ivan",
        "mailto:ivan@acme.example",
        "tel:+74951234567",
    ]
    assert "ext. 25 #3" not in shown  # not a number: text only
    assert "ext. 25 #3" in [label.full_text for label in pane.findChildren(ElidedText)]


def test_chat_opens_only_an_http_portal(qtbot: QtBot) -> None:
    opened = _Opened()
    pane = _pane(qtbot, opened)
    pane._chat.click()
    assert opened.urls == ["https://acme.example/online/?IM_DIALOG=7"]

    hostile = _pane(qtbot, _Opened(), portal="file:///etc")
    assert not hostile._chat.isEnabled()
    assert not hostile.open_link(hostile.chat_url(colleague(7)))


def test_open_link_refuses_anything_not_allowed(qtbot: QtBot) -> None:
    opened = _Opened()
    pane = _pane(qtbot, opened)
    for url in ("file:///etc/passwd", "javascript:alert(1)", "mailto:a@b.example?attach=x", ""):
        assert not pane.open_link(url)
    assert opened.urls == []
