"""The published AllenNLP / bilm-tf format: options.json + weights.hdf5 (ELMO_SPEC.md §1-2)."""
import json
import os
from pathlib import Path
from typing import Any, Dict, Union

import h5py
import numpy
import torch

from ..errors import Errors
from ..model.bilm import ElmoBiLM
from ..model.config import ElmoConfig

PathLike = Union[str, os.PathLike]

_REQUIRED_OPTIONS = {
    "char_cnn": ("embedding", "filters", "n_highway", "activation", "n_characters", "max_characters_per_token"),
    "lstm": ("dim", "projection_dim", "n_layers", "cell_clip", "proj_clip"),
}


def read_options(path: PathLike) -> ElmoConfig:
    """options.json -> ElmoConfig. Unknown keys are ignored; a missing one is an error naming it."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(Errors.E100.format(path=path))
    try:
        options = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(Errors.E101.format(path=path, error=error)) from None
    if not isinstance(options, dict):
        raise ValueError(Errors.E101.format(path=path, error="the top level is not a JSON object"))
    for section, keys in _REQUIRED_OPTIONS.items():
        if not isinstance(options.get(section), dict):
            raise ValueError(Errors.E102.format(path=path, key=section))
        for key in keys:
            if key not in options[section]:
                raise ValueError(Errors.E102.format(path=path, key=f"{section}.{key}"))
    char_cnn, lstm = options["char_cnn"], options["lstm"]
    if not isinstance(char_cnn["embedding"], dict) or "dim" not in char_cnn["embedding"]:
        raise ValueError(Errors.E102.format(path=path, key="char_cnn.embedding.dim"))
    filters = char_cnn["filters"]
    if not isinstance(filters, list) or not filters or not all(
        isinstance(f, (list, tuple)) and len(f) == 2 and all(isinstance(v, int) and v > 0 for v in f) for f in filters
    ):
        raise ValueError(Errors.E103.format(path=path, key="char_cnn.filters", value=filters,
                                            reason="expected a non-empty list of [width, count] positive integers"))
    if char_cnn["n_characters"] != 262:
        raise ValueError(Errors.E103.format(path=path, key="char_cnn.n_characters", value=char_cnn["n_characters"],
                                            reason="ELMo's character mapper needs 262"))
    try:
        return ElmoConfig(
            char_embedding_dim=char_cnn["embedding"]["dim"],
            filters=tuple(tuple(f) for f in filters),
            n_highway=char_cnn["n_highway"],
            activation=char_cnn["activation"],
            n_characters=char_cnn["n_characters"],
            max_characters_per_token=char_cnn["max_characters_per_token"],
            cell_dim=lstm["dim"],
            projection_dim=lstm["projection_dim"],
            n_layers=lstm["n_layers"],
            cell_clip=lstm["cell_clip"] or None,
            proj_clip=lstm["proj_clip"] or None,
            use_skip_connections=bool(lstm.get("use_skip_connections", True)),
        )
    except (TypeError, ValueError) as error:
        raise ValueError(Errors.E103.format(path=path, key="(model size)", value=str(error), reason="invalid sizes")) from None


def options_dict(config: ElmoConfig) -> Dict[str, Any]:
    """ElmoConfig -> the published options.json structure."""
    return {
        "char_cnn": {
            "activation": config.activation,
            "embedding": {"dim": config.char_embedding_dim},
            "filters": [list(f) for f in config.filters],
            "max_characters_per_token": config.max_characters_per_token,
            "n_characters": config.n_characters,
            "n_highway": config.n_highway,
        },
        "lstm": {
            "cell_clip": config.cell_clip or 0,
            "dim": config.cell_dim,
            "n_layers": config.n_layers,
            "proj_clip": config.proj_clip or 0,
            "projection_dim": config.projection_dim,
            "use_skip_connections": config.use_skip_connections,
        },
    }


def _expected_shapes(config: ElmoConfig) -> Dict[str, tuple]:
    E, F, P, D = config.char_embedding_dim, config.n_filters, config.projection_dim, config.cell_dim
    shapes = {"char_embed": (config.n_characters - 1, E)}
    for i, (width, count) in enumerate(config.filters):
        shapes[f"CNN/W_cnn_{i}"] = (1, width, E, count)
        shapes[f"CNN/b_cnn_{i}"] = (count,)
    for k in range(config.n_highway):
        for name in ("carry", "transform"):
            shapes[f"CNN_high_{k}/W_{name}"] = (F, F)
            shapes[f"CNN_high_{k}/b_{name}"] = (F,)
    shapes["CNN_proj/W_proj"] = (F, P)
    shapes["CNN_proj/b_proj"] = (P,)
    for direction in range(2):
        for layer in range(config.n_layers):
            prefix = _cell_prefix(direction, layer)
            shapes[f"{prefix}/W_0"] = (P + P, 4 * D)
            shapes[f"{prefix}/B"] = (4 * D,)
            shapes[f"{prefix}/W_P_0"] = (D, P)
    return shapes


def _cell_prefix(direction: int, layer: int) -> str:
    return f"RNN_{direction}/RNN/MultiRNNCell/Cell{layer}/LSTMCell"


def read_weights(path: PathLike, config: ElmoConfig) -> Dict[str, numpy.ndarray]:
    """Read every dataset the options imply, checking presence, shape and finiteness."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(Errors.E110.format(path=path))
    try:
        handle = h5py.File(path, "r")
    except OSError as error:
        raise ValueError(Errors.E111.format(path=path, error=str(error).split(" (")[0])) from None
    arrays = {}
    with handle:
        for name, expected in _expected_shapes(config).items():
            try:
                dataset = handle[name]
            except KeyError:
                raise ValueError(Errors.E112.format(path=path, dataset=name)) from None
            if not isinstance(dataset, h5py.Dataset):
                raise ValueError(Errors.E112.format(path=path, dataset=name))
            if tuple(dataset.shape) != expected:
                raise ValueError(Errors.E113.format(path=path, dataset=name, found=tuple(dataset.shape), expected=expected))
            try:
                array = numpy.asarray(dataset[...], dtype=numpy.float32)
            except OSError as error:
                raise ValueError(Errors.E111.format(path=path, error=f"dataset {name!r}: {error}")) from None
            if not numpy.isfinite(array).all():
                raise ValueError(Errors.E114.format(path=path, dataset=name))
            arrays[name] = array
    return arrays


