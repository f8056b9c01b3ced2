"""The biLM as a thinc layer: PyTorchWrapper_v3 around spacy_elmo.model.ElmoBiLM.

Input: char ids, int array (B, T, W), right-padded with all-zero rows.
Output: float32 array (K, B, T, C) of all representation layers with the sentence
boundaries removed (K = L + 1 layers, C = 2P); rows past a sentence's length are
not meaningful and must be ignored by the caller.
Serialization stores the biLM config and its weights as safetensors inside the
thinc model bytes: no pickle, and a pipeline restores the right architecture.
"""
from typing import Any, Callable, Optional, Tuple

import numpy
import srsly
import torch
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors
from thinc.api import ArgsKwargs, Model, PyTorchGradScaler, PyTorchWrapper_v3, torch2xp, xp2torch

from ..errors import Errors
from ..model.bilm import BiLMOutput, ElmoBiLM
from ..model.config import ElmoConfig


class UnloadedBiLM(torch.nn.Module):
    """Placeholder until weights are loaded; running it raises a clear error."""

    def forward(self, *args, **kwargs):
        raise ValueError(Errors.E202)


def build_bilm_layer(
    *, bilm: Optional[ElmoBiLM] = None, mixed_precision: bool = False, grad_scaler: Optional[PyTorchGradScaler] = None
) -> Model:
    return PyTorchWrapper_v3(
        bilm if bilm is not None else UnloadedBiLM(),
        convert_inputs=_convert_inputs,
        convert_outputs=_convert_outputs,
        mixed_precision=mixed_precision,
        grad_scaler=grad_scaler,
        serialize_model=serialize_bilm,
        deserialize_model=deserialize_bilm,
    )


def get_torch_bilm(layer: Model) -> Optional[ElmoBiLM]:
    module = layer.shims[0]._model
    return module if isinstance(module, ElmoBiLM) else None


def set_torch_bilm(layer: Model, bilm: ElmoBiLM) -> None:
    """Swap in a biLM, on the device the layer runs on."""
    shim = layer.shims[0]
    shim._model = bilm.to(shim.device)


def _convert_inputs(model: Model, char_ids, is_train: bool) -> Tuple[ArgsKwargs, Callable]:
    if isinstance(char_ids, numpy.ndarray):
        tensor = torch.from_numpy(char_ids.astype("int64", copy=False))
    else:  # cupy
        tensor = xp2torch(char_ids).long()
    return ArgsKwargs(args=(tensor,), kwargs={}), lambda d_inputs: []


def _convert_outputs(model: Model, inputs_outputs: Tuple[Any, BiLMOutput], is_train: bool):
    _, output = inputs_outputs
    layers = output.layers  # (K, B, T+2, C)
    Y = torch2xp(layers[:, :, 1:-1].detach().float())

    def backprop(dY) -> ArgsKwargs:
        d_layers = torch.zeros_like(layers)
        d_layers[:, :, 1:-1] = xp2torch(dY, device=layers.device).to(layers.dtype)
        return ArgsKwargs(args=(layers,), kwargs={"grad_tensors": (d_layers,)})

    return Y, backprop


def serialize_bilm(module: torch.nn.Module) -> bytes:
    if not isinstance(module, ElmoBiLM):
        return srsly.msgpack_dumps({"config": None})
    tensors = {name: t.detach().float().contiguous().cpu() for name, t in module.state_dict().items()}
    return srsly.msgpack_dumps({"config": module.config.to_dict(), "weights": save_safetensors(tensors)})


def deserialize_bilm(module: torch.nn.Module, data: bytes, device: "torch.device") -> torch.nn.Module:
    try:
        msg = srsly.msgpack_loads(data)
        if msg.get("config") is None:
            return UnloadedBiLM()
        bilm = ElmoBiLM(config=ElmoConfig.from_dict(msg["config"]))
        bilm.load_state_dict(load_safetensors(msg["weights"]))
    except Exception as error:  # damaged bytes: report what and how to fix
        raise ValueError(Errors.E211.format(error=error)) from None
    return bilm.eval().to(device)
