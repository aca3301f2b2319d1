"""Prompt templates live as files in prompts/ (`<name>.<lang>.md`), loaded by name."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

# A package of its own, so the templates ship inside a wheel as package data.
PROMPTS = files("prompts")
LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"


@lru_cache(maxsize=64)
def load(name: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The template `name` in `language` (French when that language has none), stripped."""
    for candidate in (f"{name}.{language}.md", f"{name}.{DEFAULT_LANGUAGE}.md", f"{name}.md"):
        resource = PROMPTS / candidate
        if resource.is_file():
            return resource.read_text(encoding="utf-8").strip()
    raise FileNotFoundError(f"no prompt {name!r} in the prompts package")


def render(name: str, language: str = DEFAULT_LANGUAGE, **values: str) -> str:
    return load(name, language).format(**values)
