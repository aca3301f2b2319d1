"""Which language a question is in: py3langid (offline, well kept), limited to what we answer in."""

from __future__ import annotations

import re
from functools import lru_cache

from answering.prompts import DEFAULT_LANGUAGE, LANGUAGES

_WORDS = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def _identifier():  # type: ignore[no-untyped-def]
    # Our own identifier (not the module's global one), restricted to the languages we answer in.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def detect_language(text: str, min_confidence: float = 0.8, default: str = DEFAULT_LANGUAGE) -> str:
    """'fr' or 'en'; `default` (French, or the conversation's language) when the text is too
    short or the call is close."""
    if len(_WORDS.findall(text)) < 2:
        return default
    language, confidence = _identifier().classify(text)
    if language not in LANGUAGES or confidence < min_confidence:
        return default
    return str(language)
