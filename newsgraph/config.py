"""Settings: command-line flags > NEWSGRAPH_* environment variables > defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields

DEFAULT_BASE = "http://localhost:8000/"
DEFAULT_STORE = "newsgraph-store"


@dataclass
class Settings:
    #: a directory (embedded Oxigraph), ":memory:", or an http(s) URL of a SPARQL 1.1 store
    store: str = DEFAULT_STORE
    #: base of every minted IRI; None means "whatever the store was loaded with, else the default"
    base: str | None = None
    graph: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    query_timeout: float = 30.0
    update_token: str | None = None
    #: a query without a smaller LIMIT returns at most this many rows or triples
    #: (announced in the X-Newsgraph-Result-Limit response header)
    max_results: int = 100_000
    #: an answer larger than this is cut off
    max_result_bytes: int = 200_000_000
    #: bytes of whole answers kept in the response cache (0: no cache)
    cache_bytes: int = 64_000_000
    #: request bodies larger than this get 413
    max_body: int = 1_000_000
    #: how many requests one client (address) may have under way at once, across the workers
    #: (0: as many as there are workers, half of what the server runs at once)
    max_per_client: int = 0
    #: a line per request on standard output
    access_log: int = 1
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ=None, **overrides) -> "Settings":
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            raw = environ.get("NEWSGRAPH_" + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _convert(f.type, raw, f.name)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def _convert(kind, raw: str, name: str):
    kind = str(kind)
    try:
        if kind.startswith("int"):
            return int(raw)
        if kind.startswith("float"):
            return float(raw)
    except ValueError:
        raise ValueError(f"NEWSGRAPH_{name.upper()}={raw!r} is not a number") from None
    return raw
