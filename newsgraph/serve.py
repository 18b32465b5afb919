"""`newsgraph serve`: the app under gunicorn, after loading seeds/ into an empty store."""

from __future__ import annotations

from pathlib import Path

from .config import Settings
from .store import open_store


def ensure_seeded(settings: Settings, seeds: Path, echo=print) -> None:
    """Load seeds/ when the store holds no article yet."""
    with open_store(settings.store, create=True) as store:
        if store.ask("ASK { ?a a <http://schema.org/NewsArticle> }"):
            return
        from loaders import load_paths

        echo(f"empty store: loading {seeds}")
        report = load_paths(store, [seeds], base=settings.base)
        for source, reason in report.failed:
            echo(f"failed: {source}: {reason}")
        echo(f"{report.loaded} article(s) loaded")


def serve(settings: Settings, seeds: Path, echo=print) -> None:
    from gunicorn.app.base import BaseApplication

    from server import create_app

    ensure_seeded(settings, seeds, echo)

    class App(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{settings.host}:{settings.port}")
            self.cfg.set("workers", settings.workers)
            self.cfg.set("worker_class", "sync")
            self.cfg.set("timeout", int(settings.query_timeout) + 30)
            self.cfg.set("control_socket_disable", True)
            self.cfg.set("accesslog", "-")

        def load(self):
            return create_app(settings)

    echo(f"serving {settings.store} at http://{settings.host}:{settings.port}/sparql")
    App().run()
