import numpy
import pytest

from spacy_elmo.pretrain.vocab import SPECIALS, Vocabulary


def test_build_orders_by_frequency_and_applies_limits():
    types = ["b", "a", "c", "d", "<S>"]
    counts = numpy.array([5, 5, 9, 1, 3])
    vocab = Vocabulary.build(types=types, counts=counts, min_count=2)
    assert vocab.words == list(SPECIALS) + ["c", "a", "b"]  # count desc, ties by string; specials not doubled
    assert Vocabulary.build(types=types, counts=counts, max_size=4).words == list(SPECIALS) + ["c"]
    assert list(vocab.lookup(["c", "d", "zzz", "a"])) == [3, 2, 2, 4]


def test_vocab_file_round_trip_and_errors(tmp_path):
    vocab = Vocabulary(words=list(SPECIALS) + ["x", "ü", "a b"])
    vocab.to_file(tmp_path / "vocab.txt")
    assert Vocabulary.from_file(tmp_path / "vocab.txt").words == vocab.words
    (tmp_path / "bad.txt").write_text("x\ny\n", encoding="utf-8")
    with pytest.raises(ValueError, match="vocabulary file"):
        Vocabulary.from_file(tmp_path / "bad.txt")
    with pytest.raises(ValueError, match="vocabulary file"):
        Vocabulary.from_file(tmp_path / "missing.txt")


def test_too_small_vocabulary_is_a_clear_error():
    with pytest.raises(ValueError, match="min_count"):
        Vocabulary.build(types=["a"], counts=numpy.array([1]), min_count=5)
