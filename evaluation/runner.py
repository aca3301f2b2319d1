"""`qabot eval`: retrieval and answer quality on a question set, reported as a table, JSON and a plot.

    load questions → index the corpus (or reuse its cache) → search every answerable question
    in each mode → (with answers) ask every question through the answer service → figures

The corpus is indexed once into `DATA_DIR/eval-cache/<key>`, the key a hash of the corpus
files' content, the embedding model's identity and the chunking, so a second run (and every
tuning run in `evaluation.tuning`) reuses it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from tqdm import tqdm

from answering.protocol import FALLBACK_CAUSES
from evaluation import metrics
from qabot.frontdoor import FrontDoor
from qabot.services import (
    Services,
    build_embedder_from,
    build_services,
    chunking_config,
    refusal_policy,
)
from qabot.settings import Settings
from retrieval.encoders.embedding import Embedder, identity
from retrieval.errors import QabotError
from retrieval.local import index as index_schema
from retrieval.local import lexical
from retrieval.sources.articles import find_article_files

T = TypeVar("T")

KS = (1, 3, 5, 10, 20)


# Question groups: unanswerable ones are about an article not in the corpus ("off-corpus") or
# about one that is, whose answer was taken out of it ("on-topic", evaluation.ontopic); the
# other questions of those articles are their answerable controls ("same-article").
ANSWERABLE, OFF_CORPUS, ON_TOPIC, SAME_ARTICLE = "answerable", "off-corpus", "on-topic", "same-article"


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    question: str
    answers: tuple[str, ...]
    answerable: bool
    article: str | None
    group: str = ANSWERABLE
    title: str | None = None

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> Question:
        answers = row.get("answers") or ()
        article = row.get("article")
        answerable = bool(row.get("answerable", True))
        default_group = ANSWERABLE if answerable else (ON_TOPIC if article else OFF_CORPUS)
        return cls(
            id=str(row["id"]),
            question=str(row["question"]),
            answers=tuple(str(a) for a in answers),
            answerable=answerable,
            article=str(article) if article else None,
            group=str(row.get("group") or default_group),
            title=str(row["title"]) if row.get("title") else None,
        )


class BadQuestions(QabotError):
    """The questions file is missing or not in the expected JSON lines format."""


def load_questions(path: Path, limit: int | None = None) -> list[Question]:
    rows = []
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    rows.append(Question.from_json(_json_object(line, path, number)))
    except (OSError, UnicodeDecodeError) as exc:
        raise BadQuestions(f"Cannot read the questions file {path} ({exc}): give a JSON lines file.") from exc
    if not rows:
        raise BadQuestions(f"The questions file {path} holds no question.")
    return rows[:limit] if limit else rows


def _json_object(line: str, path: Path, number: int) -> dict[str, object]:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadQuestions(f"{path}, line {number}, is not JSON ({exc.msg}): one JSON object a line.") from exc
    if not isinstance(row, dict) or "id" not in row or not isinstance(row.get("question"), str):
        raise BadQuestions(
            f'{path}, line {number}: expected an object like {{"id", "question", "answers", "answerable", "article"}}.'
        )
    return row


def publish(report: Mapping[str, object], path: Path | None) -> None:
    """A script's report: printed, and written to `path` when given."""
    text = json.dumps(report, indent=2, ensure_ascii=False)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    sys.stdout.write(text + "\n")


def cache_key(corpus: Path, settings: Settings, embedding: str) -> str:
    """Hash of the corpus files (names and bytes), the embedding identity, the chunking and the
    index schema (a cache written by an older qabot is rebuilt, not refused)."""
    digest = hashlib.sha256()
    files, _ = find_article_files(corpus)
    for file in files:  # sorted by id
        digest.update(file.id.encode() + b"\0" + hashlib.sha256(file.path.read_bytes()).digest())
    digest.update(embedding.encode() + chunking_config(settings).describe().encode())
    digest.update(f"schema={index_schema.SCHEMA_VERSION} lexical={lexical.FORMAT}".encode())
    return digest.hexdigest()[:16]


