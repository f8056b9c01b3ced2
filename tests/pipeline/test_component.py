import numpy
import pytest
import spacy
from spacy.tokens import Doc

import spacy_elmo
from spacy_elmo import ElmoBiLM
from spacy_elmo.layers.elmo_model import get_state

from ..elmo_helpers import SENTENCES, elmo_nlp, fixture_paths


@pytest.fixture(scope="module")
def nlp(allennlp_fixture):
    return elmo_nlp(allennlp_fixture)


@pytest.fixture(scope="module")
def bilm(allennlp_fixture):
    return ElmoBiLM.from_allennlp(*fixture_paths(allennlp_fixture))


def test_add_pipe_and_doc_extension(nlp, bilm):
    doc = nlp("The bank raised rates.")
    assert doc._.elmo.layers.shape == (3, 5, 32)
    reference = bilm.embed_sentences([[t.text for t in doc]])[0]
    numpy.testing.assert_allclose(doc._.elmo.layers, reference, atol=1e-5)
    numpy.testing.assert_allclose(doc._.elmo[1:3], reference[:, 1:3], atol=1e-5)
    numpy.testing.assert_allclose(doc[1:3]._.elmo, reference[:, 1:3], atol=1e-5)
    numpy.testing.assert_allclose(doc._.elmo.span(doc[1:3]), reference[:, 1:3], atol=1e-5)
    numpy.testing.assert_allclose(doc[2]._.elmo, reference[:, 2], atol=1e-5)


def test_vectors_are_the_fixed_mix(nlp, bilm):
    doc = nlp("The bank raised rates.")
    mean = doc._.elmo.layers.mean(axis=0)
    numpy.testing.assert_allclose(doc.tensor, mean, atol=1e-6)
    numpy.testing.assert_allclose(doc[1].vector, mean[1], atol=1e-6)
    numpy.testing.assert_allclose(doc[1:3].vector, mean[1:3].mean(axis=0), atol=1e-6)
    numpy.testing.assert_allclose(doc.vector, mean.mean(axis=0), atol=1e-6)
    assert doc[1].has_vector and doc.has_vector and doc[0:2].has_vector


def test_vectors_are_contextual(nlp):
    river, money = nlp("He sat on the bank of the river."), nlp("She paid money into the bank.")
    assert river[4].text == money[5].text == "bank"
    assert not numpy.allclose(river[4].vector, money[5].vector)
    assert river[4].similarity(money[5]) < 1.0
    same = nlp("He sat on the bank of the river.")
    assert river.similarity(same) == pytest.approx(1.0, abs=1e-6)
    assert -1.0 <= river.similarity(money) < 1.0


def test_vectors_win_over_static_vectors(allennlp_fixture):
    nlp = elmo_nlp(allennlp_fixture)
    nlp.vocab.set_vector("bank", numpy.ones(7, dtype="float32"))
    doc = nlp("the bank")
    assert doc[1].vector.shape == (32,)


def test_tensor_layer_weights(allennlp_fixture):
    nlp = elmo_nlp(allennlp_fixture, tensor_layer_weights=[0.0, 0.0, 2.0])
    doc = nlp("The bank raised rates.")
    numpy.testing.assert_allclose(doc.tensor, doc._.elmo.layers[2], atol=1e-6)
    bad = elmo_nlp(allennlp_fixture, tensor_layer_weights=[1.0, 1.0])
    with pytest.raises(ValueError, match="tensor_layer_weights has 2 values but the biLM has 3 layers"):
        bad("Hello")


def test_no_weights_error_says_how_to_fix(tmp_path, monkeypatch):
    from spacy_elmo.pipeline import loaders

    monkeypatch.setattr(loaders, "DEFAULT_MODEL_DIR", tmp_path / "no_default_model")
    nlp = spacy.blank("en")
    nlp.add_pipe("elmo")
    with pytest.raises(ValueError, match="has no biLM weights.*AllenNLPLoader"):
        nlp("Hello")


def test_bundled_default_model_needs_no_configuration():
    from spacy_elmo.pipeline.loaders import load_default_model

    nlp = spacy.blank("en")
    nlp.add_pipe("elmo")
    doc = nlp("The bank raised rates.")
    expected = load_default_model().embed_sentences([[t.text for t in doc]])[0]
    numpy.testing.assert_allclose(doc._.elmo.layers, expected, rtol=1e-5, atol=1e-5)
    assert doc[1].vector.shape == (expected.shape[-1],)


def test_weights_file_without_options(allennlp_fixture):
    nlp = spacy.blank("en")
    nlp.add_pipe("elmo", config={"weights": str(allennlp_fixture / "lm_weights.hdf5")})
    with pytest.raises(ValueError, match="needs options"):
        nlp("Hello")


def test_native_weights_directory(allennlp_fixture, bilm, tmp_path):
    bilm.to_disk(tmp_path / "native")
    nlp = spacy.blank("en")
    nlp.add_pipe("elmo", config={"weights": str(tmp_path / "native")})
    doc = nlp("The bank raised rates.")
    numpy.testing.assert_allclose(doc._.elmo.layers, elmo_nlp(allennlp_fixture)(doc.text)._.elmo.layers, atol=1e-6)


