"""HDF5 output of `embed`: one dataset per input line ("0", "1", ...), plus the text of each
line in the resizable string dataset "sentences" (the sentence index), written as they come."""
import json
from pathlib import Path
from typing import Dict, Optional

import h5py
import numpy


class Hdf5VectorWriter:
    def __init__(self, path: Path, *, keep_sentences: bool = True, sentence_to_index: bool = False,
                 attrs: Optional[Dict[str, str]] = None) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.file = h5py.File(str(path), "w")
        self.count = 0
        self.sentences = None
        if keep_sentences:
            self.sentences = self.file.create_dataset(
                "sentences", shape=(0,), maxshape=(None,), dtype=h5py.string_dtype("utf-8"), chunks=(1024,)
            )
        self.sentence_to_index: Optional[Dict[str, str]] = {} if sentence_to_index else None
        for key, value in (attrs or {}).items():
            self.file.attrs[key] = value

    def write(self, text: str, vectors: numpy.ndarray) -> None:
        key = str(self.count)
        self.file.create_dataset(key, data=numpy.asarray(vectors, dtype="float32"))
        if self.sentences is not None:
            self.sentences.resize((self.count + 1,))
            self.sentences[self.count] = text
        if self.sentence_to_index is not None:
            self.sentence_to_index.setdefault(text, key)
        self.count += 1

    def close(self) -> None:
        if self.sentence_to_index is not None:
            self.file.create_dataset("sentence_to_index", data=json.dumps(self.sentence_to_index),
                                     dtype=h5py.string_dtype("utf-8"))
        self.file.attrs["n_sentences"] = self.count
        self.file.close()

    def __enter__(self) -> "Hdf5VectorWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