def progress_bar(iterable: Iterable[T] | None = None, **kwargs: Any) -> tqdm:
    """tqdm on stderr: live on a terminal, a line every 30 s in a log (CI, nohup)."""
    return tqdm(iterable, leave=False, mininterval=0.2 if sys.stderr.isatty() else 30.0, **kwargs)


def cache_dir(settings: Settings, corpus: Path, embedder: Embedder) -> Path:
    return settings.data_dir / "eval-cache" / cache_key(corpus, settings, identity(embedder))


def prepare(
    settings: Settings, corpus: Path, *, embedder: Embedder | None = None
) -> Services:
    """Services over `corpus`, indexed into (or reused from) its cache folder."""
    embedder = embedder or build_embedder_from(settings)
    cached = settings.model_copy(
        update={"articles_dir": corpus, "index_dir": cache_dir(settings, corpus, embedder)}
    )
    services = build_services(cached, embedder=embedder)
    if not services.retriever.is_built():
        with progress_bar(total=0, unit="chunk", desc="indexing") as bar:

            def progress(done: int, total: int, what: str) -> None:
                bar.total, bar.n = total, done
                bar.set_description(what)
                bar.refresh()

            services.reindex_now(progress=progress)
    return services


def evaluate_retrieval(
    front_door: FrontDoor, questions: Sequence[Question], mode: str, k: int = 10
) -> dict[str, object]:
    """Passage and article recall@k, MRR@10 and latency over the answerable questions, each
    searched as `qabot search` does (through the front door)."""
    answerable = [q for q in questions if q.answerable and q.article]
    depth = max(k, *KS)
    hits: list[metrics.Hit] = []
    article_hits: list[metrics.Hit] = []
    latencies: list[float] = []

    async def search_all() -> None:
        for q in progress_bar(answerable, desc=f"retrieval ({mode})", unit="q"):
            started = time.perf_counter()
            passages = (await front_door.search(q.question, k=depth, mode=mode)).passages
            latencies.append((time.perf_counter() - started) * 1000)
            hits.append(metrics.first_hit([(p.article_id, p.text) for p in passages], q.article or "", q.answers))
            article_hits.append(metrics.first_article_hit([p.article_id for p in passages], q.article or ""))

    asyncio.run(search_all())
    return {
        "questions": len(answerable),
        **{f"recall@{n}": round(metrics.recall_at(hits, n), 4) for n in sorted({*KS, k})},
        **{f"article_recall@{n}": round(metrics.recall_at(article_hits, n), 4) for n in sorted({1, 5, k})},
        "mrr@10": round(metrics.mrr(hits, 10), 4),
        "latency_ms": metrics.latency_summary(latencies),
    }


