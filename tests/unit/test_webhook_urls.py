"""Endpoint URL safety: HTTPS to public addresses; private, loopback and link-local refused."""

from __future__ import annotations

import pytest

from postal_hub.webhooks.urls import UnsafeUrl, check_url
from tests.fakes import FakeResolver

RESOLVER = FakeResolver(
    {
        "intranet.example.vn": ["10.1.2.3"],
        "mixed.example.vn": ["93.184.216.34", "192.168.1.5"],
        "localhost": ["127.0.0.1"],
    }
)


def test_an_https_url_to_a_public_address_is_accepted() -> None:
    assert check_url(" https://hooks.example.com/in ", RESOLVER, allow_loopback=False) == (
        "https://hooks.example.com/in"
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.8/hook",
        "https://172.16.5.4/hook",
        "https://192.168.0.10/hook",
        "https://127.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[fc00::1]/hook",
        "https://[fe80::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
        "https://100.64.0.1/hook",
        "https://intranet.example.vn/hook",
        "https://mixed.example.vn/hook",
    ],
)
def test_a_url_to_a_non_public_address_is_refused_on_the_url_field(url: str) -> None:
    with pytest.raises(UnsafeUrl) as caught:
        check_url(url, RESOLVER, allow_loopback=False)
    assert "url" in caught.value.fields


def test_a_host_name_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(UnsafeUrl, match="does not resolve"):
        check_url("https://nowhere.invalid/hook", RESOLVER, allow_loopback=False)


def test_plain_http_to_a_public_address_is_refused() -> None:
    with pytest.raises(UnsafeUrl, match="https://"):
        check_url("http://hooks.example.com/in", RESOLVER, allow_loopback=True)


def test_plain_http_to_loopback_is_accepted_when_development_allows_it() -> None:
    assert check_url("http://127.0.0.1:8080/in", RESOLVER, allow_loopback=True)
    assert check_url("http://localhost:8080/in", RESOLVER, allow_loopback=True)


def test_loopback_is_refused_when_not_allowed() -> None:
    with pytest.raises(UnsafeUrl, match="loopback"):
        check_url("http://127.0.0.1:8080/in", RESOLVER, allow_loopback=False)


@pytest.mark.parametrize(
    "url", ["", "ftp://hooks.example.com/", "hooks.example.com/in", "https://user:pw@hooks.example.com/"]
)
def test_a_malformed_or_unsupported_url_is_refused(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        check_url(url, RESOLVER, allow_loopback=True)
