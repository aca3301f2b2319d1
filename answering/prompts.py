"""Prompt templates live as files in prompts/ (`<name>.<lang>.md`), loaded by name."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"


@lru_cache(maxsize=64)
def load(name: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The template `name` in `language` (French when that language has none), stripped."""
    for candidate in (f"{name}.{language}.md", f"{name}.{DEFAULT_LANGUAGE}.md", f"{name}.md"):
        path = PROMPTS_DIR / candidate
        if path.is_file():
            return path.read_text(encoding="utf-8").strip()
    raise FileNotFoundError(f"no prompt {name!r} in {PROMPTS_DIR}")


def render(name: str, language: str = DEFAULT_LANGUAGE, **values: str) -> str:
    return load(name, language).format(**values)
