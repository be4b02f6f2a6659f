"""Vet a webhook URL before we connect to it, so a seller's URL cannot reach our own network (SSRF guard)."""
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}

# The cloud metadata services hand out credentials; no webhook has a reason to go there, so these stay refused
# even with allow_private (which exists for self-hosters posting to a service on their own LAN).
METADATA_ADDRESSES = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})
METADATA_HOSTS = frozenset({"metadata.google.internal"})

SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT; is_private misses it
UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # carries an IPv4 address in its last 32 bits

# Every printable ASCII character stays as it is (existing %xx escapes too); the rest is percent-encoded,
# because http.client can only send ASCII in the request line.
_PRINTABLE_ASCII = bytes(range(0x21, 0x7F)).decode("ascii")


class UnsafeDestination(Exception):
    """The URL may not be used. `code` is one of "scheme", "host" (also: a malformed URL or user:pass@),
    "private_address" (also: internal host names), "unresolvable"."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ParsedTarget:
    scheme: str
    host: str  # lower-case ASCII (IDNA), IPv6 without brackets: what TLS and the Host header need
    port: int
    path_and_query: str
    addresses: tuple[str, ...]  # every address the host resolved to, all vetted; connect only to these


def is_loopback(host):
    """Whether a host name is this computer: localhost or a loopback address."""
    host = (host or "").strip().rstrip(".").lower().strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refusal_reason(address, allow_private):
    """Why this IP address may not be contacted, as a few words, or None when it may."""
    ip = ipaddress.ip_address(address)
    if ip.version == 6:
        # An IPv4 address wrapped in IPv6 reaches the IPv4 host, so judge the IPv4 address.
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip in NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.version == 6 and ip.scope_id:
        ip = ipaddress.IPv6Address(str(ip).split("%")[0])
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if allow_private:
        return None
    checks = (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.version == 4 and ip in SHARED_ADDRESS_SPACE, "a shared address space (100.64.0.0/10) address"),
        (ip.version == 6 and ip in UNIQUE_LOCAL, "a unique-local (fc00::/7) address"),
        (ip.is_private, "a private address"),
        (ip.is_reserved, "a reserved address"),
        # Catch-all for whatever the list above misses (documentation, benchmarking, ... ranges).
        (not ip.is_global, "not a public address"),
    )
    return next((reason for refused, reason in checks if refused), None)


def _refused_host_name(name, allow_private):
    name = name.rstrip(".")
    if name in METADATA_HOSTS:
        return True
    if allow_private:
        return False
    return name == "localhost" or name.endswith((".localhost", ".internal"))


def check_url(url: str, allow_private: bool) -> ParsedTarget:
    """Parse and resolve an http(s) URL; raise UnsafeDestination unless every address it names is allowed."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError:
        raise UnsafeDestination("host", "the URL cannot be parsed") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UnsafeDestination("scheme", f"only http and https URLs are allowed, not {scheme or 'no scheme'!r}")
    if "@" in parts.netloc:
        raise UnsafeDestination("host", "URLs with a user name or password (user:pass@) are not allowed")
    host = parts.hostname or ""
    if not host:
        raise UnsafeDestination("host", "the URL has no host")
    if port == 0:
        raise UnsafeDestination("host", "port 0 is not a valid port")
    try:
        host = host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError:
        raise UnsafeDestination("host", f"{host!r} is not a valid host name") from None
    if any(not ch.isprintable() or ch.isspace() for ch in host):
        raise UnsafeDestination("host", f"{host!r} is not a valid host name")
    if _refused_host_name(host, allow_private):
        raise UnsafeDestination("private_address", f"{host} is an internal host name")
    port = port or DEFAULT_PORTS[scheme]

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise UnsafeDestination("unresolvable", f"{host} cannot be resolved") from None
    # Keep the resolver's order (it is the preferred connection order) but list each address once.
    addresses = tuple(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UnsafeDestination("unresolvable", f"{host} resolved to no address")
    # One bad address is enough to refuse: a name that resolves to both public and private could be
    # connected to either, and an attacker picks the answer order.
    for address in addresses:
        reason = refusal_reason(address, allow_private)
        if reason:
            raise UnsafeDestination("private_address", f"{host} resolves to {address}, {reason}")

    path = quote(parts.path or "/", safe=_PRINTABLE_ASCII)
    query = quote(parts.query, safe=_PRINTABLE_ASCII)
    return ParsedTarget(scheme, host, port, path + (f"?{query}" if query else ""), addresses)
