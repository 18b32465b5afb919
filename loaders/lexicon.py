"""The extraction data (data/*.yaml, data/first_names.txt), loaded once and compiled."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data"


@dataclass
class Known:
    """A gazetteer entry."""

    label: str
    kind: str                           # person | organisation | place
    wikidata: str | None = None
    outlet: bool = False
    aliases: list[str] = field(default_factory=list)
    demonyms: list[str] = field(default_factory=list)
    country: str | None = None


@dataclass
class Trigger:
    type: str
    words: tuple[str, ...]              # lowercase tokens
    context: frozenset[str] = frozenset()


def _words(items) -> set[str]:
    return {str(i).lower() for i in items}


class Lexicon:
    def __init__(self, gazetteer: dict, lexicon: dict, first_names: set[str]):
        self.known: list[Known] = []
        for kind, key in (("person", "people"), ("organisation", "organisations"), ("place", "places")):
            for entry in gazetteer.get(key, []):
                self.known.append(self._entry(kind, entry))
        self.by_alias: dict[str, Known] = {}
        for k in self.known:
            for alias in [k.label, *k.aliases]:
                self.by_alias.setdefault(alias, k)
        self.by_label = {k.label: k for k in self.known}
        self.demonyms: dict[str, Known] = {}
        for k in self.known:
            for d in k.demonyms:
                self.demonyms[d] = k
        aliases = sorted(self.by_alias, key=len, reverse=True)
        self.alias_re = re.compile(r"(?<![\w.-])(?:" + "|".join(re.escape(a) for a in aliases) + r")(?![\w-])")
        self.gazetteer_tokens = {t.lower() for a in self.by_alias for t in a.split()}

        cues = lexicon["cues"]
        self.cues_assert = _words(cues["assert"])
        self.cues_deny = _words(cues["deny"])
        self.cue_phrases = {"assert": [p.lower() for p in cues["phrases"]["assert"]],
                            "deny": [p.lower() for p in cues["phrases"]["deny"]]}
        self.hearer_verbs = _words(lexicon["hearer_verbs"])
        self.hearers = [h.lower() for h in lexicon["hearers"]]
        self.claim_nouns = _words(lexicon["claim_nouns"])
        self.adverbs = _words(lexicon["adverbs"])
        self.title_heads = _words(lexicon["title_heads"])
        self.title_modifiers = _words(lexicon["title_modifiers"])
        self.organisation_heads = _words(lexicon["organisation_heads"])
        self.place_heads = _words(lexicon["place_heads"])
        self.not_names = _words(lexicon["not_names"])
        self.source_heads = _words(lexicon["source_heads"])
        self.source_determiners = _words(lexicon["source_determiners"])
        self.source_post = re.compile("(?:" + "|".join(lexicon["source_postmodifiers"]) + ")")
        self.first_names = first_names
        self.triggers: list[Trigger] = []
        for etype, entries in lexicon["events"].items():
            for entry in entries:
                words, _, ctx = str(entry).partition("|")
                self.triggers.append(Trigger(etype, tuple(words.lower().split()),
                                             frozenset(c.strip() for c in ctx.split(",") if c.strip())))
        self.triggers.sort(key=lambda t: -len(t.words))
        self.triggers_by_first: dict[str, list[Trigger]] = {}
        for t in self.triggers:
            self.triggers_by_first.setdefault(t.words[0], []).append(t)
        self.modality = {m: [tuple(str(p).lower().split()) for p in cues_]
                         for m, cues_ in lexicon["modality"].items()}
        self.modality_first = {m: {p[0] for p in phrases} for m, phrases in self.modality.items()}
        self.recency = [tuple(str(p).lower().split()) for p in lexicon["recency"]]

    @staticmethod
    def _entry(kind: str, entry: dict) -> Known:
        label = entry["label"]
        aliases = list(entry.get("aliases", []))
        if kind == "person" and entry.get("surname", True) and " " in label:
            surname = label.split()[-1]
            if surname not in aliases:
                aliases.append(surname)
        return Known(label=label, kind=kind, wikidata=entry.get("wikidata"),
                     outlet=bool(entry.get("outlet")), aliases=aliases,
                     demonyms=list(entry.get("demonyms", [])), country=entry.get("country"))

    def is_title_word(self, word: str) -> bool:
        w = word.lower()
        return w in self.title_heads or w in self.title_modifiers


@lru_cache(maxsize=1)
def load() -> Lexicon:
    with open(DATA / "gazetteer.yaml", encoding="utf-8") as f:
        gazetteer = yaml.safe_load(f)
    with open(DATA / "lexicon.yaml", encoding="utf-8") as f:
        lexicon = yaml.safe_load(f)
    names = {line.strip() for line in (DATA / "first_names.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")}
    return Lexicon(gazetteer, lexicon, names)
