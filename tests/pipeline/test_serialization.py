"""to_disk/from_disk and to_bytes/from_bytes, before and after training: identical outputs, no pickle."""
import pickle

import numpy
import pytest
import spacy
import torch

from ..elmo_helpers import ner_textcat_nlp, train_examples

TEXTS = ["Peter Blackburn flew to Brussels .", "EU rejects German call .", "It rained in Tokyo on Monday ."]


@pytest.fixture
def forbid_unpickling(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("loading a pipeline must not unpickle")

    monkeypatch.setattr(torch, "load", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)


def clear_cache(nlp):
    """Features cached while training were computed in training batches: equal to a fresh run
    within the batch-invariance tolerance (1e-5, see test_cached_features_match_fresh_ones),
    not bit for bit. Round trips are compared on fresh runs."""
    cache = nlp.get_pipe("elmo").feature_cache
    if cache is not None:
        cache.clear_memory()


def outputs(nlp):
    clear_cache(nlp)
    docs = list(nlp.pipe(TEXTS))
    return [(d._.elmo.layers, d.tensor, [(e.start, e.end, e.label_) for e in d.ents], d.cats) for d in docs]


def assert_same(a, b):
    for (layers_a, tensor_a, ents_a, cats_a), (layers_b, tensor_b, ents_b, cats_b) in zip(a, b):
        numpy.testing.assert_array_equal(layers_a, layers_b)
        numpy.testing.assert_array_equal(tensor_a, tensor_b)
        assert ents_a == ents_b
        assert cats_a == pytest.approx(cats_b, abs=1e-7)


@pytest.fixture(params=["initialized", "trained", "fine-tuned"])
def nlp(request, allennlp_fixture):
    nlp = ner_textcat_nlp(allennlp_fixture, frozen=request.param != "fine-tuned")
    examples = train_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    if request.param != "initialized":
        for _ in range(3):
            nlp.update(examples, sgd=optimizer)
    return nlp


def test_disk_round_trip(nlp, tmp_path, forbid_unpickling):
    expected = outputs(nlp)
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.get_pipe("elmo").listening_components == ["ner", "textcat"]
    assert_same(expected, outputs(loaded))


def test_bytes_round_trip(nlp, forbid_unpickling):
    expected = outputs(nlp)
    data = nlp.to_bytes()
    config = nlp.config
    fresh = spacy.blank("en").from_config(config)
    fresh.from_bytes(data)
    assert_same(expected, outputs(fresh))


def test_component_round_trip_keeps_weights_not_paths(nlp, tmp_path):
    elmo = nlp.get_pipe("elmo")
    elmo.to_disk(tmp_path / "elmo")
    fresh = spacy.blank("en")
    fresh.add_pipe("elmo", config={"weights": str(tmp_path / "does-not-exist.hdf5"), "options": "nope.json"})
    fresh.get_pipe("elmo").from_disk(tmp_path / "elmo")
    clear_cache(nlp)
    numpy.testing.assert_array_equal(fresh(TEXTS[0])._.elmo.layers, nlp(TEXTS[0])._.elmo.layers)


def test_cached_features_match_fresh_ones(nlp):
    docs = train_examples(nlp)
    cached = [d._.elmo.layers for d in nlp.pipe(eg.reference.text for eg in docs)]
    clear_cache(nlp)
    fresh = [d._.elmo.layers for d in nlp.pipe(eg.reference.text for eg in docs)]
    for a, b in zip(cached, fresh):
        numpy.testing.assert_allclose(a, b, atol=1e-5, rtol=0)


def test_training_continues_after_loading(nlp, tmp_path):
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    examples = train_examples(loaded)
    optimizer = loaded.resume_training()
    losses = {}
    loaded.update(examples, sgd=optimizer, losses=losses)
    assert losses["ner"] > 0 and losses["textcat"] > 0


def test_saving_before_first_use_stores_the_configured_weights(allennlp_fixture, tmp_path, forbid_unpickling):
    from ..elmo_helpers import elmo_nlp

    nlp = elmo_nlp(allennlp_fixture)
    assert nlp.get_pipe("elmo").bilm is None  # weights are read when first needed
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.get_pipe("elmo").bilm is not None  # restored from the pipeline, not from the config paths
    numpy.testing.assert_array_equal(loaded(TEXTS[0])._.elmo.layers, nlp(TEXTS[0])._.elmo.layers)
