import pytest
import spacy

from spacy_elmo.data.conll import conll_to_docs, convert_conll, iob_to_spans, read_conll2003


@pytest.mark.parametrize(
    "tags,expected",
    [
        (["I-PER", "I-PER", "O", "I-LOC"], [(0, 2, "PER"), (3, 4, "LOC")]),  # IOB1: I- starts an entity
        (["I-PER", "B-PER", "I-PER"], [(0, 1, "PER"), (1, 3, "PER")]),  # B- between same-type entities
        (["I-PER", "I-LOC"], [(0, 1, "PER"), (1, 2, "LOC")]),  # type change without B-
        (["B-ORG", "I-ORG", "O"], [(0, 2, "ORG")]),  # IOB2 style reads the same
        (["O", "B-MISC"], [(1, 2, "MISC")]),
        (["I-MISC", "I-MISC", "B-MISC", "O", "O", "I-MISC"], [(0, 2, "MISC"), (2, 3, "MISC"), (5, 6, "MISC")]),
        (["O", "O"], []),
        ([], []),
    ],
)
def test_iob1_decoding(tags, expected):
    assert iob_to_spans(tags) == expected


SAMPLE = """-DOCSTART- -X- O O

EU NNP I-NP I-ORG
rejects VBZ I-VP O
German JJ I-NP I-MISC
call NN I-NP O
. . O O

Peter NNP I-NP I-PER
Blackburn NNP I-NP I-PER

-DOCSTART- -X- O O

Japan NNP I-NP I-LOC
Syria NNP I-NP B-LOC
won VBD I-VP O
"""


def test_documents_sentences_and_entities(tmp_path):
    path = tmp_path / "sample.conll"
    path.write_text(SAMPLE, encoding="utf-8")
    documents = list(read_conll2003(path))
    assert [len(d) for d in documents] == [2, 1]
    docs = list(conll_to_docs(path, spacy.blank("en").vocab, n_sents=10))
    assert [d.text for d in docs] == ["EU rejects German call . Peter Blackburn", "Japan Syria won"]
    assert [(e.text, e.label_) for e in docs[0].ents] == [("EU", "ORG"), ("German", "MISC"), ("Peter Blackburn", "PER")]
    assert [s.text for s in docs[0].sents] == ["EU rejects German call .", "Peter Blackburn"]
    assert [(e.text, e.label_) for e in docs[1].ents] == [("Japan", "LOC"), ("Syria", "LOC")]
    assert docs[0][1].tag_ == "VBZ"
    assert [d.text for d in conll_to_docs(path, spacy.blank("en").vocab, n_sents=1)] == [
        "EU rejects German call .", "Peter Blackburn", "Japan Syria won"]


def test_entities_do_not_cross_sentences(tmp_path):
    path = tmp_path / "sample.conll"
    path.write_text("A NNP I-NP I-PER\n\nB NNP I-NP I-PER\n", encoding="utf-8")
    doc = next(conll_to_docs(path, spacy.blank("en").vocab))
    assert [(e.start, e.end) for e in doc.ents] == [(0, 1), (1, 2)]


def test_malformed_lines(tmp_path):
    path = tmp_path / "bad.conll"
    path.write_text("EU NNP I-ORG\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1: expected a CoNLL-2003 line"):
        list(read_conll2003(path))
    path.write_text("EU NNP I-NP X-ORG\n", encoding="utf-8")
    with pytest.raises(ValueError, match="invalid NE tag 'X-ORG'"):
        list(read_conll2003(path))
    with pytest.raises(FileNotFoundError, match="Input file not found"):
        list(read_conll2003(tmp_path / "missing"))


def test_real_dev_set_counts(conll_dir, tmp_path):
    # counts verified in ../shared/data/README.md: 3,250 sentences and 5,942 entities in eng.testa
    n_docs, n_sentences, n_entities = convert_conll(conll_dir / "eng.testa", tmp_path / "dev.spacy", n_sents=10)
    assert (n_sentences, n_entities) == (3250, 5942)
    from spacy.tokens import DocBin

    docs = list(DocBin().from_disk(tmp_path / "dev.spacy").get_docs(spacy.blank("en").vocab))
    assert len(docs) == n_docs and sum(len(d.ents) for d in docs) == 5942
