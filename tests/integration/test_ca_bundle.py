"""A self-hosted portal with the company's own certificate authority: named once, trusted by
every client of the run; a wrong file is one clear line at the start (exit 2)."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bx24presence import cli, clionce, trust
from bx24presence.api.auth import parse_webhook_url
from bx24presence.api.client import Bitrix24Client
from bx24presence.api.errors import CertificateError
from bx24presence.demo import DemoPortal
from tests import hostile


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (trust.ENV, "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(clionce, "ONCE_RETRY_ATTEMPTS", 1)


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DemoPortal, Path]]:
    """A demo portal over HTTPS with a self-signed certificate, and that certificate."""
    context, cert = hostile.tls_context(tmp_path_factory.mktemp("ca"))
    with DemoPortal(users=40, seed=3, tls=context, rate_limit=None) as portal:
        yield portal, cert


def _once(capsys, monkeypatch, url: str, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(url + "\n"))
    code = cli.main(["--once", "--json", "--portal", "-", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_without_the_bundle_the_portal_is_refused_with_the_way_out(tls, capsys, monkeypatch):
    portal, _ = tls
    code, out, err = _once(capsys, monkeypatch, portal.webhook_url)
    assert code == 4 and out == ""
    assert "not trusted" in err and "--ca-bundle" in err
    assert portal.secret not in err and len(err.strip().splitlines()) == 1


def test_ca_bundle_option_trusts_the_portal_for_this_run(tls, capsys, monkeypatch):
    portal, cert = tls
    code, out, err = _once(capsys, monkeypatch, portal.webhook_url, "--ca-bundle", str(cert))
    assert code == 0, err
    assert [r["id"] for r in json.loads(out)] == portal.colleague_ids()


def test_the_environment_names_the_bundle_for_every_client(tls, capsys, monkeypatch):
    portal, cert = tls
    monkeypatch.setenv(trust.ENV, str(cert))
    code, out, err = _once(capsys, monkeypatch, portal.webhook_url)
    assert code == 0, err
    assert len(json.loads(out)) == len(portal.colleague_ids())
    # A client built anywhere else in the process (the window's session, the welcome test,
    # the relay) trusts it too, without being told.
    with Bitrix24Client(parse_webhook_url(portal.webhook_url)) as client:
        assert client.call("profile").result["ID"] == "1"


def test_a_client_told_nothing_trusts_only_the_system(tls):
    portal, _ = tls
    with (
        Bitrix24Client(parse_webhook_url(portal.webhook_url)) as client,
        pytest.raises(CertificateError),
    ):
        client.call("profile")


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (None, "No such file"),
        (b"not a certificate\n", "no PEM certificate"),
        (b"\x00" * 10, "no PEM certificate"),
    ],
    ids=["missing", "text", "binary"],
)
def test_a_bundle_that_cannot_be_used_is_one_line_and_exit_2(
    tmp_path, capsys, monkeypatch, content, said
) -> None:
    bundle = tmp_path / "company-ca.pem"
    if content is not None:
        bundle.write_bytes(content)
    code = cli.main(["--once", "--json", "--demo", "--ca-bundle", str(bundle)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert said in err and str(bundle) in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_bad_bundle_in_the_environment_is_caught_at_the_start(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(trust.ENV, str(tmp_path))  # a folder
    code = cli.main(["--once", "--json", "--demo"])
    assert code == 2 and "not a file" in capsys.readouterr().err


def test_an_oversized_file_is_not_read_as_a_bundle(tmp_path) -> None:
    big = tmp_path / "huge.pem"
    with big.open("wb") as f:
        f.truncate(trust.MAX_BYTES + 1)
    with pytest.raises(trust.BadCaBundle, match="larger than"):
        trust.check_bundle(big)


def test_a_bundle_that_vanished_after_the_check_is_passed_on_not_raised(tmp_path, monkeypatch):
    monkeypatch.setenv(trust.ENV, str(tmp_path / "gone.pem"))
    assert trust.default_verify() == str(tmp_path / "gone.pem")
    monkeypatch.delenv(trust.ENV)
    assert trust.default_verify() is True
