"""Length-bucketed batches of sentences, in an order fixed by (seed, epoch).

Nothing here has state: the batches of an epoch are a pure function of the
corpus, the seed and the epoch number, so the data position of a run is just
(epoch, batch index) and a resumed run sees exactly the batches it would have.
"""
from typing import List, NamedTuple, Optional

import numpy
import torch

from ..model.chars import MAX_WORD_LENGTH, encode_token
from .store import SentenceStore
from .vocab import Vocabulary

IGNORE = -100  # target value of positions without a prediction


class LMBatch(NamedTuple):
    """char_ids int64 (B, T, W), no sentence markers (the biLM adds them);
    forward_targets / backward_targets int64 (B, T+2), aligned with the biLM's
    positions (0 = BOS, 1..n = tokens, n+1 = EOS): position t of the forward LM
    predicts token t+1 (</S> at t = n), position t of the backward LM predicts
    token t-1 (<S> at t = 1); IGNORE elsewhere. n_tokens: real tokens in the batch."""

    char_ids: torch.Tensor
    forward_targets: torch.Tensor
    backward_targets: torch.Tensor
    n_tokens: int

    def to(self, device: torch.device) -> "LMBatch":
        return LMBatch(self.char_ids.to(device, non_blocking=True), self.forward_targets.to(device, non_blocking=True),
                       self.backward_targets.to(device, non_blocking=True), self.n_tokens)


class LMData:
    """A SentenceStore seen through a Vocabulary: char ids and softmax targets per sentence."""

    def __init__(self, *, store: SentenceStore, vocab: Vocabulary, max_characters_per_token: int = MAX_WORD_LENGTH) -> None:
        self.store = store
        self.vocab = vocab
        self.lengths = store.lengths()
        self.type_classes = vocab.lookup(store.types)  # (n_types,)
        width = max_characters_per_token
        self.type_chars = numpy.array([encode_token(t, width) for t in store.types], dtype=numpy.int16).reshape(-1, width)

    def __len__(self) -> int:
        return len(self.store)

    def make_batch(self, indices) -> LMBatch:
        """Sentence indices -> an LMBatch (rows in the given order)."""
        indices = list(indices)
        lengths = self.lengths[indices]
        n_rows, n_max = len(indices), int(lengths.max()) if len(indices) else 0
        width = self.type_chars.shape[1]
        char_ids = numpy.zeros((n_rows, n_max, width), dtype=numpy.int64)
        forward = numpy.full((n_rows, n_max + 2), IGNORE, dtype=numpy.int64)
        backward = numpy.full((n_rows, n_max + 2), IGNORE, dtype=numpy.int64)
        for row, index in enumerate(indices):
            types = self.store.sentence_type_ids(index)
            n = len(types)
            char_ids[row, :n] = self.type_chars[types]
            classes = self.type_classes[types]
            forward[row, :n] = classes
            forward[row, n] = Vocabulary.eos_id
            backward[row, 1] = Vocabulary.bos_id
            backward[row, 2 : n + 2] = classes
        return LMBatch(torch.from_numpy(char_ids), torch.from_numpy(forward), torch.from_numpy(backward),
                       int(lengths.sum()))


def epoch_batches(lengths: numpy.ndarray, *, seed: int, epoch: int, max_tokens: int, max_sentences: int,
                  pool_batches: int = 100, shuffle: bool = True) -> List[numpy.ndarray]:
    """Sentence lengths -> the batches (arrays of sentence indices) of one epoch.

    Sentences are shuffled, cut into pools of about pool_batches batches, sorted
    by length inside each pool and grouped so that a batch holds at most
    max_sentences sentences and at most max_tokens padded positions
    (rows × (longest + 2)); then the batches are shuffled. shuffle=False keeps the
    corpus order and sorts the whole corpus by length (for evaluation).
    """
    n = len(lengths)
    if shuffle:
        rng = numpy.random.default_rng([seed, epoch])
        order = rng.permutation(n)
        average = max(1.0, float(lengths.mean()) + 2) if n else 1.0
        pool_size = max(1, int(pool_batches * min(max_sentences, max(1, max_tokens // average))))
    else:
        rng, order, pool_size = None, numpy.arange(n), max(n, 1)
    batches: List[numpy.ndarray] = []
    for start in range(0, n, pool_size):
        pool = order[start : start + pool_size]
        pool = pool[numpy.argsort(lengths[pool], kind="stable")]
        batches.extend(_group(pool, lengths, max_tokens, max_sentences))
    if rng is not None:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    return batches


def _group(sorted_indices: numpy.ndarray, lengths: numpy.ndarray, max_tokens: int, max_sentences: int) -> List[numpy.ndarray]:
    batches, start = [], 0
    for end in range(1, len(sorted_indices) + 1):
        longest = int(lengths[sorted_indices[end - 1]]) + 2
        if end - start > max_sentences or (end - start) * longest > max_tokens and end - start > 1:
            batches.append(sorted_indices[start : end - 1])
            start = end - 1
    if start < len(sorted_indices):
        batches.append(sorted_indices[start:])
    return batches


def shard(batches: List[numpy.ndarray], *, rank: int, world_size: int, drop_last: bool = True) -> List[Optional[numpy.ndarray]]:
    """Every world_size-th batch from `rank`; with drop_last all ranks get the same number."""
    usable = len(batches) - len(batches) % world_size if drop_last else len(batches)
    return batches[rank:usable:world_size]
