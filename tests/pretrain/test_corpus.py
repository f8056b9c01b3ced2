import json
import os
import random
import zipfile

import pytest
from spacy.tokens import Doc, DocBin

from spacy_elmo.pretrain.corpus import TextCorpus, expand_sources
from spacy_elmo.pretrain.tokenize import SpacyTokenizer


@pytest.fixture(scope="module")
def tokenizer():
    return SpacyTokenizer(lang="en", split_sentences=True, max_sentence_length=100)


def read(path, tokenizer, **kwargs):
    store, stats = TextCorpus(path=str(path), **kwargs).read(tokenizer)
    return [store.sentence(i) for i in range(len(store))], stats


def test_text_is_tokenized_by_spacy_and_split_into_sentences(tmp_path, tokenizer):
    path = tmp_path / "a.txt"
    path.write_text("Hello world. It's fine, isn't it?\n\n  Second  line here\n", encoding="utf-8")
    sentences, stats = read(path, tokenizer)
    assert sentences == [["Hello", "world", "."], ["It", "'s", "fine", ",", "is", "n't", "it", "?"],
                         ["Second", "line", "here"]]
    assert stats.docs == 2 and stats.sentences == 3 and stats.tokens == 14 and not stats.skipped


def test_long_sentences_are_cut(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(" ".join(f"w{i}" for i in range(25)) + "\n", encoding="utf-8")
    sentences, _ = read(path, SpacyTokenizer(lang="en", max_sentence_length=10))
    assert [len(s) for s in sentences] == [10, 10, 5]
    assert sum(sentences, []) == [f"w{i}" for i in range(25)]


def test_paragraph_mode_joins_hard_wrapped_lines(tmp_path, tokenizer):
    path = tmp_path / "book.txt"
    path.write_text("It was a dark\nand stormy night.\n\nThe end\ncame.\n", encoding="utf-8")
    sentences, stats = read(path, tokenizer, paragraphs=True)
    assert sentences == [["It", "was", "a", "dark", "and", "stormy", "night", "."], ["The", "end", "came", "."]]
    assert stats.docs == 2


def test_jsonl_reader_counts_bad_records(tmp_path, tokenizer):
    path = tmp_path / "a.jsonl"
    lines = [json.dumps({"text": "A cat sat."}), "{not json", json.dumps({"title": "no text"}),
             json.dumps(["a list"]), json.dumps({"text": 5}), json.dumps({"text": "  "}), json.dumps({"text": "Dogs bark."})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sentences, stats = read(path, tokenizer)
    assert sentences == [["A", "cat", "sat", "."], ["Dogs", "bark", "."]]
    assert stats.skipped == {"invalid_json": 1, "no_text": 3, "empty": 1}


def test_spacy_docbin_keeps_tokens_and_sentences(tmp_path, tokenizer):
    doc = Doc(tokenizer.vocab, words=["New", "York", "is", "big", "Yes"], sent_starts=[True, False, False, False, True])
    unsplit = Doc(tokenizer.vocab, words=["One", ".", "Two", "."])
    path = tmp_path / "docs.spacy"
    DocBin(docs=[doc, unsplit]).to_disk(path)
    sentences, stats = read(path, tokenizer)
    assert sentences == [["New", "York", "is", "big"], ["Yes"], ["One", "."], ["Two", "."]]
    assert stats.docs == 2


def test_damaged_docbin_is_a_clear_error(tmp_path, tokenizer):
    path = tmp_path / "bad.spacy"
    path.write_bytes(b"this is not a docbin")
    with pytest.raises(ValueError, match="E303|DocBin"):
        read(path, tokenizer)


def test_sources_zip_dir_glob_and_missing(tmp_path, tokenizer):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.txt").write_text("In a dir.\n", encoding="utf-8")
    (tmp_path / "d" / ".hidden").write_text("hidden\n", encoding="utf-8")
    (tmp_path / "g1.txt").write_text("Glob one.\n", encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "z.zip", "w") as archive:
        archive.writestr("z/keep.txt", "From zip.\n")
        archive.writestr("z/skip.md", "Not me.\n")
    spec = f"{tmp_path / 'd'},{tmp_path / 'g*.txt'},{tmp_path / 'z.zip'}::*.txt"
    assert len(expand_sources(spec)) == 3
    sentences, stats = read(spec, tokenizer)
    assert sentences == [["In", "a", "dir", "."], ["Glob", "one", "."], ["From", "zip", "."]]
    assert stats.files == 3
    with pytest.raises(FileNotFoundError, match="not found"):
        expand_sources(str(tmp_path / "nope.txt"))


def test_empty_file_is_a_clear_error(tmp_path, tokenizer):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match="no usable sentence"):
        read(path, tokenizer)


def test_binary_garbage_alone_is_a_clear_error(tmp_path, tokenizer):
    path = tmp_path / "garbage.bin"
    path.write_bytes(os.urandom(200_000))
    with pytest.raises(ValueError, match="no usable sentence.*binary_files"):
        read(path, tokenizer, format="text")


def test_binary_file_among_text_files_is_skipped_and_counted(tmp_path, tokenizer):
    (tmp_path / "a.txt").write_text("Real text.\n", encoding="utf-8")
    (tmp_path / "b.dat").write_bytes(bytes(range(256)) * 100)
    # garbage a NUL sniff cannot catch (fixed seed: short random lines can happen to be valid text)
    no_nul = bytes(b for b in random.Random(0).randbytes(100_000) if b != 0)
    (tmp_path / "c.dat").write_bytes(no_nul)
    sentences, stats = read(tmp_path, tokenizer, format="text")
    assert sentences == [["Real", "text", "."]]
    assert stats.skipped["binary_files"] == 1
    assert stats.skipped["invalid_utf8"] + stats.skipped["binary"] >= 1


def test_bad_lines_are_skipped_and_counted(tmp_path, tokenizer):
    path = tmp_path / "mixed.txt"
    with open(path, "wb") as handle:
        handle.write(b"Good line one.\n")
        handle.write(b"caf\xe9 is latin-1, not UTF-8.\n")  # invalid UTF-8
        handle.write(b"has a \x07 bell and \x1b escape\n")  # control characters: binary
        handle.write(b"x" * 3_000_000 + b"\n")  # extremely long line
        handle.write(b"Good line two.\n")
        handle.write(b"y" * 500_000)  # long last line without newline
    sentences, stats = read(path, tokenizer, max_line_chars=10_000)
    assert sentences == [["Good", "line", "one", "."], ["Good", "line", "two", "."]]
    assert stats.skipped == {"invalid_utf8": 1, "binary": 1, "too_long": 2}
    assert stats.lines == 6


def test_skip_lines_pattern(tmp_path, tokenizer):
    path = tmp_path / "wiki.txt"
    path.write_text('<doc id="1" title="T">\nText here.\n</doc>\n', encoding="utf-8")
    sentences, stats = read(path, tokenizer, skip_lines=r"^</?doc( |>)")
    assert sentences == [["Text", "here", "."]] and stats.skipped == {"skip_lines": 2}


def test_unknown_format_and_bad_pattern(tmp_path):
    with pytest.raises(ValueError, match="Unknown corpus format"):
        TextCorpus(path=str(tmp_path), format="csv")
    with pytest.raises(ValueError, match="skip_lines.*not a regular expression"):
        TextCorpus(path=str(tmp_path), skip_lines="(unclosed")
