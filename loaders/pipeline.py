"""The default extraction pipeline and what identifies it."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from . import amounts, entities, events, nlp, statements, times  # noqa: F401  (they register stages)
from .registry import Pipeline, check_order, get

DATA = Path(__file__).parent / "data"

#: stage names, in order; each module registers its stages when imported
DEFAULT_STAGES: list[str] = ["tokens", "entities", "times", "statements", "events", "amounts"]


@lru_cache(maxsize=1)
def data_version() -> str:
    """A hash of the data files (gazetteers, patterns): a change means re-extraction."""
    h = hashlib.sha256()
    for path in sorted(DATA.rglob("*")):
        if path.is_file():
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


def build_pipeline(stages=None) -> Pipeline:
    pipeline = Pipeline(DEFAULT_STAGES if stages is None else stages)
    pipeline.data_version = data_version()
    return pipeline


def check_stages(stages=None) -> None:
    """Fail as build_pipeline would (an unknown stage, a stage before what it needs) without
    building the stages (spaCy and the gazetteers take a second or two)."""
    check_order([get(n) for n in (DEFAULT_STAGES if stages is None else stages)])
