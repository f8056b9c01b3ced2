"""The pretraining loop: corpus -> vocabulary -> biLM LM -> steps, with evaluation, logs and checkpoints.

Output directory layout:
  config.cfg            the config of the run (overrides applied)
  vocab.txt             the softmax vocabulary
  corpus_stats.json     what the corpus readers read and skipped
  log.jsonl             one JSON record per logged step / evaluation / event
  checkpoint/last.pt    the resume point (atomic; see checkpoint.py)
  model-last/           the biLM (config.json + model.safetensors), vocab.txt and softmax.safetensors at the last checkpoint
  model-best/           the same at the best dev mean perplexity (when a dev corpus is set)

Exact resume: the checkpoint holds the model, the optimizer (and gradient
scaler), the step, the data position (epoch, batch index; the batches of an
epoch are a pure function of seed and epoch), and every process's torch RNG
state. The learning rate is a function of the step. A run interrupted at any
point and resumed ends with the same weights as an uninterrupted run (same
number of processes, same device kind).
"""
import json
import math
import os
import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, Optional, Union

import torch
from confection import Config

from ..errors import Errors
from ..model.bilm import ElmoBiLM
from ..model.config import ElmoConfig
from ..weights.native import save_native
from .batching import LMData, epoch_batches
from .checkpoint import CHECKPOINT_NAME, load_checkpoint, remove_stale_temporaries, save_checkpoint
from .config import TrainingSettings, resolve_config
from .distributed import (DistContext, all_gather_objects, all_reduce_sum, barrier, init_distributed,
                          shutdown_distributed)
from .evaluate import Perplexity, evaluate_perplexity
from .jsonlog import JsonlLog
from .model import BiLMLanguageModel
from .softmax import SOFTMAX_NAME, save_head
from .vocab import Vocabulary


@dataclass
class TrainResult:
    """summary: step, epoch, tokens, train_seconds, output_dir, dev (last evaluation), best_dev_ppl;
    model: this process's trained BiLMLanguageModel (biLM + softmax head), in train mode."""

    summary: Dict[str, Any]
    model: BiLMLanguageModel


@dataclass
class TrainState:
    """Everything about the position of a run that is not a tensor."""

    step: int = 0  # optimizer steps done
    epoch: int = 0
    batch_index: int = 0  # next unread batch of the epoch's global batch list
    tokens_seen: int = 0  # real tokens, all processes
    train_seconds: float = 0.0
    best_dev_ppl: float = math.inf
    last_eval_step: int = -1
    last_checkpoint_step: int = -1


def checkpoint_path(output_dir: Union[str, os.PathLike]) -> Path:
    return Path(output_dir) / "checkpoint" / CHECKPOINT_NAME


def train(config: Config, output_dir: Union[str, os.PathLike], *, resume: bool = False,
          stop_at_step: Optional[int] = None) -> TrainResult:
    """Pretrain a biLM as `config` says, writing to `output_dir`; returns the summary and the model.

    stop_at_step: stop (with a checkpoint) after this many steps even if
    max_steps is larger, as if interrupted; resume later with resume=True.
    Runs under torchrun as one process of a DistributedDataParallel group.
    """
    output_dir = Path(output_dir)
    resolved = resolve_config(config)
    system = resolved["system"]
    owns_process_group = not (torch.distributed.is_available() and torch.distributed.is_initialized())
    context = init_distributed(system.device)
    try:
        return _train(config, resolved, context, output_dir, resume=resume, stop_at_step=stop_at_step)
    finally:
        if owns_process_group:
            shutdown_distributed()


