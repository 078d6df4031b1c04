"""Behind a TLS terminator: which peers may forward a client certificate (``--trusted-proxy``).

Light on purpose (the standard library only): ``zorgcert-issuer serve`` checks its arguments
with it before the web layer is loaded.
"""

from __future__ import annotations

import ipaddress

Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


def trusted_networks(addresses: list[str] | tuple[str, ...]) -> Networks:
    """``--trusted-proxy`` values (addresses or networks) as networks; ValueError names a bad one."""
    out = []
    for a in addresses:
        try:
            out.append(ipaddress.ip_network(a.strip(), strict=False))
        except ValueError:
            raise ValueError(f"--trusted-proxy {a!r} is not an IP address or network") from None
    return tuple(out)


def from_trusted_proxy(remote: str | None, trusted: Networks) -> bool:
    """The peer is one of the configured TLS terminators (never by default: ``trusted`` is explicit)."""
    try:
        ip = ipaddress.ip_address((remote or "").split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in net for net in trusted)
