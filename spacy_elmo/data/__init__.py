"""Corpus readers and converters for the spaCy side (CoNLL-2003 NER)."""
from .conll import convert_conll, iob_to_spans, read_conll2003

__all__ = ["convert_conll", "iob_to_spans", "read_conll2003"]
