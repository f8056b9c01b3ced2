"""Token ids (spaCy orths) -> ELMo character ids, cached per lexeme."""
from typing import Dict, Sequence

import numpy
from spacy.strings import StringStore

from ..model.chars import encode_token


class CharIdTable:
    """A growing table orth -> row of `max_chars` char ids (int16), built with
    spacy_elmo.model.chars.encode_token. Bounded: it starts again empty when it
    holds `max_entries` lexemes."""

    def __init__(self, *, max_chars: int = 50, max_entries: int = 500_000) -> None:
        self.max_chars = max_chars
        self.max_entries = max_entries
        self.clear()

    def clear(self) -> None:
        self._index: Dict[int, int] = {}
        self._table = numpy.zeros((1024, self.max_chars), dtype="int16")

    def __len__(self) -> int:
        return len(self._index)

    def rows(self, orths: Sequence[int], strings: StringStore) -> numpy.ndarray:
        """orths (N,) -> char ids (N, max_chars) int16."""
        index = self._index
        missing = [orth for orth in set(orths) if orth not in index]
        if missing:
            if len(index) + len(missing) > self.max_entries:
                self.clear()
                index = self._index
                missing = list(set(orths))
            needed = len(index) + len(missing)
            if needed > len(self._table):
                grown = numpy.zeros((max(needed, 2 * len(self._table)), self.max_chars), dtype="int16")
                grown[: len(index)] = self._table[: len(index)]
                self._table = grown
            for orth in missing:
                row = len(index)
                self._table[row] = encode_token(strings[orth], self.max_chars)
                index[orth] = row
        return self._table[[index[orth] for orth in orths]]

    def __deepcopy__(self, memo) -> "CharIdTable":
        return CharIdTable(max_chars=self.max_chars, max_entries=self.max_entries)
