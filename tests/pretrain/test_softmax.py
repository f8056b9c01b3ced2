import math

import pytest
import torch

from spacy_elmo.pretrain.softmax import AdaptiveSoftmax, FullSoftmax, SampledSoftmax


def test_full_softmax_nll_is_cross_entropy():
    torch.manual_seed(0)
    head = FullSoftmax(input_dim=6, vocab_size=11)
    hidden, targets = torch.randn(9, 6), torch.randint(0, 11, (9,))
    logits = hidden @ head.weight.T + head.bias
    expected = -torch.log_softmax(logits, -1)[torch.arange(9), targets]
    torch.testing.assert_close(head.nll(hidden, targets), expected)
    torch.testing.assert_close(head.training_nll(hidden, targets), expected)


def test_adaptive_softmax_is_a_normalised_distribution():
    torch.manual_seed(0)
    head = AdaptiveSoftmax(input_dim=6, vocab_size=30, cutoffs=[5, 15], div_value=2.0)
    hidden = torch.randn(4, 6)
    everything = torch.stack([head.nll(hidden, torch.full((4,), k)) for k in range(30)], dim=1)
    torch.testing.assert_close(torch.logsumexp(-everything, dim=1), torch.zeros(4), atol=1e-5, rtol=0)
    with pytest.raises(ValueError, match="cutoffs"):
        AdaptiveSoftmax(input_dim=6, vocab_size=30, cutoffs=[40])


def test_sampled_softmax_sampler_is_log_uniform_and_masks_accidental_hits():
    torch.manual_seed(0)
    head = SampledSoftmax(input_dim=4, vocab_size=1000, n_samples=500)
    samples = torch.cat([head.sample(torch.device("cpu")) for _ in range(400)])
    for k in (0, 1, 10):
        expected = math.log((k + 2) / (k + 1)) / math.log(1001)
        assert abs((samples == k).float().mean().item() - expected) < 0.005
    assert samples.min() >= 0 and samples.max() < 1000
    # when every sample is the true class, only the true logit is left: loss 0
    head = SampledSoftmax(input_dim=4, vocab_size=10, n_samples=3)
    head.sample = lambda device: torch.tensor([4, 4, 4])
    loss = head.training_nll(torch.randn(2, 4, requires_grad=True), torch.tensor([4, 4]))
    torch.testing.assert_close(loss, torch.zeros(2))
    with pytest.raises(ValueError, match="samples"):
        SampledSoftmax(input_dim=4, vocab_size=10, n_samples=10)


def test_sampled_softmax_evaluates_with_the_full_softmax():
    torch.manual_seed(0)
    head = SampledSoftmax(input_dim=6, vocab_size=50, n_samples=5)
    full = FullSoftmax(input_dim=6, vocab_size=50)
    full.load_state_dict(head.state_dict())
    hidden, targets = torch.randn(7, 6), torch.randint(0, 50, (7,))
    torch.testing.assert_close(head.nll(hidden, targets), full.nll(hidden, targets))
