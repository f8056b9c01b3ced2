"""Weight loaders for `[initialize.components.elmo] loader`, and where weights come from."""
from pathlib import Path
from typing import Callable, Optional, Union

from ..errors import Errors
from ..model.bilm import ElmoBiLM

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "default_model"


def build_allennlp_loader(
    *, options: Optional[Union[str, Path]], weights: Optional[Union[str, Path]]
) -> Callable[[], ElmoBiLM]:
    """spacy_elmo.AllenNLPLoader.v1: biLM weights read when the component is initialized.

    options + weights: published ELMo weights (options.json + weights.hdf5);
    weights alone: a directory written by ElmoBiLM.to_disk / `spacy_elmo export --format native`;
    both null: the default model bundled in spacy_elmo/default_model/.
    """

    def load() -> ElmoBiLM:
        if options is None and weights is None:
            if not default_model_available():
                raise ValueError(Errors.E220.format(missing="weights"))
            return load_default_model()
        if weights is None:
            raise ValueError(Errors.E229)
        return load_configured_weights(weights, options)

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
