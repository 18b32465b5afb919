"""Named extraction stages: Article in, Article out.

A stage declares what it needs (``requires``) and what it fills (``assigns``); the pipeline is
checked when it is built, so a stage never runs before the stage it depends on.
Stateful stages (gazetteers, matchers) come from factories that run once per pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .article import Article


@dataclass(frozen=True)
class StageInfo:
    name: str
    factory: Callable[[], Callable[[Article], Article]]
    requires: tuple[str, ...]
    assigns: tuple[str, ...]


_STAGES: dict[str, StageInfo] = {}

#: what the reader fills before any stage runs
READ_ASSIGNS = ("headline", "body", "published", "authors", "publisher", "section", "url")


def stage(name: str, *, requires=(), assigns=()):
    """Register a stage factory: a function that returns the stage function."""

    def register(factory):
        if name in _STAGES:
            raise ValueError(f"stage {name!r} registered twice")
        _STAGES[name] = StageInfo(name, factory, tuple(requires), tuple(assigns))
        return factory

    return register


def get(name: str) -> StageInfo:
    try:
        return _STAGES[name]
    except KeyError:
        known = ", ".join(sorted(_STAGES)) or "none"
        raise KeyError(f"no extraction stage named {name!r} (known: {known})") from None


class Pipeline:
    def __init__(self, names):
        self.infos = [get(n) for n in names]
        check_order(self.infos)
        self.stages = [(info.name, info.factory()) for info in self.infos]

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.stages]

    def __call__(self, article: Article) -> Article:
        for name, fn in self.stages:
            out = fn(article)
            if not isinstance(out, Article):
                raise TypeError(f"stage {name!r} returned {type(out).__name__}, not an Article")
            out.stages.append(name)
            article = out
        return article


def check_order(infos) -> None:
    available = set(READ_ASSIGNS)
    for info in infos:
        missing = [r for r in info.requires if r not in available]
        if missing:
            raise ValueError(f"stage {info.name!r} requires {', '.join(missing)}, "
                             "which no earlier stage assigns")
        available.update(info.assigns)
