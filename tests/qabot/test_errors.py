"""One error base: every error qabot raises on purpose derives from `QabotError`, which the
contract (`qabot.errors`, `qabot.frontdoor`) re-exports, so a front end's one `except QabotError`
catches them all. The source is read (ast) for every exception class the project defines, so a
new one that forgets the base, or this list, fails here."""

from __future__ import annotations

import ast
import builtins
import importlib

import pytest

import qabot.errors
import qabot.frontdoor
from retrieval.errors import QabotError
from tests.conftest import ROOT

PACKAGES = ("retrieval", "answering", "qabot", "bot", "cli", "web", "evaluation")

# module -> the exception classes it defines: every one a QabotError.
ERRORS = {
    "retrieval.errors": ["QabotError", "NoArticles", "NoArticlesDir", "IndexDirUnusable", "IndexNotWritable",
                         "IndexNotReady", "IndexModelMismatch", "IndexCorrupt", "IndexSchemaOutdated",
                         "ReindexInProgress", "EmbeddingUnavailable", "ArticleRejected"],
    "retrieval.local.backup": ["IndexKeptChanging"],
    "retrieval.sources.feeds": ["FeedError", "AddressRefused"],
    "retrieval.qdrant.index": ["IndexUnavailable"],
    "answering.llm": ["LlmUnavailable"],
    "answering.local_llm": ["LocalModelError"],
    "answering.reader.export": ["ReaderExportFailed"],
    "answering.reader.judge": ["ReaderMissing"],
    "answering.reader.runtime": ["ReaderRuntimeUnknown"],
    "qabot.settings": ["SettingsError"],
    "qabot.services": ["JudgeMissing", "UnknownLlmProvider"],
    "qabot.backup": ["BackupError", "BackupDamaged", "BackupMismatch", "DatabaseInUse"],
    "qabot.backup_qdrant": ["QdrantInUse"],
    "qabot.stores.database": ["StoreUnavailable"],
    "web.server": ["WebServerError"],
    "evaluation.runner": ["BadQuestions"],
}


def defined_exceptions() -> dict[str, list[str]]:
    """module -> the classes its source defines that derive (by name, through the project's own
    classes) from a built-in exception."""
    bases: dict[str, tuple[str, list[str]]] = {}  # class -> (module, base names)
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef):
                    names = [b.id if isinstance(b, ast.Name) else b.attr for b in node.bases
                             if isinstance(b, ast.Name | ast.Attribute)]
                    bases[node.name] = (module, names)

    def is_exception(name: str, seen: frozenset[str] = frozenset()) -> bool:
        builtin = getattr(builtins, name, None)
        if isinstance(builtin, type) and issubclass(builtin, BaseException):
            return True
        if name not in bases or name in seen:
            return False
        return any(is_exception(base, seen | {name}) for base in bases[name][1])

    found: dict[str, list[str]] = {}
    for name, (module, _) in bases.items():
        if is_exception(name):
            found.setdefault(module, []).append(name)
    return found


def test_the_list_names_every_error_the_project_defines() -> None:
    found = defined_exceptions()
    assert {m: sorted(names) for m, names in found.items()} == {m: sorted(names) for m, names in ERRORS.items()}


@pytest.mark.parametrize("module", sorted(ERRORS))
def test_every_error_derives_from_the_one_base(module: str) -> None:
    loaded = importlib.import_module(module)
    for name in ERRORS[module]:
        assert issubclass(getattr(loaded, name), QabotError), f"{module}.{name}"


def test_the_contract_re_exports_the_base_and_the_errors_front_ends_catch() -> None:
    assert qabot.errors.QabotError is qabot.frontdoor.QabotError is QabotError
    for name in qabot.errors.__all__:
        assert getattr(qabot.frontdoor, name) is getattr(qabot.errors, name)
        assert issubclass(getattr(qabot.errors, name), QabotError)
    for name in ("AddressRefused", "FeedError"):
        assert issubclass(getattr(qabot.frontdoor, name), QabotError)
