"""The path of a question, counted from the code as it runs: every project file whose code a
question's data passes through below the front door.

    python -m evaluation.question_path                      # the seed, default settings
    python -m evaluation.question_path --question "…" --json path.json
    python -m evaluation.question_path --functions answering/lead.py   # calls per function there

docs/ARCHITECTURE.md's "path of a question" is counted this way (issue 23): the services are
built and opened on a copy of the articles (start-up and warm-up are not the question's path),
then a second, fresh set of services — models already loaded in the process, but no sentence
memo — answers the question while every Python call, in the asking thread and in every worker
thread, is recorded (`sys.setprofile`, `threading.setprofile`). A dataclass's generated
`__init__` counts in its class's module. The bot's own part (above the front door) is not run
here: ARCHITECTURE reads it from the code. Calls are also counted per function, so a file
entered more than once for the same work shows which of its functions ran how often (by default
the French analyser's, retrieval/text.py).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import shutil
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qabot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
QUESTION = "Quand l'offensive a-t-elle commencé ?"
# The project's own packages; everything else (the standard library, site-packages) is not ours.
PACKAGES = ("answering", "bot", "cli", "qabot", "retrieval", "web")
_LRU_WRAPPER = type(functools.lru_cache(maxsize=1)(len))


def project_file(filename: str) -> str | None:
    """`filename` relative to the repository when it is one of the project's modules, else None."""
    try:
        relative = Path(filename).resolve().relative_to(ROOT)
    except ValueError:
        return None
    return relative.as_posix() if relative.parts[0] in PACKAGES else None


def frame_file(frame: FrameType) -> str | None:
    """The project file whose code `frame` runs, else None."""
    name = project_file(frame.f_code.co_filename)
    if name is None and frame.f_code.co_filename.startswith("<"):
        # A dataclass's generated `__init__` is compiled from a string: its module is the
        # one whose globals it runs in.
        module = frame.f_globals.get("__name__", "")
        path = sys.modules[module].__file__ if module in sys.modules else None
        name = project_file(path) if path else None
    return name


class Calls:
    """Counts calls per project file, per function ("file:qualified name") and per function
    and caller (the project function that made the call, or "elsewhere"), from any thread,
    while active."""

    def __init__(self) -> None:
        self.files: Counter[str] = Counter()
        self.functions: Counter[str] = Counter()
        self.callers: Counter[tuple[str, str]] = Counter()
        self.recording = False
        self._lock = threading.Lock()

    def record(self, frame: FrameType, event: str, _arg: Any) -> None:
        if not self.recording:
            return
        if event != "call":
            return
        name = frame_file(frame)
        if name is None:
            return
        back = frame.f_back
        caller = frame_file(back) if back is not None else None
        function = f"{name}:{frame.f_code.co_qualname}"
        by = f"{caller}:{back.f_code.co_qualname}" if caller is not None and back is not None else "elsewhere"
        with self._lock:
            self.files[name] += 1
            self.functions[function] += 1
            self.callers[(function, by)] += 1

    @contextmanager
    def hooked(self) -> Iterator[None]:
        """Hooks this thread and every thread started meanwhile (Python 3.11 cannot hook threads
        already running: the services' worker threads must start inside this block)."""
        threading.setprofile(self.record)
        sys.setprofile(self.record)
        try:
            yield
        finally:
            sys.setprofile(None)
            threading.setprofile(None)

    def count(self, name: str, function: str) -> None:
        if self.recording:
            with self._lock:
                self.files[name] += 1
                self.functions[f"{name}:{function}"] += 1
                self.callers[(f"{name}:{function}", "elsewhere")] += 1

    @contextmanager
    def recording_calls(self) -> Iterator[None]:
        with _memoised_seen(self):
            self.recording = True
            try:
                yield
            finally:
                self.recording = False


