"""R10: the services a certificate may be authorised for, as issuer configuration (``[services.*]``
tables in ``issuer.toml``), each with a Dutch and an English name and the kinds that get it by default."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

KINDS = ("personal", "system")
_ID = re.compile(r"[a-z][a-z0-9-]{0,39}")


@dataclass(frozen=True)
class Service:
    """One service of the catalogue: its id (what the API and the database say) and its names."""

    id: str
    nl: str
    en: str
    default_for: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": {"nl": self.nl, "en": self.en}, "default_for": list(self.default_for)}


@dataclass(frozen=True)
class Catalogue:
    """The issuer's services in the order ``issuer.toml`` lists them."""

    services: tuple[Service, ...]

    def __iter__(self) -> Iterator[Service]:
        return iter(self.services)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.services)

    def __contains__(self, service_id: object) -> bool:
        return service_id in self.ids

    def defaults(self, kind: str) -> tuple[str, ...]:
        """What a new certificate of ``kind`` is authorised for when the request names nothing."""
        return tuple(s.id for s in self.services if kind in s.default_for)

    def as_json(self) -> list[dict[str, Any]]:
        return [s.as_json() for s in self.services]

    def toml(self) -> str:
        """The ``[services.*]`` tables as ``init`` writes them into a new ``issuer.toml``."""
        out = []
        for s in self.services:
            out.append(
                f"[services.{s.id}]\nnl = {json.dumps(s.nl, ensure_ascii=False)}\n"
                f"en = {json.dumps(s.en, ensure_ascii=False)}\ndefault_for = {json.dumps(list(s.default_for))}\n"
            )
        return "\n".join(out)


DEFAULT_CATALOGUE = Catalogue(
    (
        Service("portal", "Portaal (website)", "Portal (website)", ("personal",)),
        Service("cov", "Controle op verzekeringsrecht (COV)", "Insurance eligibility check (COV)", ("system",)),
        Service("declaratie", "Declaratieverkeer", "Claims traffic"),
        Service("zorginkoopportaal", "Zorginkoopportaal", "Care procurement portal (Zorginkoopportaal)"),
    )
)
"""What ``init`` writes into a new ``issuer.toml``, and what an ``issuer.toml`` without ``[services]`` means."""


def load_catalogue(table: object) -> Catalogue:
    """The ``[services]`` table of ``issuer.toml``, checked; absent: :data:`DEFAULT_CATALOGUE`.

    Raises ValueError saying which entry is wrong and how it should look.
    """
    if table is None:
        return DEFAULT_CATALOGUE
    if not isinstance(table, dict) or not table:
        raise ValueError("[services] must hold at least one [services.<id>] table with nl and en names")
    services = []
    for sid, entry in table.items():
        if not _ID.fullmatch(sid):
            raise ValueError(f"service id {sid!r} must be lower-case letters, digits and '-' (at most 40)")
        if not isinstance(entry, dict):
            raise ValueError(f"[services.{sid}] must be a table with nl and en names")
        nl, en, default_for = entry.get("nl"), entry.get("en"), entry.get("default_for", [])
        if not (isinstance(nl, str) and nl.strip() and isinstance(en, str) and en.strip()):
            raise ValueError(f"[services.{sid}] needs a Dutch name (nl) and an English name (en)")
        if not isinstance(default_for, list) or any(k not in KINDS for k in default_for):
            raise ValueError(f"[services.{sid}] default_for must be a list of personal and/or system")
        services.append(Service(sid, nl.strip(), en.strip(), tuple(default_for)))
    return Catalogue(tuple(services))
