"""`spacy_elmo.TrainingLogger.v1`: spaCy's console logger plus a JSONL log with words and seconds.

spaCy's own JSONL log (ConsoleLogger.v3 output_file) has no clock and no word
count; the project needs both for words/s and for dev-score-over-time plots.
"""
import time
from pathlib import Path
from typing import IO, Any, Callable, Dict, Optional, Tuple, Union

import srsly
from spacy.training.loggers import console_logger_v3
from spacy.util import registry


@registry.loggers("spacy_elmo.TrainingLogger.v1")
def training_logger(
    progress_bar: Optional[str] = None,
    console_output: bool = True,
    output_file: Optional[Union[str, Path]] = None,
) -> Callable:
    """Console output as spacy.ConsoleLogger.v3; with output_file, one JSON line per
    evaluation: epoch, step, words (seen so far), seconds (since training started),
    losses, scores (each metric, 0-1 floats) and score (the weighted dev score)."""
    console_setup = console_logger_v3(progress_bar=progress_bar, console_output=console_output)

    def setup(nlp, stdout: IO = None, stderr: IO = None) -> Tuple[Callable[[Optional[Dict[str, Any]]], None], Callable[[], None]]:
        kwargs = {k: v for k, v in (("stdout", stdout), ("stderr", stderr)) if v is not None}
        console_log, console_finalize = console_setup(nlp, **kwargs)
        start = time.perf_counter()
        stream = None
        if output_file is not None:
            path = Path(output_file)
            path.parent.mkdir(parents=True, exist_ok=True)
            stream = path.open("w", encoding="utf-8")

        def log_step(info: Optional[Dict[str, Any]]) -> None:
            console_log(info)
            if info is None or stream is None:
                return
            scores = {k: v for k, v in info["other_scores"].items() if isinstance(v, (int, float))}
            record = {
                "epoch": info["epoch"],
                "step": info["step"],
                "words": info["words"],
                "seconds": round(time.perf_counter() - start, 3),
                "losses": {k: float(v) for k, v in info["losses"].items()},
                "scores": scores,
                "score": float(info["score"]),
            }
            stream.write(srsly.json_dumps(record) + "\n")
            stream.flush()

        def finalize() -> None:
            console_finalize()
            if stream is not None:
                stream.close()

        return log_step, finalize

    return setup
