"""The listener checklist: linking, frozen and fine-tuned training, replace_listeners, sourcing,
annotating components, prediction without side effects."""
import numpy
import pytest
import spacy
import torch
from thinc.api import Adam

from spacy_elmo.layers.elmo_model import get_state

from ..elmo_helpers import LISTENER, NER_MODEL, TEXTCAT_MODEL, elmo_nlp, ner_textcat_nlp, train_examples


def trained(nlp, steps=3):
    examples = train_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(steps):
        nlp.update(examples, sgd=optimizer, losses={})
    return nlp


def params(model):
    return {(node.id, name): node.get_param(name).copy() for node in model.walk() for name in node.param_names
            if node.has_param(name)}


def bilm_state(nlp):
    return {k: v.detach().clone() for k, v in nlp.get_pipe("elmo").bilm.state_dict().items()}


def test_listeners_are_found(allennlp_fixture):
    nlp = ner_textcat_nlp(allennlp_fixture)
    elmo = nlp.get_pipe("elmo")
    assert elmo.listening_components == ["ner", "textcat"]
    assert len(elmo.listeners) == 2
    nlp.remove_pipe("textcat")
    assert elmo.listening_components == ["ner"]


@pytest.mark.parametrize(
    "factory,config,annotations",
    [
        ("tagger", {"model": {"@architectures": "spacy.Tagger.v2", "nO": None, "normalize": False, "tok2vec": LISTENER}},
         {"tags": ["NN", "VBZ", "NN", "IN", "NNP", "."]}),
        ("textcat_multilabel", {"model": {**TEXTCAT_MODEL, "exclusive_classes": False}}, {"cats": {"A": 1.0, "B": 1.0}}),
        ("spancat", {"spans_key": "sc", "model": {
            "@architectures": "spacy.SpanCategorizer.v1",
            "reducer": {"@layers": "spacy.mean_max_reducer.v1", "hidden_size": 16},
            "scorer": {"@layers": "spacy.LinearLogistic.v1", "nO": None, "nI": None},
            "tok2vec": LISTENER}}, {"spans": {"sc": [(0, 15, "PER")]}}),
    ],
)
def test_other_components_listen_and_train(allennlp_fixture, factory, config, annotations):
    from spacy.training import Example

    nlp = elmo_nlp(allennlp_fixture)
    nlp.add_pipe(factory, config=config)
    assert nlp.get_pipe("elmo").listening_components == [factory]
    example = Example.from_dict(nlp.make_doc("Peter Blackburn flew to Brussels ."), annotations)
    optimizer = nlp.initialize(lambda: [example])
    before = params(nlp.get_pipe(factory).model)
    losses = {}
    for _ in range(2):
        nlp.update([example], sgd=optimizer, losses=losses)
    assert losses[factory] > 0
    after = params(nlp.get_pipe(factory).model)
    assert any(not numpy.array_equal(before[k], after[k]) for k in before)
    nlp("Peter Blackburn flew to Brussels .")


def test_frozen_biLM_trains_listeners_and_caches(allennlp_fixture):
    nlp = ner_textcat_nlp(allennlp_fixture)
    examples = train_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    before_bilm = bilm_state(nlp)
    listener = nlp.get_pipe("elmo").listener_map["ner"][0]
    mix = listener.layers[0]
    mix_before = mix.get_param("W").copy()
    state = get_state(nlp.get_pipe("elmo").model)
    nlp.update(examples, sgd=optimizer)
    calls_after_first = state.n_bilm_calls
    for _ in range(3):
        nlp.update(examples, sgd=optimizer)
    assert state.n_bilm_calls == calls_after_first  # epochs after the first skip the biLM
    assert state.cache.hits >= 3 * len(examples)
    after_bilm = bilm_state(nlp)
    assert all(torch.equal(before_bilm[k], after_bilm[k]) for k in before_bilm)
    assert not numpy.array_equal(mix_before, mix.get_param("W"))


def test_fine_tuned_biLM_gets_one_summed_update_per_batch(allennlp_fixture):
    nlp = ner_textcat_nlp(allennlp_fixture, frozen=False)
    examples = train_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    elmo = nlp.get_pipe("elmo")
    assert elmo.feature_cache is None
    before = bilm_state(nlp)
    backward_passes = []
    weight = elmo.bilm.token_encoder.projection_weight
    handle = weight.register_hook(lambda grad: backward_passes.append(grad.clone()))
    losses = {}
    for _ in range(2):
        nlp.update(examples, sgd=optimizer, losses=losses)
    handle.remove()
    assert len(backward_passes) == 2  # two listeners, one backward pass per batch
    assert losses["elmo"] > 0
    after = bilm_state(nlp)
    assert any(not torch.equal(before[k], after[k]) for k in before)


