"""spacy-elmo: ELMo contextual word representations for spaCy v3."""
from .about import __version__
from .model.bilm import ElmoBiLM
from .model.config import ElmoConfig
from .model.scalar_mix import ScalarMix

__all__ = ["ElmoBiLM", "ElmoConfig", "ScalarMix", "__version__", "install_vector_hooks"]


def __getattr__(name: str):
    # The spaCy side is imported on first use, so the PyTorch biLM alone does not load spaCy.
    if name == "install_vector_hooks":
        from .pipeline.doc_data import install_vector_hooks

        return install_vector_hooks
    raise AttributeError(f"module 'spacy_elmo' has no attribute {name!r}")
