"""CoNLL-2003 NER (4 columns: word POS chunk NE, IOB1 tags) -> spaCy Docs / .spacy files.

IOB1, as in the original CoNLL-2003 files: an entity may start with I-; B-TYPE only
marks the first token of an entity that directly follows another entity of the same
type. The decoder below reads IOB1 and IOB2 alike: a token starts a new entity when its
tag is B-, or I- after O, or I- of another type than the previous token.
"""
import re
from pathlib import Path
from typing import Iterator, List, NamedTuple, Optional, Tuple, Union

from spacy.tokens import Doc, DocBin, Span
from spacy.vocab import Vocab

from ..errors import Errors

_TAG = re.compile(r"^(O|[BI]-\S+)$")


class Sentence(NamedTuple):
    words: List[str]
    pos: List[str]
    ner: List[str]


def iob_to_spans(tags: List[str]) -> List[Tuple[int, int, str]]:
    """IOB1 (or IOB2) tags -> entity spans (start, end, label), token offsets, end exclusive."""
    spans: List[Tuple[int, int, str]] = []
    start: Optional[int] = None
    label: Optional[str] = None
    for i, tag in enumerate(tags):
        if tag == "O":
            if start is not None:
                spans.append((start, i, label))  # type: ignore[arg-type]
            start, label = None, None
            continue
        prefix, kind = tag.split("-", 1)
        if prefix == "B" or start is None or kind != label:
            if start is not None:
                spans.append((start, i, label))  # type: ignore[arg-type]
            start, label = i, kind
    if start is not None:
        spans.append((start, len(tags), label))  # type: ignore[arg-type]
    return spans


def read_conll2003(path: Union[str, Path]) -> Iterator[List[Sentence]]:
    """Yield the documents of a CoNLL-2003 file (split at -DOCSTART-), each a list of sentences.
    A file without -DOCSTART- lines is one document."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(Errors.E215.format(path=path))
    document: List[Sentence] = []
    words: List[str] = []
    pos: List[str] = []
    ner: List[str] = []
    with path.open(encoding="utf-8") as file_:
        for number, line in enumerate(file_, start=1):
            fields = line.split()
            if not fields:
                if words:
                    document.append(Sentence(words, pos, ner))
                    words, pos, ner = [], [], []
                continue
            if fields[0] == "-DOCSTART-":
                if words:
                    document.append(Sentence(words, pos, ner))
                    words, pos, ner = [], [], []
                if document:
                    yield document
                document = []
                continue
            if len(fields) != 4:
                raise ValueError(Errors.E213.format(path=path, line=number, text=line.rstrip("\n")))
            if not _TAG.match(fields[3]):
                raise ValueError(Errors.E214.format(path=path, line=number, tag=fields[3]))
            words.append(fields[0])
            pos.append(fields[1])
            ner.append(fields[3])
    if words:
        document.append(Sentence(words, pos, ner))
    if document:
        yield document


def sentences_to_doc(vocab: Vocab, sentences: List[Sentence]) -> Doc:
    """Sentences -> one Doc with sentence starts, POS in token.tag_ and entities in doc.ents."""
    words = [w for s in sentences for w in s.words]
    sent_starts = [i == 0 for s in sentences for i in range(len(s.words))]
    doc = Doc(
        vocab,
        words=words,
        spaces=[True] * (len(words) - 1) + [False],
        sent_starts=sent_starts,
        tags=[t for s in sentences for t in s.pos],
    )
    entities, offset = [], 0
    for sentence in sentences:
        entities.extend(Span(doc, offset + s, offset + e, label=label) for s, e, label in iob_to_spans(sentence.ner))
        offset += len(sentence.words)
    doc.ents = entities
    return doc


def conll_to_docs(path: Union[str, Path], vocab: Vocab, *, n_sents: int = 10) -> Iterator[Doc]:
    """Docs of `n_sents` consecutive sentences of one CoNLL document (0: the whole document)."""
    for document in read_conll2003(path):
        size = n_sents if n_sents > 0 else len(document)
        for i in range(0, len(document), size):
            yield sentences_to_doc(vocab, document[i : i + size])


def convert_conll(
    input_path: Union[str, Path], output_path: Union[str, Path], *, lang: str = "en", n_sents: int = 10
) -> Tuple[int, int, int]:
    """Write a .spacy DocBin; returns (docs, sentences, entities)."""
    import spacy

    vocab = spacy.blank(lang).vocab
    doc_bin = DocBin(attrs=["ORTH", "TAG", "SENT_START", "ENT_IOB", "ENT_TYPE"])
    n_docs = n_sentences = n_entities = 0
    for doc in conll_to_docs(input_path, vocab, n_sents=n_sents):
        doc_bin.add(doc)
        n_docs += 1
        n_sentences += sum(1 for _ in doc.sents)
        n_entities += len(doc.ents)
    output_path = Path(output_path)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    doc_bin.to_disk(output_path)
    return n_docs, n_sentences, n_entities
