"""Perplexity of a biLM language model on held-out sentences (exact softmax)."""
import math
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from typing import Dict, Optional

import torch

from .batching import LMData, epoch_batches
from .distributed import DistContext, all_reduce_sum
from .model import BiLMLanguageModel


@dataclass(frozen=True)
class Perplexity:
    """Per direction: exp(mean NLL) over all predictions (each token, plus </S> forward / <S> backward).
    mean_ppl = exp of the mean of the two directions' mean NLLs (the geometric mean of fwd and bwd)."""

    forward_ppl: float
    backward_ppl: float
    mean_ppl: float
    forward_loss: float
    backward_loss: float
    n_predictions: int
    n_sentences: int

    def to_dict(self) -> Dict[str, float]:
        return asdict(self)


@torch.no_grad()
def evaluate_perplexity(model: BiLMLanguageModel, data: LMData, *, max_tokens: int = 4000, max_sentences: int = 128,
                        limit_sentences: int = 0, context: Optional[DistContext] = None,
                        autocast=None) -> Perplexity:
    """Forward, backward and mean perplexity on `data` (sharded over processes when distributed).

    limit_sentences > 0 evaluates only the first that many sentences (a fixed subset).
    """
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    lengths = data.lengths[:limit_sentences] if limit_sentences else data.lengths
    batches = epoch_batches(lengths, seed=0, epoch=0, max_tokens=max_tokens, max_sentences=max_sentences, shuffle=False)
    if context is not None and context.is_distributed:
        batches = batches[context.rank :: context.world_size]
    sums = [0.0, 0.0, 0.0, 0.0]
    try:
        for indices in batches:
            batch = data.make_batch(indices).to(device)
            with autocast() if autocast is not None else nullcontext():
                out = model(batch.char_ids, batch.forward_targets, batch.backward_targets, exact=True)
            sums[0] += float(out.forward_nll)
            sums[1] += float(out.backward_nll)
            sums[2] += float(out.n_forward)
            sums[3] += float(out.n_backward)
    finally:
        model.train(was_training)
    if context is not None:
        sums = all_reduce_sum(sums, context)
    forward_loss = sums[0] / max(sums[2], 1.0)
    backward_loss = sums[1] / max(sums[3], 1.0)
    return Perplexity(
        forward_ppl=math.exp(forward_loss),
        backward_ppl=math.exp(backward_loss),
        mean_ppl=math.exp((forward_loss + backward_loss) / 2),
        forward_loss=forward_loss,
        backward_loss=backward_loss,
        n_predictions=int(sums[2]),
        n_sentences=len(lengths),
    )
