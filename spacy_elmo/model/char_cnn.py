"""The context-independent token encoder: char embedding -> CNN -> highway -> projection."""
from typing import List

import torch
from torch import nn

from .config import ElmoConfig


class CharCNNTokenEncoder(nn.Module):
    """Char ids (N, W) -> token vectors (N, P); ELMO_SPEC.md §4.

    Parameters keep the published (TF) conventions, `x @ weight`:
    char_embedding (n_characters, E) with row 0 the zero padding row;
    conv_weights[i] (width_i, E, count_i), conv_biases[i] (count_i,);
    highway_weights[k] (F, 2F) = [W_transform | W_carry], highway_biases[k] (2F,);
    projection_weight (F, P), projection_bias (P,).
    """

    def __init__(self, *, config: ElmoConfig) -> None:
        super().__init__()
        E, F, P = config.char_embedding_dim, config.n_filters, config.projection_dim
        self.activation = config.activation
        self.widths = [w for w, _ in config.filters]
        self.char_embedding = nn.Parameter(torch.zeros(config.n_characters, E))
        self.conv_weights = nn.ParameterList([nn.Parameter(torch.zeros(w, E, n)) for w, n in config.filters])
        self.conv_biases = nn.ParameterList([nn.Parameter(torch.zeros(n)) for _, n in config.filters])
        self.highway_weights = nn.ParameterList([nn.Parameter(torch.zeros(F, 2 * F)) for _ in range(config.n_highway)])
        self.highway_biases = nn.ParameterList([nn.Parameter(torch.zeros(2 * F)) for _ in range(config.n_highway)])
        self.projection_weight = nn.Parameter(torch.zeros(F, P))
        self.projection_bias = nn.Parameter(torch.zeros(P))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Random initialisation for pretraining (published weights overwrite it)."""
        with torch.no_grad():
            nn.init.uniform_(self.char_embedding, -1.0, 1.0)
            self.char_embedding[0].zero_()
            for weight, bias in zip(self.conv_weights, self.conv_biases):
                fan_in = weight.shape[0] * weight.shape[1]
                nn.init.uniform_(weight, -fan_in**-0.5, fan_in**-0.5)
                bias.zero_()
            for weight, bias in zip(self.highway_weights, self.highway_biases):
                F = weight.shape[0]
                nn.init.normal_(weight, std=(1.0 / F) ** 0.5)
                bias.zero_()
                bias[F:].fill_(-2.0)  # carry gate starts mostly closed: the layer starts near identity
            nn.init.normal_(self.projection_weight, std=(1.0 / self.projection_weight.shape[0]) ** 0.5)
            self.projection_bias.zero_()

    def forward(self, char_ids: torch.Tensor) -> torch.Tensor:
        """char_ids: int64 (N, W) -> float (N, P)."""
        # padding_idx keeps the zero padding row (id 0) out of the gradient, so it stays zero
        chars = nn.functional.embedding(char_ids, self.char_embedding, padding_idx=0)  # (N, W, E)
        n_tokens, width, dim = chars.shape
        pooled: List[torch.Tensor] = []
        for filter_width, weight, bias in zip(self.widths, self.conv_weights, self.conv_biases):
            n_positions = width - filter_width + 1
            # im2col as a strided view: windows (N, positions, w, E) -> one GEMM per filter size
            windows = chars.as_strided(
                (n_tokens, n_positions, filter_width, dim),
                (width * dim, dim, dim, 1),
            ).reshape(n_tokens * n_positions, filter_width * dim)
            conv = torch.addmm(bias, windows, weight.reshape(filter_width * dim, -1))
            # max with indices: its backward scatters to one position, far cheaper than amax's
            pooled.append(conv.view(n_tokens, n_positions, -1).max(dim=1).values)
        x = torch.cat(pooled, dim=-1)
        x = torch.relu(x) if self.activation == "relu" else torch.tanh(x)
        for weight, bias in zip(self.highway_weights, self.highway_biases):
            n_filters = x.shape[-1]
            gates = torch.addmm(bias, x, weight)
            transform = torch.relu(gates[:, :n_filters])
            carry = torch.sigmoid(gates[:, n_filters:])
            x = carry * transform + (1.0 - carry) * x
        return torch.addmm(self.projection_bias, x, self.projection_weight)
