"""Device choice and torchrun / DistributedDataParallel set-up (gloo on CPU, nccl on GPU)."""
import os
from dataclasses import dataclass
from typing import Any, List

import torch
import torch.distributed as dist

from ..errors import Errors


@dataclass(frozen=True)
class DistContext:
    """rank / world_size / local_rank from torchrun's environment (1 process: 0 / 1 / 0)."""

    rank: int
    world_size: int
    local_rank: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def is_distributed(self) -> bool:
        return self.world_size > 1


def resolve_device(setting: str, local_rank: int = 0) -> torch.device:
    """'auto' | 'cpu' | 'cuda' | 'cuda:N' -> a torch.device ('auto' and 'cuda' use cuda:local_rank)."""
    setting = str(setting).strip().lower()
    if setting == "auto":
        setting = "cuda" if torch.cuda.is_available() else "cpu"
    if setting == "cpu":
        return torch.device("cpu")
    if setting == "cuda" or setting.startswith("cuda:"):
        if not torch.cuda.is_available():
            raise ValueError(Errors.E313.format(value=setting, hint=" (no CUDA device is available here)"))
        return torch.device(setting if ":" in setting else f"cuda:{local_rank}")
    raise ValueError(Errors.E313.format(value=setting, hint=""))


def init_distributed(device_setting: str) -> DistContext:
    """Join the process group when run under torchrun (WORLD_SIZE > 1), else a 1-process context."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = resolve_device(device_setting, local_rank)
    if world_size > 1 and not dist.is_initialized():
        if device.type == "cuda":
            torch.cuda.set_device(device)
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    return DistContext(rank=rank, world_size=world_size, local_rank=local_rank, device=device)


def shutdown_distributed() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()


def all_reduce_sum(values: List[float], context: DistContext) -> List[float]:
    """Sum a few numbers over all processes (float64)."""
    if not context.is_distributed:
        return list(values)
    tensor = torch.tensor(values, dtype=torch.float64, device=context.device)
    dist.all_reduce(tensor)
    return tensor.tolist()


def all_gather_objects(value: Any, context: DistContext) -> List[Any]:
    """[value of rank 0, value of rank 1, ...] on every process."""
    if not context.is_distributed:
        return [value]
    gathered: List[Any] = [None] * context.world_size
    dist.all_gather_object(gathered, value)
    return gathered


def barrier(context: DistContext) -> None:
    if context.is_distributed:
        dist.barrier()