def test_no_update_during_predict(allennlp_fixture):
    nlp = trained(ner_textcat_nlp(allennlp_fixture, frozen=False), steps=1)
    before = {name: params(proc.model) for name, proc in nlp.pipeline}
    bilm_before = bilm_state(nlp)
    nlp("Peter Blackburn flew to Brussels .")
    list(nlp.pipe(["EU rejects German call .", "Japan beat Syria ."]))
    for name, proc in nlp.pipeline:
        after = params(proc.model)
        assert all(numpy.array_equal(before[name][k], after[k]) for k in after), name
    bilm_after = bilm_state(nlp)
    assert all(torch.equal(bilm_before[k], bilm_after[k]) for k in bilm_before)


def test_replace_listeners(allennlp_fixture, tmp_path):
    nlp = trained(ner_textcat_nlp(allennlp_fixture))
    text = "Peter Blackburn flew to Brussels ."
    doc = nlp(text)
    nlp.replace_listeners("elmo", "ner", ["model.tok2vec"])
    assert nlp.get_pipe("elmo").listening_components == ["textcat"]
    tok2vec_cfg = nlp.config["components"]["ner"]["model"]["tok2vec"]
    assert tok2vec_cfg["@architectures"] == "spacy_elmo.ElmoTok2Vec.v1"
    assert tok2vec_cfg["frozen"] is True
    replaced = nlp(text)
    assert [(e.text, e.label_) for e in replaced.ents] == [(e.text, e.label_) for e in doc.ents]
    nlp.to_disk(tmp_path / "replaced")
    loaded = spacy.load(tmp_path / "replaced")
    assert loaded.get_pipe("elmo").listening_components == ["textcat"]
    again = loaded(text)
    assert [(e.text, e.label_) for e in again.ents] == [(e.text, e.label_) for e in doc.ents]
    assert again.cats == pytest.approx(doc.cats, abs=1e-6)
    # the replaced ner runs and trains without the elmo component
    loaded.remove_pipe("elmo")
    loaded.remove_pipe("textcat")
    examples = train_examples(loaded)
    losses = {}
    loaded.update(examples, sgd=Adam(0.001), losses=losses)
    assert losses["ner"] > 0


def test_replaced_listener_trains_through_its_own_feature_cache(allennlp_fixture):
    nlp = trained(ner_textcat_nlp(allennlp_fixture), steps=1)
    nlp.replace_listeners("elmo", "ner", ["model.tok2vec"])
    assert nlp.config["components"]["ner"]["model"]["tok2vec"]["cache_size_mb"] == 1024
    ner = nlp.get_pipe("ner")
    elmo_tok2vec = next(node for node in ner.model.walk() if node.name == "elmo_tok2vec")
    state = get_state(elmo_tok2vec.layers[0])
    examples = train_examples(nlp)
    optimizer = Adam(0.001)
    ner.update(examples, sgd=optimizer)
    calls_after_first = state.n_bilm_calls
    assert calls_after_first >= 1
    for _ in range(2):
        ner.update(examples, sgd=optimizer)
    assert state.n_bilm_calls == calls_after_first  # later epochs read the copy's cache
    assert state.cache.hits >= 2 * len(examples)
    hits = state.cache.hits
    nlp("Peter Blackburn flew to Brussels .")
    assert state.cache.hits == hits and state.n_bilm_calls == calls_after_first + 1  # prediction never caches


def test_replace_listeners_invalid(allennlp_fixture):
    nlp = ner_textcat_nlp(allennlp_fixture)
    with pytest.raises(ValueError, match="E886"):
        nlp.replace_listeners("elmo", "ner", ["model.nonexistent"])
    with pytest.raises(ValueError, match="E887"):
        nlp.replace_listeners("elmo", "ner", ["model.tok2vec", "model.tok2vec"])
    with pytest.raises(ValueError, match="E889"):
        nlp.replace_listeners("elmo", "parser", ["model.tok2vec"])
    assert nlp.get_pipe("elmo").listening_components == ["ner", "textcat"]


def test_sourcing_components(allennlp_fixture):
    source = trained(ner_textcat_nlp(allennlp_fixture))
    nlp = spacy.blank("en")
    nlp.add_pipe("elmo", source=source)
    nlp.add_pipe("ner", source=source)
    assert nlp.get_pipe("elmo").listening_components == ["ner"]
    text = "Peter Blackburn flew to Brussels ."
    a, b = source(text), nlp(text)
    numpy.testing.assert_array_equal(a._.elmo.layers, b._.elmo.layers)
    assert [(e.start, e.end, e.label_) for e in a.ents] == [(e.start, e.end, e.label_) for e in b.ents]


