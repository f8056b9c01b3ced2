import pytest
import spacy
from spacy.tokens import Doc

from spacy_elmo.layers.span_getters import (
    configure_sent_spans,
    configure_strided_spans,
    rule_based_sentences,
    split_evenly,
)


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def texts(spans):
    return [span.text for span in spans]


def test_sent_spans_use_doc_sents_when_set(nlp):
    doc = Doc(nlp.vocab, words=["a", "b", "c", "d", "e"], sent_starts=[True, False, False, True, False])
    assert texts(configure_sent_spans(max_tokens=10)([doc])[0]) == ["a b c", "d e"]


def test_sent_spans_rule_based_split(nlp):
    doc = nlp('Mr. Smith went home. He said "Go!" and left... (Really?) Yes\n\nNew para here')
    spans = configure_sent_spans(max_tokens=50)([doc])[0]
    assert texts(spans) == ["Mr. Smith went home.", 'He said "Go!"', "and left...", "(Really?)", "Yes\n\n",
                            "New para here"]


def test_sent_spans_cut_long_sentences_evenly(nlp):
    doc = Doc(nlp.vocab, words=[f"w{i}" for i in range(10)])
    spans = configure_sent_spans(max_tokens=4)([doc])[0]
    assert [len(span) for span in spans] == [4, 3, 3]
    assert [span.start for span in spans] == [0, 4, 7]


def test_strided_spans(nlp):
    doc = Doc(nlp.vocab, words=[f"w{i}" for i in range(10)], sent_starts=[True] * 10)
    spans = configure_strided_spans(window=4)([doc])[0]
    assert [(s.start, s.end) for s in spans] == [(0, 4), (4, 8), (8, 10)]


def test_empty_doc(nlp):
    doc = nlp("")
    assert configure_sent_spans()([doc]) == [[]]
    assert configure_strided_spans()([doc]) == [[]]
    assert rule_based_sentences(doc) == []


@pytest.mark.parametrize("value", [0, -3, 2.5, True, "8"])
def test_invalid_window(value):
    with pytest.raises(ValueError, match="positive integer"):
        configure_sent_spans(max_tokens=value)
    with pytest.raises(ValueError, match="positive integer"):
        configure_strided_spans(window=value)


@pytest.mark.parametrize("length,max_tokens", [(1, 1), (7, 3), (128, 128), (129, 128), (1000, 7)])
def test_split_evenly_tiles(length, max_tokens):
    pieces = split_evenly(5, 5 + length, max_tokens)
    assert pieces[0][0] == 5 and pieces[-1][1] == 5 + length
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:]))
    sizes = [e - s for s, e in pieces]
    assert max(sizes) <= max_tokens and max(sizes) - min(sizes) <= 1
