"""The composition root: every service built from the settings, once, at the edge.

The CLI calls `build_services(settings)` (a context manager: threads are stopped on the way
out) and hands the result to the bot, which opens and closes it with the application
(`post_init` / `post_shutdown`). Tests call the same function with fakes for what cannot run
here (e.g. a deterministic embedder).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

import httpx

from answering.extractive import ExtractiveAnswerer
from answering.followups import CarryOver, Condenser
from answering.judge import (
    Judge,
    Remembered,
    load_model,
    model_path,
    shared_analyzer,
    shared_date_finder,
)
from answering.llm import LlmAnswerer, LlmCondenser, OpenAIChat
from answering.protocol import Answer, Answerer, PartialCallback, SentenceScorer, Turn
from answering.reader.judge import (
    load_reader_judge,
    load_reader_leads,
    reader_folder,
    shared_reader,
)
from answering.refusal import RefusalPolicy
from answering.service import QuestionAnswering
from answering.stories import UNCALIBRATED, Margins
from qabot.calibration import CALIBRATIONS, DEFAULT_EMBEDDING, Calibration, calibration_for
from qabot.frontdoor import ArticleInfo, ArticleView, Check, LibraryEntry
from qabot.metrics import Metrics
from qabot.records import (
    Activity,
    QuestionFilter,
    QuestionRecord,
    TrainingExport,
    UnansweredGroup,
    VoteRecord,
)
from qabot.settings import Settings
from qabot.signin import LinkSigner, make_link
from qabot.stores import DeskStore, Stores
from retrieval.chunking import ChunkingConfig
from retrieval.dates import DateFinder, today_in
from retrieval.encoders.embedding import Embedder, build_embedder, identity, question_vectors
from retrieval.encoders.model_cache import ModelCache
from retrieval.encoders.priority import QuestionsFirst, YieldingEmbedder
from retrieval.errors import ArticleRejected, QabotError
from retrieval.local.dense import DensePolicy
from retrieval.local.index import IndexStore
from retrieval.local.retriever import Retriever
from retrieval.models import Article, Chunk, Headline, SearchQuery, SearchResult
from retrieval.news.shaping import latest_headlines
from retrieval.search import (
    IndexStats,
    Progress,
    ReindexReport,
    RetrievalConfig,
    Search,
    SearchBackend,
    Searching,
)
from retrieval.sources import library
from retrieval.sources.articles import parse_article
from retrieval.sources.feeds import (
    FeedPoller,
    FeedStates,
    FetchLimits,
    PollReport,
    Resolver,
    check_address,
    import_json_state,
    system_resolver,
)
from retrieval.sources.library import OnTaken, TrashedFile
from retrieval.text import QuestionReader

if TYPE_CHECKING:
    from answering.local_llm import LocalModel

logger = logging.getLogger(__name__)


class JudgeMissing(QabotError, FileNotFoundError):
    """ANSWER_READER_ROLE=feature names a reader no judge was fitted with."""


class UnknownLlmProvider(QabotError, ValueError):
    """LLM_PROVIDER names no registered provider; the message lists the valid ones."""


def calibration(settings: Settings, embedding: str) -> Calibration:
    """The values calibrated for the embedding model (`embedding`: its identity). An
    uncalibrated model gets the default model's, with a warning unless the refusal bar is set:
    its similarities may sit on another scale."""
    calibrated = calibration_for(embedding)
    if calibrated is not None:
        return calibrated
    if settings.refusal_min_score is None:
        logger.warning(
            "no refusal bar calibrated for %s: using %s's; calibrate with `python -m evaluation.tuning` "
            "and set REFUSAL_MIN_SCORE", embedding, DEFAULT_EMBEDDING,
        )
    default = CALIBRATIONS[DEFAULT_EMBEDDING]
    return Calibration(1.0, default.min_score, default.min_score_crosslingual, default.idf_match_weight)


def retrieval_config(settings: Settings, embedding: str) -> RetrievalConfig:
    """`embedding`: the embedder's identity, whose calibrated dense weight applies unless
    FUSION_DENSE_WEIGHT is set; an uncalibrated model weighs as much as BM25."""
    calibrated = calibration_for(embedding)
    return RetrievalConfig(
        k=settings.retrieval_k,
        candidates=settings.retrieval_candidates,
        mode=settings.retrieval_mode,
        rrf_k=settings.fusion_rrf_k,
        dense_weight=_setting_or(settings.fusion_dense_weight, calibrated.dense_weight if calibrated else 1.0),
        bm25_weight=settings.fusion_bm25_weight,
        dense_nprobe=settings.dense_nprobe,
    )


def refusal_policy(settings: Settings, embedding: str) -> RefusalPolicy:
    """The bars calibrated for the embedding model, each replaced by its setting when set."""
    calibrated = calibration(settings, embedding)
    return RefusalPolicy(
        min_score=_setting_or(settings.refusal_min_score, calibrated.min_score),
        min_score_crosslingual=_setting_or(settings.refusal_min_score_crosslingual, calibrated.min_score_crosslingual),
        idf_match_weight=_setting_or(settings.refusal_idf_match_weight, calibrated.idf_match_weight),
        min_term_coverage=settings.refusal_min_term_coverage,
    )


def subject_margins(embedding: str | None) -> Margins:
    """The dense margins of "about the subject" calibrated for the embedding model; none (the
    words decide alone) for a model never calibrated: its similarities sit on another scale."""
    calibrated = calibration_for(embedding) if embedding is not None else None
    if calibrated is None:
        return UNCALIBRATED
    return Margins(calibrated.subject_same_language_margin, calibrated.subject_cross_language_margin)


def _setting_or(value: float | None, calibrated: float) -> float:
    return calibrated if value is None else value


def dense_policy(settings: Settings) -> DensePolicy:
    return DensePolicy(settings.dense_index, settings.dense_ann_above, settings.dense_nprobe)


def chunking_config(settings: Settings) -> ChunkingConfig:
    return ChunkingConfig(settings.chunk_tokens, settings.chunk_overlap_tokens)


def build_embedder_from(settings: Settings, cache: ModelCache | None = None) -> Embedder:
    return build_embedder(
        settings.embedding_backend,
        settings.embedding_model,
        settings.embedding_runtime,
        settings.embedding_threads,
        cache=cache or ModelCache(settings.model_cache_dir),
        device=settings.embedding_device,
    )


def _openai_llm(settings: Settings, local_model: LocalModel | None) -> LlmAnswerer:
    backend = OpenAIChat(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key.get_secret_value(),
        timeout_s=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        temperature=settings.llm_temperature,
        max_tokens=settings.llm_max_tokens,
        structured=settings.llm_structured_output,
    )
    return LlmAnswerer(backend, timeout_s=settings.llm_timeout_s, structured=settings.llm_structured_output)


def _local_llm(settings: Settings, local_model: LocalModel | None) -> LlmAnswerer:
    # llama-cpp-python is an optional extra (local-llm): imported only when chosen.
    from answering.local_llm import LocalChat

    model = local_model or load_local_model(settings)
    backend = LocalChat(
        model, max_tokens=settings.llm_max_tokens, temperature=settings.llm_temperature,
        queue_size=settings.llm_queue_size, queue_wait_s=settings.llm_queue_wait_s,
    )
    return LlmAnswerer(backend, timeout_s=settings.llm_timeout_s, structured=settings.llm_structured_output)


def load_local_model(settings: Settings) -> LocalModel:
    """The GGUF file of LLM_MODEL_PATH, loaded (seconds for a few GB): once per process."""
    from answering.local_llm import LocalModel, LocalModelError

    if settings.llm_model_path is None:
        raise LocalModelError("LLM_PROVIDER=local needs LLM_MODEL_PATH: the path of a GGUF model file.")
    return LocalModel(settings.llm_model_path, threads=settings.llm_threads, context_tokens=settings.llm_context_tokens)


# LLM_PROVIDER → the LLM answerer it builds (None: answers are extractive).
LLM_PROVIDERS: dict[str, Callable[[Settings, LocalModel | None], LlmAnswerer | None]] = {
    "none": lambda settings, local_model: None,
    "openai": _openai_llm,
    "local": _local_llm,
}


def answer_judge(settings: Settings, embedder: Embedder | None) -> SentenceScorer | None:
    """The learned reader (ANSWER_READER), else the hand-made judge fitted for the embedding
    model, or None (both off, or the judge never fitted for this model: its similarities sit
    on another scale, so the retrieval bars decide)."""
    if not settings.answer_judge:
        return None
    if settings.answer_reader != "off" and settings.answer_reader_role == "judge":
        return load_reader_judge(reader_folder(settings.answer_reader), *reader_runtime(settings))
    if settings.answer_reader != "off" and settings.answer_reader_role == "feature":
        return fitted_judge(settings, embedder, settings.answer_reader)
    judge = fitted_judge(settings, embedder)
    if judge is None or settings.answer_reader == "off":
        return judge
    return load_reader_leads(judge, reader_folder(settings.answer_reader), *reader_runtime(settings))


def reader_runtime(settings: Settings) -> tuple[int, str, Path]:
    """The learned reader's threads, runtime and the cache its ONNX export is derived into."""
    return settings.answer_reader_threads, settings.answer_reader_runtime, settings.model_cache_dir