def _train(config: Config, resolved: Dict[str, Any], context: DistContext, output_dir: Path, *, resume: bool,
           stop_at_step: Optional[int]) -> TrainResult:
    system, settings = resolved["system"], resolved["training"]
    if system.n_threads > 0:
        torch.set_num_threads(system.n_threads)
    ckpt_file = checkpoint_path(output_dir)
    if resume and not ckpt_file.exists():
        raise FileNotFoundError(Errors.E307.format(path=ckpt_file))
    if not resume and ckpt_file.exists():
        raise FileExistsError(Errors.E306.format(path=output_dir))
    barrier(context)  # every process has checked before the main one writes anything
    if context.is_main:
        output_dir.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(ckpt_file.parent)
        _write_text(output_dir / "config.cfg", config.to_str())

    # -- data ------------------------------------------------------------------
    tokenizer = resolved["tokenizer"]
    train_store, train_stats = resolved["corpora"]["train"].read(tokenizer, name="train")
    dev_reader = resolved["corpora"].get("dev")
    if dev_reader is not None and dev_reader.is_empty:
        dev_reader = None
    dev_store, dev_stats = dev_reader.read(tokenizer, name="dev") if dev_reader is not None else (None, None)
    vocab_file = output_dir / "vocab.txt"
    if resume:
        vocab = Vocabulary.from_file(vocab_file)
    else:
        vocab = Vocabulary.build(types=train_store.types, counts=train_store.type_counts(),
                                 min_count=resolved["vocab"].min_count, max_size=resolved["vocab"].max_size)
    elmo_config: ElmoConfig = resolved["model"]
    width = elmo_config.max_characters_per_token
    train_data = LMData(store=train_store, vocab=vocab, max_characters_per_token=width)
    dev_data = LMData(store=dev_store, vocab=vocab, max_characters_per_token=width) if dev_store is not None else None
    if context.is_main:
        if not resume:
            vocab.to_file(vocab_file)
        stats = {"train": train_stats.to_dict(), "dev": dev_stats.to_dict() if dev_stats else None,
                 "vocab_size": len(vocab), "train_types": len(train_store.types)}
        _write_text(output_dir / "corpus_stats.json", json.dumps(stats, indent=2))

    # -- model, optimizer --------------------------------------------------------
    torch.manual_seed(system.seed)  # identical initial weights on every process
    bilm = ElmoBiLM(config=elmo_config)
    head = resolved["softmax"](elmo_config.projection_dim, len(vocab))
    model = BiLMLanguageModel(bilm=bilm, head=head, token_dropout=settings.token_dropout,
                              output_dropout=settings.output_dropout).to(context.device).train()
    optimizer = settings.optimizer(model.parameters())
    schedule = settings.learn_rate
    amp_dtype = torch.bfloat16 if settings.amp_dtype == "bfloat16" else torch.float16
    use_amp = settings.mixed_precision

    def autocast():
        return torch.autocast(device_type=context.device.type, dtype=amp_dtype) if use_amp else nullcontext()

    scaler = torch.amp.GradScaler(context.device.type, enabled=use_amp and amp_dtype == torch.float16)
    state = TrainState()
    if resume:
        state = _restore(ckpt_file, model, optimizer, scaler, elmo_config, len(vocab), context, system.seed,
                         corpus=_corpus_fingerprint(train_data))
    else:
        torch.manual_seed(system.seed + 1 + context.rank)  # dropout / sampling streams differ per process
    ddp_model = model
    if context.is_distributed:
        from torch.nn.parallel import DistributedDataParallel

        find_unused = settings.find_unused_parameters
        if find_unused is None:
            find_unused = head.may_skip_parameters
        ddp_model = DistributedDataParallel(model, device_ids=[context.device] if context.device.type == "cuda" else None,
                                            find_unused_parameters=find_unused)

    log = JsonlLog(output_dir / "log.jsonl", enabled=context.is_main, keep_until_step=state.step if resume else None)
    log.write("start", step=state.step, resume=resume, world_size=context.world_size, device=str(context.device),
              n_parameters=sum(p.numel() for p in bilm.parameters()),
              n_softmax_parameters=sum(p.numel() for p in head.parameters()), vocab_size=len(vocab),
              train_sentences=len(train_data), train_tokens=train_store.n_tokens,
              corpus_skipped=dict(train_stats.skipped))
    trainer = _Trainer(model=model, ddp_model=ddp_model, optimizer=optimizer, scaler=scaler, schedule=schedule,
                       autocast=autocast, settings=settings, context=context, state=state, log=log,
                       train_data=train_data, dev_data=dev_data, seed=system.seed, output_dir=output_dir, vocab=vocab)
    try:
        trainer.run(stop_at_step)
    finally:
        log.close()
    return TrainResult(summary=trainer.summary(), model=model)


