"""The output vocabulary of the softmax (the input stays character-based).

Words are ordered by corpus frequency (most frequent first), after the three
specials, as in bilm-tf's vocabulary file; the sampled and adaptive softmax
heads rely on this order. Words outside the vocabulary are predicted as <UNK>.
"""
import os
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Union

import numpy

from ..errors import Errors

BOS, EOS, UNK = "<S>", "</S>", "<UNK>"
SPECIALS = (BOS, EOS, UNK)


class Vocabulary:
    """words[i] is the word of softmax class i; words[:3] = <S>, </S>, <UNK>."""

    def __init__(self, *, words: Sequence[str]) -> None:
        words = list(words)
        if tuple(words[:3]) != SPECIALS or len(set(words)) != len(words):
            raise ValueError(Errors.E305.format(path="(in memory)", error="bad specials or duplicate words"))
        self.words: List[str] = words
        self.index: Dict[str, int] = {w: i for i, w in enumerate(words)}

    bos_id, eos_id, unk_id = 0, 1, 2

    def __len__(self) -> int:
        return len(self.words)

    @classmethod
    def build(cls, *, types: Sequence[str], counts: numpy.ndarray, min_count: int = 1, max_size: int = 0) -> "Vocabulary":
        """Token types with their corpus counts -> the most frequent ones (ties by string).

        Keeps words with count >= min_count, at most max_size entries in all
        including the three specials (0 = no limit).
        """
        if min_count < 1:
            raise ValueError(Errors.E310.format(section="vocab", key="min_count", value=min_count, reason="must be >= 1"))
        if max_size and max_size < 4:
            raise ValueError(Errors.E310.format(section="vocab", key="max_size", value=max_size,
                                                reason="must be 0 (no limit) or at least 4"))
        candidates = [(int(c), t) for t, c in zip(types, counts) if c >= min_count and t not in SPECIALS]
        candidates.sort(key=lambda item: (-item[0], item[1]))
        if max_size:
            candidates = candidates[: max_size - len(SPECIALS)]
        if not candidates:
            raise ValueError(Errors.E304.format(n_words=0, min_count=min_count))
        return cls(words=list(SPECIALS) + [t for _, t in candidates])

    def lookup(self, tokens: Iterable[str]) -> numpy.ndarray:
        """Token strings -> int64 class ids (<UNK> for unknown words)."""
        get, unk = self.index.get, self.unk_id
        return numpy.fromiter((get(t, unk) for t in tokens), dtype=numpy.int64)

    def to_file(self, path: Union[str, os.PathLike]) -> None:
        """One word per line (UTF-8), written atomically."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text("".join(w + "\n" for w in self.words), encoding="utf-8")
        os.replace(tmp, path)

    @classmethod
    def from_file(cls, path: Union[str, os.PathLike]) -> "Vocabulary":
        path = Path(path)
        try:
            words = path.read_text(encoding="utf-8").split("\n")
        except (OSError, UnicodeDecodeError) as error:
            raise ValueError(Errors.E305.format(path=path, error=error)) from None
        if words and words[-1] == "":
            words.pop()
        if tuple(words[:3]) != SPECIALS or len(set(words)) != len(words):
            raise ValueError(Errors.E305.format(path=path, error="the first lines are not <S>, </S>, <UNK> or a word repeats"))
        return cls(words=words)