def fitted_judge(settings: Settings, embedder: Embedder | None, reader: str | None = None) -> Judge | None:
    """The hand-made judge fitted for the embedding model, or None when it was never fitted;
    `reader` (ANSWER_READER): the judge fitted with that learned reader's probability as a
    feature, the reader loaded beside it (missing while the plain judge exists: an error, the
    setting asked for it)."""
    if embedder is None:
        return None
    name = Path(reader).name if reader else None
    model = load_model(identity(embedder), name)
    if model is None and name and model_path(identity(embedder)).exists():
        # The judge exists for this encoder but was never fitted with this reader: the
        # setting asked for something that is not there.
        raise JudgeMissing(
            f"ANSWER_READER_ROLE=feature: no judge fitted with the reader {reader} for {identity(embedder)} "
            f"(expected {model_path(identity(embedder), name)}). Fit one with "
            "`python -m evaluation.fit_judge --readings ... --write ...` (docs/EVALUATION.md), "
            "or set ANSWER_READER_ROLE=lead."
        )
    if model is None:
        # A documented fallback (README), not a fault: said in the log, not on every CLI run.
        logger.info(
            "no sentence judge fitted for %s: refusal falls back to the retrieval bars; fit one with "
            "`python -m evaluation.fit_judge`", identity(embedder),
        )
        return None
    # Both the analysis and the embedding of each sentence, kept for the sentences seen last.
    memo = Remembered(shared_analyzer(settings.answer_judge_spacy_model), embedder)
    learned = shared_reader(reader_folder(reader).resolve(), *reader_runtime(settings)) if reader else None
    return Judge(model, memo, memo, reader=learned)


