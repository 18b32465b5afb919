"""The app for a WSGI server: settings from NEWSGRAPH_* variables (``newsgraph serve`` sets them)."""

from __future__ import annotations

import time


def app_from_env():
    from newsgraph.serve import leave

    from . import create_app

    born = time.monotonic()
    app = create_app()
    app.config["ON_RECYCLE"] = lambda: leave(born)
    return app
