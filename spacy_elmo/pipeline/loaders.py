"""Weight loaders for `[initialize.components.elmo] loader`, and where weights come from."""
from pathlib import Path
from typing import Callable, Optional, Union

from ..errors import Errors
from ..model.bilm import ElmoBiLM

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "default_model"


def build_allennlp_loader(
    *, options: Optional[Union[str, Path]], weights: Optional[Union[str, Path]]
) -> Callable[[], ElmoBiLM]:
    """spacy_elmo.AllenNLPLoader.v1: published ELMo weights (options.json + weights.hdf5),
    read when the component is initialized. The paths may be null in a shipped config;
    they must be set by the time nlp.initialize() runs."""

    def load() -> ElmoBiLM:
        for name, value in (("options", options), ("weights", weights)):
            if value is None:
                raise ValueError(Errors.E220.format(missing=name))
        return ElmoBiLM.from_allennlp(options, weights)

    return load


def load_configured_weights(weights: Optional[Union[str, Path]], options: Optional[Union[str, Path]]) -> ElmoBiLM:
    """weights = a directory (config.json + model.safetensors) or a weights.hdf5 with its options.json."""
    path = Path(weights)  # type: ignore[arg-type]
    if path.is_dir():
        return ElmoBiLM.from_disk(path)
    if options is None:
        raise ValueError(Errors.E201.format(weights=str(weights)))
    return ElmoBiLM.from_allennlp(options, path)


def default_model_available() -> bool:
    return (DEFAULT_MODEL_DIR / "config.json").is_file() and (DEFAULT_MODEL_DIR / "model.safetensors").is_file()


def load_default_model() -> ElmoBiLM:
    return ElmoBiLM.from_disk(DEFAULT_MODEL_DIR)