def evaluate_answers(front_door: FrontDoor, questions: Sequence[Question]) -> dict[str, object]:
    """Every question through the front door's configured answer service (answerable and not)."""
    rows: list[dict[str, Any]] = []  # one JSON-ready record per question
    stages: dict[str, list[float]] = {}

    async def ask_all() -> None:
        for q in progress_bar(questions, desc="answers", unit="q"):
            answer = await front_door.ask(q.question)
            # What a reader reads (accuracy and F1 count the framing too), without the article's
            # publication ("(AFP, 12 décembre 2016)"): a date the answer did not find must not
            # count as the date asked for.
            composed = replace(answer, reported=None).composed()
            for stage, ms in answer.timings_ms.items():
                stages.setdefault(stage, []).append(ms)
            valid, total = metrics.citation_validity(answer.text, len(answer.citations))
            rows.append({
                "group": q.group,
                "answerable": q.answerable,
                "fact_first": q.answerable and answer.answered and metrics.fact_first(answer.text, q.answers),
                "short": answer.short_answer if q.answerable and answer.answered else None,
                "short_f1": metrics.token_f1(answer.short_answer, q.answers) if answer.short_answer and q.answerable else 0.0,
                "declined": not answer.answered,
                "correct": q.answerable and answer.answered and metrics.answer_accuracy(composed, q.answers),
                "f1": metrics.token_f1(composed, q.answers) if q.answerable and answer.answered else 0.0,
                "supported": metrics.citation_support([c.passage.text for c in answer.citations], q.answers),
                "valid_markers": valid,
                "markers": total,
                "fallback": answer.fallback,
            })

    asyncio.run(ask_all())
    answerable = [r for r in rows if r["answerable"]]
    answered = [r for r in answerable if not r["declined"]]
    markers = sum(int(r["markers"]) for r in rows)
    refusals = metrics.refusal_rates([bool(r["declined"]) for r in rows], [bool(r["answerable"]) for r in rows])
    shown = [r for r in answered if r["short"]]
    groups = {
        group: _share(sum(bool(r["declined"]) for r in members), len(members))
        for group in (ANSWERABLE, OFF_CORPUS, ON_TOPIC, SAME_ARTICLE)
        if (members := [r for r in rows if r["group"] == group])
    }
    return {
        "questions": len(rows),
        "answerable": len(answerable),
        "accuracy": _share(sum(bool(r["correct"]) for r in answerable), len(answerable)),
        "token_f1": _share(sum(float(r["f1"]) for r in answerable), len(answerable)),
        "accuracy_when_answered": _share(sum(bool(r["correct"]) for r in answered), len(answered)),
        "fact_first": _share(sum(bool(r["fact_first"]) for r in answered), len(answered)),
        "short_answer_shown": _share(len(shown), len(answered)),
        "short_answer_f1": _share(sum(float(r["short_f1"]) for r in shown), len(shown)),
        # Bold leads sharing no word with any gold answer, of those shown: a wrong fact in bold.
        "short_answer_wrong": _share(sum(float(r["short_f1"]) == 0.0 for r in shown), len(shown)),
        # Declined share per question group: off-corpus and on-topic are unanswerable,
        # answerable and same-article declines are wrong.
        "declined_by_group": groups,
        "citation_validity": _share(sum(int(r["valid_markers"]) for r in rows), markers) if markers else 1.0,
        "citation_support": _share(sum(bool(r["supported"]) for r in answered), len(answered)),
        **{name: round(value, 4) for name, value in refusals.items()},
        # Questions whose LLM answer was replaced by the extractive one, by cause.
        "fallbacks": {cause: sum(r["fallback"] == cause for r in rows) for cause in FALLBACK_CAUSES},
        "latency_ms": {stage: metrics.latency_summary(values) for stage, values in stages.items()},
    }