@contextmanager
def _memoised_seen(calls: Calls) -> Iterator[None]:
    """A memoised function (functools.lru_cache) answers from C without a Python call, yet the
    data still comes from its module: while recording, each memoised module-level function of
    ours is wrapped to count its module (callers that imported the function by name are missed)."""
    wrapped: list[tuple[object, str, object]] = []
    for module_name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        name = project_file(path) if path else None
        if name is None:
            continue
        for attr, value in list(vars(module).items()):
            if type(value) is _LRU_WRAPPER and getattr(value, "__module__", None) == module_name:
                wrapped.append((module, attr, value))
                setattr(module, attr, _counting(value, name, attr, calls))
    try:
        yield
    finally:
        for owner, attr, value in wrapped:
            setattr(owner, attr, value)


def _counting(function: Any, name: str, attr: str, calls: Calls) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        calls.count(name, attr)
        return function(*args, **kwargs)

    return call


def _settings(workdir: Path, articles: Path) -> Settings:
    from qabot.settings import Settings

    return Settings(_env_file=None, articles_dir=articles, index_dir=workdir / "index", data_dir=workdir / "var")


async def _warm(settings: Settings, question: str) -> None:
    """Loads the models into the process (start-up, not the question's path)."""
    from qabot.services import build_services

    warm = build_services(settings)
    await warm.open()
    await warm.ask(question)
    await warm.close()


async def _ask_traced(settings: Settings, question: str, calls: Calls) -> None:
    from qabot.services import build_services

    fresh = build_services(settings)
    await fresh.open()
    with calls.recording_calls():
        await fresh.ask(question)
    await fresh.close()


def trace(question: str, articles: Path) -> dict[str, object]:
    """The files `question` passes through, with their call counts, by top-level package, and
    the calls per function and per function and caller ("function <- caller")."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        copy = workdir / "articles"
        shutil.copytree(articles, copy)
        settings = _settings(workdir, copy)
        from qabot.services import build_services

        with build_services(settings) as services:
            services.reindex_now()
        asyncio.run(_warm(settings, question))
        calls = Calls()
        # A new event loop, so its worker threads (and the services' own pools) start hooked.
        with calls.hooked():
            asyncio.run(_ask_traced(settings, question, calls))
    files = dict(sorted(calls.files.items()))
    layers: dict[str, list[str]] = {}
    for name in files:
        layers.setdefault(name.split("/")[0], []).append(name)
    functions = dict(sorted(calls.functions.items()))
    callers = {f"{function} <- {by}": n for (function, by), n in sorted(calls.callers.items())}
    return {
        "question": question, "count": len(files), "by_layer": layers, "calls": files, "functions": functions,
        "callers": callers,
    }


def report_callers(report: dict[str, object]) -> dict[str, int]:
    callers = report["callers"]
    assert isinstance(callers, dict)
    return callers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--articles", type=Path, default=SEEDS, help="articles to index (default: the seed)")
    parser.add_argument("--json", type=Path, help="write the count here")
    parser.add_argument(
        "--functions", action="append", metavar="FILE",
        help="print the calls per function in this project file (repeatable; default: retrieval/text.py)",
    )
    args = parser.parse_args(argv)
    report = trace(args.question, args.articles)
    by_layer = report["by_layer"]
    assert isinstance(by_layer, dict)
    for layer, names in by_layer.items():
        print(f"{layer}/ ({len(names)}): " + ", ".join(n.split("/", 1)[1] for n in names))  # noqa: T201
    print(f"{report['count']} files below the front door")  # noqa: T201
    functions = report["functions"]
    assert isinstance(functions, dict)
    for shown in args.functions or ["retrieval/text.py"]:
        counted = {key.split(":", 1)[1]: n for key, n in functions.items() if key.split(":", 1)[0] == shown}
        listed = ", ".join(f"{function} {n}" for function, n in sorted(counted.items(), key=lambda kv: -kv[1]))
        print(f"{shown}: {sum(counted.values())} calls ({listed or 'none'})")  # noqa: T201
        for function, n in sorted(counted.items(), key=lambda kv: -kv[1]):
            key = f"{shown}:{function} <- "
            by = {k.removeprefix(key): m for k, m in report_callers(report).items() if k.startswith(key)}
            if set(by) != {f"{shown}:{function}"} and "<locals>" not in function:
                print(f"  {function} {n} <- " + ", ".join(f"{c} {m}" for c, m in sorted(by.items(), key=lambda kv: -kv[1])))  # noqa: T201
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
