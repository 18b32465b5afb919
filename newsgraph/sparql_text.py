"""A small SPARQL lexer for what the protocol needs of the query text, and no more.

pyoxigraph parses and evaluates; this only finds top-level keywords (outside strings, IRIs,
comments and braces) to tell the query form, to cap results with a LIMIT, and to apply the
protocol's using-graph-uri / using-named-graph-uri to an update, as the SPARQL 1.1 Protocol
asks (pyoxigraph has no API for a protocol dataset on updates).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

_TOKEN = re.compile(
    r'''(?P<ws>\s+)'''
    r'''|(?P<comment>\#[^\n]*)'''
    r'''|(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')'''
    r'''|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'''
    r'''|(?P<open>[{(\[])|(?P<close>[})\]])'''
    r'''|(?P<word>[A-Za-z_][\w-]*(?::[\w.-]*)?|[?$][\w]+|\d+)'''
    r'''|(?P<other>.)''', re.S)


class Token(NamedTuple):      # a NamedTuple: made for every token of every query, and cheap
    kind: str
    text: str
    start: int
    end: int
    depth: int


def tokens(text: str) -> tuple:
    """The tokens of a text (a request asks about the same text several times: kept a while)."""
    return _lex(text) if len(text) < 100_000 else tuple(_scan(text))


@lru_cache(maxsize=256)
def _lex(text: str) -> tuple:
    return tuple(_scan(text))


def _scan(text: str):
    depth = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            continue
        if kind == "close":
            depth = max(0, depth - 1)
        yield Token(kind, m.group(), m.start(), m.end(), depth)
        if kind == "open":
            depth += 1


# The commonest queries are recognised by one regular expression each, without lexing them
# (served, lexing cost a point lookup ~70 µs of CPU, most of what pyoxigraph itself takes); a
# text they do not match is lexed as before.
_IRI = r'<[^<>"{}|^`\\\x00-\x20]*>'
# (possessive: what a prologue takes is never given back, since the keyword after it cannot
# begin inside one; a text that fails then fails at once, ~1.5 against ~3.7 µs for a join)
_PROLOGUE = rf'\s*+(?:(?:PREFIX\s++(?:[A-Za-z][\w.-]*+)?:\s*+|BASE\s*+){_IRI}\s*+)*+'
_FORM = re.compile(_PROLOGUE + r'(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:-])', re.I)
_NAME = rf'(?:{_IRI}|(?:[A-Za-z][\w.-]*)?:[\w.-]*)'          # an IRI or a prefixed name
_TERM = rf'(?:{_NAME}|[?$]\w+)'
_ONE_PATTERN = re.compile(
    _PROLOGUE + r'(SELECT\s*+(?:\*|(?:[?$]\w++\s*+)++)|ASK)\s*+(?:WHERE\s*+)?'
    rf'\{{\s*+({_TERM})\s++({_TERM}|a)\s++({_TERM})\s*+\.?\s*+\}}'
    r'\s*+(?:LIMIT\s++(\d++)\s*+)?$', re.I)


class OnePattern(NamedTuple):
    form: str                   # SELECT or ASK
    limit: int | None           # its LIMIT, if it has one


@lru_cache(maxsize=64)
def one_pattern(text: str) -> OnePattern | None:
    """A SELECT or ASK of one triple pattern whose subject or object is fixed, and nothing else
    (no filter, DISTINCT, ORDER BY or OFFSET), with at most a LIMIT: ``SELECT ?p ?o WHERE {
    <x> ?p ?o }``. Every match is an answer, so its cost is bounded by that term's triples
    and the row cap: it is safe to answer without a time limit. None for any other text."""
    m = _ONE_PATTERN.match(text) if len(text) < 4096 else None
    if m is None or (m[2][0] in "?$" and m[4][0] in "?$"):
        return None
    return OnePattern("SELECT" if m[1][0] in "sS" else "ASK", None if m[5] is None else int(m[5]))


_STAR = re.compile(
    rf'({_PROLOGUE})SELECT\s*(?:\*|(?:[?$]\w+\s*)+)\s*(?:WHERE\s*)?\{{((?:[^{{}}"\'#<]++|{_IRI})*+)\}}'
    r'\s*(?:LIMIT\s+(\d+)\s*)?$', re.I)
_STAR_TOKEN = re.compile(rf'\s*({_NAME}|[?$]\w+|a(?![\w:.-])|[;.])')


class Star(NamedTuple):
    prologue: str               # the query's PREFIX and BASE declarations, as written
    subject: str                # the one subject variable
    anchors: tuple              # the (predicate, object) pairs whose object is fixed
    limit: int | None           # its LIMIT, if it has one


@lru_cache(maxsize=64)
def star_join(text: str) -> Star | None:
    """A SELECT of triple patterns on one subject variable, every predicate fixed, at least one
    object fixed and every other object a variable of its own, with at most a LIMIT:
    ``SELECT ?s ?t WHERE { ?s ng:speaker <x> ; schema:text ?t }``. Oxigraph starts from a
    pattern with a fixed object (the anchor) and probes each of its matches for the rest, so
    the cost is bounded by the anchors' matches (which the caller must count) and the row cap.
    None for any other text."""
    m = _STAR.match(text) if len(text) < 4096 else None
    if m is None:
        return None
    body = m[2]
    words, end = [], 0
    for t in _STAR_TOKEN.finditer(body):
        if t.start() != end:
            return None
        words.append(t[1])
        end = t.end()
    if body[end:].strip():
        return None
    subject, anchors, seen, i = None, [], set(), 0
    while i < len(words):
        if subject is None or words[i - 1] == ".":
            s = words[i]
            if s[0] not in "?$" or subject not in (None, s[1:]):
                return None
            subject, i = s[1:], i + 1
        if i + 1 >= len(words):
            return None
        p, o = words[i], words[i + 1]
        if p in (";", ".") or p[0] in "?$" or o in (";", "."):
            return None
        if o[0] in "?$":
            if o[1:] in seen or o[1:] == subject:
                return None
            seen.add(o[1:])
        else:
            anchors.append((p, o))
        i += 2
        if i < len(words):
            if words[i] not in (";", "."):
                return None
            i += 1
            while i < len(words) and words[i] == ";":      # ';;' and a trailing ';' are allowed
                i += 1
    if not anchors or subject is None:
        return None
    return Star(m[1], subject, tuple(anchors), None if m[3] is None else int(m[3]))


_DESCRIBE_ONE = re.compile(_PROLOGUE + rf'DESCRIBE\s+{_NAME}\s*$', re.I)


def describes_one(text: str) -> bool:
    """``DESCRIBE <x>``: what the store holds about one thing (and its blank nodes), so its
    cost is bounded by that thing's triples, like a one-pattern query's."""
    return len(text) < 4096 and _DESCRIBE_ONE.match(text) is not None


def top_words(text: str) -> list[Token]:
    return [t for t in tokens(text) if t.depth == 0 and t.kind == "word"]


def declares_dataset(text: str) -> bool:
    """Does the query name its own dataset (FROM / FROM NAMED)?"""
    if "from" not in text.lower():
        return False
    return any(t.kind == "word" and t.depth == 0 and t.text.upper() == "FROM" for t in tokens(text))


def declares_base(text: str) -> bool:
    """Does the text's prologue declare its own BASE (which one given from outside must not
    precede: Virtuoso takes one BASE only)?"""
    if "base" not in text.lower():
        return False
    toks = tokens(text)
    i = 0
    while i < len(toks) and toks[i].kind == "word":
        word = toks[i].text.upper()
        if word == "BASE":
            return True
        if word != "PREFIX":
            return False
        i += 3          # PREFIX name: <iri>
    return False


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE (None if none is found)."""
    m = _FORM.match(text)
    if m is not None:
        return m[1].upper()
    return _form_by_tokens(text)


