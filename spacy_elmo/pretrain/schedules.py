"""Learning-rate schedules: pure functions of the optimizer step (so resuming needs only the step)."""
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ConstantRate:
    rate: float

    def __call__(self, step: int) -> float:
        return self.rate


@dataclass(frozen=True)
class WarmupDecay:
    """Linear warm-up from 0 to initial_rate over warmup_steps, then a linear or cosine
    decay to final_rate at total_steps (constant afterwards)."""

    initial_rate: float
    warmup_steps: int
    total_steps: int
    final_rate: float = 0.0
    shape: str = "linear"  # or "cosine"

    def __call__(self, step: int) -> float:
        if self.warmup_steps and step < self.warmup_steps:
            return self.initial_rate * (step + 1) / self.warmup_steps
        span = max(1, self.total_steps - self.warmup_steps)
        progress = min(1.0, max(0.0, (step - self.warmup_steps) / span))
        if self.shape == "cosine":
            progress = 0.5 * (1 - math.cos(math.pi * progress))
        return self.initial_rate + (self.final_rate - self.initial_rate) * progress
