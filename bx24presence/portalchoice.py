"""Which portal this run uses, decided once for the command line and the window.

The order: ``--demo``; ``--portal URL``; the environment variable
``BX24PRESENCE_WEBHOOK``; the saved portal (the demo, or a webhook kept in the secret
store); otherwise it is the first run (the window asks; ``--once`` fails with usage help).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from bx24presence.runoptions import RunOptions
from bx24presence.secrets import ENV_WEBHOOK, WEBHOOK_URL
from bx24presence.settings.model import Settings

log = logging.getLogger(__name__)


class PortalSource(Enum):
    """Where this run's portal comes from."""

    DEMO = "demo"
    """``--demo``, or the demo saved as the portal."""
    GIVEN = "given"
    """``--portal URL`` (or ``--portal -``, read from standard input)."""
    ENVIRONMENT = "environment"
    """The environment variable ``BX24PRESENCE_WEBHOOK``."""
    SAVED = "saved"
    """The webhook saved by the window, in the secret store (loaded when needed)."""
    FIRST_RUN = "first-run"
    """Nothing is configured: ask the user."""


@dataclass(frozen=True)
class PortalDecision:
    """The portal for this run.

    Attributes:
        source: Where it comes from.
        webhook_url: The webhook (a secret) for ``GIVEN`` and ``ENVIRONMENT``; else None.
        portal_hint: The saved portal's scheme and host for ``SAVED`` ("" when unknown).
        allow_http: Accept plain http (``--allow-http`` or the saved choice).
    """

    source: PortalSource
    webhook_url: str | None = field(default=None, repr=False)
    portal_hint: str = ""
    allow_http: bool = False

    @property
    def is_demo(self) -> bool:
        """Whether this run uses the embedded demo portal."""
        return self.source is PortalSource.DEMO


def decide_portal(
    options: RunOptions,
    settings: Settings | None,
    environ: Mapping[str, str] | None = None,
) -> PortalDecision:
    """Decide the portal of this run.

    Args:
        options: The command line's options.
        settings: The saved settings; ``None`` for scripts (``--once``), which do not read
            them: there the saved portal is whatever webhook the secret store holds.
        environ: The environment (default ``os.environ``).

    Returns:
        The decision; nothing is started or read from the secret store here.
    """
    environ = os.environ if environ is None else environ
    allow_http = options.allow_http or (settings is not None and settings.allow_http)
    if options.demo:
        return PortalDecision(PortalSource.DEMO, allow_http=allow_http)
    if options.portal:
        return PortalDecision(PortalSource.GIVEN, options.portal, allow_http=allow_http)
    env = environ.get(ENV_WEBHOOK, "").strip()
    if env:
        return PortalDecision(PortalSource.ENVIRONMENT, env, allow_http=allow_http)
    if settings is None:
        return PortalDecision(PortalSource.SAVED, allow_http=allow_http)
    if settings.portal_kind == "demo":
        return PortalDecision(PortalSource.DEMO, allow_http=allow_http)
    if settings.portal_kind == "webhook" and settings.portal_url_hint:
        return PortalDecision(
            PortalSource.SAVED, portal_hint=settings.portal_url_hint, allow_http=allow_http
        )
    return PortalDecision(PortalSource.FIRST_RUN, allow_http=allow_http)


def saved_webhook_url() -> str | None:
    """The webhook saved in the secret store (the keyring), or None; may take seconds."""
    from bx24presence.secrets import SecretStore  # noqa: PLC0415  (loads the keyring)

    try:
        return SecretStore().get(WEBHOOK_URL)
    except OSError:
        log.debug("No stored webhook", exc_info=True)
        return None
