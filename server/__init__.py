"""The Flask app: the SPARQL endpoint and the Linked Data pages over one store."""

from __future__ import annotations

import os
from dataclasses import dataclass

from flask import Flask

from newsgraph.config import DEFAULT_BASE, Settings
from newsgraph.store import Store, open_store

from .cache import ResponseCache
from .front import FrontDoor
from .limits import Busy, ClientLimiter


@dataclass
class Context:
    """What every request needs; kept on the app, never global."""

    settings: Settings
    store: Store
    base: str
    cache: ResponseCache


def create_app(config: Settings | dict | None = None, store: Store | None = None) -> Flask:
    """Build the app. ``config`` is Settings or a dict of overrides of NEWSGRAPH_* settings."""
    settings = config if isinstance(config, Settings) else Settings.from_env(**(config or {}))
    if store is None:
        store = open_store(settings.store, create=False)
    base = store.resolve_base(settings.base, DEFAULT_BASE)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body
    app.json.sort_keys = False
    app.extensions["newsgraph"] = Context(settings, store, base, ResponseCache(settings.cache_bytes))

    from . import errors, http, linked_data, sparql, ui

    errors.init_app(app)
    http.init_app(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(ui.bp)
    app.register_blueprint(linked_data.bp)
    # a serving concern: on under `newsgraph serve` (which shares the counts between its workers)
    # or when asked for; an app used in-process (tests, notebooks) has no per-client limit
    shared = os.environ.get("NEWSGRAPH_LIMITS_FILE")
    per_client = settings.max_per_client or (max(1, settings.workers) if shared else 0)
    limiter = ClientLimiter(per_client, shared, settings.query_timeout + 60)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    busy = Busy(os.environ.get("NEWSGRAPH_BUSY_FILE"), cores)
    app.wsgi_app = FrontDoor(app.wsgi_app, app, limiter, busy)
    return app
