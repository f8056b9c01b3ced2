"""Export a pretrained biLM: the published AllenNLP/bilm-tf layout, or our own (optionally float16) format."""
import os
import shutil
from pathlib import Path
from typing import Dict, Union

import torch

from ..errors import Errors
from ..model.bilm import ElmoBiLM
from ..weights.allennlp import save_allennlp
from ..weights.native import CONFIG_NAME, WEIGHTS_NAME, load_native, save_native

PathLike = Union[str, os.PathLike]
DTYPES: Dict[str, torch.dtype] = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def find_model_dir(path: PathLike, *, which: str = "last") -> Path:
    """A model directory itself, or `path`/model-{which} of a pretraining output directory."""
    path = Path(path)
    for candidate in (path, path / f"model-{which}"):
        if (candidate / CONFIG_NAME).is_file() and (candidate / WEIGHTS_NAME).is_file():
            return candidate
    raise FileNotFoundError(Errors.E314.format(path=path, which=f"model-{which}"))


def export_model(source: PathLike, output: PathLike, *, format: str = "allennlp", which: str = "last",
                 dtype: str = "float32") -> Dict[str, Path]:
    """Write the biLM of `source` to the directory `output`; returns the written files by role.

    format 'allennlp': options.json + weights.hdf5 (float32, the published layout,
    loadable by ElmoBiLM.from_allennlp, AllenNLP and bilm-tf); 'native':
    config.json + model.safetensors in `dtype`. The softmax vocabulary is copied
    as vocab.txt when the source has one.
    """
    if format not in ("allennlp", "native"):
        raise ValueError(Errors.E315.format(value=format))
    if dtype not in DTYPES:
        raise ValueError(Errors.E310.format(section="export", key="dtype", value=dtype, reason=f"use one of {list(DTYPES)}"))
    model_dir = find_model_dir(source, which=which)
    model = load_native(model_dir)
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    files = write_model(model, output, format=format, dtype=DTYPES[dtype])
    vocab = model_dir / "vocab.txt"
    if vocab.is_file():
        shutil.copyfile(vocab, output / "vocab.txt")
        files["vocab"] = output / "vocab.txt"
    return files


def write_model(model: ElmoBiLM, output: Path, *, format: str, dtype: torch.dtype = torch.float32) -> Dict[str, Path]:
    if format == "allennlp":
        save_allennlp(model, output / "options.json", output / "weights.hdf5")
        return {"options": output / "options.json", "weights": output / "weights.hdf5"}
    save_native(model, output, dtype=dtype)
    return {"config": output / CONFIG_NAME, "weights": output / WEIGHTS_NAME}
