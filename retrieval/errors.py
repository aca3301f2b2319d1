"""The one error base, `QabotError`, and the expected failures of retrieval, each with a message
an admin can act on.

Every error qabot raises on purpose derives from `QabotError` (defined here, on the lowest
floor, so that every layer can derive from it; `qabot.frontdoor` re-exports it for the front
ends, which catch it and say its message in one sentence). tests/qabot/test_errors.py lists them all.

QabotError
├── NoArticles            ARTICLES_DIR holds no readable article
├── NoArticlesDir         ARTICLES_DIR is missing or not a folder
├── IndexDirUnusable      INDEX_DIR is a file, or cannot be created
├── IndexNotWritable      a re-index cannot write INDEX_DIR (read-only, disk full); the live index serves on
├── IndexNotReady         no index has been built yet
├── IndexModelMismatch    the index was built with another embedding model
├── IndexCorrupt          a file of the index fails its checksum or integrity check
│   └── IndexSchemaOutdated  the index was written by an older qabot (another schema)
├── ReindexInProgress     another re-index holds the lock
├── EmbeddingUnavailable  the configured model cannot be loaded offline
├── ArticleRejected       a file offered as an article is not usable text (the reason says why)
│   elsewhere, by the layer that raises them:
├── IndexKeptChanging, IndexUnavailable       retrieval/local/backup.py, retrieval/qdrant/index.py
├── FeedError → AddressRefused                retrieval/sources/feeds.py (one feed or page unusable)
├── LlmUnavailable, LocalModelError           answering/llm.py, answering/local_llm.py
├── SettingsError (also a ValueError)         qabot/settings.py
├── UnknownLlmProvider (also a ValueError)    qabot/services.py
├── BackupError → BackupDamaged, BackupMismatch, DatabaseInUse, QdrantInUse   qabot/backup*.py
├── StoreUnavailable, WebServerError          qabot/stores/database.py, web/server.py
└── BadQuestions                              evaluation/runner.py
"""

from __future__ import annotations


class QabotError(Exception):
    """Base of the errors the edges (CLI, bot) turn into one friendly sentence."""


class NoArticles(QabotError):
    def __init__(self, articles_dir: object) -> None:
        super().__init__(
            f"No articles found in {articles_dir}: add .txt or .md files there (or set ARTICLES_DIR)."
        )


class NoArticlesDir(QabotError):
    def __init__(self, articles_dir: object, detail: str) -> None:
        super().__init__(
            f"ARTICLES_DIR {articles_dir} {detail}: create that folder and put .txt or .md articles "
            "in it, or set ARTICLES_DIR to the folder that holds them."
        )


class IndexDirUnusable(QabotError):
    def __init__(self, index_dir: object, detail: str) -> None:
        super().__init__(f"INDEX_DIR {index_dir} {detail}: set INDEX_DIR to a folder qabot can write to.")


class IndexNotWritable(QabotError):
    def __init__(self, index_dir: object, detail: str) -> None:
        super().__init__(
            f"The re-index could not write to INDEX_DIR {index_dir} ({detail}); the index in use "
            "keeps answering. Free disk space or make that folder writable, then re-index."
        )


class IndexNotReady(QabotError):
    def __init__(self, index_dir: object) -> None:
        super().__init__(f"No index in {index_dir} yet: run `qabot index` first.")


class IndexModelMismatch(QabotError):
    def __init__(self, built_with: str, configured: str) -> None:
        super().__init__(
            f"The index was built with {built_with} but the configured embedding model is "
            f"{configured}: re-index with `qabot index --full` (or /reindex full), or set "
            "EMBEDDING_BACKEND/EMBEDDING_MODEL back."
        )
        self.built_with = built_with
        self.configured = configured


class IndexCorrupt(QabotError):
    def __init__(self, detail: str) -> None:
        super().__init__(f"The index is damaged ({detail}): run `qabot index --full` to rebuild it.")


class IndexSchemaOutdated(IndexCorrupt):
    """Nothing is damaged, but this qabot stores more per article than the index holds.

    A re-index (even an incremental one) rebuilds it whole, reading every article again."""

    def __init__(self, generation: str, found: str | None, expected: str) -> None:
        QabotError.__init__(
            self,
            f"The index ({generation}) was built by an older qabot (index schema {found}, this "
            f"version needs {expected}): run `qabot index --full` (or /reindex full) to rebuild it.",
        )
        self.found = found
        self.expected = expected


class ReindexInProgress(QabotError):
    def __init__(self) -> None:
        super().__init__("A re-index is already running; wait for it to finish.")


class EmbeddingUnavailable(QabotError):
    pass


class ArticleRejected(QabotError):
    """The message is the reason alone ("not valid UTF-8 ..."): front ends frame it."""
