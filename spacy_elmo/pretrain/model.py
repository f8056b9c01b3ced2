"""The pretraining model: an ElmoBiLM plus one softmax head shared by both directions. Pure PyTorch.

As in the paper (Peters et al. 2018, §3.1), the forward and backward LMs share
the character encoder (token representation) and the softmax, and have separate
LSTM stacks. Dropout is applied to the token representation (the LSTM input)
and to the top LSTM outputs before the softmax, in training mode only.
"""
from typing import NamedTuple

import torch
from torch import nn

from ..model.bilm import ElmoBiLM
from .softmax import SoftmaxHead


class LMOutput(NamedTuple):
    """loss: scalar, mean training NLL over all predictions of both directions (what is minimised);
    forward_nll / backward_nll: scalar sums of the NLL per direction (exact when exact=True);
    n_forward / n_backward: number of predictions per direction (tokens + 1 per sentence)."""

    loss: torch.Tensor
    forward_nll: torch.Tensor
    backward_nll: torch.Tensor
    n_forward: torch.Tensor
    n_backward: torch.Tensor


class BiLMLanguageModel(nn.Module):
    def __init__(self, *, bilm: ElmoBiLM, head: SoftmaxHead, token_dropout: float = 0.0,
                 output_dropout: float = 0.0) -> None:
        super().__init__()
        self.bilm = bilm
        self.head = head
        self.token_dropout = token_dropout
        self.output_dropout = nn.Dropout(output_dropout)
        if token_dropout > 0:
            # the biLM computes token vectors once per distinct token of a batch: the
            # dropout mask is therefore shared by the occurrences of a token in a batch
            self._hook = bilm.token_encoder.register_forward_hook(self._drop_tokens)

    def _drop_tokens(self, module: nn.Module, inputs, output: torch.Tensor) -> torch.Tensor:
        return nn.functional.dropout(output, self.token_dropout, training=module.training)

    def forward(self, char_ids: torch.Tensor, forward_targets: torch.Tensor, backward_targets: torch.Tensor,
                exact: bool = False) -> LMOutput:
        """char_ids (B, T, W); targets (B, T+2) as in batching.LMBatch (IGNORE = no prediction)."""
        layers, _ = self.bilm(char_ids)
        top = self.output_dropout(layers[-1])  # (B, T+2, 2P)
        width = top.shape[-1] // 2
        nll = self.head.nll if exact or not self.training else self.head.training_nll
        forward_mask, backward_mask = forward_targets >= 0, backward_targets >= 0
        forward_nll = nll(top[..., :width][forward_mask], forward_targets[forward_mask])
        backward_nll = nll(top[..., width:][backward_mask], backward_targets[backward_mask])
        n_forward, n_backward = forward_mask.sum(), backward_mask.sum()
        loss = (forward_nll.sum() + backward_nll.sum()) / (n_forward + n_backward).clamp(min=1)
        return LMOutput(loss, forward_nll.sum().detach(), backward_nll.sum().detach(), n_forward, n_backward)
