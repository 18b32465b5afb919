"""Exceptions -> HTTP status with a plain-text message, in one place. No stack traces out."""

from __future__ import annotations

import uuid

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from newsgraph.store import StoreBusy, StoreError

from .execute import QueryTimeout, ResultTooLarge


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def text(status: int, message: str, headers: dict | None = None, detail: str | None = None,
         traceback: bool = False) -> Response:
    """A plain-text error. A 5xx gets a request id, in the answer and in one log line, which
    says `detail` (what only the log may know) and, if asked, the traceback."""
    headers = dict(headers or {})
    if status >= 500:
        rid = uuid.uuid4().hex[:12]
        headers["X-Request-Id"] = rid
        message = f"{message.rstrip()} (request id {rid})"
        log = current_app.logger.error if status != 503 else current_app.logger.warning
        log("request %s: %d on %s %s: %s", rid, status, request.method, request.path, detail or message,
            exc_info=traceback)
    resp = Response(message.rstrip("\n") + "\n", status=status, content_type="text/plain; charset=utf-8")
    for k, v in headers.items():
        resp.headers[k] = v
    return resp


def init_app(app: Flask) -> None:
    @app.errorhandler(HttpError)
    def _http_error(e: HttpError):
        return text(e.status, e.message, e.headers)

    @app.errorhandler(QueryTimeout)
    def _timeout(e):
        return text(503, f"Query timeout: {e}. Narrow the query or add a LIMIT.")

    @app.errorhandler(ResultTooLarge)
    def _too_large(e):
        return text(400, str(e))

    @app.errorhandler(StoreBusy)
    def _busy(e):
        return text(503, str(e), {"Retry-After": "5"})

    @app.errorhandler(StoreError)
    def _store(e):
        return text(500, "the store could not be read", detail=f"store error: {e}")

    @app.errorhandler(HTTPException)
    def _werkzeug(e: HTTPException):
        headers = {}
        if e.code == 405 and e.valid_methods:
            headers["Allow"] = ", ".join(e.valid_methods)
        return text(e.code or 500, e.description or e.name, headers)

    @app.errorhandler(Exception)
    def _unexpected(e):
        return text(500, "internal error", detail="unexpected error", traceback=True)
