"""Which certificate authorities vouch for the portal: the system's, or a bundle the user names.

A self-hosted portal often has a certificate from the company's own authority, which the
system does not know. The user names a PEM bundle once, with ``--ca-bundle FILE`` for one run
or the environment variable :data:`ENV` for every run; every connection to the portal (the
client, the welcome dialog's test, the relay) then trusts the authorities in it instead of the
system's. The bundle is checked before it is used, so a wrong file is one clear sentence at the
start, not a certificate error on every refresh.
"""

from __future__ import annotations

import logging
import os
import ssl
from pathlib import Path

log = logging.getLogger(__name__)

#: The environment variable that names a CA bundle for every run.
ENV = "BX24PRESENCE_CA_BUNDLE"

#: A bundle larger than this is not a bundle of certificates (the system's is about 200 KB).
MAX_BYTES = 4 * 1024 * 1024


class BadCaBundle(ValueError):
    """The named CA bundle cannot be used; the message says why, in one sentence."""


def check_bundle(path: str | os.PathLike[str]) -> str:
    """The absolute path of a usable PEM bundle at ``path``, or :class:`BadCaBundle`."""
    p = Path(path).expanduser()
    shown = str(p)
    try:
        info = p.stat()
    except OSError as exc:
        raise BadCaBundle(f"CA bundle {shown}: {exc.strerror or 'cannot be read'}.") from None
    if not p.is_file():
        raise BadCaBundle(f"CA bundle {shown}: not a file.")
    if info.st_size > MAX_BYTES:
        raise BadCaBundle(f"CA bundle {shown}: larger than {MAX_BYTES // (1024 * 1024)} MB.")
    context = ssl.create_default_context(cafile=None)
    try:
        context.load_verify_locations(cafile=str(p))
    except (ssl.SSLError, OSError, ValueError):
        raise BadCaBundle(f"CA bundle {shown}: no PEM certificate in it.") from None
    if not context.get_ca_certs():
        raise BadCaBundle(f"CA bundle {shown}: no certificate authority in it.")
    return str(p.resolve())


def default_verify() -> bool | str:
    """What TLS verification trusts for the portal: True (the system) or the named bundle.

    Never raises: a bundle that became unusable after the start-up check is still passed on,
    and the connection then fails as an untrusted certificate, which the user is told.
    """
    named = os.environ.get(ENV, "").strip()
    if not named:
        return True
    try:
        return check_bundle(named)
    except BadCaBundle as exc:
        log.warning("%s", exc)
        return str(Path(named).expanduser())
