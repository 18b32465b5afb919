"""Extraction quality: precision and recall against what a careful reader takes from articles.

    python bench/quality.py [--json OUT]

Scores the default pipeline on the seeds (seeds/expected.yaml), on the annotated development
corpus (bench/corpus/annotations.yaml) and on held-out articles the rules were not tuned on
(bench/heldout/annotations.yaml): statements (span and speaker), direct quotes, entities (with
type and Wikidata id), events (type, then time, place and modality of the matched ones) and
amounts. Matching is lenient on wording (a snippet inside the extracted content; a speaker
label that names the same agent) and strict on substance.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loaders.pipeline import build_pipeline  # noqa: E402
from loaders.read import read_file  # noqa: E402

EVENT_FAMILY = {"Talks": "Talks", "Meeting": "Talks", "Summit": "Talks", "Statement event": "SpeechAct",
                "SpeechAct": "SpeechAct", "Report": "Publication", "Publication": "Publication"}
FORMS = {"direct": "DirectQuote", "partial-quote": "PartialQuote", "indirect": "Paraphrase"}
STANCES = {"assert": "Asserts", "deny": "Denies"}
_DET = re.compile(r"^(?:a|an|the|his|her|their|its)\s+", re.I)


def norm(text: str) -> str:
    text = text.replace("’", "'").replace("“", '"').replace("”", '"')
    return " ".join(_DET.sub("", text.strip()).lower().split())


def same_agent(gold: str, label: str) -> bool:
    """'NATO / the US / key European allies' matches a group naming any of them."""
    label_n = norm(label)
    for part in gold.split("/"):
        g = norm(part)
        if not g:
            continue
        if g == label_n or g in label_n or label_n in g:
            return True
        if g.split()[-1] in label_n.split() and len(g.split()[-1]) > 3:
            return True
    return False


def same_entity(gold: str, label: str) -> bool:
    g, e = norm(gold), norm(label)
    return g == e or (len(g) > 3 and (g in e or e in g))


def prf(tp_p: int, n_pred: int, tp_r: int, n_gold: int) -> dict:
    p = tp_p / n_pred if n_pred else 1.0
    r = tp_r / n_gold if n_gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3),
            "predicted": n_pred, "gold": n_gold}


class Scorer:
    def __init__(self):
        self.counts: dict[str, list[int]] = {}
        self.attrs: dict[str, list[int]] = {}
        self.misses: list[str] = []

    def count(self, name: str, tp_p: int, n_pred: int, tp_r: int, n_gold: int) -> None:
        c = self.counts.setdefault(name, [0, 0, 0, 0])
        for i, v in enumerate((tp_p, n_pred, tp_r, n_gold)):
            c[i] += v

    def attr(self, name: str, ok: bool) -> None:
        a = self.attrs.setdefault(name, [0, 0])
        a[0] += int(ok)
        a[1] += 1

    def result(self) -> dict:
        out = {k: prf(*v) for k, v in self.counts.items()}
        out.update({k: {"accuracy": round(v[0] / v[1], 3) if v[1] else 1.0, "n": v[1]}
                    for k, v in self.attrs.items()})
        return out

    # ------------------------------------------------------------ one article

    def article(self, name: str, art, gold: dict) -> None:
        ents = art.entities
        label = lambda key: ents[key].label if key in ents else key  # noqa: E731

        # statements: span, then span + speaker
        preds = art.statements
        golds = gold.get("statements", [])

        def span_ok(st, g):
            return norm(g[5]) in norm(st.content.text) or (
                len(norm(st.content.text)) > 12 and norm(st.content.text) in norm(g[5]))

        def full_ok(st, g):
            return span_ok(st, g) and same_agent(g[0], label(st.speaker))

        self.count("statements (span)", sum(any(span_ok(st, g) for g in golds) for st in preds), len(preds),
                   sum(any(span_ok(st, g) for st in preds) for g in golds), len(golds))
        self.count("statements (span + speaker)", sum(any(full_ok(st, g) for g in golds) for st in preds),
                   len(preds), sum(any(full_ok(st, g) for st in preds) for g in golds), len(golds))
        for g in golds:
            match = next((st for st in preds if full_ok(st, g)), None)
            if match is None:
                self.misses.append(f"{name}: statement [{g[0]}] {g[5]!r}")
                continue
            self.attr("statement form", FORMS[g[3]] == match.form)
            self.attr("statement stance", STANCES[g[4]] == match.stance)
            if g[1]:
                self.attr("statement relay (via)", any(same_agent(g[1], label(v)) for v in match.via))
        quotes_p = [st for st in preds if st.form == "DirectQuote"]
        quotes_g = [g for g in golds if g[3] == "direct"]
        self.count("direct quotes", sum(any(full_ok(st, g) for g in quotes_g) for st in quotes_p), len(quotes_p),
                   sum(any(full_ok(st, g) for st in quotes_p) for g in quotes_g), len(quotes_g))

        # entities: named ones (not unnamed sources or groups)
        named = [e for e in ents.values() if e.kind in ("person", "organisation", "place")]
        gents = gold.get("entities", {})
        kinds = {"Person": "person", "Organization": "organisation", "Place": "place"}
        self.count("entities", sum(any(same_entity(g, e.label) for g in gents) for e in named), len(named),
                   sum(any(same_entity(g, e.label) for e in named) for g in gents), len(gents))
        for g, (gkind, gqid, *_) in gents.items():
            match = next((e for e in named if same_entity(g, e.label)), None)
            if match is None:
                self.misses.append(f"{name}: entity {g}")
                continue
            self.attr("entity type", kinds[gkind] == match.kind)
            if gqid:
                self.attr("entity Wikidata id (recall)", match.wikidata == gqid)
            if match.wikidata:
                self.attr("entity Wikidata id (precision)", match.wikidata == gqid)

        # events
        pevs = list(art.events.values())
        gevs = gold.get("events", [])

        def ev_ok(ev, g):
            return event_matches(ev, g, label)

        self.count("events", sum(any(ev_ok(ev, g) for g in gevs) for ev in pevs), len(pevs),
                   sum(any(ev_ok(ev, g) for ev in pevs) for g in gevs), len(gevs))
        for g in gevs:
            match = next((ev for ev in pevs if ev_ok(ev, g)), None)
            if match is None:
                self.misses.append(f"{name}: event {g[0]} {g[1]} {g[2]}")
                continue
            if g[2]:
                self.attr("event time", bool(match.time) and match.time.value == g[2])
            self.attr("event modality", match.modality.lower() == str(g[4]).lower())
            if g[3]:
                self.attr("event place", bool(match.place) and any(
                    same_entity(p, label(match.place)) for p in re.split(r"/|\(|\)", str(g[3])) if p.strip()))

        # amounts
        pam = art.amounts
        gam = gold.get("amounts", [])
        num = lambda s: re.sub(r"[^\d.]", "", s)  # noqa: E731
        am_ok = lambda a, g: num(g[0]) and num(g[0]) in num(a.span.text)  # noqa: E731
        self.count("amounts", sum(any(am_ok(a, g) for g in gam) for a in pam), len(pam),
                   sum(any(am_ok(a, g) for a in pam) for g in gam), len(gam))


def event_matches(ev, g, label) -> bool:
    """Is the extracted event the gold event g = [type, participants, time, place, modality]?"""
    gtype = EVENT_FAMILY.get(g[0], g[0])
    if EVENT_FAMILY.get(ev.type, ev.type) != gtype:
        return False
    parts, gtime, gplace = g[1], g[2], g[3]
    if not parts and not gtime and not gplace:
        return True
    actors = [label(k) for k in ev.actors]
    if any(same_agent(p, a) for p in parts for a in actors):
        return True
    if gtime and ev.time and ev.time.value == gtime:
        return True
    if gplace and ev.place and any(same_entity(p, label(ev.place)) for p in str(gplace).split("/")):
        return True
    return not parts and not gtime and not ev.actors


def seed_gold(expected: dict) -> dict:
    """expected.yaml lists things once with the seeds they are in; split it per article."""
    per = {name: {"statements": [], "entities": {}, "events": [], "amounts": []}
           for name in expected["articles"]}
    names = {name[:3]: name for name in per}
    for label, (kind, qid, where) in expected["entities"].items():
        for w in where:
            per[names[f"{int(w):03d}"]]["entities"][label] = [kind, qid]
    for row in expected["statements"]:
        per[names[f"{int(row[6]):03d}"]]["statements"].append(row[:6])
    for row in expected["events"]:
        etype, parts, time, place, modality, where = row
        for w in where:
            per[names[f"{int(w):03d}"]]["events"].append([etype, parts, time, place, modality])
    for text, measures, w in expected["amounts"]:
        per[names[f"{int(w):03d}"]]["amounts"].append([text, measures])
    return per


def corpus_gold(annotations: dict) -> dict:
    per = {}
    for name, a in annotations["articles"].items():
        per[name] = {"statements": a["statements"], "entities": a["entities"],
                     "events": [row[1:] for row in a["events"]], "amounts": a.get("amounts") or []}
    return per


def score(folder: Path, gold: dict, pipeline) -> Scorer:
    scorer = Scorer()
    for name, g in gold.items():
        (article,) = read_file(folder / name)
        scorer.article(name, pipeline(article), g)
    return scorer


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "out" / "quality.json")
    ap.add_argument("--misses", action="store_true", help="list what was not found")
    args = ap.parse_args(argv)
    pipeline = build_pipeline()
    sets = {
        "seeds": score(ROOT / "seeds", seed_gold(yaml.safe_load((ROOT / "seeds" / "expected.yaml").read_text())), pipeline),
        "corpus": score(ROOT / "bench" / "corpus",
                        corpus_gold(yaml.safe_load((ROOT / "bench" / "corpus" / "annotations.yaml").read_text())),
                        pipeline),
        "held-out": score(ROOT / "bench" / "heldout",
                          corpus_gold(yaml.safe_load((ROOT / "bench" / "heldout" / "annotations.yaml").read_text())),
                          pipeline),
    }
    report = {name: s.result() for name, s in sets.items()}
    rows = sorted({k for r in report.values() for k in r})
    print(f"{'measure':32} " + " ".join(f"{name:>26}" for name in report))
    for row in rows:
        cells = []
        for name in report:
            v = report[name].get(row)
            if v is None:
                cells.append(f"{'':>26}")
            elif "f1" in v:
                cells.append(f"P {v['precision']:.2f} R {v['recall']:.2f} F1 {v['f1']:.2f}".rjust(26))
            else:
                cells.append(f"acc {v['accuracy']:.2f} (n={v['n']})".rjust(26))
        print(f"{row:32} " + " ".join(cells))
    if args.misses:
        for name, s in sets.items():
            for miss in s.misses:
                print(f"  missed ({name}) {miss}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
