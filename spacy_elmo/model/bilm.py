"""The ELMo biLM: token encoder + forward/backward LSTM stacks -> all representation layers."""
from typing import List, NamedTuple, Optional, Sequence

import numpy
import torch
from torch import nn

from ..errors import Errors
from .char_cnn import CharCNNTokenEncoder
from .chars import BOS_IDS, EOS_IDS, batch_to_ids
from .config import ElmoConfig
from .lstm import ElmoLstm, LstmState


class BiLMOutput(NamedTuple):
    """layers: (L+1, B, T+2, 2P) with the BOS/EOS positions, zero on padding;
    mask: bool (B, T+2), True on real positions (BOS and EOS included)."""

    layers: torch.Tensor
    mask: torch.Tensor


class PackedBatch(NamedTuple):
    """Where each real position of a batch goes in the packed, length-sorted LSTM layout."""

    order: torch.Tensor  # (B,) original row of each sorted row
    batch_sizes: List[int]  # active rows per time step
    forward_index: torch.Tensor  # (N,) flat position (row-major over real positions) of each packed entry
    backward_index: torch.Tensor  # (N,) the same for the reversed (backward) sequences


class ElmoBiLM(nn.Module):
    """Character-based bidirectional language model with ELMo's representation layers.

    Stateless by default: each sentence starts from a zero LSTM state, so its vectors
    do not depend on the batch it is in. `stateful=True` reproduces AllenNLP's
    carry-over of the final LSTM state of batch row r into row r of the next call
    (inference only; see ELMO_SPEC.md §7); `reset_states()` clears it.
    """

    def __init__(self, *, config: ElmoConfig, stateful: bool = False) -> None:
        super().__init__()
        self.config = config
        self.stateful = stateful
        self.token_encoder = CharCNNTokenEncoder(config=config)
        self.lstm = ElmoLstm(config=config)
        width = config.max_characters_per_token
        self.register_buffer("bos_ids", torch.tensor(BOS_IDS[:width]), persistent=False)
        self.register_buffer("eos_ids", torch.tensor(EOS_IDS[:width]), persistent=False)
        self._state: Optional[LstmState] = None

    # -- construction ------------------------------------------------------
    @classmethod
    def from_allennlp(cls, options_file, weight_file, *, stateful: bool = False) -> "ElmoBiLM":
        """Load published AllenNLP/bilm-tf weights (options.json + weights.hdf5); eval mode."""
        from ..weights.allennlp import load_allennlp

        return load_allennlp(options_file, weight_file, stateful=stateful)

    @classmethod
    def from_disk(cls, path, *, stateful: bool = False) -> "ElmoBiLM":
        """Load a model saved with `to_disk` (config.json + model.safetensors); eval mode."""
        from ..weights.native import load_native

        return load_native(path, stateful=stateful)

    def to_disk(self, path) -> None:
        """Save config.json + model.safetensors (no pickle) in the directory `path`."""
        from ..weights.native import save_native

        save_native(self, path)

    # -- properties --------------------------------------------------------
    @property
    def n_layers(self) -> int:
        """Number of representation layers, L + 1."""
        return self.config.n_representation_layers

    @property
    def output_dim(self) -> int:
        """Width of each representation layer, 2P."""
        return self.config.output_dim

    @property
    def device(self) -> torch.device:
        return self.token_encoder.projection_weight.device

    def reset_states(self) -> None:
        """Forget the carried-over LSTM state (stateful mode)."""
        self._state = None

    # -- computation -------------------------------------------------------
    def forward(self, char_ids: torch.Tensor) -> BiLMOutput:
        """char_ids: int64 (B, T, W) from `batch_to_ids`, right-padded with all-zero rows.

        Returns BiLMOutput(layers (L+1, B, T+2, 2P), mask (B, T+2)): the model inserts
        BOS and EOS around each sentence. Layer 0 is the token layer duplicated,
        layers 1..L are [forward | backward] LSTM outputs.
        """
        width = self.config.max_characters_per_token
        if char_ids.dim() != 3 or char_ids.shape[-1] != width or char_ids.dtype not in (torch.int64, torch.int32):
            raise ValueError(Errors.E004.format(max_chars=width, shape=tuple(char_ids.shape), dtype=char_ids.dtype))
        char_ids = char_ids.to(device=self.device, dtype=torch.long)
        n_rows, n_positions = char_ids.shape[0], char_ids.shape[1] + 2
        n_tokens = (char_ids > 0).any(-1).sum(-1)
        lengths = n_tokens + 2
        mask = torch.arange(n_positions, device=char_ids.device)[None, :] < lengths[:, None]
        if n_rows == 0:
            empty = self.token_encoder.projection_weight.new_zeros(self.n_layers, 0, n_positions, self.output_dim)
            return BiLMOutput(empty, mask)

        with_boundaries = char_ids.new_zeros(n_rows, n_positions, width)
        with_boundaries[:, 1:-1] = char_ids
        rows = torch.arange(n_rows, device=char_ids.device)
        with_boundaries[:, 0] = self.bos_ids
        with_boundaries[rows, n_tokens + 1] = self.eos_ids
        # Tokens repeat: run the char CNN once per distinct token of the batch.
        unique_ids, position_to_unique = torch.unique(with_boundaries[mask], dim=0, return_inverse=True)
        token_vectors = self.token_encoder(unique_ids)[position_to_unique]  # (N, P), row-major over real positions

        packed = pack_positions(lengths)
        inputs = torch.stack((token_vectors[packed.forward_index], token_vectors[packed.backward_index]))
        initial_state = self._initial_state(packed.order) if self.stateful else None
        result = self.lstm(inputs, packed.batch_sizes, initial_state, return_state=self.stateful)
        if self.stateful:
            layer_outputs, final_state = result
            self._store_state(final_state, packed.order)
        else:
            layer_outputs = result

        flat_layers = [torch.cat((token_vectors, token_vectors), dim=-1)]
        forward_inverse = torch.empty_like(packed.forward_index)
        forward_inverse[packed.forward_index] = torch.arange(len(packed.forward_index), device=char_ids.device)
        backward_inverse = torch.empty_like(packed.backward_index)
        backward_inverse[packed.backward_index] = torch.arange(len(packed.backward_index), device=char_ids.device)
        for output in layer_outputs:
            flat_layers.append(torch.cat((output[0][forward_inverse], output[1][backward_inverse]), dim=-1))
        flat = torch.stack(flat_layers)  # (L+1, N, 2P)
        positions = mask.reshape(-1).nonzero().squeeze(1)
        padded = flat.new_zeros(flat.shape[0], n_rows * n_positions, flat.shape[-1]).index_copy(1, positions, flat)
        return BiLMOutput(padded.view(flat.shape[0], n_rows, n_positions, -1), mask)

    def _initial_state(self, order: torch.Tensor) -> LstmState:
        if self.training:
            raise RuntimeError(Errors.E006)
        L, P, D = self.config.n_layers, self.config.projection_dim, self.config.cell_dim
        n_rows = len(order)
        if self._state is None:
            self._state = LstmState(
                torch.zeros(L, 2, 0, P, device=order.device), torch.zeros(L, 2, 0, D, device=order.device)
            )
        h, c = self._state
        if h.shape[2] < n_rows:  # new rows start from zero and stay (AllenNLP behaviour)
            extra = n_rows - h.shape[2]
            h = torch.cat((h, h.new_zeros(L, 2, extra, P)), dim=2)
            c = torch.cat((c, c.new_zeros(L, 2, extra, D)), dim=2)
            self._state = LstmState(h, c)
        return LstmState(h[:, :, :n_rows][:, :, order], c[:, :, :n_rows][:, :, order])

    def _store_state(self, final_state: LstmState, order: torch.Tensor) -> None:
        h, c = self._state
        new_h = torch.empty_like(final_state.h)
        new_c = torch.empty_like(final_state.c)
        new_h[:, :, order] = final_state.h
        new_c[:, :, order] = final_state.c
        # AllenNLP replaces a row only when its new first-layer h is non-zero.
        replace = new_h[0].abs().sum(dim=(0, 2)) > 0
        n_rows = len(order)
        h, c = h.clone(), c.clone()
        h[:, :, :n_rows][:, :, replace] = new_h[:, :, replace]
        c[:, :, :n_rows][:, :, replace] = new_c[:, :, replace]
        self._state = LstmState(h.detach(), c.detach())

    @torch.no_grad()
    def embed_sentences(
        self, sentences: Sequence[Sequence[str]], *, batch_size: int = 64
    ) -> List[numpy.ndarray]:
        """Sentences of token strings -> one float32 array (L+1, n_tokens, 2P) per sentence.

        Stateless mode sorts sentences by length into batches of `batch_size`; the
        result does not depend on the batching. Stateful mode runs the whole call as
        one batch, row r = sentences[r], as AllenNLP's stateful module does.
        """
        for index, sentence in enumerate(sentences):
            if isinstance(sentence, str) or not all(isinstance(token, str) for token in sentence):
                raise TypeError(Errors.E005.format(type_name=type(sentence).__name__, index=index))
        if self.stateful:
            batches = [list(range(len(sentences)))]
        else:
            by_length = sorted(range(len(sentences)), key=lambda i: len(sentences[i]), reverse=True)
            batches = [by_length[i : i + batch_size] for i in range(0, len(by_length), batch_size)]
        results: List[Optional[numpy.ndarray]] = [None] * len(sentences)
        width = self.config.max_characters_per_token
        for batch in batches:
            if not batch:
                continue
            char_ids = batch_to_ids([sentences[i] for i in batch], width)
            if char_ids.shape[1] == 0:
                char_ids = char_ids.new_zeros(len(batch), 0, width)
            layers, _ = self(char_ids)
            layers = layers.float().cpu().numpy()
            for row, index in enumerate(batch):
                n = len(sentences[index])
                results[index] = numpy.ascontiguousarray(layers[:, row, 1 : n + 1])
        return results  # type: ignore[return-value]