def load_allennlp(options_file: PathLike, weight_file: PathLike, *, stateful: bool = False) -> ElmoBiLM:
    """options.json + weights.hdf5 -> ElmoBiLM in eval mode."""
    config = read_options(options_file)
    arrays = read_weights(weight_file, config)
    model = ElmoBiLM(config=config, stateful=stateful)
    P = config.projection_dim
    t = torch.from_numpy
    with torch.no_grad():
        encoder = model.token_encoder
        encoder.char_embedding.zero_()
        encoder.char_embedding[1:] = t(arrays["char_embed"])
        for i, (weight, bias) in enumerate(zip(encoder.conv_weights, encoder.conv_biases)):
            weight.copy_(t(arrays[f"CNN/W_cnn_{i}"][0]))
            bias.copy_(t(arrays[f"CNN/b_cnn_{i}"]))
        for k, (weight, bias) in enumerate(zip(encoder.highway_weights, encoder.highway_biases)):
            weight.copy_(t(numpy.concatenate([arrays[f"CNN_high_{k}/W_transform"], arrays[f"CNN_high_{k}/W_carry"]], 1)))
            bias.copy_(t(numpy.concatenate([arrays[f"CNN_high_{k}/b_transform"], arrays[f"CNN_high_{k}/b_carry"]])))
        encoder.projection_weight.copy_(t(arrays["CNN_proj/W_proj"]))
        encoder.projection_bias.copy_(t(arrays["CNN_proj/b_proj"]))
        lstm = model.lstm
        for layer in range(config.n_layers):
            for direction in range(2):
                prefix = _cell_prefix(direction, layer)
                lstm.input_weights[layer][direction] = t(arrays[f"{prefix}/W_0"][:P])
                lstm.recurrent_weights[layer][direction] = t(arrays[f"{prefix}/W_0"][P:])
                lstm.biases[layer][direction] = t(arrays[f"{prefix}/B"])
                lstm.projection_weights[layer][direction] = t(arrays[f"{prefix}/W_P_0"])
    return model.eval()


def model_to_arrays(model: ElmoBiLM) -> Dict[str, numpy.ndarray]:
    """ElmoBiLM -> the published datasets (float32), inverse of load_allennlp."""
    config = model.config
    F = config.n_filters
    encoder, lstm = model.token_encoder, model.lstm

    def a(tensor: torch.Tensor) -> numpy.ndarray:
        return tensor.detach().float().cpu().numpy().copy()

    arrays = {"char_embed": a(encoder.char_embedding[1:])}
    for i, (weight, bias) in enumerate(zip(encoder.conv_weights, encoder.conv_biases)):
        arrays[f"CNN/W_cnn_{i}"] = a(weight)[None]
        arrays[f"CNN/b_cnn_{i}"] = a(bias)
    for k, (weight, bias) in enumerate(zip(encoder.highway_weights, encoder.highway_biases)):
        arrays[f"CNN_high_{k}/W_transform"] = a(weight[:, :F])
        arrays[f"CNN_high_{k}/W_carry"] = a(weight[:, F:])
        arrays[f"CNN_high_{k}/b_transform"] = a(bias[:F])
        arrays[f"CNN_high_{k}/b_carry"] = a(bias[F:])
    arrays["CNN_proj/W_proj"] = a(encoder.projection_weight)
    arrays["CNN_proj/b_proj"] = a(encoder.projection_bias)
    for layer in range(config.n_layers):
        for direction in range(2):
            prefix = _cell_prefix(direction, layer)
            arrays[f"{prefix}/W_0"] = numpy.concatenate(
                [a(lstm.input_weights[layer][direction]), a(lstm.recurrent_weights[layer][direction])], 0
            )
            arrays[f"{prefix}/B"] = a(lstm.biases[layer][direction])
            arrays[f"{prefix}/W_P_0"] = a(lstm.projection_weights[layer][direction])
    return arrays


def save_allennlp(model: ElmoBiLM, options_file: PathLike, weight_file: PathLike) -> None:
    """Write options.json + weights.hdf5 in the published layout (atomically: temp file + rename)."""
    options_file, weight_file = Path(options_file), Path(weight_file)
    for target in (options_file, weight_file):
        target.parent.mkdir(parents=True, exist_ok=True)
    tmp_weights = weight_file.with_name(weight_file.name + ".tmp")
    with h5py.File(tmp_weights, "w") as handle:
        for name, array in model_to_arrays(model).items():
            handle.create_dataset(name, data=array)
    os.replace(tmp_weights, weight_file)
    tmp_options = options_file.with_name(options_file.name + ".tmp")
    tmp_options.write_text(json.dumps(options_dict(model.config), indent=2), encoding="utf-8")
    os.replace(tmp_options, options_file)
