"""The portal of a run is decided in one place, in one order, for the CLI and the window."""

from __future__ import annotations

import dataclasses

import pytest

from bx24presence.portalchoice import PortalSource, decide_portal
from bx24presence.runoptions import RunOptions
from bx24presence.settings import Settings

URL = "https://x.bitrix24.ru/rest/1/abcdef0123456789/"
ENV_URL = "https://y.bitrix24.ru/rest/2/0123456789abcdef/"
SAVED = Settings(portal_kind="webhook", portal_url_hint="https://z.bitrix24.ru")


@pytest.mark.parametrize(
    ("options", "settings", "env", "source"),
    [
        (RunOptions(demo=True), SAVED, {"BX24PRESENCE_WEBHOOK": ENV_URL}, PortalSource.DEMO),
        (RunOptions(portal=URL), SAVED, {"BX24PRESENCE_WEBHOOK": ENV_URL}, PortalSource.GIVEN),
        (RunOptions(), SAVED, {"BX24PRESENCE_WEBHOOK": ENV_URL}, PortalSource.ENVIRONMENT),
        (RunOptions(), SAVED, {"BX24PRESENCE_WEBHOOK": "  "}, PortalSource.SAVED),
        (RunOptions(), Settings(portal_kind="demo"), {}, PortalSource.DEMO),
        (RunOptions(portal=URL), Settings(portal_kind="demo"), {}, PortalSource.GIVEN),
        (RunOptions(), Settings(), {}, PortalSource.FIRST_RUN),
        (RunOptions(), Settings(portal_kind="webhook"), {}, PortalSource.FIRST_RUN),
        (RunOptions(), None, {}, PortalSource.SAVED),  # scripts: the keyring's webhook
    ],
)
def test_the_order(options, settings, env, source) -> None:
    assert decide_portal(options, settings, env).source is source


def test_what_a_decision_carries() -> None:
    given = decide_portal(RunOptions(portal=URL, allow_http=True), Settings(), {})
    assert given.webhook_url == URL and given.allow_http
    assert URL not in repr(given) and URL not in repr(RunOptions(portal=URL)), "a secret"
    saved = decide_portal(RunOptions(), dataclasses.replace(SAVED, allow_http=True), {})
    assert (saved.portal_hint, saved.allow_http, saved.webhook_url) == (
        SAVED.portal_url_hint,
        True,
        None,
    )
    assert decide_portal(RunOptions(demo=True), None, {}).is_demo


def test_run_options_are_frozen_and_never_settings() -> None:
    options = RunOptions(online_window_min=5, log_level="debug")
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.demo = True  # type: ignore[misc]
    settings = Settings(online_window_min=20, log_level="error")
    assert options.online_window_s(settings) == 300
    assert options.effective_log_level(settings) == "debug"
    assert options.without_online_window().online_window_s(settings) == 1200
    assert RunOptions().effective_log_level(settings) == "error"
