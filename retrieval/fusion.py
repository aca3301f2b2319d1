"""Weighted reciprocal rank fusion of the dense and lexical rankings.

score(d) = sum over retrievers r of  w_r / (k + rank_r(d)),  ranks starting at 1.
Weights let a strong retriever lead without a weak one dragging it down; k (the constant)
flattens the difference between neighbouring ranks. Both are calibrated on the dev set.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Fused:
    chunk_id: int
    score: float
    dense_rank: int | None
    dense_score: float | None
    bm25_rank: int | None
    bm25_score: float | None


def reciprocal_rank_fusion(
    dense: list[tuple[int, float]],
    lexical: list[tuple[int, float]],
    *,
    k: int = 60,
    dense_weight: float = 1.0,
    bm25_weight: float = 1.0,
) -> list[Fused]:
    """Fuse two best-first (chunk_id, score) lists; ties keep the dense order, then lexical."""
    dense_at = {cid: (rank, score) for rank, (cid, score) in enumerate(dense, start=1)}
    lexical_at = {cid: (rank, score) for rank, (cid, score) in enumerate(lexical, start=1)}
    fused: list[Fused] = []
    for cid in dict.fromkeys([c for c, _ in dense] + [c for c, _ in lexical]):
        d_rank, d_score = dense_at.get(cid, (None, None))
        l_rank, l_score = lexical_at.get(cid, (None, None))
        score = 0.0
        if d_rank is not None:
            score += dense_weight / (k + d_rank)
        if l_rank is not None:
            score += bm25_weight / (k + l_rank)
        fused.append(Fused(cid, score, d_rank, d_score, l_rank, l_score))
    order = {cid: i for i, cid in enumerate(dict.fromkeys([c for c, _ in dense] + [c for c, _ in lexical]))}
    fused.sort(key=lambda f: (-f.score, order[f.chunk_id]))
    return fused