class _Trainer:
    def __init__(self, **parts: Any) -> None:
        self.__dict__.update(parts)
        self.settings: TrainingSettings
        self.context: DistContext
        self.state: TrainState
        self.last_eval: Optional[Perplexity] = None

    # -- the loop ------------------------------------------------------------------
    def run(self, stop_at_step: Optional[int]) -> None:
        settings, state, context = self.settings, self.state, self.context
        last_step = settings.max_steps if stop_at_step is None else min(settings.max_steps, stop_at_step)
        progress = None
        if settings.show_progress and context.is_main:
            from tqdm import tqdm

            progress = tqdm(total=settings.max_steps, initial=state.step, desc="pretrain", unit="step", dynamic_ncols=True)
        window = _Window(self.model_device)
        epoch_cache: Dict[int, list] = {}
        finished_data = False
        started = time.perf_counter()
        while state.step < last_step:
            batches = epoch_cache.get(state.epoch)
            if batches is None:
                epoch_cache.clear()
                batches = epoch_cache[state.epoch] = epoch_batches(
                    self.train_data.lengths, seed=self.seed, epoch=state.epoch, max_tokens=settings.batch_max_tokens,
                    max_sentences=settings.batch_max_sentences, pool_batches=settings.bucket_pool_batches)
                if len(batches) < context.world_size:
                    raise ValueError(Errors.E310.format(section="training", key="batch_max_tokens",
                                                        value=settings.batch_max_tokens,
                                                        reason=f"the corpus makes only {len(batches)} batch(es) for "
                                                               f"{context.world_size} processes; use smaller batches"))
            usable = len(batches) - len(batches) % context.world_size
            if state.batch_index >= usable:
                state.epoch += 1
                state.batch_index = 0
                if settings.max_epochs and state.epoch >= settings.max_epochs:
                    finished_data = True
                    break
                continue
            self._step(batches[state.batch_index + context.rank], window)
            state.batch_index += context.world_size
            state.step += 1
            if progress is not None:
                progress.update(1)
            if state.step % settings.log_every == 0:
                now = time.perf_counter()
                state.train_seconds += now - started
                started = now
                record = self._log_window(window)
                if progress is not None:
                    progress.set_postfix(loss=f"{record['loss']:.3f}", tok_s=f"{record['tokens_per_s']:.0f}")
            spent = 0.0  # evaluation and checkpoints do not count as training time
            if self.dev_data is not None and state.step % settings.eval_every == 0:
                spent += self._evaluate()
            if state.step % settings.checkpoint_every == 0:
                spent += self._checkpoint()
            started += spent
            window.started += spent
        state.train_seconds += time.perf_counter() - started
        if window.steps:
            self._log_window(window)
        if progress is not None:
            progress.close()
        if self.dev_data is not None and state.last_eval_step != state.step and (state.step >= settings.max_steps or finished_data):
            self._evaluate()
        if state.last_checkpoint_step != state.step:
            self._checkpoint()
        self.log.write("end", step=state.step, epoch=state.epoch, tokens=state.tokens_seen,
                       train_seconds=round(state.train_seconds, 3),
                       completed=state.step >= settings.max_steps or finished_data)

    @property
    def model_device(self) -> torch.device:
        return self.context.device

    def _step(self, indices, window: "_Window") -> None:
        batch = self.train_data.make_batch(indices).to(self.context.device)
        lr = float(self.schedule(self.state.step))
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        with self.autocast():
            out = self.ddp_model(batch.char_ids, batch.forward_targets, batch.backward_targets)
        self.scaler.scale(out.loss).backward()
        if self.settings.grad_clip > 0:
            self.scaler.unscale_(self.optimizer)
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.settings.grad_clip)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.optimizer.zero_grad(set_to_none=True)
        window.add(out, batch.n_tokens, lr)

    def _log_window(self, window: "_Window") -> Dict[str, Any]:
        sums = all_reduce_sum(window.totals(), self.context)
        forward_loss = sums[0] / max(sums[2], 1.0)
        backward_loss = sums[1] / max(sums[3], 1.0)
        loss = (sums[0] + sums[1]) / max(sums[2] + sums[3], 1.0)
        tokens = int(sums[4])
        self.state.tokens_seen += tokens
        elapsed = window.elapsed()
        record = {"step": self.state.step, "epoch": self.state.epoch, "lr": window.lr, "loss": loss,
                  "forward_loss": forward_loss, "backward_loss": backward_loss, "tokens": self.state.tokens_seen,
                  "tokens_per_s": tokens / elapsed if elapsed > 0 else 0.0,
                  "train_seconds": round(self.state.train_seconds, 3)}
        self.log.write("train", **record)
        window.reset()
        if not math.isfinite(loss):
            raise FloatingPointError(Errors.E320.format(step=self.state.step, loss=loss))
        return record

    def _evaluate(self) -> float:
        """Dev perplexity (logged; model-best updated); returns the seconds it took."""
        started = time.perf_counter()
        result = evaluate_perplexity(self.model, self.dev_data, max_tokens=self.settings.batch_max_tokens,
                                     max_sentences=self.settings.batch_max_sentences,
                                     limit_sentences=self.settings.eval_max_sentences, context=self.context,
                                     autocast=self.autocast)
        self.last_eval = result
        self.state.last_eval_step = self.state.step
        improved = result.mean_ppl < self.state.best_dev_ppl
        if improved:
            self.state.best_dev_ppl = result.mean_ppl
            if self.context.is_main:
                self._save_model(self.output_dir / "model-best")
        seconds = time.perf_counter() - started
        self.log.write("eval", step=self.state.step, **result.to_dict(), best=improved, eval_seconds=round(seconds, 3))
        return seconds

    def _checkpoint(self) -> float:
        """Write model-last and checkpoint/last.pt (main process); returns the seconds it took."""
        started = time.perf_counter()
        self.state.last_checkpoint_step = self.state.step
        rng = all_gather_objects(_rng_state(self.context.device), self.context)
        if self.context.is_main:
            self._save_model(self.output_dir / "model-last")
            save_checkpoint(
                checkpoint_path(self.output_dir),
                model=self.model.state_dict(),
                optimizer=self.optimizer.state_dict(),
                scaler=self.scaler.state_dict(),
                state=asdict(self.state),
                rng=rng,
                world_size=self.context.world_size,
                device_type=self.context.device.type,
                elmo_config=self.model.bilm.config.to_dict(),
                vocab_size=len(self.vocab),
                corpus=_corpus_fingerprint(self.train_data),
            )
            self.log.write("checkpoint", step=self.state.step, path=str(checkpoint_path(self.output_dir)))
        barrier(self.context)
        return time.perf_counter() - started

    def _save_model(self, path: Path) -> None:
        """The biLM (config.json + model.safetensors), its vocab.txt and the softmax head (softmax.safetensors)."""
        save_native(self.model.bilm, path)
        self.vocab.to_file(path / "vocab.txt")
        save_head(self.model.head, path / SOFTMAX_NAME)

    def summary(self) -> Dict[str, Any]:
        return {"step": self.state.step, "epoch": self.state.epoch, "tokens": self.state.tokens_seen,
                "train_seconds": self.state.train_seconds, "output_dir": str(self.output_dir),
                "dev": self.last_eval.to_dict() if self.last_eval is not None else None,
                "best_dev_ppl": self.state.best_dev_ppl if math.isfinite(self.state.best_dev_ppl) else None}


