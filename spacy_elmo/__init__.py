"""spacy-elmo: ELMo contextual word representations for spaCy v3."""
from .about import __version__
from .model.bilm import ElmoBiLM
from .model.config import ElmoConfig
from .model.scalar_mix import ScalarMix

__all__ = ["ElmoBiLM", "ElmoConfig", "ScalarMix", "__version__"]