def build_answering(
    settings: Settings, retriever: Searching, embedder: Embedder | None, local_model: LocalModel | None = None,
    reader: QuestionReader | None = None,
) -> QuestionAnswering:
    """The answer service for LLM_PROVIDER; an unknown provider lists the valid ones.
    `local_model`: the model LLM_PROVIDER=local answers with (loaded from LLM_MODEL_PATH when
    not given)."""
    try:
        make_llm = LLM_PROVIDERS[settings.llm_provider]
    except KeyError:
        raise UnknownLlmProvider(
            f"Unknown LLM_PROVIDER {settings.llm_provider!r}; choose one of {', '.join(LLM_PROVIDERS)}."
        ) from None
    llm = make_llm(settings, local_model)
    extractive = ExtractiveAnswerer(embedder, max_sentences=settings.answer_max_sentences)
    answerer: Answerer = extractive
    condenser: Condenser = CarryOver()
    fallback: Answerer | None = None
    if llm is not None:
        answerer, condenser = llm, LlmCondenser(llm, condenser)
        # After an LLM failure the clock has already run to the timeout: answer with fewer
        # sentence embeddings.
        fallback = ExtractiveAnswerer(embedder, max_sentences=settings.answer_max_sentences, semantic_candidates=3)
    return QuestionAnswering(
        judge=answer_judge(settings, embedder),
        max_sentences=settings.answer_max_sentences,
        retriever=retriever,
        embedder=embedder,
        policy=refusal_policy(settings, identity(embedder) if embedder is not None else DEFAULT_EMBEDDING),
        subject_margins=subject_margins(identity(embedder) if embedder is not None else None),
        answerer=answerer,
        condenser=condenser,
        fallback=fallback,
        history_turns=settings.history_turns,
        k=settings.retrieval_k,
        reader=reader,
    )