def test_frozen_and_annotating_component(allennlp_fixture):
    nlp = ner_textcat_nlp(allennlp_fixture)
    examples = train_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    ner = nlp.get_pipe("ner")
    before = params(ner.model)
    losses = {}
    nlp.update(examples, sgd=optimizer, losses=losses, exclude=["elmo"], annotates=["elmo"])
    assert losses["ner"] > 0 and "elmo" not in losses
    after = params(ner.model)
    assert any(not numpy.array_equal(before[k], after[k]) for k in before)
    with pytest.raises(ValueError, match="annotating_components"):
        nlp.update(train_examples(nlp), sgd=optimizer, exclude=["elmo"])


def test_listener_without_upstream_sizes(allennlp_fixture):
    nlp = spacy.blank("en")
    nlp.add_pipe("ner", config={"model": NER_MODEL})
    examples = train_examples(nlp)
    with pytest.raises(ValueError, match="does not know the biLM's layer count"):
        nlp.initialize(lambda: examples)


def test_multiprocessing_with_listeners(allennlp_fixture):
    nlp = trained(ner_textcat_nlp(allennlp_fixture))
    texts = ["Peter Blackburn flew to Brussels .", "EU rejects German call .", "Japan beat Syria ."] * 2
    single = list(nlp.pipe(texts))
    multi = list(nlp.pipe(texts, n_process=2, batch_size=2))
    for a, b in zip(single, multi):
        assert [(e.start, e.end, e.label_) for e in a.ents] == [(e.start, e.end, e.label_) for e in b.ents]
        assert a.cats == pytest.approx(b.cats, abs=1e-6)


ENCODER = {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 32, "depth": 2, "window_size": 1,
           "maxout_pieces": 2}


def test_listener_with_contextual_encoder_trains_and_round_trips(allennlp_fixture, tmp_path):
    embed = {"@architectures": "spacy.MultiHashEmbed.v2", "width": 16, "attrs": ["NORM", "SHAPE"],
             "rows": [500, 50], "include_static_vectors": False}
    listener = {**LISTENER, "embed": embed, "encode": ENCODER}
    nlp = elmo_nlp(allennlp_fixture)
    nlp.add_pipe("ner", config={"model": {**NER_MODEL, "tok2vec": listener}})
    examples = train_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    ner = nlp.get_pipe("ner")
    tok2vec = next(node for node in ner.model.walk() if node.name == "elmo_listener")
    encoder = tok2vec.layers[-1]
    assert tok2vec.get_dim("nO") == 32
    before = params(encoder)
    for _ in range(3):
        nlp.update(examples, sgd=optimizer, losses={})
    after = params(encoder)
    assert any(not numpy.array_equal(before[k], after[k]) for k in before)
    doc = nlp("Peter Blackburn flew to Brussels .")
    vectors = tok2vec.predict([doc])[0]
    assert vectors.shape == (len(doc), 32)
    nlp.to_disk(tmp_path / "pipeline")
    restored = spacy.load(tmp_path / "pipeline")
    again = restored("Peter Blackburn flew to Brussels .")
    restored_tok2vec = next(node for node in restored.get_pipe("ner").model.walk() if node.name == "elmo_listener")
    numpy.testing.assert_allclose(restored_tok2vec.predict([again])[0], vectors,
                                  rtol=1e-5, atol=1e-6)
    assert [(e.start, e.end, e.label_) for e in again.ents] == [(e.start, e.end, e.label_) for e in doc.ents]
    # replace_listeners gives ner its own biLM copy, encoder included: same vectors
    restored.replace_listeners("elmo", "ner", ["model.tok2vec"])
    own = restored.get_pipe("ner").model.get_ref("tok2vec").layers[0]
    assert own.name != "elmo_listener"
    numpy.testing.assert_allclose(own.predict([restored.make_doc(doc.text)])[0], vectors, rtol=1e-5, atol=1e-6)


def test_listener_encoder_needs_a_width(allennlp_fixture):
    nlp = elmo_nlp(allennlp_fixture)
    with pytest.raises(ValueError, match="encode layer but no width"):
        nlp.add_pipe("ner", config={"model": {**NER_MODEL, "tok2vec": {**LISTENER, "width": None,
                                                                      "encode": ENCODER}}})


def test_listener_encoder_of_another_width(allennlp_fixture):
    nlp = elmo_nlp(allennlp_fixture)
    listener = {**LISTENER, "width": 24, "encode": ENCODER}
    nlp.add_pipe("textcat", config={"model": {**TEXTCAT_MODEL, "tok2vec": listener}})
    with pytest.raises(ValueError, match="same width as the listener"):
        nlp.initialize(lambda: train_examples(nlp))
