import numpy

from spacy_elmo.model.chars import encode_token
from spacy_elmo.pretrain.batching import IGNORE, LMData, epoch_batches, shard
from spacy_elmo.pretrain.store import SentenceStore
from spacy_elmo.pretrain.vocab import Vocabulary


def test_targets_are_aligned_with_bilm_positions():
    store = SentenceStore()
    store.extend([["a", "b", "c"], ["b", "rare"]])
    vocab = Vocabulary(words=["<S>", "</S>", "<UNK>", "a", "b", "c"])
    batch = LMData(store=store.finish(), vocab=vocab).make_batch([0, 1])
    assert batch.char_ids.shape == (2, 3, 50) and batch.n_tokens == 5
    assert tuple(batch.char_ids[1, 1].tolist()) == encode_token("rare")
    assert batch.char_ids[1, 2].abs().sum() == 0  # padding row
    I = IGNORE
    # positions: 0 = BOS, 1..n tokens, n+1 = EOS; forward at t predicts t+1, backward at t predicts t-1
    assert batch.forward_targets.tolist() == [[3, 4, 5, 1, I], [4, 2, 1, I, I]]
    assert batch.backward_targets.tolist() == [[I, 0, 3, 4, 5], [I, 0, 4, 2, I]]


def test_epoch_batches_cover_the_corpus_once_and_respect_limits():
    rng = numpy.random.default_rng(0)
    lengths = rng.integers(1, 40, size=500)
    batches = epoch_batches(lengths, seed=3, epoch=1, max_tokens=400, max_sentences=16, pool_batches=10)
    flat = numpy.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(500))
    for batch in batches:
        assert len(batch) <= 16
        assert len(batch) == 1 or len(batch) * (lengths[batch].max() + 2) <= 400
    # bucketing: padding is a small fraction of the positions
    padded = sum(len(b) * lengths[b].max() for b in batches)
    assert lengths.sum() / padded > 0.8
    # a pure function of (seed, epoch); other epochs differ
    again = epoch_batches(lengths, seed=3, epoch=1, max_tokens=400, max_sentences=16, pool_batches=10)
    assert all(numpy.array_equal(a, b) for a, b in zip(batches, again)) and len(batches) == len(again)
    other = epoch_batches(lengths, seed=3, epoch=2, max_tokens=400, max_sentences=16, pool_batches=10)
    assert not all(numpy.array_equal(a, b) for a, b in zip(batches, other))


def test_shard_gives_every_rank_the_same_number_of_distinct_batches():
    batches = [numpy.array([i]) for i in range(7)]
    parts = [shard(batches, rank=r, world_size=3) for r in range(3)]
    assert [len(p) for p in parts] == [2, 2, 2]
    assert sorted(int(b[0]) for p in parts for b in p) == list(range(6))
