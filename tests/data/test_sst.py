import subprocess
import sys

import pytest
from spacy.tokens import DocBin
from spacy.vocab import Vocab

from spacy_elmo.data.sst import BINARY_LABELS, FINE_LABELS, parse_tree, read_sst_trees, sst_docs

TREES = """(3 (2 (2 The) (2 Rock)) (4 (3 (2 is) (4 great)) (2 .)))
(2 (2 -LRB-) (2 (2 so-so) (2 -RRB-)))
(0 (1 Awful) (2 .))

(4 (4 Superb) (2 !))
"""


@pytest.fixture
def trees(tmp_path):
    path = tmp_path / "trees.txt"
    path.write_text(TREES, encoding="utf-8")
    return path


def test_parse_tree_reads_root_label_and_unescapes_brackets():
    assert parse_tree("(3 (2 (2 The) (2 Rock)) (4 great))") == (3, ["The", "Rock", "great"])
    assert parse_tree("(2 (2 -LRB-) (2 -RRB-))") == (2, ["(", ")"])


@pytest.mark.parametrize("line", ["The Rock is great", "(x (2 a))", "(3 (2 a)", "(3 )"])
def test_bad_tree_lines_are_named(line):
    with pytest.raises(ValueError, match="Not an SST tree"):
        parse_tree(line)


def test_fine_and_binary_labels(trees):
    assert [label for _, label in read_sst_trees(trees, labels="fine")] == ["positive", "neutral", "very_negative", "very_positive"]
    assert [label for _, label in read_sst_trees(trees, labels="binary")] == ["positive", "negative", "positive"]
    with pytest.raises(ValueError, match="Unknown SST label set"):
        list(read_sst_trees(trees, labels="three"))


def test_docs_have_one_hot_cats_over_every_label(trees):
    docs = list(sst_docs(trees, labels="fine"))
    assert [t.text for t in docs[0]] == ["The", "Rock", "is", "great", "."]
    assert set(docs[0].cats) == set(FINE_LABELS) and sum(docs[0].cats.values()) == 1.0
    assert docs[0].cats["positive"] == 1.0
    binary = list(sst_docs(trees, labels="binary"))
    assert set(binary[0].cats) == set(BINARY_LABELS)


def test_convert_sst_cli(trees, tmp_path):
    out = tmp_path / "out" / "train.spacy"
    subprocess.run([sys.executable, "-m", "spacy_elmo", "convert-sst", str(trees), str(out), "--labels", "binary"], check=True)
    docs = list(DocBin().from_disk(out).get_docs(Vocab()))
    assert len(docs) == 3 and docs[1].cats == {"negative": 1.0, "positive": 0.0}


def test_standard_split_sizes(shared_dir):
    trees = shared_dir / "data" / "sst" / "trees"
    sizes = {(split, labels): sum(1 for _ in read_sst_trees(trees / f"{split}.txt", labels=labels))
             for split in ("train", "dev", "test") for labels in ("fine", "binary")}
    assert sizes == {("train", "fine"): 8544, ("train", "binary"): 6920, ("dev", "fine"): 1101,
                     ("dev", "binary"): 872, ("test", "fine"): 2210, ("test", "binary"): 1821}


def test_phrases_give_every_labelled_subtree_once(trees):
    phrases = list(read_sst_trees(trees, labels="fine", phrases=True))
    assert phrases[:4] == [(["The", "Rock", "is", "great", "."], "positive"), (["The", "Rock"], "neutral"),
                           (["The"], "neutral"), (["Rock"], "neutral")]
    assert (["is", "great"], "positive") in phrases and (["great"], "very_positive") in phrases
    assert (["(", "so-so", ")"], "neutral") in phrases
    # "." labelled neutral occurs in three trees, kept once
    assert phrases.count((["."], "neutral")) == 1
    binary = list(read_sst_trees(trees, labels="binary", phrases=True))
    assert all(label in BINARY_LABELS for _, label in binary)
    assert (["great"], "positive") in binary and (["Awful"], "negative") in binary
    assert not any(words == ["The"] for words, _ in binary)  # neutral phrases are dropped


def test_sentences_are_the_phrase_roots(shared_dir):
    path = shared_dir / "data" / "sst" / "trees" / "dev.txt"
    sentences = {tuple(words) for words, _ in read_sst_trees(path, labels="fine")}
    phrases = {tuple(words) for words, _ in read_sst_trees(path, labels="fine", phrases=True)}
    assert sentences <= phrases and len(phrases) > 10 * len(sentences)


def test_convert_sst_cli_phrases(trees, tmp_path):
    out = tmp_path / "phrases.spacy"
    subprocess.run([sys.executable, "-m", "spacy_elmo", "convert-sst", str(trees), str(out), "--phrases"], check=True)
    docs = list(DocBin().from_disk(out).get_docs(Vocab()))
    assert len(docs) == len(list(read_sst_trees(trees, labels="fine", phrases=True)))
