"""Token text -> ELMo character ids, identical to AllenNLP's ELMo character mapper.

Ids are already shifted by +1 so that 0 means padding (ELMO_SPEC.md §3):
a token becomes [BOW, byte+1, ..., EOW, PAD, ...] of length 50, with the UTF-8
bytes cut at 48 (on bytes, even inside a multi-byte character).
"""
from functools import lru_cache
from typing import Iterable, List, Sequence, Tuple

import torch

MAX_WORD_LENGTH = 50
BEGINNING_OF_SENTENCE_CHAR = 256 + 1
END_OF_SENTENCE_CHAR = 257 + 1
BEGINNING_OF_WORD_CHAR = 258 + 1
END_OF_WORD_CHAR = 259 + 1
PADDING_CHAR = 260 + 1

BOS_TOKEN = "<S>"
EOS_TOKEN = "</S>"


def _marker_ids(char: int, max_length: int = MAX_WORD_LENGTH) -> Tuple[int, ...]:
    return (BEGINNING_OF_WORD_CHAR, char, END_OF_WORD_CHAR) + (PADDING_CHAR,) * (max_length - 3)


BOS_IDS: Tuple[int, ...] = _marker_ids(BEGINNING_OF_SENTENCE_CHAR)
EOS_IDS: Tuple[int, ...] = _marker_ids(END_OF_SENTENCE_CHAR)


@lru_cache(maxsize=200_000)
def encode_token(text: str, max_length: int = MAX_WORD_LENGTH) -> Tuple[int, ...]:
    """One token -> a tuple of `max_length` char ids (cached: tokens repeat).

    "<S>" and "</S>" get the sentence-boundary ids, as in the reference mapper.
    Lone surrogates (which UTF-8 cannot encode) are dropped.
    """
    if text == BOS_TOKEN:
        return BOS_IDS if max_length == MAX_WORD_LENGTH else _marker_ids(BEGINNING_OF_SENTENCE_CHAR, max_length)
    if text == EOS_TOKEN:
        return EOS_IDS if max_length == MAX_WORD_LENGTH else _marker_ids(END_OF_SENTENCE_CHAR, max_length)
    data = text.encode("utf-8", errors="ignore")[: max_length - 2]
    return (
        (BEGINNING_OF_WORD_CHAR,)
        + tuple(byte + 1 for byte in data)
        + (END_OF_WORD_CHAR,)
        + (PADDING_CHAR,) * (max_length - 2 - len(data))
    )


def batch_to_ids(sentences: Sequence[Sequence[str]], max_length: int = MAX_WORD_LENGTH) -> torch.Tensor:
    """Sentences of token strings -> int64 tensor (batch, max_n_tokens, max_length).

    Shorter sentences are right-padded with all-zero rows. No sentence boundary
    tokens are added here: the biLM inserts them (ELMO_SPEC.md §3.6).
    """
    n_tokens = max((len(s) for s in sentences), default=0)
    ids = torch.zeros((len(sentences), n_tokens, max_length), dtype=torch.long)
    for row, sentence in enumerate(sentences):
        if sentence:
            ids[row, : len(sentence)] = torch.tensor([encode_token(t, max_length) for t in sentence])
    return ids


def tokens_to_ids(tokens: Iterable[str], max_length: int = MAX_WORD_LENGTH) -> List[Tuple[int, ...]]:
    """A flat list of tokens -> a list of char-id tuples."""
    return [encode_token(t, max_length) for t in tokens]
