"""The contact person's desk over HTTP (issue 16): the service catalogue, one message opened or deleted.

Registered by :func:`issuer.web.make_app`; the other user-management routes live in :mod:`issuer.web`.
"""

from __future__ import annotations

from aiohttp import web

from app.policy import Refusal
from issuer.problems import Problem
from issuer.web import SERVICE, _run, holder


def _message_id(request: web.Request) -> int:
    text = request.match_info["message_id"]
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise Problem(Refusal.NOT_FOUND, "no such message in your message box")
    return int(text)


async def services(request: web.Request) -> web.Response:
    """R10: the issuer's catalogue of services, with Dutch and English names (no login needed)."""
    return web.json_response({"services": request.app[SERVICE].catalogue.as_json()})


async def message(request: web.Request) -> web.Response:
    h = await holder(request)
    return web.json_response(await _run(request, request.app[SERVICE].message, h, _message_id(request)))


async def delete_message(request: web.Request) -> web.Response:
    h = await holder(request)
    message_id = _message_id(request)
    await _run(request, request.app[SERVICE].delete_message, h, message_id)
    return web.json_response({"deleted": message_id})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/services", services)
    app.router.add_get("/api/v1/messages/{message_id}", message)
    app.router.add_delete("/api/v1/messages/{message_id}", delete_message)
