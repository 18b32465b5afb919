"""Example queries: shown on the query page and published in the service description."""

from __future__ import annotations

EXAMPLES = [
    {
        "id": "who-said-what",
        "label": "Who said what, about which event",
        "comment": "Every attributed statement: speaker, form, stance, the words, the events it is about.",
        "query": """SELECT ?speaker ?form ?stance ?text ?event ?article WHERE {
  ?statement a ng:Statement ;
             ng:speaker/rdfs:label ?speaker ;
             ng:form/rdfs:label ?form ;
             ng:stance/rdfs:label ?stance ;
             schema:text ?text ;
             prov:wasDerivedFrom ?article .
  OPTIONAL { ?statement ng:about ?event }
}
ORDER BY ?article ?speaker""",
    },
    {
        "id": "events-by-month",
        "label": "Events by month",
        "comment": "Dated events, grouped by the month they happened in, with their type and modality.",
        "query": """SELECT ?month ?type ?modality (COUNT(DISTINCT ?event) AS ?events) WHERE {
  ?event a ng:Event ; a ?type ; sem:hasTimeStamp ?time ; ng:modality/rdfs:label ?modality .
  FILTER (?type != ng:Event && STRSTARTS(STR(?type), STR(ng:)))
  BIND (SUBSTR(STR(?time), 1, 7) AS ?month)
}
GROUP BY ?month ?type ?modality
ORDER BY ?month""",
    },
    {
        "id": "denials",
        "label": "Statements that deny",
        "comment": "Who denied what, and in which article.",
        "query": """SELECT ?who ?text ?cue ?headline WHERE {
  ?statement ng:stance ng:Denies ;
             prov:wasAttributedTo/rdfs:label ?who ;
             schema:text ?text ;
             prov:wasDerivedFrom/schema:headline ?headline .
  OPTIONAL { ?statement ng:cue ?cue }
}""",
    },
    {
        "id": "relays",
        "label": "Statements that reached the page through someone else",
        "comment": "The chain of attribution: a source quoted by an outlet, reported by the article.",
        "query": """SELECT ?speaker ?via ?text WHERE {
  ?statement ng:speaker/rdfs:label ?speaker ;
             ng:via/rdfs:label ?via ;
             schema:text ?text .
}""",
    },
    {
        "id": "people-wikidata",
        "label": "People and their Wikidata identities",
        "comment": "Every person, the roles articles give them, and owl:sameAs to Wikidata when known.",
        "query": """SELECT ?person ?name ?wikidata (GROUP_CONCAT(DISTINCT ?role; separator="; ") AS ?roles) WHERE {
  ?person a schema:Person ; rdfs:label ?name .
  OPTIONAL { ?person owl:sameAs ?wikidata }
  OPTIONAL { ?person ng:statedRole ?role }
}
GROUP BY ?person ?name ?wikidata
ORDER BY ?name""",
    },
]