def database_location(settings: Settings) -> str | Path:
    """The bot's database: DATABASE_URL when set, else the SQLite file under DATA_DIR."""
    url = settings.database_url
    return url.get_secret_value() if url is not None else Path(settings.data_dir) / "bot.sqlite3"


class DatabaseDoor:
    """The front door's side of the bot's database (qabot.frontdoor.RecordsDoor): one `Stores`
    (one engine) per front door, opened on first use (a one-shot CLI command that never reads it
    never migrates it), and what front ends read of it. `Services` and the tests' fake front
    door share it, over a real database; alone, it serves a command that needs nothing else."""

    settings: Settings
    _stores: Stores | None = None
    _opening: asyncio.Lock | None = None

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def close(self) -> None:
        await asyncio.to_thread(self.close_database)

    async def database(self) -> Stores:
        if self._stores is None:
            self._opening = self._opening or asyncio.Lock()
            async with self._opening:  # two first callers at once open one engine
                if self._stores is None:
                    self._stores = await Stores.open(database_location(self.settings))
        return self._stores

    def close_database(self) -> None:
        """Let the engine's connections go (blocking); the next use opens it again."""
        if self._stores is not None:
            self._stores.db.dispose()
            self._stores = None

    async def feeds(self) -> list[str]:
        return list(dict.fromkeys([*self.settings.feeds, *await (await self.database()).feeds.feeds()]))

    async def activity(self, since_day: str, today: str) -> Activity:
        return await (await self.database()).asked.activity(since_day, today)

    async def questions(self, which: QuestionFilter) -> list[QuestionRecord]:
        return await (await self.database()).asked.questions(which)

    async def vote_records(self, limit: int) -> list[VoteRecord]:
        return await (await self.database()).asked.vote_records(limit)

    async def unanswered(self, limit: int = 10) -> list[tuple[str, str]]:
        return await (await self.database()).answers.unanswered(limit)

    async def unanswered_groups(self, limit: int) -> list[UnansweredGroup]:
        return await (await self.database()).asked.unanswered_groups(limit)

    async def training_export(self, since: str | None) -> TrainingExport:
        return await (await self.database()).training.export(since)

    async def outcomes_today(self) -> dict[str, int]:
        return await (await self.database()).answers.today()

    async def last_reindex(self) -> str | None:
        return await (await self.database()).coordination.last_reindex()

    async def desk_link(self, admin_id: int, via: str) -> str:
        stores = await self.database()
        records = DeskStore(lambda: stores)
        link = await make_link(records, LinkSigner(self.settings.desk_secret), admin_id, self.settings.desk_url)
        await records.audit(admin_id, via, "web-link", "")
        return link


