"""Perplexity on toy cases whose answer is known in closed form."""
import math

import numpy
import pytest
import torch

from spacy_elmo import ElmoBiLM, ElmoConfig
from spacy_elmo.pretrain.batching import LMData
from spacy_elmo.pretrain.evaluate import evaluate_perplexity
from spacy_elmo.pretrain.model import BiLMLanguageModel
from spacy_elmo.pretrain.softmax import FullSoftmax
from spacy_elmo.pretrain.store import SentenceStore
from spacy_elmo.pretrain.vocab import Vocabulary

SENTENCES = [["a", "b", "a"], ["c"], ["b", "b", "d", "a", "c"], ["zz", "a"]]


def toy_model(vocab_size: int) -> BiLMLanguageModel:
    config = ElmoConfig(char_embedding_dim=4, filters=((1, 4), (2, 4)), cell_dim=8, projection_dim=4)
    model = BiLMLanguageModel(bilm=ElmoBiLM(config=config), head=FullSoftmax(input_dim=4, vocab_size=vocab_size))
    with torch.no_grad():
        model.head.weight.zero_()  # the prediction ignores the context: p(w) = softmax(bias)
    return model


@pytest.fixture
def data():
    store = SentenceStore()
    store.extend(SENTENCES)
    vocab = Vocabulary(words=["<S>", "</S>", "<UNK>", "a", "b", "c"])  # "d" and "zz" are <UNK>
    return LMData(store=store.finish(), vocab=vocab)


def test_uniform_model_has_perplexity_equal_to_the_vocabulary_size(data):
    model = toy_model(len(data.vocab))
    result = evaluate_perplexity(model, data, max_tokens=12, max_sentences=2)
    assert result.forward_ppl == pytest.approx(6.0, rel=1e-6)
    assert result.backward_ppl == pytest.approx(6.0, rel=1e-6)
    assert result.mean_ppl == pytest.approx(6.0, rel=1e-6)
    assert result.n_predictions == sum(len(s) + 1 for s in SENTENCES)


def test_unigram_model_perplexity_matches_hand_computation(data):
    probabilities = numpy.array([0.05, 0.15, 0.1, 0.3, 0.25, 0.15])  # <S> </S> <UNK> a b c
    model = toy_model(len(data.vocab))
    with torch.no_grad():
        model.head.bias.copy_(torch.log(torch.tensor(probabilities, dtype=torch.float32)))
    ids = {"<S>": 0, "</S>": 1, "a": 3, "b": 4, "c": 5}  # anything else is <UNK> (2)
    # forward: every token, then </S>; backward: <S>, then every token (the last one from the EOS position)
    forward_targets = [ids.get(w, 2) for s in SENTENCES for w in s + ["</S>"]]
    backward_targets = [ids.get(w, 2) for s in SENTENCES for w in ["<S>"] + s]
    forward_nll = -numpy.mean(numpy.log(probabilities[forward_targets]))
    backward_nll = -numpy.mean(numpy.log(probabilities[backward_targets]))
    result = evaluate_perplexity(model, data, max_tokens=100, max_sentences=3)
    assert result.forward_ppl == pytest.approx(math.exp(forward_nll), rel=1e-5)
    assert result.backward_ppl == pytest.approx(math.exp(backward_nll), rel=1e-5)
    assert result.mean_ppl == pytest.approx(math.exp((forward_nll + backward_nll) / 2), rel=1e-5)
    assert result.forward_ppl != pytest.approx(result.backward_ppl, rel=1e-3)  # </S> and <S> differ
    # evaluation restores the mode and does not depend on batching
    assert model.training
    again = evaluate_perplexity(model, data, max_tokens=8, max_sentences=1)
    assert again.mean_ppl == pytest.approx(result.mean_ppl, rel=1e-6)
