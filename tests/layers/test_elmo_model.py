import numpy
import pytest
import spacy
import torch
from spacy.tokens import Doc

from spacy_elmo import ElmoBiLM
from spacy_elmo.layers import build_elmo_model, configure_sent_spans, configure_strided_spans, get_bilm, set_bilm
from spacy_elmo.layers.elmo_model import get_state
from spacy_elmo.layers.feature_cache import FeatureCache

from ..elmo_helpers import SENTENCES, fixture_paths


@pytest.fixture(scope="module")
def bilm(allennlp_fixture):
    return ElmoBiLM.from_allennlp(*fixture_paths(allennlp_fixture))


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def make_model(bilm, span_getter=None, **kwargs):
    model = build_elmo_model(span_getter or configure_sent_spans(max_tokens=128), **kwargs)
    set_bilm(model, bilm)
    model.initialize()
    return model


def test_matches_bilm_per_sentence(bilm, nlp):
    model = make_model(bilm)
    docs = [nlp(text) for text in SENTENCES]
    outputs = model.predict(docs)
    expected = bilm.embed_sentences([[t.text for t in doc] for doc in docs])
    for doc, output, reference in zip(docs, outputs, expected):
        assert output.dtype == numpy.float32
        assert output.shape == (3, len(doc), 32)
        numpy.testing.assert_allclose(output, reference, atol=1e-5, rtol=1e-5)
    assert model.get_dim("nL") == 3 and model.get_dim("nO") == 32


def test_sentences_of_a_doc_are_independent(bilm, nlp):
    model = make_model(bilm)
    doc = Doc(nlp.vocab, words=["Hi", "there", ".", "Bye", "now", "."], sent_starts=[1, 0, 0, 1, 0, 0])
    output = model.predict([doc])[0]
    first, second = bilm.embed_sentences([["Hi", "there", "."], ["Bye", "now", "."]])
    numpy.testing.assert_allclose(output[:, :3], first, atol=1e-5)
    numpy.testing.assert_allclose(output[:, 3:], second, atol=1e-5)


def test_whitespace_tokens_are_skipped_and_zero(bilm, nlp):
    model = make_model(bilm)
    doc = nlp("Hello  world\n\n")
    assert [t.is_space for t in doc] == [False, True, False, True]
    output = model.predict([doc])[0]
    assert not output[:, 1].any() and not output[:, 3].any()
    reference = bilm.embed_sentences([["Hello", "world"]])[0]
    numpy.testing.assert_allclose(output[:, [0, 2]], reference, atol=1e-5)


def test_empty_and_whitespace_only_docs(bilm, nlp):
    model = make_model(bilm)
    calls = get_state(model).n_bilm_calls
    outputs = model.predict([nlp(""), nlp("   \n "), Doc(nlp.vocab, words=[])])
    assert [o.shape for o in outputs] == [(3, 0, 32), (3, 1, 32), (3, 0, 32)]
    assert not outputs[1].any()
    assert get_state(model).n_bilm_calls == calls
    assert model.predict([]) == []


def test_batch_invariance(bilm, nlp):
    model = make_model(bilm, max_batch_tokens=512)
    rng = numpy.random.default_rng(0)
    words = "the cat sat on a mat and then it ran quickly to big houses in Paris".split()
    docs = [Doc(nlp.vocab, words=[str(w) for w in rng.choice(words, size=int(rng.integers(1, 40)))]) for _ in range(64)]
    together = model.predict(docs)
    for i in (0, 17, 63):
        alone = model.predict([docs[i]])[0]
        numpy.testing.assert_allclose(alone, together[i], atol=1e-5, rtol=0)


def test_long_doc_is_windowed(bilm, nlp):
    model = make_model(bilm, span_getter=configure_strided_spans(window=50), max_batch_tokens=1000)
    doc = Doc(nlp.vocab, words=["word"] * 20_000)
    output = model.predict([doc])[0]
    assert output.shape == (3, 20_000, 32)
    state = get_state(model)
    assert state.max_rows_seen == 50
    assert state.max_positions_seen <= 1000
    numpy.testing.assert_allclose(output[:, :50], output[:, 50:100], atol=1e-5)


