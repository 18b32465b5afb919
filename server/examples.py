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
        "id": "same-happening",
        "label": "The same happening in different sources",
        "comment": "Events linked across articles: how each source tells it, with the rule and score of the link.",
        "query": """SELECT ?type ?score ?headlineA ?eventA ?headlineB ?eventB ?rule WHERE {
  ?link a ng:EventLink ; ng:event ?a , ?b ; ng:score ?score ; ng:rule ?rule .
  FILTER (STR(?a) < STR(?b))
  ?a rdfs:label ?eventA ; ng:reportedIn/schema:headline ?headlineA .
  ?b rdfs:label ?eventB ; ng:reportedIn/schema:headline ?headlineB .
  BIND (STRBEFORE(?eventA, ":") AS ?type)
}
ORDER BY DESC(?score)""",
    },
    {
        "id": "interview-words",
        "label": "Which articles report Barrot's BBC interview, and in which words",
        "comment": "Statements made in an interview, across every article whose interview event is linked to it.",
        "query": """SELECT DISTINCT ?headline ?cue ?text WHERE {
  ?interview a ng:Interview ; sem:hasActor/rdfs:label "Jean-Noël Barrot" .
  { ?same ng:sameHappeningAs ?interview } UNION { BIND (?interview AS ?same) }
  ?statement ng:utteredIn ?same ; schema:text ?text ; ng:cue ?cue ;
             ng:reportedIn/schema:headline ?headline .
}
ORDER BY ?headline""",
    },
    {
        "id": "disagreements",
        "label": "Where sources disagree",
        "comment": "Different places, times, numbers or participants for the same happening, and denials of what others assert.",
        "query": """SELECT ?aspect ?compatible ?saysA ?headlineA ?saysB ?headlineB WHERE {
  ?d a ng:Disagreement ; ng:aspect ?aspect ; ng:compatible ?compatible ; ng:side ?a , ?b .
  FILTER (STR(?a) < STR(?b))
  ?a ng:says ?saysA ; ng:fromArticle/schema:headline ?headlineA .
  ?b ng:says ?saysB ; ng:fromArticle/schema:headline ?headlineB .
}
ORDER BY ?aspect""",
    },
    {
        "id": "one-node",
        "label": "One person, many articles: why they are one node",
        "comment": "Each article's words for a thing, the rule that resolved them, and the identity key shared across articles.",
        "query": """SELECT ?thing ?key ?headline ?forms ?rule WHERE {
  ?r a ng:Resolution ; ng:resolvedTo ?thing ; ng:identityKey ?key ; ng:rule ?rule ;
     prov:wasDerivedFrom/schema:headline ?headline ; rdfs:label ?forms .
  ?thing a schema:Person .
}
ORDER BY ?thing ?headline""",
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