class Services(DatabaseDoor):
    """The real front door (qabot.frontdoor.FrontDoor). The parts it composed (the search
    pipeline over the backend, the index store, the embedder) stay attributes for the tests of
    those parts and the evaluation's replays; no front end reads them (tests/qabot/test_edges.py,
    and `cli/front.py` hands the CLI a `FrontDoor`).

    `embedder` answers questions; re-indexing uses its own instance (`indexing_embedder`, made
    on first use) that yields to questions between slices, so that no question waits behind an
    indexing batch (retrieval/encoders/priority.py)."""

    def __init__(
        self, settings: Settings, embedder: Embedder, store: IndexStore, retriever: Search,
        make_indexing_embedder: Callable[[], Embedder], local_model: LocalModel | None = None,
        reader: QuestionReader | None = None, metrics: Metrics | None = None,
        model_cache: ModelCache | None = None,
    ) -> None:
        self.settings = settings
        # Always recorded; served only when METRICS_PORT is set (`qabot run`).
        self.metrics = metrics or Metrics()
        self._opened = False
        # The encoders' derived files; it counts the time spent preparing them (first run).
        self.model_cache = model_cache or ModelCache(settings.model_cache_dir)
        # How a question's text becomes what retrieval reads (terms, dates), once per question.
        self.reader = reader or QuestionReader(None)
        self.embedder = embedder
        self.store = store
        self.retriever = retriever
        self.questions_first = QuestionsFirst()
        self._make_indexing_embedder = make_indexing_embedder
        self._indexing_embedder: Embedder | None = None
        self._indexing_lock = threading.Lock()
        self._answers: QuestionAnswering | None = None
        self._local_model = local_model  # lent by the caller: not closed here
        self._owned_model: LocalModel | None = None

    @property
    def answers(self) -> QuestionAnswering:
        """The answer service, built on first use: `qabot index` or `search` never load an LLM
        (LLM_PROVIDER=local loads its model here, once)."""
        if self._answers is None:
            model = self._local_model
            if self.settings.llm_provider == "local" and model is None:
                model = self._owned_model = load_local_model(self.settings)
            self._answers = build_answering(self.settings, self.retriever, self.embedder, model, self.reader)
        return self._answers

    @property
    def indexing_embedder(self) -> Embedder:
        """The indexing encoder, yielding to questions between slices; built on first use."""
        with self._indexing_lock:
            if self._indexing_embedder is None:
                self._indexing_embedder = YieldingEmbedder(self._make_indexing_embedder(), self.questions_first)
            return self._indexing_embedder

    @property
    def answerer(self) -> str:
        if self.settings.llm_provider == "none":
            return "extractive"
        model = self.settings.llm_model_path if self.settings.llm_provider == "local" else self.settings.llm_model
        return f"LLM {model} (extractive fallback)"

    async def open(self) -> None:
        """Build the answer service (a bad LLM setting stops start-up here; a local model loads
        now), open and verify the live index and warm the models up on one question now rather
        than on the first person's (2-7 s); without an index, say so in the log (questions get
        the same sentence until an admin indexes). The CLI's one-shot commands never open: they
        pay only for what they use."""
        await asyncio.to_thread(lambda: self.answers)
        self._opened = True
        try:
            stats = await self.stats()
        except QabotError as exc:
            logger.error("the index cannot serve questions: %s", exc)
            return
        logger.info("index ready: %d articles, %d chunks, generation %s", stats.articles, stats.chunks, stats.generation)
        started = time.perf_counter()
        try:
            await self.answers.warm_up()
        except QabotError as exc:  # the index went away meanwhile: the first question will say so
            logger.warning("warm-up skipped: %s", exc)
            return
        except Exception:  # noqa: BLE001 - a speed-up only: it must not keep the bot from starting
            logger.exception("warm-up failed: the first question will load the models")
            return
        logger.info("models warmed up in %.1f s", time.perf_counter() - started)

    async def ready(self) -> list[Check]:
        """The index (opened and verified, as a question would open it) and the models (the
        encoder, the judge, an LLM loaded in-process: `open` has built the answer service)."""
        try:
            await self.stats()
            index = Check("index")
        except QabotError as exc:
            index = Check("index", str(exc))
        models = Check("models") if self._opened else Check("models", "the answer models are still loading")
        return [index, models]

    async def close(self) -> None:
        await asyncio.to_thread(self.close_now)

    def close_now(self) -> None:
        """Stop the retriever's threads, close the index and the bot's database, free a local
        model (blocking)."""
        self.retriever.close()
        self.close_database()
        if self._owned_model is not None:
            self._owned_model.close()
            self._owned_model = None

    def __enter__(self) -> Services:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close_now()

    async def ask(
        self, question: str, history: Sequence[Turn] = (), on_partial: PartialCallback | None = None
    ) -> Answer:
        # Held for the whole question: a running re-index pauses between its slices.
        with self.questions_first.question():
            try:
                answer = await self.answers.ask(question, history, on_partial)
            except Exception:  # a cancelled question (the bot stopping) is not a failed one
                self.metrics.question_failed()
                raise
        self.metrics.answered(answer)
        return answer

    async def stats(self) -> IndexStats:
        stats = await asyncio.to_thread(self.retriever.stats)
        # Kept current by every look (open, re-index, /status, /readyz): another process may
        # have published a generation since.
        self.metrics.index_size(stats)
        return stats

    async def article(self, article_id: str) -> Article | None:
        return await asyncio.to_thread(self.retriever.article, article_id)

    async def article_view(self, name: str) -> ArticleView | None:
        return await asyncio.to_thread(article_view, Path(self.settings.articles_dir), self.retriever, name)

    async def latest(self, limit: int = 5, topic: str | None = None) -> list[Headline]:
        return await asyncio.to_thread(latest_headlines, self.retriever, limit, topic)

    def search_query(self, text: str) -> SearchQuery:
        """A question as retrieval reads it (terms, and the period or "latest" it asks about)
        for the commands that search without answering (search, eval)."""
        return self.reader(text)

    async def search(self, question: str, k: int | None = None, mode: str | None = None) -> SearchResult:
        return await asyncio.to_thread(self.retriever.search, self.reader(question), k, mode)

    async def reindex(
        self, *, full: bool = False, progress: Progress | None = None, count_preparation: bool = False
    ) -> ReindexReport:
        report = await asyncio.to_thread(self.reindex_now, full=full, progress=progress)
        # A first run on this machine prepared the encoder's model before indexing could start.
        return report.with_preparation(self.model_cache.preparation_seconds) if count_preparation else report

    async def check_feed(self, url: str, resolve: Resolver = system_resolver) -> None:
        await asyncio.to_thread(check_address, url, self.settings.feeds_allow_private, resolve)

    async def poll_feeds(
        self, urls: Sequence[str], states: FeedStates, resolve: Resolver = system_resolver
    ) -> PollReport:
        poller = await asyncio.to_thread(feed_poller, self.settings, states, None, resolve)
        return await asyncio.to_thread(poller.poll, list(urls))

    def reindex_now(self, *, full: bool = False, progress: Progress | None = None) -> ReindexReport:
        """Re-index ARTICLES_DIR (blocking), then serve the result."""
        with self.metrics.reindexing(full) as counted:
            report = self._reindex(full, both(counted, progress))
        try:
            self.metrics.index_size(self.retriever.stats())
        except QabotError as exc:  # the report stands; the next look at the index says more
            logger.warning("index size not read after the re-index: %s", exc)
        return report

    def _reindex(self, full: bool, progress: Progress) -> ReindexReport:
        return self.retriever.reindex(
            self.settings.articles_dir,
            self.indexing_embedder,
            chunking_config(self.settings),
            full=full,
            batch_size=self.settings.embedding_batch_size,
            max_article_bytes=self.settings.max_article_bytes,
            progress=progress,
        )

    async def read_article(self, name: str, data: bytes) -> ArticleInfo:
        return article_info(name, data)

    async def library(self, contains: str | None = None, limit: int = 200) -> list[LibraryEntry]:
        return await asyncio.to_thread(library_entries, self.settings, self._headlines, contains, limit)

    def _headlines(self, ids: list[str]) -> list[Headline]:
        return self.retriever.headlines(ids) if self.retriever.is_built() else []

    async def add_article(self, name: str, data: bytes, on_taken: OnTaken) -> str | None:
        article_info(name, data)
        return await asyncio.to_thread(library.save, self.settings.articles_dir, name, data, on_taken)

    async def trash_article(self, name: str) -> TrashedFile:
        return await asyncio.to_thread(library.trash, self.settings.articles_dir, trash_dir(self.settings), name)

    async def trashed_articles(self) -> list[TrashedFile]:
        return await asyncio.to_thread(library.trashed, trash_dir(self.settings))

    async def restore_article(self, key: str) -> str | None:
        return await asyncio.to_thread(library.restore, self.settings.articles_dir, trash_dir(self.settings), key)

    async def embed_questions(self, texts: Sequence[str]) -> list[list[float]]:
        return await asyncio.to_thread(question_vectors, self.embedder, texts)


