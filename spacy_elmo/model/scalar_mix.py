"""Task-specific weighted sum of the biLM layers (Peters et al. 2018, eq. 1)."""
from typing import Optional, Sequence

import torch
from torch import nn

from ..errors import Errors


class ScalarMix(nn.Module):
    """layers (K, ..., C) -> gamma * sum_k softmax(w)_k * norm(layer_k), shape (..., C).

    do_layer_norm: normalise each layer with one mean/variance pooled over the
    masked-in positions of the whole batch (AllenNLP semantics, ELMO_SPEC.md §6).
    dropout: applied to the output in training mode.
    initial_weights / initial_gamma: starting values; trainable=False freezes them.
    """

    def __init__(
        self,
        *,
        n_layers: int,
        do_layer_norm: bool = False,
        initial_weights: Optional[Sequence[float]] = None,
        initial_gamma: float = 1.0,
        trainable: bool = True,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        weights = torch.zeros(n_layers) if initial_weights is None else torch.tensor(list(initial_weights), dtype=torch.float32)
        if weights.shape != (n_layers,):
            raise ValueError(Errors.E007.format(n_weights=weights.numel(), n_layers=n_layers))
        self.weights = nn.Parameter(weights, requires_grad=trainable)
        self.gamma = nn.Parameter(torch.tensor(float(initial_gamma)), requires_grad=trainable)
        self.do_layer_norm = do_layer_norm
        self.dropout = nn.Dropout(dropout)

    def forward(self, layers: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """layers: (K, ..., C); mask: bool (...) of real positions, needed for layer norm."""
        if layers.shape[0] != self.weights.shape[0]:
            raise ValueError(Errors.E007.format(n_weights=self.weights.shape[0], n_layers=layers.shape[0]))
        if self.do_layer_norm:
            if mask is None:
                mask = torch.ones(layers.shape[1:-1], dtype=torch.bool, device=layers.device)
            layers = _masked_layer_norm(layers, mask)
        normed_weights = torch.softmax(self.weights, dim=0).to(layers.dtype)
        mixed = torch.tensordot(normed_weights, layers, dims=1)
        return self.dropout(self.gamma.to(layers.dtype) * mixed)


def _masked_layer_norm(layers: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    weight = mask.to(layers.dtype).unsqueeze(-1)  # (..., 1)
    n_values = weight.sum() * layers.shape[-1]
    dims = tuple(range(1, layers.dim()))
    mean = (layers * weight).sum(dim=dims, keepdim=True) / n_values
    variance = (((layers - mean) * weight) ** 2).sum(dim=dims, keepdim=True) / n_values
    return (layers - mean) / torch.sqrt(variance + 1e-13)
