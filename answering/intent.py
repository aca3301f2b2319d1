"""What a question asks for as a whole, read once from its wording onto the `Query`:

- `fact`: one fact a sentence states (who, when, how many…): the judge picks the sentences;
- `open`: what happened, what is new, where a story stands, what the latest article says: no
  single sentence answers it, a digest of the stories about the subject does (answering.digest);
- `timeline`: how a story unfolded, its steps: one dated line per story, in time order
  (answering.timeline).

Not the kind of answer a fact question expects (a date, a number: answering.question_kind):
the intent decides which answer is built, the kind what a fact answer leads with. French and
English wordings; anything not recognised is a fact question, the answer qabot always gave.
"""

from __future__ import annotations

import re
from typing import Literal

Intent = Literal["fact", "open", "timeline"]
INTENTS: tuple[Intent, ...] = ("fact", "open", "timeline")

_A = "['’]"  # both apostrophes
_S = r"[\s\u00a0\u202f]+"
_L = r"(?<![\w\-])"

# A timeline is read before open news: "comment s'est déroulé…" also says what happened.
_TIMELINE = re.compile(
    rf"{_L}(?:chronologie|frise{_S}chronologique|chronolog(?:y|ical)|timeline"
    rf"|comment{_S}(?:\S+{_S}){{0,8}}?(?:s{_A}est|se{_S}sont)(?:-(?:il|elle|ils|elles))?"
    rf"{_S}(?:déroulée?s?|deroulee?s?)|comment{_S}(?:\S+{_S}){{0,8}}?(?:a|ont)(?:-t-(?:il|elle|on)|-(?:ils|elles))?{_S}(?:évolué|evolue)"
    rf"|(?:les|des){_S}(?:grandes{_S})?étapes{_S}(?:de|du|des|d{_A})|(?:les|des){_S}(?:grandes{_S})?etapes{_S}(?:de|du|des|d{_A})"
    rf"|(?:fil|déroulé|deroule){_S}des{_S}(?:événements|evenements)"
    rf"|how{_S}did{_S}(?:\S+{_S}){{0,8}}?(?:unfold|develop|evolve|play{_S}out)"
    rf"|(?:the{_S})?(?:key{_S}|main{_S})?(?:steps|stages){_S}(?:of|in){_S})",
    re.IGNORECASE,
)

_OPEN = re.compile(
    rf"{_L}(?:que{_S}s{_A}est-il{_S}passé|que{_S}s{_A}est-il{_S}passe|qu{_A}est-ce{_S}qui{_S}s{_A}est{_S}passé"
    rf"|qu{_A}est-ce{_S}qui{_S}s{_A}est{_S}passe|que{_S}se{_S}passe-t-il|qu{_A}est-ce{_S}qui{_S}se{_S}passe"
    rf"|qu{_A}est-ce{_S}qui{_S}a{_S}changé|qu{_A}est-ce{_S}qui{_S}a{_S}change"
    rf"|quoi{_S}de{_S}neuf|quelles?{_S}nouvelles|o[uù]{_S}en{_S}(?:est|sont|était|étaient|etait|etaient)|qu{_A}est-il{_S}arrivé"
    rf"|derni[eè]res?{_S}(?:nouvelles|infos?|informations|actualités?|actus?|news)"
    rf"|(?:le|les){_S}derniers?{_S}articles?{_S}(?:sur|à{_S}propos|au{_S}sujet|concernant|parl|de{_S}|d{_A})"
    rf"|parlent?{_S}de{_S}quoi|de{_S}quoi{_S}parlent?|l{_A}actualité{_S}(?:de|du|des|d{_A})"
    rf"|what{_S}happened|what{_A}s{_S}(?:new|happening|going{_S}on)|what{_S}is{_S}(?:new|happening|going{_S}on)"
    rf"|(?:the{_S})?latest{_S}(?:news{_S})?(?:on|about|from|in|for)|latest{_S}news|any{_S}news|what{_S}is{_S}the{_S}latest|what{_A}s{_S}the{_S}latest"
    rf"|where{_S}(?:does|do|is|are){_S}(?:\S+{_S}){{0,8}}?stand)",
    re.IGNORECASE,
)

# A digest reads newest first, unless the question asks for the story from its start.
_FROM_THE_START = re.compile(
    rf"{_L}(?:depuis{_S}(?:le|son|leur){_S}(?:début|debut)|dès{_S}le{_S}(?:début|debut)"
    rf"|(?:du|depuis{_S}le){_S}(?:début|debut){_S}(?:à|a|jusqu{_A}(?:à|a|au)){_S}"
    rf"|dans{_S}l{_A}ordre|par{_S}ordre{_S}chronologique|en{_S}ordre{_S}chronologique"
    rf"|(?:from|since){_S}the{_S}(?:start|beginning|outset)|in{_S}(?:chronological{_S})?order)",
    re.IGNORECASE,
)


def reads_from_the_start(text: str) -> bool:
    """Whether an open news question asks for its stories in time order, oldest first ("Que
    s'est-il passé au procès Logivert depuis le début ?", "… from the start?")."""
    return bool(_FROM_THE_START.search(text))


def read_intent(text: str) -> Intent:
    """The intent of a question's wording: timeline, open news, else a fact question."""
    if _TIMELINE.search(text):
        return "timeline"
    if _OPEN.search(text):
        return "open"
    return "fact"