def trash_dir(settings: Settings) -> Path:
    """Deleted articles wait here, outside ARTICLES_DIR (never indexed), until restored."""
    return Path(settings.data_dir) / "trash"


def library_entries(
    settings: Settings, headlines: Callable[[list[str]], list[Headline]], contains: str | None, limit: int,
) -> list[LibraryEntry]:
    """ARTICLES_DIR's files joined with what the index knows of them; `contains` matches the
    name, the title, the source or the date (case set aside)."""
    files = library.files(Path(settings.articles_dir), limit=1_000_000)
    known = {h.article_id: h for h in headlines([f.name for f in files])}
    wanted = (contains or "").casefold()
    entries = []
    for f in files:
        h = known.get(f.name)
        entry = LibraryEntry(f.name, f.bytes, f.modified, h.title if h else None, h.date if h else None,
                             h.source if h else None)
        if wanted in " ".join(filter(None, (entry.name, entry.title, entry.source, entry.date))).casefold():
            entries.append(entry)
        if len(entries) >= limit:
            break
    return entries


class ArticlePages(Protocol):
    """What an article's page reads of an index (SearchIndex has it; the tests' fake too)."""

    def is_built(self) -> bool: ...

    def article(self, article_id: str) -> Article | None: ...

    def article_chunks(self, article_id: str) -> list[Chunk]: ...

    def duplicate_groups(self) -> dict[str, list[str]]: ...

    def headlines(self, article_ids: list[str] | None = None, newest: int = 0) -> list[Headline]: ...