def _form_by_tokens(text: str) -> str | None:
    for t in tokens(text):
        if t.kind == "word" and t.text.upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return t.text.upper()
    return None


def cap_results(text: str, limit: int) -> tuple[str, bool]:
    """Add 'LIMIT n' to a SELECT or CONSTRUCT with no top-level LIMIT of n or less.

    Returns (query, capped). A query ending in a top-level VALUES block is left as it is.
    """
    form = query_form(text)
    if form not in ("SELECT", "CONSTRUCT"):
        return text, False
    low = text.lower()
    if "limit" not in low and "values" not in low and text.count("{") == text.count("}"):
        return text.rstrip() + f"\nLIMIT {limit}", True      # the lexer would say the same
    # the shapes the front door recognises know their LIMIT already (and are cached)
    one = one_pattern(text)
    shape = one if one is not None else star_join(text) if form == "SELECT" else None
    if shape is not None and shape.limit is not None and shape.limit <= limit:
        return text, False
    # (a trailing VALUES block needs the lexer: see _cap_by_tokens)
    plain = None if "values" in low else _cap_plain(text, limit)
    return plain if plain is not None else _cap_by_tokens(text, limit)


#: a text with no string and no comment (every quote and '#' is inside an IRI, as the SPARQL
#: lexer reads it): all its braces are real, and what follows the last one is the top level's
#: solution modifiers
_PLAIN = re.compile(rf'(?:[^"\'#<]++|{_IRI}|<)*+\Z')
_LIMIT = re.compile(r'(?<![\w:?$.-])LIMIT\s+(\d+)', re.I)


def _cap_plain(text: str, limit: int) -> tuple[str, bool] | None:
    """cap_results for a text with no string, comment or VALUES (most queries that end in a
    LIMIT), without lexing it: lexing the bench's join took ~60 µs in-process. None for other
    texts."""
    if len(text) >= 4096 or text.count("{") != text.count("}") or not _PLAIN.match(text):
        return None
    tail_at = text.rfind("}") + 1
    if tail_at == 0:
        return None
    m = _LIMIT.search(text, tail_at)
    if m is None:
        return text.rstrip() + f"\nLIMIT {limit}", True
    if int(m[1]) <= limit:
        return text, False
    return text[:m.start(1)] + str(limit) + text[m.end(1):], True


