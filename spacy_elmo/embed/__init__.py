"""Corpus -> ELMo vectors in HDF5 (the `embed` command), like AllenNLP's `elmo` command."""
from .run import embed_corpus

__all__ = ["embed_corpus"]
