"""Training checkpoints: one file, written atomically, read without unpickling arbitrary objects.

The file is written with torch.save to a temporary name in the same directory,
flushed to disk (fsync) and renamed over the previous checkpoint (os.replace), so
a crash or kill -9 at any moment leaves either the old or the new checkpoint,
never a partial one. It is read with torch.load(weights_only=True): only tensors,
numbers, strings and containers of them are accepted.
"""
import os
import pickle
from pathlib import Path
from typing import Any, Dict, Union

import torch

from ..errors import Errors

FORMAT = "spacy-elmo-pretrain"
VERSION = 1
CHECKPOINT_NAME = "last.pt"


def atomic_torch_save(payload: Dict[str, Any], path: Union[str, os.PathLike]) -> None:
    """torch.save(payload) to `path` via temp file + fsync + os.replace (+ fsync of the directory)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            torch.save(payload, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # e.g. platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def save_checkpoint(path: Union[str, os.PathLike], **fields: Any) -> None:
    """Write a checkpoint: fields must be tensors, numbers, strings, or lists/dicts of them."""
    atomic_torch_save({"format": FORMAT, "version": VERSION, **fields}, path)


def load_checkpoint(path: Union[str, os.PathLike]) -> Dict[str, Any]:
    """Read a checkpoint written by save_checkpoint (weights_only: nothing is unpickled)."""
    path = Path(path)
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except (OSError, RuntimeError, EOFError, ValueError, pickle.UnpicklingError) as error:
        raise ValueError(Errors.E308.format(path=path, error=str(error).splitlines()[0] if str(error) else type(error).__name__)) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError(Errors.E308.format(path=path, error="not a spacy-elmo pretraining checkpoint"))
    if payload.get("version") != VERSION:
        raise ValueError(Errors.E308.format(path=path, error=f"unsupported version {payload.get('version')!r}"))
    return payload


def remove_stale_temporaries(directory: Union[str, os.PathLike]) -> int:
    """Delete temp files left by a killed writer; returns how many were removed."""
    directory = Path(directory)
    removed = 0
    if directory.is_dir():
        for tmp in directory.glob(".*.tmp"):
            tmp.unlink()
            removed += 1
    return removed