def pack_positions(lengths: torch.Tensor) -> PackedBatch:
    """Sequence lengths (B,) -> the packed, length-sorted layout the LSTM runs on.

    Real positions are numbered row-major (row 0's positions, then row 1's, ...).
    Packed entry k at step t, sorted row r reads forward position t and backward
    position length_r - 1 - t of that row.
    """
    device = lengths.device
    sorted_lengths, order = torch.sort(lengths, descending=True, stable=True)
    max_length = int(sorted_lengths[0]) if len(lengths) else 0
    steps = torch.arange(max_length, device=device)[:, None]  # (T, 1)
    active = steps < sorted_lengths[None, :]  # (T, B), a prefix of rows per step
    batch_sizes = active.sum(1).tolist()
    row_start = (torch.cumsum(lengths, 0) - lengths)[order][None, :]
    forward_index = (row_start + steps)[active]
    backward_index = (row_start + sorted_lengths[None, :] - 1 - steps)[active]
    return PackedBatch(order, batch_sizes, forward_index, backward_index)


def remove_sentence_boundaries(layers: torch.Tensor, mask: torch.Tensor):
    """(K, B, T+2, C), (B, T+2) -> (K, B, T, C), (B, T): drop BOS/EOS, zero the padding."""
    n_tokens = mask.sum(1) - 2
    new_mask = torch.arange(mask.shape[1] - 2, device=mask.device)[None, :] < n_tokens[:, None]
    return layers[:, :, 1:-1] * new_mask[None, :, :, None], new_mask