def article_view(articles_dir: Path, index: ArticlePages, name: str) -> ArticleView | None:
    """An article's page from its file and the live index; None when neither has `name`."""
    found = library.find(articles_dir, name)
    for _ in range(3):
        article = index.article(name) if index.is_built() else None
        if article is None:
            return ArticleView(name, found, None) if found is not None else None
        chunks = index.article_chunks(name)
        # Read in several calls: a re-index published between them would pair the article
        # with another version's chunks (or none, once removed), which do not slice out of
        # its text; read again.
        if (chunks or not article.text.strip()) and all(article.text[c.start : c.end] == c.text for c in chunks):
            break
    else:
        raise QabotError(f"the index kept changing while {name!r} was read: try again")
    others = [a for a in index.duplicate_groups().get(name, []) if a != name]
    copies = index.headlines(others) if others else []
    return ArticleView(name, found, article, tuple(chunks), tuple(copies))


def both(first: Progress, second: Progress | None) -> Progress:
    """One progress callback that calls `first`, then `second` when there is one."""
    if second is None:
        return first

    def call(done: int, total: int, stage: str) -> None:
        first(done, total, stage)
        second(done, total, stage)

    return call


def article_info(name: str, data: bytes) -> ArticleInfo:
    """An offered article file read as the index would read it; ArticleRejected with the
    reason when it is not usable text."""
    try:
        article = parse_article(name, data)
    except ValueError as exc:
        raise ArticleRejected(str(exc)) from exc
    return ArticleInfo(name, article.title, article.date, len(article.text), article.warnings)


