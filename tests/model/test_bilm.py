"""The biLM against the published reference outputs (ELMO_SPEC.md; fixture READMEs)."""
import json

import h5py
import numpy
import pytest
import torch

from spacy_elmo import ElmoBiLM, ScalarMix
from spacy_elmo.model.bilm import remove_sentence_boundaries
from spacy_elmo.model.chars import batch_to_ids

TOL = dict(rtol=1e-5, atol=1e-5)


@pytest.fixture(scope="module")
def allennlp_bilm(allennlp_fixture):
    return ElmoBiLM.from_allennlp(allennlp_fixture / "options.json", allennlp_fixture / "lm_weights.hdf5")


@pytest.fixture(scope="module")
def small(reference_small):
    sentences = json.loads((reference_small / "sentences.json").read_text())
    expected = dict(numpy.load(reference_small / "expected.npz"))
    return sentences, expected


@pytest.fixture(scope="module")
def small_bilm(reference_small):
    return ElmoBiLM.from_allennlp(reference_small / "options.json", reference_small / "weights.hdf5")


def _expected_top_layer(allennlp_fixture, k, i):
    with h5py.File(allennlp_fixture / f"lm_embeddings_{k}.hdf5", "r") as handle:
        data = handle[str(i)][...]
    return numpy.concatenate([data[0], data[1]], axis=-1)


def _allennlp_batch(allennlp_fixture, i):
    sentences = json.loads((allennlp_fixture / "sentences.json").read_text())
    return [sentences[k][i].split() for k in range(3)]


def test_token_layer_matches_reference(allennlp_bilm, allennlp_fixture):
    vocab = (allennlp_fixture / "vocab_test.txt").read_text(encoding="utf-8").split("\n")
    with h5py.File(allennlp_fixture / "elmo_token_embeddings.hdf5", "r") as handle:
        expected = handle["embedding"][...]
    assert len(vocab) == expected.shape[0] == 458
    # As in the reference test: 10 "sentences" of 50 tokens through the whole model.
    chunks = [vocab[i : i + 50] for i in range(0, len(vocab), 50)]
    with torch.no_grad():
        out = allennlp_bilm(batch_to_ids(chunks))
    layers, mask = remove_sentence_boundaries(out.layers, out.mask)
    token_layer = layers[0][mask][:, :16].numpy()
    numpy.testing.assert_allclose(token_layer, expected, rtol=1e-5, atol=1e-6)


def test_literal_boundary_tokens_embed_like_the_inserted_ones(allennlp_bilm):
    with torch.no_grad():
        out = allennlp_bilm(batch_to_ids([["<S>", "</S>"]]))
    token_layer = out.layers[0, 0]  # positions: BOS, "<S>", "</S>", EOS
    torch.testing.assert_close(token_layer[1], token_layer[0])
    torch.testing.assert_close(token_layer[2], token_layer[3])


def test_bilm_batch_0_stateless(allennlp_bilm, allennlp_fixture):
    batch = _allennlp_batch(allennlp_fixture, 0)
    layers = allennlp_bilm.embed_sentences(batch)
    for k, sentence in enumerate(batch):
        assert layers[k].shape == (3, len(sentence), 32)
        numpy.testing.assert_allclose(layers[k][2], _expected_top_layer(allennlp_fixture, k, 0), rtol=1e-5, atol=1e-6)


def test_bilm_all_ten_batches_stateful(allennlp_fixture):
    bilm = ElmoBiLM.from_allennlp(allennlp_fixture / "options.json", allennlp_fixture / "lm_weights.hdf5", stateful=True)
    for i in range(10):
        layers = bilm.embed_sentences(_allennlp_batch(allennlp_fixture, i))
        for k in range(3):
            numpy.testing.assert_allclose(layers[k][2], _expected_top_layer(allennlp_fixture, k, i), rtol=1e-5, atol=1e-6)


def test_stateless_mode_differs_from_stateful_carry_over(allennlp_bilm, allennlp_fixture):
    # Batches after the first only match the reference with the carried state.
    layers = allennlp_bilm.embed_sentences(_allennlp_batch(allennlp_fixture, 1))
    assert numpy.abs(layers[0][2] - _expected_top_layer(allennlp_fixture, 0, 1)).max() > 0.1


def test_reset_states_restarts_from_zero(allennlp_fixture):
    bilm = ElmoBiLM.from_allennlp(allennlp_fixture / "options.json", allennlp_fixture / "lm_weights.hdf5", stateful=True)
    first = bilm.embed_sentences(_allennlp_batch(allennlp_fixture, 0))
    second = bilm.embed_sentences(_allennlp_batch(allennlp_fixture, 0))
    assert numpy.abs(first[0] - second[0]).max() > 1e-3
    bilm.reset_states()
    again = bilm.embed_sentences(_allennlp_batch(allennlp_fixture, 0))
    numpy.testing.assert_array_equal(first[0], again[0])


@pytest.mark.parametrize("batching", ["reference", "one_batch", "single"])
def test_every_layer_of_reference_small(small_bilm, small, batching):
    sentences, expected = small
    all_sentences = sentences["sentences"]
    if batching == "reference":
        batches = sentences["batches"]
    elif batching == "one_batch":
        batches = [list(range(len(all_sentences)))]
    else:
        batches = [[i] for i in range(len(all_sentences))]
    for batch in batches:
        with torch.no_grad():
            out = small_bilm(batch_to_ids([all_sentences[i] for i in batch]))
        for row, i in enumerate(batch):
            n = len(all_sentences[i])
            reference = expected[f"s{i:02d}_layers"]
            numpy.testing.assert_allclose(out.layers[:, row, : n + 2].numpy(), reference, **TOL)
            assert out.mask[row].sum() == n + 2
            assert (out.layers[:, row, n + 2 :] == 0).all(), "padding must be exactly zero"
            numpy.testing.assert_allclose(out.layers[0, row, 1 : n + 1, :32].numpy(), expected[f"s{i:02d}_token"], **TOL)


