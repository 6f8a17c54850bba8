"""Endpoint URL safety: HTTPS to public addresses only (loopback HTTP when development allows it)."""

from __future__ import annotations

import ipaddress
import socket
from typing import Protocol
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from postal_hub.core.errors import ValidationFailed

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class Resolver(Protocol):
    def resolve(self, host: str, port: int) -> list[str]:
        """Every address the host name resolves to (empty when it does not resolve)."""
        ...


class SystemResolver:
    """The operating system's resolver (DNS, /etc/hosts)."""

    def resolve(self, host: str, port: int) -> list[str]:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            return []
        return sorted({str(info[4][0]) for info in infos})


class UnsafeUrl(ValidationFailed):
    """The URL is malformed, not HTTPS, or points somewhere the app must never call."""

    def __init__(self, message: str) -> None:
        super().__init__(message, {"url": message})


def _forbidden_reason(address: IPAddress, allow_loopback: bool) -> str | None:
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return _forbidden_reason(mapped, allow_loopback)
    if address.is_loopback:
        return None if allow_loopback else str(_l("The address is this machine (loopback)."))
    if address.is_link_local:
        return str(_l("The address is link-local (e.g. a cloud metadata service)."))
    if address.is_multicast:
        return str(_l("The address is a multicast address."))
    if address.is_unspecified:
        return str(_l("The address is unspecified (0.0.0.0 or ::)."))
    if address.is_private or address.is_reserved or not address.is_global:
        return str(_l("The address is private or reserved, not reachable on the internet."))
    return None


def check_addresses(addresses: list[str], allow_loopback: bool) -> None:
    """Refuse unless every address is public (or loopback, when allowed)."""
    if not addresses:
        raise UnsafeUrl(str(_l("The host name does not resolve to any address.")))
    for text in addresses:
        try:
            address = ipaddress.ip_address(text.split("%", 1)[0])
        except ValueError:
            raise UnsafeUrl(str(_l("The host resolves to an invalid address."))) from None
        reason = _forbidden_reason(address, allow_loopback)
        if reason:
            raise UnsafeUrl(str(_l("This URL is refused: %(reason)s", reason=reason)))


def check_url(url: str, resolver: Resolver, allow_loopback: bool) -> str:
    """The URL, stripped, if it is safe to deliver to now; UnsafeUrl (field `url`) otherwise.

    HTTPS is required; plain HTTP only to a loopback address when allow_loopback (development)."""
    url = (url or "").strip()
    if not url:
        raise UnsafeUrl(str(_l("Enter the URL of your webhook receiver.")))
    if len(url) > 2000:
        raise UnsafeUrl(str(_l("The URL is too long (at most 2000 characters).")))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeUrl(str(_l("This is not a valid URL."))) from None
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in {"https", "http"} or not host:
        raise UnsafeUrl(str(_l("Enter a full https:// URL.")))
    if parts.username or parts.password:
        raise UnsafeUrl(str(_l("The URL must not contain a user name or password.")))
    if parts.fragment:
        raise UnsafeUrl(str(_l("The URL must not contain a #fragment.")))
    addresses = resolver.resolve(host, port or (443 if scheme == "https" else 80))
    check_addresses(addresses, allow_loopback)
    if scheme == "http":
        loopback_only = all(_is_loopback(a) for a in addresses)
        if not (allow_loopback and loopback_only):
            raise UnsafeUrl(
                str(_l("Use https:// (plain http:// is allowed only for this machine in development)."))
            )
    return url


def _is_loopback(text: str) -> bool:
    address = ipaddress.ip_address(text.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback
