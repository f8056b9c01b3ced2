"""Span getters: Docs -> the token windows fed to the biLM, one list of spans per Doc.

A span getter must tile each Doc: non-overlapping spans, in order, covering every
token once (ElmoModel checks this). No span is longer than `max_tokens`, so a
1M-token Doc is processed as many short sequences and the biLM's working memory is
bounded by the window, not by the Doc.
"""
from typing import Callable, Iterable, List, Tuple

import numpy
from spacy.attrs import IS_SPACE, ORTH
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

from ..errors import Errors

SpanGetter = Callable[[Iterable[Doc]], List[List[Span]]]

# Tokens that end a sentence, and closing marks that stay with the sentence they end.
_TERMINALS = (".", "!", "?", "...", "…", "?!", "!?", "!!", "??", "。", "！", "？")
_CLOSERS = ('"', "'", "''", ")", "]", "}", "”", "’", "»", "›")
_TERMINAL_IDS = numpy.asarray([get_string_id(text) for text in _TERMINALS], dtype="uint64")
_CLOSER_IDS = numpy.asarray([get_string_id(text) for text in _CLOSERS], dtype="uint64")


def configure_sent_spans(max_tokens: int = 128) -> SpanGetter:
    """spacy_elmo.sent_spans.v1: the Doc's sentences when they are set (parser,
    senter, sentencizer or sent_starts), else a fast rule-based split; sentences
    longer than `max_tokens` are cut into near-equal windows of at most that many tokens."""
    _check_positive("spacy_elmo.sent_spans.v1", "max_tokens", max_tokens)

    def get_sent_spans(docs: Iterable[Doc]) -> List[List[Span]]:
        result = []
        for doc in docs:
            if doc.has_annotation("SENT_START") or doc.has_annotation("DEP"):
                bounds = [(sent.start, sent.end) for sent in doc.sents]
            else:
                bounds = rule_based_sentences(doc)
            result.append([doc[start:end] for s, e in bounds for start, end in split_evenly(s, e, max_tokens)])
        return result

    get_sent_spans.max_tokens = max_tokens  # type: ignore[attr-defined]
    return get_sent_spans


def configure_strided_spans(window: int = 128) -> SpanGetter:
    """spacy_elmo.strided_spans.v1: consecutive, non-overlapping windows of `window` tokens
    (the last one shorter), regardless of sentences."""
    _check_positive("spacy_elmo.strided_spans.v1", "window", window)

    def get_strided_spans(docs: Iterable[Doc]) -> List[List[Span]]:
        return [[doc[i : i + window] for i in range(0, len(doc), window)] for doc in docs]

    get_strided_spans.max_tokens = window  # type: ignore[attr-defined]
    return get_strided_spans


def split_evenly(start: int, end: int, max_tokens: int) -> List[Tuple[int, int]]:
    """[start, end) -> consecutive pieces of at most max_tokens, as equal in length as possible."""
    length = end - start
    if length <= max_tokens:
        return [(start, end)] if length > 0 else []
    n_pieces = -(-length // max_tokens)
    base, extra = divmod(length, n_pieces)
    pieces, position = [], start
    for i in range(n_pieces):
        size = base + (1 if i < extra else 0)
        pieces.append((position, position + size))
        position += size
    return pieces


def rule_based_sentences(doc: Doc) -> List[Tuple[int, int]]:
    """Sentence (start, end) token offsets from punctuation and blank lines.

    A sentence ends after a run of terminal punctuation (. ! ? …) plus any closing
    quotes or brackets, and at whitespace tokens holding a newline. Abbreviations
    such as "Mr." or "U.S." are single tokens in spaCy, so they do not split.
    Vectorised over the token ids: a 1M-token Doc takes well under a second.
    """
    n = len(doc)
    if n == 0:
        return []
    attrs = doc.to_array([ORTH, IS_SPACE])
    orths = attrs[:, 0].astype("uint64")
    is_terminal = numpy.isin(orths, _TERMINAL_IDS)
    is_closer = numpy.isin(orths, _CLOSER_IDS)
    ends = numpy.zeros(n, dtype=bool)  # ends[i]: a sentence ends after token i
    # End of a run of terminals.
    run_end = is_terminal & ~numpy.append(is_terminal[1:], False)
    for i in numpy.flatnonzero(run_end):
        j = i
        while j + 1 < n and is_closer[j + 1]:
            j += 1
        ends[j] = True
    for i in numpy.flatnonzero(attrs[:, 1]):
        if "\n" in doc[int(i)].text:
            ends[i] = True
    ends[n - 1] = True
    bounds, start = [], 0
    for i in numpy.flatnonzero(ends):
        bounds.append((start, int(i) + 1))
        start = int(i) + 1
    return bounds


def _check_positive(name: str, setting: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(Errors.E203.format(name=name, setting=setting, value=value))