def test_scalar_mix_of_reference_small(small_bilm, small):
    sentences, expected = small
    mix = ScalarMix(n_layers=3, initial_weights=expected["mix_weights"].tolist(), initial_gamma=float(expected["gamma"]))
    layer_norm_mix = ScalarMix(
        n_layers=3, do_layer_norm=True, initial_weights=expected["mix_weights"].tolist(), initial_gamma=float(expected["gamma"])
    )
    for i, sentence in enumerate(sentences["sentences"]):
        with torch.no_grad():
            out = small_bilm(batch_to_ids([sentence]))
            n = len(sentence)
            mixed = mix(out.layers)[0, 1 : n + 1]
            normed = layer_norm_mix(out.layers, out.mask)[0, 1 : n + 1]
        numpy.testing.assert_allclose(mixed.numpy(), expected[f"s{i:02d}_elmo"], **TOL)
        numpy.testing.assert_allclose(normed.numpy(), expected[f"s{i:02d}_elmo_ln_single"], **TOL)


def test_stateful_batches_of_reference_small(reference_small, small):
    sentences, expected = small
    bilm = ElmoBiLM.from_allennlp(reference_small / "options.json", reference_small / "weights.hdf5", stateful=True)
    mix = ScalarMix(n_layers=3, initial_weights=expected["mix_weights"].tolist(), initial_gamma=float(expected["gamma"]))
    for j, batch in enumerate(sentences["stateful_batches"]):
        with torch.no_grad():
            out = bilm(batch_to_ids([sentences["sentences"][i] for i in batch]))
            mixed = mix(out.layers)
        for row, i in enumerate(batch):
            n = len(sentences["sentences"][i])
            numpy.testing.assert_allclose(out.layers[:, row, : n + 2].numpy(), expected[f"st_b{j}_r{row}_layers"], **TOL)
            numpy.testing.assert_allclose(mixed[row, 1 : n + 1].numpy(), expected[f"st_b{j}_r{row}_elmo"], **TOL)


def test_every_sentence_alone_equals_inside_the_largest_batch(small_bilm, small):
    sentences, _ = small
    all_sentences = sentences["sentences"]
    together = small_bilm.embed_sentences(all_sentences, batch_size=len(all_sentences))
    for i, sentence in enumerate(all_sentences):
        alone = small_bilm.embed_sentences([sentence])[0]
        numpy.testing.assert_allclose(alone, together[i], rtol=0, atol=1e-5)


def test_padding_and_neighbours_never_change_a_sentence(small_bilm):
    sentence = ["The", "cat", "sat", "."]
    alone = small_bilm.embed_sentences([sentence])[0]
    neighbours = [["word"] * 40, sentence, ["x"], []]
    mixed = small_bilm.embed_sentences(neighbours, batch_size=4)
    numpy.testing.assert_allclose(mixed[1], alone, rtol=0, atol=1e-5)
    assert mixed[3].shape == (3, 0, 64)


def test_embed_sentences_rejects_untokenized_input(small_bilm):
    with pytest.raises(TypeError, match="list of token strings"):
        small_bilm.embed_sentences(["The cat sat"])
    with pytest.raises(TypeError, match="position 1"):
        small_bilm.embed_sentences([["ok"], [1, 2]])


def test_forward_rejects_bad_char_ids(small_bilm):
    with pytest.raises(ValueError, match="batch_to_ids"):
        small_bilm(torch.zeros(2, 3, 49, dtype=torch.long))
    with pytest.raises(ValueError, match="batch_to_ids"):
        small_bilm(torch.zeros(2, 3, 50))


def test_outputs_are_float32_numpy_and_deterministic(small_bilm):
    first = small_bilm.embed_sentences([["Hello", "world"]])
    second = small_bilm.embed_sentences([["Hello", "world"]])
    assert first[0].dtype == numpy.float32
    numpy.testing.assert_array_equal(first[0], second[0])


def test_gradients_flow_to_every_parameter_in_training_mode(small_bilm):
    bilm = ElmoBiLM(config=small_bilm.config)
    bilm.load_state_dict(small_bilm.state_dict())
    bilm.train()
    out = bilm(batch_to_ids([["The", "cat", "sat"], ["Hi"]]))
    out.layers.sum().backward()
    for name, parameter in bilm.named_parameters():
        assert parameter.grad is not None and parameter.grad.abs().sum() > 0, name
    assert bilm.token_encoder.char_embedding.grad[0].abs().sum() == 0, "the padding row gets no gradient"


def test_stateful_mode_refuses_training(reference_small):
    bilm = ElmoBiLM.from_allennlp(reference_small / "options.json", reference_small / "weights.hdf5", stateful=True)
    bilm.train()
    with pytest.raises(RuntimeError, match="inference-only"):
        bilm(batch_to_ids([["a"]]))


def test_empty_inputs(small_bilm):
    assert small_bilm.embed_sentences([]) == []
    assert [a.shape for a in small_bilm.embed_sentences([[], ["a"], []])] == [(3, 0, 64), (3, 1, 64), (3, 0, 64)]
    out = small_bilm(torch.zeros(0, 3, 50, dtype=torch.long))
    assert tuple(out.layers.shape) == (3, 0, 5, 64) and tuple(out.mask.shape) == (0, 5)
    out = small_bilm(torch.zeros(2, 0, 50, dtype=torch.long))  # two empty sentences: BOS, EOS only
    assert tuple(out.layers.shape) == (3, 2, 2, 64) and out.mask.all()