class _Window:
    """Loss sums, prediction counts and tokens since the last log record (kept on the device)."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.reset()

    def reset(self) -> None:
        self.sums = torch.zeros(4, dtype=torch.float64, device=self.device)
        self.tokens = 0
        self.steps = 0
        self.lr = 0.0
        self.started = time.perf_counter()

    def add(self, out, n_tokens: int, lr: float) -> None:
        self.sums += torch.stack([out.forward_nll.double(), out.backward_nll.double(),
                                  out.n_forward.double(), out.n_backward.double()])
        self.tokens += n_tokens
        self.steps += 1
        self.lr = lr

    def totals(self):
        return self.sums.tolist() + [float(self.tokens)]

    def elapsed(self) -> float:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        return time.perf_counter() - self.started


def _rng_state(device: torch.device) -> Dict[str, torch.Tensor]:
    state = {"torch": torch.get_rng_state()}
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(device)
    return state


def _corpus_fingerprint(data: LMData) -> Dict[str, int]:
    return {"sentences": len(data), "tokens": int(data.store.n_tokens), "types": len(data.store.types)}


def _restore(path: Path, model: BiLMLanguageModel, optimizer, scaler, elmo_config: ElmoConfig, vocab_size: int,
             context: DistContext, seed: int, corpus: Dict[str, int]) -> TrainState:
    import warnings

    payload = load_checkpoint(path)
    if payload.get("corpus") != corpus:
        warnings.warn(Errors.E321.format(path=path, saved=payload.get("corpus"), current=corpus))
    if payload.get("elmo_config") != elmo_config.to_dict():
        raise ValueError(Errors.E309.format(path=path, detail=f"[model] is {elmo_config.to_dict()}, the checkpoint "
                                                              f"has {payload.get('elmo_config')}"))
    if payload.get("vocab_size") != vocab_size:
        raise ValueError(Errors.E309.format(path=path, detail=f"vocabulary of {vocab_size} words, the checkpoint has "
                                                              f"{payload.get('vocab_size')}"))
    try:
        model.load_state_dict(payload["model"])
        optimizer.load_state_dict(payload["optimizer"])
        if payload.get("scaler"):
            scaler.load_state_dict(payload["scaler"])
    except (RuntimeError, ValueError, KeyError) as error:
        raise ValueError(Errors.E309.format(path=path, detail=str(error).splitlines()[0])) from None
    state = TrainState(**payload["state"])
    rng = payload.get("rng") or []
    if payload.get("world_size") == context.world_size and len(rng) == context.world_size \
            and payload.get("device_type") == context.device.type:
        torch.set_rng_state(rng[context.rank]["torch"])
        if "cuda" in rng[context.rank]:
            torch.cuda.set_rng_state(rng[context.rank]["cuda"], context.device)
    else:
        warnings.warn(Errors.E319.format(path=path, saved=payload.get("world_size"), current=context.world_size))
        torch.manual_seed(seed + 1 + context.rank + 7919 * state.step)
    return state


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
