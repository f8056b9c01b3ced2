import json

import numpy
import pytest

from spacy_elmo.model.chars import (
    BEGINNING_OF_WORD_CHAR,
    BOS_IDS,
    END_OF_WORD_CHAR,
    EOS_IDS,
    PADDING_CHAR,
    batch_to_ids,
    encode_token,
)


def expected_ids(data: bytes):
    return [BEGINNING_OF_WORD_CHAR] + [b + 1 for b in data] + [END_OF_WORD_CHAR] + [PADDING_CHAR] * (48 - len(data))


def test_sentence_markers_match_the_reference_indexer():
    # AllenNLP's elmo_indexer_test hard-codes these (already shifted by +1)
    assert list(encode_token("<S>")) == [259, 257, 260] + [261] * 47
    assert list(encode_token("</S>")) == [259, 258, 260] + [261] * 47
    assert encode_token("<S>") == BOS_IDS and encode_token("</S>") == EOS_IDS
    # only the exact strings are special
    assert list(encode_token("<s>")) == expected_ids(b"<s>")


def test_reference_indexer_examples():
    assert list(encode_token("Second")) == [259, 84, 102, 100, 112, 111, 101, 260] + [261] * 42
    assert list(encode_token(".")) == [259, 47, 260] + [261] * 47
    assert list(encode_token(chr(256) + "t")) == [259, 197, 129, 117, 260] + [261] * 45


@pytest.mark.parametrize(
    "token",
    ["naïve", "Ελληνικά", "日本語", "😀", "👩‍👩‍👧", "a\tb", "\t", "zero\u200bwidth", "\u200b", "\u00a0", "\n", " "],
)
def test_non_ascii_and_whitespace_tokens_are_encoded_byte_by_byte(token):
    assert list(encode_token(token)) == expected_ids(token.encode("utf-8"))


def test_long_tokens_are_cut_at_48_bytes_even_inside_a_character():
    exact = "x" * 48
    assert list(encode_token(exact)) == expected_ids(exact.encode())
    over = "y" * 49
    assert list(encode_token(over)) == expected_ids(b"y" * 48)
    euro_split = "a" * 47 + "€" + "b" * 11  # € is 3 bytes: the cut keeps its first byte
    ids = encode_token(euro_split)
    assert len(ids) == 50
    assert ids[48] == "€".encode()[0] + 1 and ids[49] == END_OF_WORD_CHAR


def test_lone_surrogates_are_dropped():
    assert list(encode_token("a\ud800b")) == expected_ids(b"ab")


def test_batch_to_ids_right_pads_with_zero_rows():
    ids = batch_to_ids([["The", "cat"], ["Hi"], []])
    assert tuple(ids.shape) == (3, 2, 50)
    assert ids[1, 1].sum() == 0 and ids[2].sum() == 0
    assert ids[0, 1].tolist() == list(encode_token("cat"))


def test_char_ids_equal_the_reference_for_every_fixture_sentence(reference_small):
    sentences = json.loads((reference_small / "sentences.json").read_text())["sentences"]
    expected = numpy.load(reference_small / "expected.npz")
    for i, sentence in enumerate(sentences):
        numpy.testing.assert_array_equal(batch_to_ids([sentence])[0].numpy(), expected[f"s{i:02d}_char_ids"])
