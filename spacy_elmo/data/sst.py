"""Stanford Sentiment Treebank (PTB-style trees) -> textcat Docs, SST-5 or SST-2.

One binarised tree per line, every node labelled 0-4; the root label is the
sentence label. SST-2 drops neutral (2) sentences and maps 0-1 to negative and
3-4 to positive, as in the standard binary split.
"""
import re
from pathlib import Path
from typing import Iterator, List, Tuple

from spacy.tokens import Doc
from spacy.vocab import Vocab

from ..errors import Errors

FINE_LABELS = ("very_negative", "negative", "neutral", "positive", "very_positive")
BINARY_LABELS = ("negative", "positive")
# Leaves escape brackets the PTB way; spaCy tokenizes raw text with the real characters.
_PTB_ESCAPES = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}
_LEAF = re.compile(r"\(\d ([^()\s]+)\)")


def parse_tree(line: str) -> Tuple[int, List[str]]:
    """'(3 (2 The) (2 Rock) ...)' -> (root label, leaf tokens)."""
    line = line.strip()
    if not line.startswith("(") or len(line) < 4 or not line[1].isdigit():
        raise ValueError(Errors.E280.format(line=line[:80]))
    words = [_PTB_ESCAPES.get(word, word) for word in _LEAF.findall(line)]
    if not words or line.count("(") != line.count(")"):
        raise ValueError(Errors.E280.format(line=line[:80]))
    return int(line[1]), words


def read_sst_trees(path: Path, *, labels: str = "fine") -> Iterator[Tuple[List[str], str]]:
    """Yield (tokens, label name) per sentence; labels = "fine" (SST-5) or "binary" (SST-2)."""
    if labels not in ("fine", "binary"):
        raise ValueError(Errors.E281.format(labels=labels))
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            label, words = parse_tree(line)
            if labels == "fine":
                yield words, FINE_LABELS[label]
            elif label != 2:
                yield words, BINARY_LABELS[int(label > 2)]


def sst_docs(path: Path, *, labels: str = "fine", vocab: Vocab = None) -> Iterator[Doc]:
    """Docs with one-hot `doc.cats` over all labels of the task (exclusive classes)."""
    vocab = vocab if vocab is not None else Vocab()
    names = FINE_LABELS if labels == "fine" else BINARY_LABELS
    for words, label in read_sst_trees(path, labels=labels):
        doc = Doc(vocab, words=words)
        doc.cats = {name: float(name == label) for name in names}
        yield doc