def _cap_by_tokens(text: str, limit: int) -> tuple[str, bool]:
    toks = list(tokens(text))
    opened = sum(1 for t in toks if t.kind == "open")
    closed = sum(1 for t in toks if t.kind == "close")
    if opened != closed:
        return text, False                 # broken: leave it to the parser's own message
    words = [t for t in toks if t.depth == 0 and t.kind == "word"]
    upper = [w.text.upper() for w in words]
    # a top-level VALUES can only be the trailing ValuesClause: a LIMIT goes before it
    values_at = next((w.start for w in words if w.text.upper() == "VALUES"), None)
    for i, w in enumerate(upper):
        if w == "LIMIT" and i + 1 < len(words) and words[i + 1].text.isdigit():
            n = int(words[i + 1].text)
            if n <= limit:
                return text, False
            t = words[i + 1]
            return text[:t.start] + str(limit) + text[t.end:], True
    if values_at is not None:
        return text[:values_at] + f"LIMIT {limit}\n" + text[values_at:], True
    return text.rstrip() + f"\nLIMIT {limit}", True


class DatasetConflict(ValueError):
    pass


_MODIFY_START = {"INSERT", "DELETE", "WITH"}


def apply_using(update: str, using, using_named) -> str:
    """Give every DELETE/INSERT ... WHERE operation the protocol's USING (NAMED) graphs.

    An update that names its own dataset (USING or WITH) with protocol graphs is an error.
    """
    if not using and not using_named:
        return update
    toks = list(tokens(update))
    upper = [t.text.upper() if t.kind == "word" else t.text for t in toks]
    if any(t.depth == 0 and t.kind == "word" and t.text.upper() in ("USING", "WITH") for t in toks):
        raise DatasetConflict("the update names its own dataset (USING or WITH), and the request "
                              "gives using-graph-uri or using-named-graph-uri: use one or the other")
    clause = "".join(f" USING <{g}>" for g in using) + "".join(f" USING NAMED <{g}>" for g in using_named)
    inserts: list[int] = []
    in_modify = False
    for i, t in enumerate(toks):
        if t.depth != 0:
            continue
        u = upper[i]
        if u in ("INSERT", "DELETE") and not (i + 1 < len(toks) and upper[i + 1] in ("DATA",)):
            # DELETE WHERE {...} (the short form) takes no USING
            in_modify = not (u == "DELETE" and i + 1 < len(toks) and upper[i + 1] == "WHERE")
        elif u == "WHERE" and in_modify:
            inserts.append(t.start)
            in_modify = False
        elif u == ";":
            in_modify = False
    for pos in reversed(inserts):
        update = update[:pos] + clause.strip() + " " + update[pos:]
    return update


def check_iri(value: str, name: str) -> str:
    """A protocol parameter that must be an absolute IRI."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^<>\"{}|^`\\\x00-\x20]*", value or ""):
        raise ValueError(f"{name}={value!r} is not an absolute IRI")
    return value


def bind_values(query: str, bindings: dict) -> str:
    """The query with ``VALUES (?a ?b) { (t1 t2) }`` opening its top-level group.

    pyoxigraph's ``substitutions=`` binds a variable after the query is planned, so a query
    that starts from the bound thing is planned as if it were unbound, and may scan the store
    (measured: 0.27 s instead of 0.3 ms for an article's events). A VALUES block is planned
    with. Each term must be a pyoxigraph term: ``str(term)`` is its N-Triples form, written
    and validated by pyoxigraph, so nothing from a request reaches the text unescaped.
    """
    for name in bindings:
        _check_name(name)
    block = "VALUES (" + " ".join("?" + n for n in bindings) + ") { (" + " ".join(map(_term_text, bindings.values())) + ") } "
    for t in tokens(query):
        if t.kind == "open" and t.text == "{" and t.depth == 0:
            return query[:t.end] + " " + block + query[t.end:]
    raise ValueError("the query has no group to bind values in")


def values_block(name: str, terms) -> str:
    """``VALUES ?name { t1 t2 ... }`` for pyoxigraph terms (as bind_values writes them: in
    their N-Triples form, written by pyoxigraph)."""
    _check_name(name)
    return f"VALUES ?{name} {{ " + " ".join(map(_term_text, terms)) + " }"


def _check_name(name: str) -> None:
    if not re.fullmatch(r"\w+", name):
        raise ValueError(f"not a variable name: {name!r}")


_TERM_STARTS = ("<", '"', "_:")


def _term_text(term) -> str:
    """A pyoxigraph term's N-Triples form; anything else is refused."""
    text = str(term)
    if not hasattr(term, "value") or not text.startswith(_TERM_STARTS):
        raise ValueError(f"not an RDF term: {term!r}")
    return text
