"""``--model charlm``: a character-level decoder-only transformer on Python's own docs.

The corpus ships with the interpreter: ``pydoc_data/topics.py``, the Language
Reference topics that ``help()`` prints (about 0.47 M characters on Python 3.11),
joined in sorted topic order; nothing is downloaded. Its text differs between Python
versions, so results record the Python version and the corpus's SHA-256. The split
is fixed: the text is cut into 1,000-character chunks and every tenth chunk is
validation (the rest is training). The vocabulary is the set of characters in the
text.

The model is GPT-like (pre-norm blocks, learned positions, GELU MLP): every linear
layer, the attention scores ``QK^T`` and their use ``PV``, and the logits run
through the quantizer (:mod:`~dojosim.numerics.qops`); the embeddings, LayerNorm
and softmax stay in FP32. The metric is the validation loss in nats per character.
"""

from __future__ import annotations

import hashlib
import math
import sys
from collections.abc import Iterator
from typing import Any

import torch
from torch.nn import functional as F

from dojosim.numerics.loop import adam_cosine
from dojosim.numerics.qops import QLinear, Quantizer, matmul

CHUNK, VAL_EVERY = 1000, 10


def corpus_text() -> str:
    """The Language Reference topics of this interpreter, joined in sorted order."""
    from pydoc_data.topics import topics

    return "".join(topics[k] for k in sorted(topics))


def split(text: str) -> tuple[str, str]:
    """(training, validation) text: every tenth 1,000-character chunk is validation."""
    chunks = [text[i : i + CHUNK] for i in range(0, len(text), CHUNK)]
    val = "".join(c for i, c in enumerate(chunks) if i % VAL_EVERY == VAL_EVERY - 1)
    train = "".join(c for i, c in enumerate(chunks) if i % VAL_EVERY != VAL_EVERY - 1)
    return train, val


class Block(torch.nn.Module):
    """Pre-norm transformer block: causal multi-head attention, then a 4x GELU MLP."""

    def __init__(self, q: Quantizer, name: str, d: int, heads: int):
        super().__init__()
        self.q, self.name, self.heads = q, name, heads
        self.ln1, self.ln2 = torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)
        self.qkv = QLinear(d, 3 * d, q, f"{name}.qkv")
        self.proj = QLinear(d, d, q, f"{name}.proj")
        self.fc1 = QLinear(d, 4 * d, q, f"{name}.fc1")
        self.fc2 = QLinear(4 * d, d, q, f"{name}.fc2")

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        h, dh = self.heads, d // self.heads
        qkv = self.qkv(self.ln1(x)).reshape(b, t, 3, h, dh).permute(2, 0, 3, 1, 4)
        qh, kh, vh = qkv[0] * dh**-0.5, qkv[1], qkv[2]
        scores = matmul(qh, kh.transpose(-1, -2), self.q, f"{self.name}.scores")
        p = torch.softmax(scores.masked_fill(mask[:t, :t], float("-inf")), dim=-1)
        o = matmul(p, vh, self.q, f"{self.name}.mix").transpose(1, 2).reshape(b, t, d)
        x = x + self.proj(o)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class CharTransformer(torch.nn.Module):
    def __init__(self, q: Quantizer, vocab: int, ctx: int, d: int, layers: int, heads: int):
        super().__init__()
        self.tok = torch.nn.Embedding(vocab, d)
        self.pos = torch.nn.Parameter(torch.zeros(ctx, d))
        self.blocks = torch.nn.ModuleList(Block(q, f"block{i}", d, heads) for i in range(layers))
        self.ln = torch.nn.LayerNorm(d)
        self.head = QLinear(d, vocab, q, "head")
        self.register_buffer("mask", torch.ones(ctx, ctx).triu(1).bool(), persistent=False)
        for name, p in self.named_parameters():  # GPT-2's initialisation
            if name.endswith("bias"):
                torch.nn.init.zeros_(p)
            elif p.dim() == 2:
                std = (
                    0.02 / math.sqrt(2 * layers)
                    if name.endswith(("proj.weight", "fc2.weight"))
                    else 0.02
                )
                torch.nn.init.normal_(p, std=std)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        x = self.tok(idx) + self.pos[: idx.shape[1]]
        for block in self.blocks:
            x = block(x, self.mask)
        return self.head(self.ln(x))


class CharLM:
    """The character-LM task."""

    name = "charlm"

    def __init__(
        self,
        ctx: int = 64,
        d: int = 128,
        layers: int = 2,
        heads: int = 4,
        batch_size: int = 32,
        lr: float = 3e-3,
        val_chars: int | None = None,
    ):
        text = corpus_text()
        train, val = split(text)
        self.chars = sorted(set(text))
        lookup = {c: i for i, c in enumerate(self.chars)}
        self.train_ids = torch.tensor([lookup[c] for c in train], dtype=torch.long)
        val_ids = torch.tensor([lookup[c] for c in val], dtype=torch.long)
        if val_chars is not None:
            val_ids = val_ids[: val_chars + 1]
        n = (len(val_ids) - 1) // ctx
        self.val_x = val_ids[: n * ctx].reshape(n, ctx)
        self.val_y = val_ids[1 : n * ctx + 1].reshape(n, ctx)
        self.ctx, self.d, self.layers, self.heads = ctx, d, layers, heads
        self.batch_size, self.lr = batch_size, lr
        self.sha256 = hashlib.sha256(text.encode()).hexdigest()
        py = ".".join(map(str, sys.version_info[:3]))
        self.dataset = (
            f"pydoc_data/topics.py of Python {py} ({len(text):,} characters, "
            f"sha256 {self.sha256[:12]}); {len(train):,} training and {n * ctx:,} validation "
            f"characters; vocabulary {len(self.chars)}"
        )
        self.description = (
            f"decoder-only transformer: {layers} layers, d {d}, {heads} heads, context {ctx}; "
            f"AdamW lr {lr}, batch {batch_size}"
        )

    def build(self, q: Quantizer) -> torch.nn.Module:
        return CharTransformer(q, len(self.chars), self.ctx, self.d, self.layers, self.heads)

    def batches(self, seed: int) -> Iterator[Any]:
        gen = torch.Generator().manual_seed(seed)
        span = torch.arange(self.ctx + 1)
        while True:
            start = torch.randint(
                len(self.train_ids) - self.ctx - 1, (self.batch_size, 1), generator=gen
            )
            window = self.train_ids[start + span]
            yield window[:, :-1], window[:, 1:]

    def loss(self, model: torch.nn.Module, batch: Any) -> torch.Tensor:
        x, y = batch
        return F.cross_entropy(model(x).flatten(0, 1), y.flatten())

    @torch.no_grad()
    def evaluate(self, model: torch.nn.Module) -> dict[str, float]:
        total = 0.0
        for i in range(0, len(self.val_x), 128):
            logits = model(self.val_x[i : i + 128])
            total += float(
                F.cross_entropy(
                    logits.flatten(0, 1), self.val_y[i : i + 128].flatten(), reduction="sum"
                )
            )
        return {"loss": total / self.val_y.numel()}

    def optimizer(self, params: Any, steps: int) -> tuple[Any, Any]:
        return adam_cosine(params, steps, self.lr, warmup=max(1, steps // 20))
