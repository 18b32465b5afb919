"""Pages for people: the landing page (the query page is /sparql for browsers)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template

from .examples import EXAMPLES
from .http import conditional

bp = Blueprint("ui", __name__, static_folder="static", static_url_path="/static",
               template_folder="templates")

COUNTS = [
    ("articles", "http://schema.org/NewsArticle"),
    ("statements", "http://schema.org/Claim"),
    ("events", "http://semanticweb.cs.vu.nl/2009/11/sem/Event"),
    ("people", "http://schema.org/Person"),
    ("organisations", "http://schema.org/Organization"),
    ("places", "http://schema.org/Place"),
]


@bp.route("/favicon.ico")
def favicon():
    return bp.send_static_file("favicon.svg"), 200, {"Content-Type": "image/svg+xml",
                                                     "Cache-Control": "public, max-age=86400"}


@bp.route("/")
def index():
    c = current_app.extensions["newsgraph"]
    version = c.store.version()          # read once: the body and its ETag are of the same version
    key = (version, "index")
    body = c.cache.get(key)
    if body is None:
        body = _index_page(c)
        c.cache.put(key, body)
    return conditional(Response(body, content_type="text/html; charset=utf-8"), version, "index")


def _index_page(c) -> bytes:
    counts = []
    for label, cls in COUNTS:
        rows = c.store.select(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{cls}> }}")
        counts.append((label, rows[0]["n"].value if rows else "0"))
    articles = []
    for r in c.store.select("""SELECT ?a ?h ?d ?p WHERE { ?a a <http://schema.org/NewsArticle> ;
            <http://schema.org/headline> ?h . OPTIONAL { ?a <http://schema.org/datePublished> ?d }
            OPTIONAL { ?a <http://schema.org/publisher>/<http://www.w3.org/2000/01/rdf-schema#label> ?p } }
            ORDER BY DESC(STR(?d)) LIMIT 50"""):
        iri = r["a"].value
        href = iri[len(c.base) - 1:] if iri.startswith(c.base) else iri
        articles.append({"href": href, "headline": r["h"].value,
                         "date": r["d"].value[:10] if "d" in r else "", "publisher": r["p"].value if "p" in r else ""})
    return render_template("index.html", base=c.base, counts=counts, articles=articles,
                           examples=EXAMPLES).encode("utf-8")
