"""Tokens and sentences: spaCy's blank English tokenizer and sentencizer, paragraph by paragraph.

No statistical model is needed (or downloaded): the rules in the other stages work on these
tokens and on the text. Offsets are code points into the article body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .article import Article, Span
from .registry import stage

_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\n)[^\n]*)*")


@dataclass(slots=True)
class Token:
    text: str
    begin: int
    end: int
    sent: int

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def is_cap(self) -> bool:
        return self.text[:1].isupper()


def make_nlp():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


@stage("tokens", requires=["body"], assigns=["tokens", "sentences"])
def tokens_stage():
    nlp = make_nlp()

    def run(article: Article) -> Article:
        body = article.body
        tokens: list[Token] = []
        sentences: list[Span] = []
        bounds = []
        paragraphs = [(m.start(), m.end()) for m in _PARAGRAPH.finditer(body)]
        for (pb, pe), doc in zip(paragraphs, nlp.pipe(body[pb:pe] for pb, pe in paragraphs)):
            for sent in doc.sents:
                first = len(tokens)
                for t in sent:
                    if not t.is_space and t.text.strip():
                        b = pb + t.idx
                        tokens.append(Token(t.text, b, b + len(t.text), len(sentences)))
                if len(tokens) > first:
                    sentences.append(article.span(tokens[first].begin, tokens[-1].end))
                    bounds.append((first, len(tokens)))
        article.tokens, article.sentences, article.sentence_tokens = tokens, sentences, bounds
        return article

    return run
