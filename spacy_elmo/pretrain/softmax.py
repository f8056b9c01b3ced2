"""Softmax heads of the biLM: full, sampled and adaptive. Pure PyTorch.

Every head maps hidden states (N, P) and target classes (N,) to the negative
log-likelihood of each target, (N,):
- `nll` is exact (used for evaluation / perplexity);
- `training_nll` is what training minimises: exact for the full and adaptive
  heads, the sampled-softmax estimate for the sampled head.
The class ids follow the Vocabulary: frequent words first.
"""
import math
import os
from pathlib import Path
from typing import Sequence, Union

import torch
from torch import nn

from ..errors import Errors

SOFTMAX_NAME = "softmax.safetensors"


class SoftmaxHead(nn.Module):
    #: whether some parameters can get no gradient in a step (DDP needs to know)
    may_skip_parameters = False

    def nll(self, hidden: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:  # pragma: no cover - interface
        raise NotImplementedError

    def training_nll(self, hidden: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return self.nll(hidden, targets)


class FullSoftmax(SoftmaxHead):
    """logits = hidden @ weight.T + bias over the whole vocabulary; weight (V, P), bias (V,)."""

    def __init__(self, *, input_dim: int, vocab_size: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(vocab_size, input_dim))
        self.bias = nn.Parameter(torch.zeros(vocab_size))
        nn.init.normal_(self.weight, std=input_dim**-0.5)

    def nll(self, hidden: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        logits = nn.functional.linear(hidden, self.weight, self.bias).float()
        return nn.functional.cross_entropy(logits, targets, reduction="none")


class SampledSoftmax(FullSoftmax):
    """Sampled softmax (Jean et al. 2015), as TF's sampled_softmax_loss used by bilm-tf.

    In training, each step draws n_samples classes (shared by the batch, with
    replacement) from the log-uniform (Zipfian) distribution over frequency ranks,
    P(k) = log((k+2)/(k+1)) / log(V+1); the logits of the true class and the
    samples are corrected by -log(expected count) and samples equal to the true
    class are masked ("accidental hits"). Evaluation uses the full softmax.
    """

    def __init__(self, *, input_dim: int, vocab_size: int, n_samples: int) -> None:
        if not 0 < n_samples < vocab_size:
            raise ValueError(Errors.E312.format(n_samples=n_samples, vocab_size=vocab_size))
        super().__init__(input_dim=input_dim, vocab_size=vocab_size)
        self.n_samples = n_samples
        self.vocab_size = vocab_size

    def log_expected_count(self, classes: torch.Tensor) -> torch.Tensor:
        k = classes.double()
        probability = torch.log((k + 2) / (k + 1)) / math.log(self.vocab_size + 1)
        return torch.log(probability * self.n_samples).float()

    def sample(self, device: torch.device) -> torch.Tensor:
        """(n_samples,) class ids from the log-uniform distribution (global torch RNG)."""
        uniform = torch.rand(self.n_samples, dtype=torch.float64)
        samples = torch.floor(torch.exp(uniform * math.log(self.vocab_size + 1))).long() - 1
        return samples.clamp_(0, self.vocab_size - 1).to(device)

    def training_nll(self, hidden: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        samples = self.sample(hidden.device)
        true_logits = (hidden * self.weight[targets]).sum(-1) + self.bias[targets]  # (N,)
        sampled_logits = nn.functional.linear(hidden, self.weight[samples], self.bias[samples])  # (N, S)
        true_logits = true_logits.float() - self.log_expected_count(targets)
        sampled_logits = sampled_logits.float() - self.log_expected_count(samples)[None, :]
        sampled_logits = sampled_logits.masked_fill(samples[None, :] == targets[:, None], -1e30)
        logits = torch.cat((true_logits[:, None], sampled_logits), dim=1)
        return torch.logsumexp(logits, dim=1) - logits[:, 0]


class AdaptiveSoftmax(SoftmaxHead):
    """torch.nn.AdaptiveLogSoftmaxWithLoss (Grave et al. 2017): a head of the frequent words
    plus clusters of rarer ones with smaller projections (sizes divided by div_value)."""

    may_skip_parameters = True  # tail clusters get no gradient in a batch without their words

    def __init__(self, *, input_dim: int, vocab_size: int, cutoffs: Sequence[int], div_value: float = 4.0) -> None:
        super().__init__()
        cutoffs = [int(c) for c in cutoffs]
        if not cutoffs or cutoffs != sorted(set(cutoffs)) or cutoffs[0] <= 0 or cutoffs[-1] >= vocab_size:
            raise ValueError(Errors.E311.format(cutoffs=cutoffs, vocab_size=vocab_size))
        self.adaptive = nn.AdaptiveLogSoftmaxWithLoss(input_dim, vocab_size, cutoffs, div_value=div_value)

    def nll(self, hidden: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return -self.adaptive(hidden.float(), targets).output


def save_head(head: SoftmaxHead, path: Union[str, os.PathLike]) -> None:
    """The head's weights as safetensors (temp file + rename)."""
    from safetensors.torch import save_file

    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    save_file({k: v.detach().float().contiguous().cpu() for k, v in head.state_dict().items()}, str(tmp))
    os.replace(tmp, path)


def load_head(head: SoftmaxHead, path: Union[str, os.PathLike]) -> SoftmaxHead:
    """Fill `head` (built with the right sizes) from save_head's file."""
    from safetensors.torch import load_file

    head.load_state_dict(load_file(str(path)))
    return head