def _share(part: float, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


SUMMARY_KEYS = (
    "embedding_backend", "embedding_model", "embedding_runtime", "embedding_threads", "chunk_tokens",
    "chunk_overlap_tokens", "retrieval_k", "retrieval_candidates", "fusion_rrf_k", "fusion_dense_weight",
    "fusion_bm25_weight", "refusal_min_score", "refusal_min_score_crosslingual", "refusal_idf_match_weight",
    "refusal_min_term_coverage", "answer_max_sentences", "llm_provider", "llm_max_tokens",
    "llm_structured_output",
)


def llm_model_label(settings: Settings) -> str | None:
    """The model the answers came from: the GGUF file in process (LLM_MODEL names an
    endpoint's model only), the endpoint's model name, or none offline."""
    if settings.llm_provider == "local":
        return settings.llm_model_path.name if settings.llm_model_path else None
    return settings.llm_model if settings.llm_provider == "openai" else None


def settings_summary(settings: Settings, services: Services) -> dict[str, object]:
    """The settings a figure depends on, recorded beside it, and the values in force once the
    model's calibration filled the ones left unset."""
    config = services.retriever.config
    policy = refusal_policy(settings, identity(services.embedder))
    return {
        **{key: getattr(settings, key) for key in SUMMARY_KEYS},
        "llm_model": llm_model_label(settings),
        "in_force": {
            "fusion_dense_weight": config.dense_weight, "fusion_bm25_weight": config.bm25_weight,
            "fusion_rrf_k": config.rrf_k, "refusal_min_score": policy.min_score,
            "refusal_min_score_crosslingual": policy.min_score_crosslingual,
            "refusal_idf_match_weight": policy.idf_match_weight,
            "refusal_min_term_coverage": policy.min_term_coverage,
        },
    }


def run(
    settings: Settings,
    questions_path: Path,
    corpus: Path,
    *,
    modes: Sequence[str],
    k: int = 10,
    answers: bool = False,
    limit: int | None = None,
) -> dict[str, object]:
    """The whole evaluation, as the JSON report."""
    questions = load_questions(questions_path, limit)
    started = time.perf_counter()
    services = prepare(settings, corpus)
    index_seconds = time.perf_counter() - started
    retrieval = {mode: evaluate_retrieval(services, questions, mode, k) for mode in modes}
    report: dict[str, object] = {
        "questions": str(questions_path),
        "corpus": str(corpus),
        "count": len(questions),
        "answerable": sum(q.answerable for q in questions),
        "index": asyncio.run(services.stats()).to_dict(),
        "index_cache": str(services.store.root.resolve()),
        "index_seconds": round(index_seconds, 1),
        "settings": settings_summary(settings, services),
        "retrieval": retrieval,
        "answers": evaluate_answers(services, questions) if answers else None,
    }
    return report


def plot(retrieval: dict[str, dict[str, Any]], path: Path, title: str = "") -> None:
    """recall@k against k, one line per retrieval mode."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 4))
    for mode, figures in retrieval.items():
        ks = sorted(int(key.split("@")[1]) for key in figures if key.startswith("recall@"))
        axis.plot(ks, [float(figures[f"recall@{n}"]) for n in ks], marker="o", label=mode)
    axis.set_xlabel("k (passages retrieved)")
    axis.set_ylabel("passage recall@k")
    axis.set_xscale("log")
    axis.set_xticks(list(KS), [str(n) for n in KS])
    axis.set_ylim(top=1.0)
    axis.grid(alpha=0.3)
    axis.legend()
    if title:
        axis.set_title(title, fontsize=9)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)
    plt.close(figure)


def table(retrieval: dict[str, dict[str, Any]], answers: dict[str, Any] | None) -> str:
    """The terminal table."""
    header = f"{'mode':<8}" + "".join(f"{'R@' + str(n):>8}" for n in KS) + f"{'MRR@10':>8}{'art@5':>8}{'p50 ms':>8}{'p95 ms':>8}"
    lines = [header, "-" * len(header)]
    for mode, f in retrieval.items():
        latency: dict[str, float] = f["latency_ms"]
        lines.append(
            f"{mode:<8}" + "".join(f"{f[f'recall@{n}']:>8.3f}" for n in KS)
            + f"{f['mrr@10']:>8.3f}{f['article_recall@5']:>8.3f}{latency['p50']:>8.1f}{latency['p95']:>8.1f}"
        )
    if answers:
        lines.append("")
        for key in ("accuracy", "token_f1", "accuracy_when_answered", "fact_first", "short_answer_shown",
                    "short_answer_f1", "citation_validity", "citation_support",
                    "unanswerable_declined", "answerable_wrongly_declined"):
            lines.append(f"{key:<30}{answers[key]:>8.3f}")
        fallbacks: dict[str, int] = answers["fallbacks"]
        lines.append(f"{'LLM fallbacks':<30}" + ", ".join(f"{cause} {n}" for cause, n in fallbacks.items()))
        by_group: dict[str, float] = answers["declined_by_group"]
        for group, share in by_group.items():
            lines.append(f"{'declined: ' + group:<30}{share:>8.3f}")
        stages: dict[str, dict[str, float]] = answers["latency_ms"]
        for stage, figures in stages.items():
            lines.append(f"{'latency ' + stage + ' ms':<30}{'p50':>5}{figures['p50']:>8.1f}{'p95':>5}{figures['p95']:>8.1f}")
    return "\n".join(lines)
