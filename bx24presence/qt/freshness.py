"""What the window says about its data: the status line and the banner after a failed refresh."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication

from bx24presence.domain import Snapshot
from bx24presence.failures import QT_TRANSLATE_NOOP, FailureKind
from bx24presence.qt.poller import PollFailed
from bx24presence.qt.widgets import BannerKind, number

# The banner's first words after a failed refresh, by kind: with data shown, without.
_WITH_DATA: dict[str, str] = {
    FailureKind.NETWORK: QT_TRANSLATE_NOOP(
        "MainWindow", "Portal unreachable since %1, showing data from %2."
    ),
    FailureKind.TIMEOUT: QT_TRANSLATE_NOOP(
        "MainWindow", "The portal has been too slow to answer since %1, showing data from %2."
    ),
    FailureKind.RATE: QT_TRANSLATE_NOOP(
        "MainWindow", "The portal has been limiting requests since %1, showing data from %2."
    ),
    FailureKind.PROTOCOL: QT_TRANSLATE_NOOP(
        "MainWindow", "The portal's answers are unusable since %1, showing data from %2."
    ),
}
_NO_DATA: dict[str, str] = {
    FailureKind.NETWORK: QT_TRANSLATE_NOOP(
        "MainWindow", "Portal unreachable since %1; no data yet."
    ),
    FailureKind.TIMEOUT: QT_TRANSLATE_NOOP(
        "MainWindow", "The portal has been too slow to answer since %1; no data yet."
    ),
    FailureKind.RATE: QT_TRANSLATE_NOOP(
        "MainWindow", "The portal has been limiting requests since %1; no data yet."
    ),
    FailureKind.PROTOCOL: QT_TRANSLATE_NOOP(
        "MainWindow", "The portal's answers are unusable since %1; no data yet."
    ),
}


def failure_banner(failure: PollFailed, snap: Snapshot | None) -> tuple[BannerKind, str, str]:
    """The banner's kind, text and button for a failed refresh.

    The portal refused the webhook (``AUTH``): polling has stopped; an error with
    "Reconnect…". Otherwise a warning with "Retry now" that says since when the portal is
    unreachable (``NETWORK``), too slow (``TIMEOUT``), limits requests (``RATE``) or answers
    unusably (the rest), the age of the data shown, why (the failure's sentence, in the UI's
    language), and when the next attempt comes.
    """
    since = failure.since.astimezone().strftime("%H:%M")
    why = failure.sentence()
    if failure.kind == FailureKind.AUTH:
        text = QCoreApplication.translate(
            "MainWindow",
            "%1 Polling has stopped: reconnect with a working webhook (or fix it in Settings).",
        ).replace("%1", why)
        return BannerKind.ERROR, text, QCoreApplication.translate("MainWindow", "Reconnect…")
    if snap is not None:
        data = snap.fetched_at.astimezone().strftime("%H:%M")
        text = QCoreApplication.translate(
            "MainWindow", _WITH_DATA.get(failure.kind, _WITH_DATA[FailureKind.PROTOCOL])
        )
        text = text.replace("%1", since).replace("%2", data)
    else:
        text = QCoreApplication.translate(
            "MainWindow", _NO_DATA.get(failure.kind, _NO_DATA[FailureKind.PROTOCOL])
        )
        text = text.replace("%1", since)
    if failure.retry_in_s is not None:
        why += " " + QCoreApplication.translate("MainWindow", "Next attempt in %1 s.").replace(
            "%1", str(failure.retry_in_s)
        )
    return (
        BannerKind.WARNING,
        f"{text} {why}",
        QCoreApplication.translate("MainWindow", "Retry now"),
    )


def status_text(
    snap: Snapshot | None,
    *,
    portal_label: str,
    failed: bool,
    partial: bool,
    loaded: bool,
    available: int,
) -> str:
    """The status bar's line: when the data is from, how many colleagues, how many available
    (``available`` is counted by :func:`bx24presence.presence.count_available`, as the
    filter and the tray count)."""
    if snap is None:
        text = (
            QCoreApplication.translate("MainWindow", "Connecting to %1…")
            if not failed
            else QCoreApplication.translate("MainWindow", "No data from %1 yet.")
        )
        return text.replace("%1", portal_label)
    when = snap.fetched_at.astimezone().strftime("%H:%M:%S")
    if failed:
        age = max(0, int((datetime.now(UTC) - snap.fetched_at).total_seconds() // 60))
        text = QCoreApplication.translate(
            "MainWindow", "Stale: data from %1 (%2 min old) · %3 colleagues · %4 available"
        )
        text = text.replace("%1", when).replace("%2", str(age))
    elif partial:
        return QCoreApplication.translate("MainWindow", "Loading saved data…")
    elif not loaded:
        text = QCoreApplication.translate(
            "MainWindow", "Saved data from %1, refreshing… · %3 colleagues · %4 available"
        )
        text = text.replace("%1", when)
    else:
        text = QCoreApplication.translate(
            "MainWindow", "Updated %1 · %3 colleagues · %4 available"
        ).replace("%1", when)
    return text.replace("%3", number(len(snap.colleagues))).replace("%4", number(available))