def test_very_long_token(bilm, nlp):
    model = make_model(bilm)
    long_token = "x" * 10_000
    doc = Doc(nlp.vocab, words=["a", long_token, "b"])
    output = model.predict([doc])[0]
    reference = bilm.embed_sentences([["a", "x" * 48, "b"]])[0]
    numpy.testing.assert_allclose(output, reference, atol=1e-5)


def test_span_getter_must_tile(bilm, nlp):
    def overlapping(docs):
        return [[doc[0:2], doc[1:3]] for doc in docs]

    model = make_model(bilm, span_getter=overlapping)
    with pytest.raises(ValueError, match="token 1 is covered 2 times"):
        model.predict([Doc(nlp.vocab, words=["a", "b", "c"])])


def test_unloaded_model_raises(nlp):
    model = build_elmo_model(configure_sent_spans())
    assert get_bilm(model) is None
    with pytest.raises(ValueError, match="no biLM yet"):
        model.predict([nlp("Hello")])


def test_backprop_matches_torch_autograd(allennlp_fixture, nlp):
    bilm = ElmoBiLM.from_allennlp(*fixture_paths(allennlp_fixture))
    reference = ElmoBiLM.from_allennlp(*fixture_paths(allennlp_fixture))
    model = make_model(bilm)
    docs = [nlp("The bank raised rates ."), nlp("Hi there")]
    outputs, backprop = model.begin_update(docs)
    rng = numpy.random.default_rng(1)
    d_outputs = [rng.normal(size=o.shape).astype("float32") for o in outputs]
    backprop(d_outputs)
    # The same loss, sum(d * layers), computed directly in torch.
    from spacy_elmo.model.chars import batch_to_ids

    loss = 0
    for doc, d in zip(docs, d_outputs):
        layers = reference(batch_to_ids([[t.text for t in doc]])).layers[:, 0, 1:-1]
        loss = loss + (layers * torch.from_numpy(d)).sum()
    loss.backward()
    ours = dict(get_bilm(model).named_parameters())
    for name, param in reference.named_parameters():
        if param.grad is None:
            continue
        assert ours[name].grad is not None, name
        torch.testing.assert_close(ours[name].grad, param.grad, atol=1e-4, rtol=1e-4)


def test_serialization_restores_architecture_and_never_unpickles(bilm, nlp, monkeypatch):
    model = make_model(bilm)
    data = model.to_bytes()
    fresh = build_elmo_model(configure_sent_spans(max_tokens=128))
    assert get_bilm(fresh) is None

    def no_torch_load(*args, **kwargs):
        raise AssertionError("torch.load must not be used")

    monkeypatch.setattr(torch, "load", no_torch_load)
    fresh.from_bytes(data)
    assert get_bilm(fresh).config == bilm.config
    docs = [nlp(text) for text in SENTENCES]
    for a, b in zip(model.predict(docs), fresh.predict(docs)):
        numpy.testing.assert_array_equal(a, b)


def test_damaged_bytes_give_clear_error(bilm):
    from spacy_elmo.layers.bilm_layer import deserialize_bilm

    with pytest.raises(ValueError, match="Cannot read the biLM stored"):
        deserialize_bilm(None, b"not msgpack at all", torch.device("cpu"))


def test_feature_cache_is_used_in_prediction_when_active(bilm, nlp):
    model = make_model(bilm)
    state = get_state(model)
    state.cache = FeatureCache(max_bytes=10**7)
    state.cache_active = True
    docs = [nlp(text) for text in SENTENCES]
    first = model.predict(docs)
    calls = state.n_bilm_calls
    second = model.predict(docs)
    assert state.n_bilm_calls == calls  # every span came from the cache
    assert state.cache.hits == len(SENTENCES)
    for a, b in zip(first, second):
        numpy.testing.assert_array_equal(a, b)
    # never in training mode
    model.begin_update(docs)
    assert state.n_bilm_calls > calls
