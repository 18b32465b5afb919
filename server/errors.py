"""Exceptions -> HTTP status with a plain-text message, in one place. No stack traces out."""

from __future__ import annotations

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from newsgraph.store import StoreBusy, StoreError


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def text(status: int, message: str, headers: dict | None = None) -> Response:
    resp = Response(message.rstrip("\n") + "\n", status=status,
                    content_type="text/plain; charset=utf-8")
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def init_app(app: Flask) -> None:
    @app.errorhandler(HttpError)
    def _http_error(e: HttpError):
        return text(e.status, e.message, e.headers)

    @app.errorhandler(StoreBusy)
    def _busy(e):
        return text(503, str(e), {"Retry-After": "5"})

    @app.errorhandler(StoreError)
    def _store(e):
        app.logger.error("store error: %s", e)
        return text(500, "the store could not be read")

    @app.errorhandler(HTTPException)
    def _werkzeug(e: HTTPException):
        return text(e.code or 500, e.description or e.name)

    @app.errorhandler(Exception)
    def _unexpected(e):
        app.logger.exception("unexpected error")
        return text(500, "internal error")