def test_initialize_with_loader(allennlp_fixture):
    from spacy_elmo.pipeline.loaders import build_allennlp_loader

    nlp = spacy.blank("en")
    nlp.add_pipe("elmo")
    options, weights = fixture_paths(allennlp_fixture)
    nlp.get_pipe("elmo").initialize(lambda: [_example(nlp)], loader=build_allennlp_loader(options=options,
                                                                                          weights=weights))
    assert nlp("Hello world")._.elmo.layers.shape == (3, 2, 32)


def _example(nlp):
    from spacy.training import Example

    return Example(nlp.make_doc("Hi"), nlp.make_doc("Hi"))


def test_empty_whitespace_and_odd_docs(nlp):
    empty = nlp("")
    assert empty._.elmo.layers.shape == (3, 0, 32) and empty.tensor.shape == (0, 32)
    blank = nlp("   \n\t ")
    assert blank._.elmo.layers.shape[1] == len(blank) and not blank._.elmo.layers.any()
    spaced = nlp("Hello \n\n world")
    assert not spaced._.elmo.layers[:, 1].any() and spaced._.elmo.layers[:, 0].any()
    long_token = nlp("a " + "y" * 10_000 + " b")
    assert long_token._.elmo.layers.shape == (3, 3, 32)
    numpy.testing.assert_allclose(long_token._.elmo.layers, nlp("a " + "y" * 48 + " b")._.elmo.layers, atol=1e-5)


def test_pipe_batch_invariance(nlp):
    rng = numpy.random.default_rng(3)
    words = "the bank raised rates . it rained in Paris on Monday and people stayed home".split()
    texts = [" ".join(str(w) for w in rng.choice(words, size=int(rng.integers(1, 60)))) for _ in range(64)]
    batched = list(nlp.pipe(texts, batch_size=64))
    assert [doc.text for doc in batched] == texts
    for i in (0, 31, 63):
        alone = nlp(texts[i])
        numpy.testing.assert_allclose(alone._.elmo.layers, batched[i]._.elmo.layers, atol=1e-5, rtol=0)
        numpy.testing.assert_allclose(alone.tensor, batched[i].tensor, atol=1e-5, rtol=0)


def test_pipe_multiprocessing(nlp):
    texts = SENTENCES * 3
    single = list(nlp.pipe(texts))
    multi = list(nlp.pipe(texts, n_process=2, batch_size=2))
    for a, b in zip(single, multi):
        numpy.testing.assert_allclose(a._.elmo.layers, b._.elmo.layers, atol=1e-6)
        numpy.testing.assert_allclose(a.tensor, b.tensor, atol=1e-6)
        numpy.testing.assert_allclose(a[0].vector, b[0].vector, atol=1e-6)


def test_doc_data_survives_docbin(nlp):
    from spacy.tokens import DocBin

    doc = nlp("The bank raised rates.")
    restored = list(DocBin(docs=[doc], store_user_data=True).get_docs(nlp.vocab))[0]
    numpy.testing.assert_array_equal(restored._.elmo.layers, doc._.elmo.layers)
    numpy.testing.assert_array_equal(restored._.elmo.vectors, doc._.elmo.vectors)
    # a DocBin keeps neither doc.tensor nor the vector hooks: install them again
    spacy_elmo.install_vector_hooks(restored)
    numpy.testing.assert_allclose(restored[1].vector, doc[1].vector, atol=1e-6)
    numpy.testing.assert_allclose(restored[1:3].vector, doc[1:3].vector, atol=1e-6)
    numpy.testing.assert_allclose(restored.vector, doc.vector, atol=1e-6)
    assert restored.similarity(doc) == pytest.approx(1.0, abs=1e-5)


def test_vectors_survive_to_bytes_through_the_tensor(nlp):
    doc = nlp("The bank raised rates.")
    restored = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    numpy.testing.assert_allclose(restored[1].vector, doc[1].vector, atol=1e-6)
    numpy.testing.assert_allclose(restored.vector, doc.vector, atol=1e-6)


def test_200k_token_doc_is_windowed(allennlp_fixture):
    nlp = elmo_nlp(allennlp_fixture)
    words = ("The bank raised rates again .".split()) * 33_334
    doc = Doc(nlp.vocab, words=words[:200_000])
    elmo = nlp.get_pipe("elmo")
    state = get_state(elmo.model)
    state.max_rows_seen = state.max_positions_seen = 0
    doc = elmo(doc)
    assert doc._.elmo.layers.shape == (3, 200_000, 32)
    assert state.max_rows_seen <= 128  # the rule-based sentences (6 tokens), never the whole doc
    assert state.max_positions_seen <= 4096
    numpy.testing.assert_allclose(doc._.elmo.layers[:, :6], doc._.elmo.layers[:, 6:12], atol=1e-5)
    assert doc._.elmo.layers[:, -2:].any()


def test_default_model_is_used_when_present(bilm, tmp_path, monkeypatch):
    from spacy_elmo.pipeline import loaders

    monkeypatch.setattr(loaders, "DEFAULT_MODEL_DIR", tmp_path / "default_model")
    nlp = spacy.blank("en")
    nlp.add_pipe("elmo")
    with pytest.raises(ValueError, match="has no biLM weights"):
        nlp("Hello")
    bilm.to_disk(tmp_path / "default_model")
    doc = nlp("Hello world")
    numpy.testing.assert_allclose(doc._.elmo.layers, bilm.embed_sentences([["Hello", "world"]])[0], atol=1e-5)
