"""A tokenized corpus held compactly in memory: token types + one int32 id per token.

Sentences are kept as slices of one flat array, so a corpus of millions of
tokens costs a few bytes per token and any sentence can be fetched by index
(which makes the data position of training exactly restorable).
"""
from array import array
from typing import Dict, Iterable, List, Sequence

import numpy


class SentenceStore:
    """types: list of distinct token strings; token_ids int32 (n_tokens,); offsets int64 (n_sentences + 1,)."""

    def __init__(self) -> None:
        self.types: List[str] = []
        self._type_index: Dict[str, int] = {}
        self._tokens = array("i")
        self._offsets = array("q", [0])
        self._token_array = numpy.zeros(0, numpy.int32)
        self._offset_array = numpy.zeros(1, numpy.int64)
        self._finished = False

    # -- building -------------------------------------------------------------
    def add(self, sentence: Sequence[str]) -> None:
        """Append one non-empty sentence of token strings (before `finish`)."""
        if self._finished:
            raise RuntimeError("SentenceStore.add after finish()")
        index = self._type_index
        for token in sentence:
            type_id = index.get(token)
            if type_id is None:
                type_id = index[token] = len(self.types)
                self.types.append(token)
            self._tokens.append(type_id)
        self._offsets.append(len(self._tokens))

    def extend(self, sentences: Iterable[Sequence[str]]) -> None:
        for sentence in sentences:
            if sentence:
                self.add(sentence)

    def finish(self) -> "SentenceStore":
        """End building: move the growable buffers into read-only numpy arrays."""
        if not self._finished:
            self._token_array = numpy.array(self._tokens, dtype=numpy.int32)
            self._offset_array = numpy.array(self._offsets, dtype=numpy.int64)
            self._tokens, self._offsets = array("i"), array("q")
            self._finished = True
        return self

    # -- reading (after finish) -------------------------------------------------
    @property
    def token_ids(self) -> numpy.ndarray:
        """int32 (n_tokens,): the type id of every token, sentence after sentence."""
        self.finish()
        return self._token_array

    @property
    def offsets(self) -> numpy.ndarray:
        """int64 (n_sentences + 1,): sentence i is token_ids[offsets[i]:offsets[i + 1]]."""
        self.finish()
        return self._offset_array

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @property
    def n_tokens(self) -> int:
        return len(self.token_ids)

    def lengths(self) -> numpy.ndarray:
        """(n_sentences,) number of tokens of each sentence."""
        return numpy.diff(self.offsets)

    def sentence_type_ids(self, index: int) -> numpy.ndarray:
        offsets = self.offsets
        return self.token_ids[offsets[index] : offsets[index + 1]]

    def sentence(self, index: int) -> List[str]:
        return [self.types[i] for i in self.sentence_type_ids(index)]

    def type_counts(self) -> numpy.ndarray:
        """(n_types,) corpus frequency of each token type."""
        return numpy.bincount(self.token_ids, minlength=len(self.types))
