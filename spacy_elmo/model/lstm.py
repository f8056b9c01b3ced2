"""The biLM's LSTM stacks: projection, cell/projection clipping, residual connections.

Both directions run together as a batch of 2 (dimension 0: 0 = forward,
1 = backward). Sequences arrive *packed*: time-major, sorted by length
(longest first), so that the rows still active at step t are a prefix of
length batch_sizes[t]. The backward direction receives each sequence already
reversed, so both directions are the same left-to-right recurrence and a
sequence's backward pass starts at its own last position, never on padding.
"""
from typing import List, NamedTuple, Optional, Sequence

import torch
from torch import nn

from .config import ElmoConfig

N_DIRECTIONS = 2


class LstmState(NamedTuple):
    """h: (L, 2, B, P) projected outputs, c: (L, 2, B, D) cells; clipped values, rows in batch order."""

    h: torch.Tensor
    c: torch.Tensor


class ElmoLstm(nn.Module):
    """L layers of forward and backward LSTM cells with projection (ELMO_SPEC.md §5).

    Parameters per layer l, in the published gate order [i, j, f, o] with the
    forget bias (+1) added at run time, `x @ weight`:
    input_weights[l] (2, P, 4D), recurrent_weights[l] (2, P, 4D), biases[l] (2, 4D),
    projection_weights[l] (2, D, P).
    """

    def __init__(self, *, config: ElmoConfig) -> None:
        super().__init__()
        P, D, L = config.projection_dim, config.cell_dim, config.n_layers
        self.cell_dim = D
        self.projection_dim = P
        self.cell_clip = float(config.cell_clip) if config.cell_clip else None
        self.proj_clip = float(config.proj_clip) if config.proj_clip else None
        self.use_skip_connections = config.use_skip_connections
        self.input_weights = nn.ParameterList([nn.Parameter(torch.zeros(N_DIRECTIONS, P, 4 * D)) for _ in range(L)])
        self.recurrent_weights = nn.ParameterList([nn.Parameter(torch.zeros(N_DIRECTIONS, P, 4 * D)) for _ in range(L)])
        self.biases = nn.ParameterList([nn.Parameter(torch.zeros(N_DIRECTIONS, 4 * D)) for _ in range(L)])
        self.projection_weights = nn.ParameterList([nn.Parameter(torch.zeros(N_DIRECTIONS, D, P)) for _ in range(L)])
        forget_bias = torch.zeros(4 * D)
        forget_bias[2 * D : 3 * D] = 1.0  # TF's forget_bias, not stored in the published files
        self.register_buffer("forget_bias", forget_bias, persistent=False)
        self.reset_parameters()

    @property
    def n_layers(self) -> int:
        return len(self.input_weights)

    def reset_parameters(self) -> None:
        """Random initialisation for pretraining (published weights overwrite it)."""
        with torch.no_grad():
            for weights in (self.input_weights, self.recurrent_weights):
                for weight in weights:
                    bound = (6.0 / (weight.shape[1] + weight.shape[2] // 4)) ** 0.5
                    nn.init.uniform_(weight, -bound, bound)
            for bias in self.biases:
                bias.zero_()
            for weight in self.projection_weights:
                nn.init.normal_(weight, std=weight.shape[1] ** -0.5)

    def forward(
        self,
        inputs: torch.Tensor,
        batch_sizes: Sequence[int],
        initial_state: Optional[LstmState] = None,
        return_state: bool = False,
    ):
        """inputs: (2, N, P) packed sequences (see the module docstring), N = sum(batch_sizes).

        batch_sizes: non-increasing active-row counts per time step.
        initial_state: optional LstmState with B = batch_sizes[0] rows in *sorted* order; zeros if None.
        Returns a list of L tensors (2, N, P), the output of each layer (residual included
        from layer 2 on), and, with return_state, the final LstmState in sorted row order.
        """
        batch_sizes = [int(b) for b in batch_sizes]
        n_rows = batch_sizes[0] if batch_sizes else 0
        outputs: List[torch.Tensor] = []
        final_h: List[torch.Tensor] = []
        final_c: List[torch.Tensor] = []
        layer_input = inputs
        for layer in range(self.n_layers):
            if initial_state is not None:
                h0, c0 = initial_state.h[layer], initial_state.c[layer]
            else:
                h0 = inputs.new_zeros(N_DIRECTIONS, n_rows, self.projection_dim)
                c0 = inputs.new_zeros(N_DIRECTIONS, n_rows, self.cell_dim)
            output, h_n, c_n = self._run_layer(layer, layer_input, batch_sizes, h0, c0, return_state)
            if layer > 0 and self.use_skip_connections:
                output = output + layer_input
            outputs.append(output)
            final_h.append(h_n)
            final_c.append(c_n)
            layer_input = output
        if return_state:
            return outputs, LstmState(torch.stack(final_h), torch.stack(final_c))
        return outputs

    def _run_layer(self, layer, inputs, batch_sizes, h, c, return_state):
        bias = (self.biases[layer] + self.forget_bias).unsqueeze(1)  # (2, 1, 4D)
        # The input half of every gate for all time steps at once: one large GEMM
        # instead of one small one per step.
        input_gates = torch.baddbmm(bias, inputs, self.input_weights[layer])  # (2, N, 4D)
        if torch.is_grad_enabled() and (inputs.requires_grad or any(p.requires_grad for p in self.parameters())):
            return self._recurrence_autograd(layer, input_gates, batch_sizes, h, c, return_state)
        return self._recurrence_inplace(layer, input_gates, batch_sizes, h, c, return_state)

    def _recurrence_autograd(self, layer, input_gates, batch_sizes, h, c, return_state):
        D = self.cell_dim
        recurrent_weight = self.recurrent_weights[layer]
        projection_weight = self.projection_weights[layer]
        steps: List[torch.Tensor] = []
        finished_h: List[torch.Tensor] = []
        finished_c: List[torch.Tensor] = []
        offset = 0
        for n_active in batch_sizes:
            if n_active < h.shape[1]:
                if return_state:
                    finished_h.append(h[:, n_active:])
                    finished_c.append(c[:, n_active:])
                h, c = h[:, :n_active], c[:, :n_active]
            gates = torch.baddbmm(input_gates[:, offset : offset + n_active], h, recurrent_weight)
            offset += n_active
            input_gate, candidate, forget_gate, output_gate = gates.split(D, dim=-1)
            c = torch.sigmoid(forget_gate) * c + torch.sigmoid(input_gate) * torch.tanh(candidate)
            if self.cell_clip is not None:
                c = c.clamp(-self.cell_clip, self.cell_clip)
            h = torch.bmm(torch.sigmoid(output_gate) * torch.tanh(c), projection_weight)
            if self.proj_clip is not None:
                h = h.clamp(-self.proj_clip, self.proj_clip)
            steps.append(h)
        output = torch.cat(steps, dim=1) if steps else input_gates.new_zeros(2, 0, self.projection_dim)
        if not return_state:
            return output, None, None
        finished_h.append(h)
        finished_c.append(c)
        # rows finish from the bottom of the sorted batch upwards
        return output, torch.cat(finished_h[::-1], dim=1), torch.cat(finished_c[::-1], dim=1)

    def _recurrence_inplace(self, layer, input_gates, batch_sizes, h, c, return_state):
        """Inference: the same recurrence in preallocated buffers, so that no step
        allocates memory. Every GEMM operand is a contiguous view (a strided one
        makes torch fall back to one GEMM per direction)."""
        D, P = self.cell_dim, self.projection_dim
        recurrent_weight = self.recurrent_weights[layer]
        projection_weight = self.projection_weights[layer]
        n_rows = batch_sizes[0] if batch_sizes else 0
        gate_buffer = input_gates.new_empty(2 * n_rows * 4 * D)
        hidden_buffer = input_gates.new_empty(2 * n_rows * D)
        # step-major: the (2, n_t, P) output block of each step is contiguous
        output_buffer = input_gates.new_empty(2 * input_gates.shape[1] * P)
        c = c.clone()
        blocks: List[torch.Tensor] = []
        finished_h: List[torch.Tensor] = []
        offset = 0
        for n_active in batch_sizes:
            if n_active < h.shape[1]:
                finished_h.append(h[:, n_active:])
                h = h[:, :n_active]
            gates = gate_buffer[: 2 * n_active * 4 * D].view(2, n_active, 4 * D)
            torch.baddbmm(input_gates[:, offset : offset + n_active], h, recurrent_weight, out=gates)
            input_gate, candidate, forget_gate, output_gate = gates.split(D, dim=-1)
            input_gate.sigmoid_()
            forget_gate.sigmoid_()
            output_gate.sigmoid_()
            candidate.tanh_()
            cell = c[:, :n_active]
            cell.mul_(forget_gate).addcmul_(input_gate, candidate)
            if self.cell_clip is not None:
                cell.clamp_(-self.cell_clip, self.cell_clip)
            hidden = hidden_buffer[: 2 * n_active * D].view(2, n_active, D)
            torch.tanh(cell, out=hidden)
            hidden.mul_(output_gate)
            h = output_buffer[2 * offset * P : 2 * (offset + n_active) * P].view(2, n_active, P)
            torch.bmm(hidden, projection_weight, out=h)
            if self.proj_clip is not None:
                h.clamp_(-self.proj_clip, self.proj_clip)
            blocks.append(h)
            offset += n_active
        output = torch.cat(blocks, dim=1) if blocks else input_gates.new_zeros(2, 0, P)
        if not return_state:
            return output, None, None
        finished_h.append(h)
        return output, torch.cat(finished_h[::-1], dim=1), c
