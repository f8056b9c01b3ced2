"""Frozen-biLM feature cache: span token ids -> its layer array, bounded in memory,
optionally backed by an SQLite file on disk (no pickle: raw float32 bytes + shape).

A span's ELMo features depend only on its token texts and on the weights (the biLM
is stateless), so the key is the span's orth ids (hashes of the token texts) and
the disk file records a fingerprint of the weights: a different model empties it.
"""
import sqlite3
from collections import OrderedDict
from pathlib import Path
from typing import Optional, Union

import numpy

from ..errors import Errors


class FeatureCache:
    """LRU over arrays of shape (K, n, C), float32, at most `max_bytes` in memory."""

    def __init__(self, *, max_bytes: int, disk_path: Optional[Union[str, Path]] = None) -> None:
        self.max_bytes = max_bytes
        self.disk_path = Path(disk_path) if disk_path is not None else None
        self._memory: "OrderedDict[bytes, numpy.ndarray]" = OrderedDict()
        self.n_bytes = 0
        self.hits = 0
        self.misses = 0
        self._fingerprint: Optional[str] = None
        self._db: Optional[sqlite3.Connection] = None
        self._pending = 0

    def __len__(self) -> int:
        return len(self._memory)

    def set_fingerprint(self, fingerprint: str) -> None:
        """Bind the cache to one set of weights; a different fingerprint empties it."""
        if fingerprint != self._fingerprint:
            self.clear_memory()
            self._fingerprint = fingerprint
            if self.disk_path is not None:
                self._open_disk(fingerprint)

    def get(self, key: bytes) -> Optional[numpy.ndarray]:
        array = self._memory.get(key)
        if array is not None:
            self._memory.move_to_end(key)
            self.hits += 1
            return array
        if self._db is not None:
            row = self._db.execute("SELECT shape, data FROM features WHERE key = ?", (key,)).fetchone()
            if row is not None:
                shape = tuple(int(v) for v in row[0].split(","))
                array = numpy.frombuffer(row[1], dtype="float32").reshape(shape)
                self._remember(key, array)
                self.hits += 1
                return array
        self.misses += 1
        return None

    def put(self, key: bytes, array: numpy.ndarray) -> None:
        array = numpy.ascontiguousarray(array, dtype="float32")
        self._remember(key, array)
        if self._db is not None:
            self._db.execute(
                "INSERT OR REPLACE INTO features (key, shape, data) VALUES (?, ?, ?)",
                (key, ",".join(str(v) for v in array.shape), array.tobytes()),
            )
            self._pending += 1
            if self._pending >= 1000:
                self.flush()

    def flush(self) -> None:
        if self._db is not None and self._pending:
            self._db.commit()
            self._pending = 0

    def clear_memory(self) -> None:
        self._memory.clear()
        self.n_bytes = 0

    def _remember(self, key: bytes, array: numpy.ndarray) -> None:
        if array.nbytes > self.max_bytes:
            return
        old = self._memory.pop(key, None)
        if old is not None:
            self.n_bytes -= old.nbytes
        self._memory[key] = array
        self.n_bytes += array.nbytes
        while self.n_bytes > self.max_bytes:
            _, evicted = self._memory.popitem(last=False)
            self.n_bytes -= evicted.nbytes

    def _open_disk(self, fingerprint: str) -> None:
        assert self.disk_path is not None
        try:
            self.disk_path.parent.mkdir(parents=True, exist_ok=True)
            if self._db is not None:
                self._db.close()
            db = sqlite3.connect(str(self.disk_path), check_same_thread=False)
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
            db.execute("CREATE TABLE IF NOT EXISTS features (key BLOB PRIMARY KEY, shape TEXT, data BLOB)")
            row = db.execute("SELECT value FROM meta WHERE name = 'fingerprint'").fetchone()
            if row is None or row[0] != fingerprint:
                db.execute("DELETE FROM features")
                db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('fingerprint', ?)", (fingerprint,))
            db.commit()
        except (sqlite3.Error, OSError) as error:
            raise ValueError(Errors.E212.format(path=self.disk_path, error=error)) from None
        self._db = db

    def __deepcopy__(self, memo) -> "FeatureCache":
        # Copies of a model (e.g. by replace_listeners) start with an empty cache of their own.
        return FeatureCache(max_bytes=self.max_bytes, disk_path=None)

    def __getstate__(self):
        # Sent to worker processes (nlp.pipe(n_process=...)) empty, without the connection.
        return {"max_bytes": self.max_bytes, "disk_path": None}

    def __setstate__(self, state) -> None:
        self.__init__(max_bytes=state["max_bytes"], disk_path=state["disk_path"])
