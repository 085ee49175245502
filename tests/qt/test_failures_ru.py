"""A Russian window speaks Russian in every failure state: each failure reason driven through
the banner, the tray's tooltip and the welcome dialog's connection test, with the UI in
Russian, shows no English sentence (host names, codes, scope names and technical terms
excepted); and every reason has a Russian sentence."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from PySide6.QtCore import QCoreApplication, Qt

from bx24presence import failures
from bx24presence.api.errors import Failure, Reason
from bx24presence.connection import failed
from bx24presence.failures import english, failure_kind, sentence
from bx24presence.qt import i18n
from bx24presence.qt.dialogs.welcome import WelcomeDialog
from bx24presence.qt.freshness import failure_banner
from bx24presence.qt.poller import PollFailed
from bx24presence.qt.tray.tray import Tray
from bx24presence.qt.watchlist import WatchList
from bx24presence.qt.widgets import Banner, BannerKind
from bx24presence.settings import Settings
from tests.factories import LOCAL_NOW, colleague, snapshot

HOST = "portal.example.ru"
#: Values that come from outside or name things: they stay as they are in any language.
DATA = {
    "host": HOST,
    "scope": "user_brief",
    "code": "SOME_CODE",
    "method": "user.get",
    "target": "elsewhere.example",
    "new_portal": "https://new.example.ru",
    "scheme": "ftp",
}
#: Technical terms a Russian sentence keeps in Latin letters.
TERMS = {"REST", "API", "JSON", "HTML", "HTTP", "HTTPS", "TLS", "OAuth", "FILE"}
LATIN_WORD = r"[A-Za-z][A-Za-z'’]+"
#: Two Latin words in a row: the sign of an English sentence.
LATIN_RUN = re.compile(rf"{LATIN_WORD}[\s,;:()]+{LATIN_WORD}")


def english_left(text: str) -> list[str]:
    """Runs of English words in ``text`` once data, addresses and terms are taken out."""
    for value in DATA.values():
        text = text.replace(value, " ")
    # Addresses, options, environment variables and scope names: tokens with / _ - . :
    text = " ".join(
        "" if re.search(r"[/_.:]|^--", token.strip("()«»“”,.;")) else token
        for token in text.split()
    )
    text = " ".join(t for t in text.split() if t.strip("()«»“”,.;:") not in TERMS)
    return LATIN_RUN.findall(text)


def every_failure() -> list[Failure]:
    """Each reason with its data, and the variants its data selects."""
    base = {
        "host": HOST,
        "scope": "user_brief",
        "code": "SOME_CODE",
        "method": "user.get",
        "status": 502,
        "seconds": 30.0,
        "limit_bytes": 32 * 1024 * 1024,
        "target": "elsewhere.example",
        "new_portal": "https://new.example.ru",
        "scheme": "ftp",
        "detail": "an English detail for the log",
        "attempts": 2,
    }
    out = [Failure(reason, **base) for reason in Reason]
    out += [
        Failure(Reason.TIMEOUT, host=HOST),
        Failure(Reason.MISSING_SCOPE),
        Failure(Reason.NO_ACCESS),
        Failure(Reason.TIME_LIMITED),
        Failure(Reason.HTML_PAGE, status=200),
        Failure(Reason.NOT_JSON, status=200),
        Failure(Reason.PORTAL_ERROR),
        Failure(Reason.UNREACHABLE),  # no host known
        Failure(Reason.PORTAL_ERROR, code="X", said="Портал на обслуживании"),
    ]
    return out


FAILURES = every_failure()


@pytest.fixture
def russian(qapp) -> Iterator[None]:
    i18n.install(qapp, "ru")
    yield
    i18n.install(qapp, "en")


def poll_failed(f: Failure, retry: int | None = 4) -> PollFailed:
    since = LOCAL_NOW - timedelta(minutes=3)
    kind = failure_kind(f)
    return PollFailed(
        kind=kind,
        message=english(f),
        at=LOCAL_NOW,
        retry_in_s=None if kind == "auth" else retry,
        since=since,
        failure=f,
    )


def test_every_reason_has_a_russian_sentence(russian) -> None:
    templates = [*failures._SENTENCES.values(), *failures._VARIANTS.values()]
    untranslated = [t for t in templates if QCoreApplication.translate(failures.CONTEXT, t) == t]
    assert not untranslated
    assert set(failures._SENTENCES) == set(Reason), "a reason without a sentence"


@pytest.mark.parametrize("f", FAILURES, ids=lambda f: f.reason.value)
def test_the_banner_speaks_russian(qtbot, russian, f: Failure) -> None:
    banner = Banner()
    qtbot.addWidget(banner)
    data = snapshot([colleague(1)], fetched_at=LOCAL_NOW - timedelta(minutes=5))
    for snap in (data, None):
        kind, text, action = failure_banner(poll_failed(f), snap)
        banner.show_message(kind, text, action)
        shown = banner.text
        assert re.search("[А-Яа-я]", shown)
        assert not english_left(shown), shown
        assert not english_left(action), action
        assert "gave up" not in shown and "English detail" not in shown
        expected = BannerKind.ERROR if failure_kind(f) == "auth" else BannerKind.WARNING
        assert banner.kind is expected


@pytest.mark.parametrize("f", FAILURES, ids=lambda f: f.reason.value)
def test_the_tray_tooltip_speaks_russian(russian, f: Failure) -> None:
    tray = Tray(WatchList(Settings()), clock=lambda: LOCAL_NOW, notifier=lambda *a: None)
    tray.set_snapshot(snapshot([colleague(1)], fetched_at=LOCAL_NOW - timedelta(minutes=5)))
    tray.set_stale(LOCAL_NOW - timedelta(minutes=3), poll_failed(f))
    tip = tray.tooltip_text()
    why = sentence(replace(f, said=""))
    assert why.replace("<", "\u2039").replace(">", "\u203a") in tip
    assert not english_left(tip), tip
    tray.hide()
    tray.deleteLater()


@pytest.mark.parametrize("f", FAILURES, ids=lambda f: f.reason.value)
def test_the_connection_test_speaks_russian(qtbot, russian, f: Failure) -> None:
    dialog = WelcomeDialog(connect_only=True, checker=lambda url, allow_http: failed(f))
    qtbot.addWidget(dialog)
    dialog.url_edit.setText("https://portal.example.ru/rest/1/abcdef123456/")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.check is not None, timeout=5000)
    text = dialog.result_text
    assert re.search("[А-Яа-я]", text)
    assert not english_left(text), text


def test_the_english_sentences_are_whole_and_the_check_sees_english() -> None:
    """Without a translator the same sentences are English (what the command line prints),
    and the check above does recognise them."""
    for f in FAILURES:
        text = english(f)
        assert "{" not in text and (text[:1].isupper() or text.startswith(HOST))
    assert english_left(sentence(Failure(Reason.TIMEOUT, host=HOST)))
    assert english_left(english(Failure(Reason.WEBHOOK_REJECTED)))