def build_services(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    indexing_embedder: Embedder | None = None,
    local_model: LocalModel | None = None,
    clock: Callable[[], date] | None = None,
    metrics: Metrics | None = None,
) -> Services:
    """Everything the front ends need; the index itself is opened by `open` or the first
    question. A given `embedder` (a test's fake) also indexes unless `indexing_embedder` is
    given; the configured backend gets a second instance for indexing. `local_model` lends an
    already loaded model to LLM_PROVIDER=local (its owner closes it). `clock` (tests,
    evaluation) fixes the day relative dates count from; by default today in BOT_TIMEZONE.
    `metrics`: where the services record (by default a registry of their own)."""
    cache = ModelCache(settings.model_cache_dir)
    if embedder is not None:
        given = embedder
        make_indexing: Callable[[], Embedder] = lambda: indexing_embedder or given  # noqa: E731
    else:
        embedder = build_embedder_from(settings, cache)
        make_indexing = lambda: indexing_embedder or build_embedder_from(settings, cache)  # noqa: E731
    store = IndexStore(settings.index_dir)
    dates = shared_date_finder()
    reader = QuestionReader(dates if settings.retrieval_dates else None, clock or partial(today_in, settings.bot_timezone))
    return Services(settings, embedder, store, build_index(settings, store, embedder, dates), make_indexing, local_model,
                    reader, metrics or Metrics(), cache)


INDEX_BACKENDS = ("local", "qdrant")
# Where feed state was kept before it moved into the bot's store (imported once, then renamed).
LEGACY_FEED_STATE = "feeds-state.json"


def build_index(settings: Settings, store: IndexStore, embedder: Embedder, dates: DateFinder | None = None) -> Search:
    """The search pipeline over the INDEX_BACKEND. `dates` finds the dates passages name, at index time."""
    config = retrieval_config(settings, identity(embedder))
    return Search(build_backend(settings, store, embedder, config, dates), embedder, config)


def build_backend(
    settings: Settings, store: IndexStore, embedder: Embedder, config: RetrievalConfig, dates: DateFinder | None
) -> SearchBackend:
    """The INDEX_BACKEND: `local` (FAISS + FTS5 generations in INDEX_DIR) or `qdrant`."""
    if settings.index_backend == "local":
        return Retriever(store, embedder, config, dense_policy(settings), dates)
    if settings.index_backend == "qdrant":
        from retrieval.qdrant.index import QdrantConfig, QdrantIndex

        key = settings.qdrant_api_key
        qdrant = QdrantConfig(
            url=settings.qdrant_url, api_key=key.get_secret_value() if key else None,
            path=qdrant_storage(settings), collection=settings.qdrant_collection,
            timeout_s=settings.qdrant_timeout_s, batch_size=settings.qdrant_upsert_batch,
            shards=settings.qdrant_shards, replication_factor=settings.qdrant_replication_factor,
        )
        return QdrantIndex(qdrant, embedder, dates)
    raise ValueError(f"unknown INDEX_BACKEND {settings.index_backend!r}; choose one of {', '.join(INDEX_BACKENDS)}")


def qdrant_storage(settings: Settings) -> Path:
    """The folder of Qdrant's embedded local mode (INDEX_BACKEND=qdrant without QDRANT_URL)."""
    return settings.qdrant_path or settings.index_dir / "qdrant"


def feed_poller(settings: Settings, states: FeedStates, transport: httpx.BaseTransport | None = None,
                resolve: Resolver = system_resolver) -> FeedPoller:
    """The feed poller for FEEDS and the admins' feeds, its state in `states` (the bot's store);
    the JSON state file of earlier versions in DATA_DIR, if any, is taken over first."""
    import_json_state(settings.data_dir / LEGACY_FEED_STATE, states)
    limits = FetchLimits(settings.feed_max_bytes, settings.feed_timeout_s, settings.feeds_allow_private)
    return FeedPoller(settings.articles_dir, states, limits, transport, resolve)
