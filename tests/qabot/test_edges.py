"""The edges hold: the front ends (bot/, cli/, web/) see the rest only through `qabot`'s contract (the front door,
its types and errors), never retrieval/ or answering/ themselves, nor the composition root's
insides, nor the stores' tables and modules, and none opens the bot's database itself (the front
door does). The stores (qabot/stores/) sit below the contract: they import nothing of `qabot` but
themselves. Read from the source (ast), so an import inside a function counts as much as one at
the top of a file."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import qabot.stores
from tests.conftest import ROOT

# The floors below the front door: a front end reaching into them is a leak.
BELOW = ("retrieval", "answering")
# The composition root's public entry points, for the CLI that composes what `qabot run` serves;
# the rest of qabot/services.py (its retriever, index store, builders) is its own business.
ROOT_ENTRIES = {"build_services", "build_embedder_from", "database_location", "Services", "DatabaseDoor"}
# Besides `qabot`, what each front end may import of the project: the CLI composes the bot and
# the web server, and runs the evaluation (`qabot eval`); the bot and the web know none of them.
SIDEWAYS = {"bot": {"bot"}, "cli": {"cli", "bot", "web", "evaluation"}, "web": {"web"}}
# What the bot and the CLI may take of the stores: the package's names (its rooms and their
# records), never a room's module or its tables; the desk (web/) reads them through
# `qabot.records` alone.
STORES = "qabot.stores"
STORE_NAMES = set(qabot.stores.__all__)
PROJECT = {"retrieval", "answering", "qabot", "bot", "cli", "web", "evaluation", "benchmarks", "tests"}


def imports(tree: ast.AST) -> Iterator[tuple[int, str, str | None]]:
    """(line, module, name) for each imported module or name; `name` None for `import module`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            for alias in node.names:
                yield node.lineno, node.module, alias.name


def forbidden(front_end: str, source: str) -> list[str]:
    """What `source` (a file of `front_end`) imports that the edges do not allow."""
    found = []
    for line, module, name in sorted(imports(ast.parse(source)), key=lambda found: found[0]):
        top = module.split(".")[0]
        if top not in PROJECT or top in SIDEWAYS[front_end]:
            continue
        if top in BELOW:
            found.append(f"{line}: {module}")
        elif module == "qabot.services" and (front_end != "cli" or name not in ROOT_ENTRIES):
            found.append(f"{line}: {module}.{name}")
        elif module.startswith(f"{STORES}.") or (
            module == STORES and (front_end == "web" or name not in STORE_NAMES)
        ):
            found.append(f"{line}: {module}" + (f".{name}" if module == STORES else ""))
        elif top != "qabot":
            found.append(f"{line}: {module}")
    return found


# How a front end would open the bot's database itself, around the front door (`FrontDoor.database`,
# one engine per process): the rooms' bundle opened, or an engine of its own.
OPENERS = {"Stores.open", "Stores.connect", "Stores.over", "Database"}


def dotted(node: ast.expr) -> str | None:
    """`a.b.c` for a name or a chain of attributes, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and (base := dotted(node.value)) is not None:
        return f"{base}.{node.attr}"
    return None


def opens_the_database(source: str) -> list[str]:
    """Where `source` opens the bot's database itself (`Stores.open`, `Database(...)`, however
    reached: `qabot.stores.Stores.open` too)."""
    return [
        f"{node.lineno}: {name}" for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and (name := dotted(node.func)) is not None
        and any(name == opener or name.endswith(f".{opener}") for opener in OPENERS)
    ]


def sources(front_end: str) -> list[Path]:
    return sorted((ROOT / front_end).rglob("*.py"))


def above_the_stores(source: str) -> list[str]:
    """What a file of qabot/stores/ imports from above its floor: the rest of `qabot`, or a
    front end."""
    return [
        f"{line}: {module}" for line, module, _ in sorted(imports(ast.parse(source)), key=lambda found: found[0])
        if module.split(".")[0] in {"bot", "cli", "web", "evaluation"}
        or (module.split(".")[0] == "qabot" and not (module == STORES or module.startswith(f"{STORES}.")))
    ]


@pytest.mark.parametrize("front_end", sorted(SIDEWAYS))
def test_front_ends_import_only_the_qabot_contract(front_end: str) -> None:
    leaks = {
        str(path.relative_to(ROOT)): found
        for path in sources(front_end)
        if (found := forbidden(front_end, path.read_text(encoding="utf-8")))
    }
    assert leaks == {}


def test_the_walk_sees_every_kind_of_leak() -> None:
    """The check above can fail: each leak it exists for is caught, wherever the import sits."""
    leaky = (
        "from retrieval.models import MODES\n"
        "import answering.protocol\n"
        "def run():\n    from qabot.services import feed_poller\n"
        "from evaluation import runner\n"
    )
    assert forbidden("bot", leaky) == ["1: retrieval.models", "2: answering.protocol", "4: qabot.services.feed_poller",
                                       "5: evaluation"]
    assert forbidden("cli", leaky) == ["1: retrieval.models", "2: answering.protocol", "4: qabot.services.feed_poller"]
    allowed = "from qabot.frontdoor import Answer\nfrom qabot.errors import QabotError\nimport telegram\n"
    assert forbidden("bot", allowed) == []
    assert forbidden("cli", "from qabot.services import build_services\nfrom bot.app import attach\n") == []
    assert sources("bot") and sources("cli")


@pytest.mark.parametrize("front_end", sorted(SIDEWAYS))
def test_front_ends_never_open_the_bots_database_themselves(front_end: str) -> None:
    """The front door opens it once per process and closes it with itself; a front end that
    opened its own would run a second engine beside it, around the door's migrations and close."""
    opened = {
        str(path.relative_to(ROOT)): found
        for path in sources(front_end)
        if (found := opens_the_database(path.read_text(encoding="utf-8")))
    }
    assert opened == {}


def test_the_walk_sees_the_database_opened() -> None:
    leaky = (
        "async def link():\n    store = await Stores.open(database_location(settings))\n"
        "db = qabot.stores.Database(url)\n"
        "rooms = Stores.over(db)\n"
    )
    assert sorted(opens_the_database(leaky)) == ["2: Stores.open", "3: qabot.stores.Database", "4: Stores.over"]
    assert opens_the_database("stores = await front.database()\nrecords = DeskStore(lambda: state.db)\n") == []


def test_the_stores_import_nothing_above_their_floor() -> None:
    leaks = {
        str(path.relative_to(ROOT)): found
        for path in sorted((ROOT / "qabot" / "stores").rglob("*.py"))
        if (found := above_the_stores(path.read_text(encoding="utf-8")))
    }
    assert leaks == {}


def test_the_walk_sees_the_stores_leaks() -> None:
    """The two rules above can fail: a room's module or table from a front end, any of the
    stores from the desk, the contract or the root from a store."""
    leaky = "from qabot.stores import database\nfrom qabot.stores.answers import AnswerStore\n"
    assert forbidden("bot", leaky) == ["1: qabot.stores.database", "2: qabot.stores.answers"]
    assert forbidden("web", "from qabot.stores import Stores\n") == ["1: qabot.stores.Stores"]
    assert forbidden("bot", "from qabot.stores import Stores, StoredAnswer\n") == []
    assert above_the_stores("from qabot.frontdoor import Turn\nfrom qabot.services import x\nimport bot.app\n") == [
        "1: qabot.frontdoor", "2: qabot.services", "3: bot.app"]
    assert above_the_stores("from qabot.stores import database\nfrom answering.protocol import Answer\n") == []
