"""Stanford Sentiment Treebank (PTB-style trees) -> textcat Docs, SST-5 or SST-2.

One binarised tree per line, every node labelled 0-4; the root label is the
sentence label. SST-2 drops neutral (2) sentences and maps 0-1 to negative and
3-4 to positive, as in the standard binary split. With phrases=True every labelled
node (every subtree, single words included) is an example (AllenNLP's SST reader
calls this `use_subtrees`); a phrase with the same words and label is kept once.
"""
import re
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

from spacy.tokens import Doc
from spacy.vocab import Vocab

from ..errors import Errors

FINE_LABELS = ("very_negative", "negative", "neutral", "positive", "very_positive")
BINARY_LABELS = ("negative", "positive")
# Leaves escape brackets the PTB way; spaCy tokenizes raw text with the real characters.
_PTB_ESCAPES = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}
_LEAF = re.compile(r"\(\d ([^()\s]+)\)")
# A node opening "(3", a leaf token, or a closing bracket.
_TOKEN = re.compile(r"\((\d)|([^()\s]+)|\)")


def parse_tree(line: str) -> Tuple[int, List[str]]:
    """'(3 (2 The) (2 Rock) ...)' -> (root label, leaf tokens)."""
    line = line.strip()
    if not line.startswith("(") or len(line) < 4 or not line[1].isdigit():
        raise ValueError(Errors.E280.format(line=line[:80]))
    words = [_PTB_ESCAPES.get(word, word) for word in _LEAF.findall(line)]
    if not words or line.count("(") != line.count(")"):
        raise ValueError(Errors.E280.format(line=line[:80]))
    return int(line[1]), words


def parse_subtrees(line: str) -> List[Tuple[int, List[str]]]:
    """'(3 (2 The) (4 great))' -> (label, leaf tokens) of every node, the root first."""
    parse_tree(line)  # validates, with the same error
    nodes: List[Tuple[int, List[str]]] = []
    stack: List[Tuple[int, List[str]]] = []
    for match in _TOKEN.finditer(line.strip()):
        opening, leaf = match.group(1), match.group(2)
        if opening is not None:
            node = (int(opening), [])
            stack.append(node)
            nodes.append(node)
        elif leaf is not None:
            stack[-1][1].append(_PTB_ESCAPES.get(leaf, leaf))
        else:
            _, words = stack.pop()
            if stack:
                stack[-1][1].extend(words)
    return nodes


def _label_name(label: int, labels: str) -> Optional[str]:
    if labels == "fine":
        return FINE_LABELS[label]
    return None if label == 2 else BINARY_LABELS[int(label > 2)]


def read_sst_trees(path: Path, *, labels: str = "fine", phrases: bool = False) -> Iterator[Tuple[List[str], str]]:
    """Yield (tokens, label name) per sentence, or per distinct phrase with phrases=True;
    labels = "fine" (SST-5) or "binary" (SST-2, neutral dropped)."""
    if labels not in ("fine", "binary"):
        raise ValueError(Errors.E281.format(labels=labels))
    seen = set()
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            examples = parse_subtrees(line) if phrases else [parse_tree(line)]
            for label, words in examples:
                name = _label_name(label, labels)
                if name is None:
                    continue
                if phrases:
                    key = (tuple(words), name)
                    if key in seen:
                        continue
                    seen.add(key)
                yield words, name


def sst_docs(path: Path, *, labels: str = "fine", phrases: bool = False, vocab: Vocab = None) -> Iterator[Doc]:
    """Docs with one-hot `doc.cats` over all labels of the task (exclusive classes)."""
    vocab = vocab if vocab is not None else Vocab()
    names = FINE_LABELS if labels == "fine" else BINARY_LABELS
    for words, label in read_sst_trees(path, labels=labels, phrases=phrases):
        doc = Doc(vocab, words=words)
        doc.cats = {name: float(name == label) for name in names}
        yield doc
