"""Our own checkpoint format: config.json + model.safetensors (never unpickles)."""
import json
import os
from pathlib import Path
from typing import Union

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from ..errors import Errors
from ..model.bilm import ElmoBiLM
from ..model.config import ElmoConfig

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"


def save_native(model: ElmoBiLM, path: Union[str, os.PathLike], *, dtype: torch.dtype = torch.float32) -> None:
    """Write `path`/config.json and `path`/model.safetensors (temp file + rename).

    dtype: storage type of the weights (float32, or float16 / bfloat16 to halve the
    size, e.g. for the bundled default model); load_native upcasts to float32.
    """
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    tensors = {name: tensor.detach().to(dtype).contiguous().cpu() for name, tensor in model.state_dict().items()}
    tmp = path / (WEIGHTS_NAME + ".tmp")
    save_file(tensors, str(tmp), metadata={"format": "spacy-elmo", "version": "1"})
    os.replace(tmp, path / WEIGHTS_NAME)
    tmp = path / (CONFIG_NAME + ".tmp")
    tmp.write_text(json.dumps(model.config.to_dict(), indent=2), encoding="utf-8")
    os.replace(tmp, path / CONFIG_NAME)


def load_native(path: Union[str, os.PathLike], *, stateful: bool = False) -> ElmoBiLM:
    """Read a directory written by save_native -> ElmoBiLM in eval mode."""
    path = Path(path)
    try:
        config = ElmoConfig.from_dict(json.loads((path / CONFIG_NAME).read_text(encoding="utf-8")))
        tensors = load_file(str(path / WEIGHTS_NAME))
    except (OSError, ValueError, TypeError, SafetensorError) as error:
        raise ValueError(Errors.E120.format(path=path, error=error)) from None
    model = ElmoBiLM(config=config, stateful=stateful)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    wrong = [n for n in expected if n in tensors and tensors[n].shape != expected[n].shape]
    if missing or unexpected or wrong:
        detail = f"missing {missing}, unexpected {unexpected}, wrong shapes {wrong}"
        raise ValueError(Errors.E121.format(path=path, detail=detail))
    model.load_state_dict(tensors)
    return model.eval()
