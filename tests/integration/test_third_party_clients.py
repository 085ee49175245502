"""Bitrix24 clients nobody here wrote, talking to the demo portal as to a real one.

``fast_bitrix24`` (aiohttp) pages ``user.get`` over plain http. The official SDK
``b24pysdk`` only builds ``https://<domain>/rest/...`` URLs, so it talks to the demo portal
over TLS with a self-signed certificate, trusted through ``REQUESTS_CA_BUNDLE`` (the
documented setting of ``requests``, the SDK's transport). Neither client is patched.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from bx24presence.demo import DemoPortal
from bx24presence.demo.cli import main as demo_portal_main

fast_bitrix24 = pytest.importorskip("fast_bitrix24")
b24pysdk = pytest.importorskip("b24pysdk")

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback only: no proxy from the environment may take the requests elsewhere."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for ``localhost`` and ``127.0.0.1``."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *[openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"],
            *["-subj", "/CN=localhost"],
            *["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
            *["-keyout", str(key), "-out", str(cert)],
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


@pytest.fixture(scope="module")
def https_portal(certificate: tuple[Path, Path]) -> Iterator[DemoPortal]:
    """A demo portal over HTTPS, with the cloud's default rate limit."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    with DemoPortal(users=160, seed=5, tls=context) as portal:
        yield portal


@pytest.fixture
def sdk(https_portal: DemoPortal, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch):
    """A b24pysdk client on the demo portal's webhook, trusting the test certificate."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate[0]))
    token = b24pysdk.BitrixWebhook(
        domain=f"127.0.0.1:{https_portal.port}",
        webhook_token=f"1/{https_portal.secret}",
    )
    return b24pysdk.Client(token)


def _active_ids(portal: DemoPortal) -> list[int]:
    """What ``user.get`` with ``ACTIVE`` true must list: active real users."""
    return [u.id for u in portal.users.values() if u.is_real and u.active]


# The demo portal over HTTPS ---------------------------------------------------------------


def test_https_portal_urls_and_a_client_that_refuses_the_certificate(
    https_portal: DemoPortal, certificate: tuple[Path, Path], capfd: pytest.CaptureFixture[str]
) -> None:
    assert https_portal.webhook_url.startswith(f"https://127.0.0.1:{https_portal.port}/rest/1/")
    with pytest.raises(requests.exceptions.SSLError):
        requests.post(https_portal.webhook_url + "profile", timeout=10)
    trusted = requests.post(https_portal.webhook_url + "profile", timeout=10, verify=certificate[0])
    assert trusted.json()["result"]["ID"] == "1"
    avatar = trusted.json()["result"]["PERSONAL_PHOTO"]
    assert avatar.startswith("https://127.0.0.1:")
    assert requests.get(avatar, timeout=10, verify=certificate[0]).status_code == 200
    assert "Traceback" not in capfd.readouterr().err  # A refused handshake is not an error.


def test_demo_portal_command_refuses_an_unreadable_certificate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert demo_portal_main(["--port", "0", "--cert", str(tmp_path / "missing.pem")]) == 2
    assert "cannot load" in capsys.readouterr().err


# fast_bitrix24 -----------------------------------------------------------------------------


def test_fast_bitrix24_pages_every_active_user() -> None:
    """The first page goes as JSON (``true``), the rest in a batch as ``filter[ACTIVE]=True``."""
    with DemoPortal(users=505, seed=2) as portal:
        bitrix = fast_bitrix24.Bitrix(portal.webhook_url, verbose=False)
        users = bitrix.get_all("user.get", {"filter": {"ACTIVE": True}})
        assert sorted(int(u["ID"]) for u in users) == _active_ids(portal)
        assert len(users) > 505
        assert [r.rest_method for r in portal.log] == ["user.get", "batch"]
        assert {r.status for r in portal.log} == {200}
        employees = bitrix.get_all(
            "user.get", {"filter": {"ACTIVE": True, "USER_TYPE": "employee"}}
        )
        assert sorted(int(u["ID"]) for u in employees) == portal.colleague_ids()
        fired = bitrix.get_all("user.get", {"filter": {"ACTIVE": False}})
        expected = [u.id for u in portal.users.values() if u.is_real and not u.active]
        assert sorted(int(u["ID"]) for u in fired) == expected


def test_fast_bitrix24_reads_departments_and_presence() -> None:
    with DemoPortal(users=120, seed=3) as portal:
        bitrix = fast_bitrix24.Bitrix(portal.webhook_url, verbose=False)
        managers = bitrix.call("im.department.managers.get", {"ID": [1]}, raw=True)
        assert managers["result"] == {"1": [portal.departments[1].manager_id]}
        online = bitrix.call("user.online", {}, raw=True)["result"]
        assert sorted(int(uid) for uid in online) == sorted(portal.online_ids())


# b24pysdk ----------------------------------------------------------------------------------


def test_b24pysdk_lists_active_users(sdk: Any, https_portal: DemoPortal) -> None:
    first = sdk.user.get(filter={"ACTIVE": True}).response
    assert len(first.result) == 50
    assert first.total == len(_active_ids(https_portal))
    everyone = sdk.user.get(filter={"ACTIVE": True}).as_list().response.result
    assert sorted(int(u["ID"]) for u in everyone) == _active_ids(https_portal)
    assert all(u["ACTIVE"] is True for u in everyone)


def test_b24pysdk_im_users(sdk: Any, https_portal: DemoPortal) -> None:
    fired = next(u.id for u in https_portal.users.values() if not u.active)
    found = sdk.im.user.list.get(bitrix_id=[1, fired, 99_999]).response.result
    assert list(found) == ["1", str(fired), "99999"]
    assert found["1"]["id"] == 1
    assert found[str(fired)]["active"] is False
    assert found["99999"] is None
    me = sdk.im.user.get(bitrix_id=2).response.result
    assert (me["id"], me["status"]) == (2, "online")


def test_b24pysdk_im_department_methods(sdk: Any, https_portal: DemoPortal) -> None:
    """What the SDK's own integration tests for ``im.department.*`` check, and the values."""
    head = https_portal.departments[1]
    departments = sdk.im.department.get(bitrix_id=[1]).response.result
    assert departments == [
        {"id": 1, "name": head.name, "full_name": head.name, "manager_user_id": head.manager_id}
    ]
    staff = [u.id for u in https_portal.users.values() if u.active and 1 in u.departments]
    employees = sdk.im.department.employees.get(bitrix_id=[1]).response.result
    assert employees == {"1": staff}
    with_data = sdk.im.department.employees.get(bitrix_id=[1], user_data=True).response.result
    assert [user["id"] for user in with_data["1"]] == staff
    managers = sdk.im.department.managers.get(bitrix_id=[1]).response.result
    assert managers == {"1": [head.manager_id]}
    page = sdk.im.department.colleagues.list(limit=5, offset=2).response
    assert isinstance(page.result, list)
    assert len(page.result) == 5
    everyone = sdk.im.department.colleagues.list(limit=50).response
    assert page.result == everyone.result[2:7]
    assert page.total == everyone.total
    objects = sdk.im.department.colleagues.list(user_data=True, limit=3).response.result
    assert [user["id"] for user in objects] == everyone.result[:3]


def test_b24pysdk_sees_the_portals_errors(sdk: Any) -> None:
    with pytest.raises(b24pysdk.errors.BitrixAPIBadRequest) as caught:
        sdk.im.department.employees.get(bitrix_id=[]).response  # noqa: B018
    assert caught.value.error == "ID_EMPTY"
    assert caught.value.error_description == "Department ID can't be empty"
