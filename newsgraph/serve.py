"""`newsgraph serve`: the app under gunicorn, after loading seeds/ into an empty store.

The process model follows from pyoxigraph's measured behaviour: an on-disk store has one
writer, and a read-only open is a frozen snapshot. So each gunicorn worker process reads the
store's newest checkpoint (moving to a newer one as soon as a load or an update publishes it),
writes (/update) take the store's write lock for their moment, and sync workers answer one
request each, several processes wide. A query that outlives --query-timeout gets a 503, and
its worker is replaced right after answering: that is what stops the runaway evaluation,
which pyoxigraph cannot cancel, while the other workers go on answering.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from .config import Settings
from .store import open_store


def ensure_seeded(settings: Settings, seeds: Path, echo=print) -> None:
    """Load seeds/ when the store holds no article yet, in a process of its own.

    The gunicorn master must never open RocksDB: its background threads do not survive
    fork(), and a worker that then writes (/update) would wait for them forever.
    """
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        for line in pool.apply(_seed, (settings, seeds)):
            echo(line)


def _seed(settings: Settings, seeds: Path) -> list[str]:
    out = []
    echo = out.append
    with open_store(settings.store, create=True) as store:
        if store.ask("ASK { ?a a <http://schema.org/NewsArticle> }"):
            return out
        from loaders import load_paths

        echo(f"empty store: loading {seeds}")
        report = load_paths(store, [seeds], base=settings.base)
        for source, reason in report.failed:
            echo(f"failed: {source}: {reason}")
        echo(f"{report.loaded} article(s) loaded")
    return out


def _leave() -> None:
    """Ask this gunicorn worker to stop after the response it has just sent."""
    os.kill(os.getpid(), signal.SIGTERM)


def gunicorn_options(settings: Settings) -> dict:
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": settings.workers,
        "worker_class": "sync",
        # gunicorn's own watchdog only for a worker that hangs outside a query
        "timeout": int(settings.query_timeout) + 30,
        "graceful_timeout": 5,
        "control_socket_disable": True,
        "accesslog": "-",
        "limit_request_line": 8190,
    }


def serve(settings: Settings, seeds: Path, echo=print) -> None:
    from gunicorn.app.base import BaseApplication

    from server import create_app

    ensure_seeded(settings, seeds, echo)
    options = gunicorn_options(settings)

    class App(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)
            # a replaced worker may have a runaway query thread: end the process outright
            self.cfg.set("worker_exit", lambda server, worker: os._exit(0))

        def load(self):
            app = create_app(settings)
            app.config["ON_RECYCLE"] = _leave
            return app

    echo(f"serving {settings.store} at http://{settings.host}:{settings.port}/sparql "
         f"({settings.workers} workers, query timeout {settings.query_timeout:g} s)")
    App().run()
