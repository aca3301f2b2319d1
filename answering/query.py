"""Understanding the question: everything read from it, once, travels on one `Query`.

Retrieval, refusal, the sentence scorer, the answerers and the citation check read the `Query`
instead of analysing the question's text again: its language, its analysed key terms, the
numbers it names, what it asks for as a whole (its intent: one fact, open news, a timeline), the
kind of answer it expects and the noun it asks about (its focus), and for a follow-up ("Et à
Alep-Ouest ?") the standalone form retrieval searches with, what it borrowed from the earlier
question and what it adds to it.

Sections, in order: the `Query` and `plain_query`, which reads a question onto it; the language
(`detect_language`); the intent (`read_intent`); the kind of answer and its focus
(`question_kind`). The focus is `QuestionKind.focus`, the noun a question asks about
("population"); what a follow-up adds to the earlier question is `Query.added_terms` (the
sentence scorer's FOCUS_PENALTY holds back the sentences without it).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache
from typing import Literal

import numpy as np

from answering.sentences import numbers_in
from answering.wording import DEFAULT_LANGUAGE, LANGUAGES
from retrieval.dates import QuestionDates
from retrieval.models import SearchQuery
from retrieval.text import analyze, search_query


@dataclass(frozen=True, slots=True)
class Query:
    own: SearchQuery  # the user's wording, which the answer keeps, and its analysed terms
    language: str  # "fr" or "en"
    search: SearchQuery  # what retrieval reads: the standalone form of a follow-up, else `own`
    kind: QuestionKind  # the kind of answer the user's wording expects, and the noun it asks about
    numbers: frozenset[str]  # the numbers the user's wording names, grouping removed ("130 000")
    followup: bool = False  # rewritten from the conversation
    # The earlier question's key words a follow-up borrowed (offline rewriting), analysed: they
    # count for less than the question's own words when sentences are scored.
    carried_terms: frozenset[str] = frozenset()
    added_terms: frozenset[str] = frozenset()  # what a follow-up adds to the earlier question ("ouest")
    # The embedding of `search.text`, once retrieval computed it (so answering does not encode
    # the question again).
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)
    # The sentence scorer's short answer and the passage it comes from, once it has read the
    # passages: offered to a language model as a lead to check, not as the answer.
    lead: tuple[str, int] | None = None
    # What the question asks for as a whole (read_intent, below): one fact, open news ("que
    # s'est-il passé"), or a timeline; read from the user's own wording.
    intent: Intent = "fact"
    # An open news question asking for its stories from the start ("depuis le début"): the
    # digest reads oldest first instead of newest first.
    from_the_start: bool = False

    @property
    def text(self) -> str:
        return self.own.text

    @property
    def terms(self) -> frozenset[str]:
        """The question's own key terms (retrieval.text.analyze)."""
        return frozenset(self.own.terms)

    @property
    def expects_fact(self) -> bool:
        """It asks for a person, a place, a date, a figure... that a sentence can be seen to hold."""
        return self.kind.expects_fact

    @property
    def asks_figure(self) -> bool:
        """It asks for a date, a number, a percentage, a sum or a duration: written in digits."""
        return self.kind.kind in FIGURE_KINDS

    @property
    def dates(self) -> QuestionDates | None:
        """The period or "the latest" the question asks about, read once with its text (None:
        dates play no part); a follow-up's are its standalone form's."""
        return self.search.dates

    @property
    def standalone(self) -> str:
        return self.search.text

    def with_vector(self, vector: np.ndarray | None) -> Query:
        return replace(self, vector=vector)

    def with_lead(self, short_answer: str | None, passage_number: int) -> Query:
        return replace(self, lead=(short_answer, passage_number) if short_answer else None)

    def alone(self) -> Query:
        """The same question without the conversation (a short new question, not a follow-up)."""
        return Query(
            own=self.own, language=self.language, search=self.own, kind=self.kind, numbers=self.numbers,
            intent=self.intent, from_the_start=self.from_the_start,
        )


def has_words(text: str) -> bool:
    """Whether a text holds a letter or a digit: something a question could ask about (a message
    of emoji or zero-width spaces alone is none, and gets a hint instead of a refusal)."""
    return any(character.isalnum() for character in text)


# A message that only greets, thanks or takes leave asks nothing. Whole phrases, folded (no
# accents, lower case): "Bonjour !", "merci beaucoup", "Thanks, bye", "Bonjour à tous". A message
# with anything else is a question: "Bonjour, combien de civils ont fui Alep ?", and the fragments
# follow-ups are made of ("Comment ?", "How much?", "Le Monde ?").
SmallTalk = Literal["greeting", "thanks"]
_SMALL_TALK_PHRASES: dict[SmallTalk, tuple[str, ...]] = {
    "greeting": (
        "bonjour", "bonsoir", "salut", "coucou", "bonjour a tous", "salut a tous", "bonjour tout le monde",
        "salut tout le monde", "ca va", "comment ca va", "comment allez vous", "qabot",
        "hello", "hi", "hey", "hi there", "hello there", "hi all", "hello everyone", "hi everyone",
        "good morning", "good evening", "how are you",
    ),
    "thanks": (
        "merci", "merci beaucoup", "merci bien", "mille mercis", "ok", "okay", "d accord", "parfait", "super",
        "tres bien", "au revoir", "a bientot", "a plus", "bonne journee", "bonne soiree", "bonne nuit",
        "thanks", "thank you", "thank you very much", "thanks a lot", "many thanks", "cheers", "great",
        "bye", "goodbye", "see you",
    ),
}
_SMALL_TALK = {tuple(phrase.split()): kind for kind, phrases in _SMALL_TALK_PHRASES.items() for phrase in phrases}
_LONGEST_PHRASE = max(len(words) for words in _SMALL_TALK)
_SMALL_TALK_WORDS_AT_MOST = 12


def small_talk(text: str) -> SmallTalk | None:
    """"greeting" or "thanks" when a message only greets, thanks or takes leave (the front ends
    answer it with what the bot does, instead of a refusal that editors would find among
    unanswered questions), else None."""
    if any(character.isdigit() for character in text):
        return None
    words = tuple(_WORDS.findall(_fold(text)))
    kinds = _phrases(words) if 0 < len(words) <= _SMALL_TALK_WORDS_AT_MOST else None
    if not kinds:
        return None
    return "greeting" if "greeting" in kinds else "thanks"


def _phrases(words: tuple[str, ...]) -> list[SmallTalk] | None:
    """The kinds of the small-talk phrases `words` is made of, longest first, or None when
    they are not made of such phrases alone."""
    if not words:
        return []
    for size in range(min(len(words), _LONGEST_PHRASE), 0, -1):
        kind = _SMALL_TALK.get(words[:size])
        if kind is not None and (rest := _phrases(words[size:])) is not None:
            return [kind, *rest]
    return None


def plain_query(text: str, language: str, read: Callable[[str], SearchQuery] = search_query) -> Query:
    """A question that leans on no earlier one: its text is read here, once (`read`: its terms,
    and with retrieval.text.QuestionReader its dates)."""
    intent = read_intent(text)
    own = read(text)
    if intent != "fact":
        own = replace(own, news=True)
    return Query(
        own=own, language=language, search=own, kind=question_kind(own.text), numbers=frozenset(numbers_in(own.text)),
        intent=intent, from_the_start=intent == "open" and reads_from_the_start(text),
    )


# --- The language ---------------------------------------------------------------------------
# Which language a question is in: py3langid (offline, well kept), limited to what we answer in.

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


def quote_framing(language: str, quoted: Sequence[str]) -> str:
    """The name of the template quotes are introduced with: "extractive" ("D'après les
    articles :"), or "extractive_other_language" when a quoted passage reads in another language
    than the question's, so the reader knows why ("… (cités dans leur langue d'origine) :"). A
    passage too short or too close to call counts as the question's language."""
    other = any(detect_language(text, default=language) != language for text in quoted)
    return "extractive_other_language" if other else "extractive"


# --- The intent -----------------------------------------------------------------------------
# What a question asks for as a whole, read once from its wording onto the `Query`:
#
# - `fact`: one fact a sentence states (who, when, how many…): the judge picks the sentences;
# - `open`: what happened, what is new, where a story stands, what the latest article says: no
#   single sentence answers it, a digest of the stories about the subject does (answering.digest);
# - `timeline`: how a story unfolded, its steps: one dated line per story, in time order
#   (answering.timeline).
#
# Not the kind of answer a fact question expects (a date, a number: `question_kind`, below):
# the intent decides which answer is built, the kind what a fact answer leads with. French and
# English wordings; anything not recognised is a fact question, the answer qabot always gave.

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


# --- The kind of answer and its focus -------------------------------------------------------
# What a question asks for: the expected kind of answer and its focus, by rules.
#
# "Quelle est la population d'Alep ?" asks for a number about "population"; "Qui est le
# porte-parole de Ban Ki-moon ?" for a person, the "porte-parole"; "Quand l'offensive a-t-elle
# commencé ?" for a date. The judge (answering/judge.py) then asks of every sentence whether it
# holds that kind of thing. Interrogatives are a closed class in both languages, so rules over
# them are exact where a model would only be close; the noun after "quel"/"which"/"how many"
# decides for the open cases, from a list of nouns per kind.


class Kind(StrEnum):
    PERSON = "person"
    PLACE = "place"
    ORGANISATION = "organisation"
    DATE = "date"
    NUMBER = "number"
    PERCENTAGE = "percentage"
    MONEY = "money"
    DURATION = "duration"
    REASON = "reason"
    YES_NO = "yes_no"
    DEFINITION = "definition"
    OTHER = "other"


# Kinds a sentence can be seen to hold (an entity or a value in it); the others are judged on
# words and meaning alone.
FACT_KINDS = frozenset(
    {Kind.PERSON, Kind.PLACE, Kind.ORGANISATION, Kind.DATE, Kind.NUMBER, Kind.PERCENTAGE, Kind.MONEY, Kind.DURATION}
)
# Kinds whose answer is written in digits (or a date): a sentence with a figure is worth a look.
FIGURE_KINDS = frozenset({Kind.DATE, Kind.NUMBER, Kind.PERCENTAGE, Kind.MONEY, Kind.DURATION})


@dataclass(frozen=True, slots=True)
class QuestionKind:
    kind: Kind
    focus: str | None  # the noun (or verb) asked about, folded: "population", "porte-parole"
    # The focus's analysed terms (retrieval.text.analyze), read once with the question: what a
    # sentence holds when it names the focus (the judge's features, the lead).
    focus_terms: frozenset[str]

    @property
    def expects_fact(self) -> bool:
        return self.kind in FACT_KINDS


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Nouns after "quel(le)" / "which" / "what" / "combien de" / "how many", folded, singular
# (a final s is tried off). Checked in this order: the first kind whose list holds the noun.
_NOUNS: dict[Kind, frozenset[str]] = {
    Kind.PERCENTAGE: frozenset(["pourcentage", "proportion", "taux", "percentage", "share", "rate"]),
    Kind.MONEY: frozenset(
        ["prix", "cout", "montant", "budget", "salaire", "somme", "recette", "revenu", "chiffre_d'affaires", "price", "cost", "amount", "salary", "budget", "revenue", "fee"]
    ),
    Kind.DURATION: frozenset(["duree", "long", "longtemps", "duration"]),
    Kind.DATE: frozenset(
        ["annee", "date", "jour", "mois", "siecle", "epoque", "periode", "decennie", "millenaire", "saison", "year", "date", "day", "month", "century", "decade", "period", "era"]
    ),
    Kind.NUMBER: frozenset(
        ["nombre", "age", "population", "taille", "superficie", "surface", "hauteur", "longueur", "largeur", "altitude", "distance", "temperature", "quantite", "effectif", "score", "vitesse", "poids", "masse", "profondeur", "rang", "numero", "volume", "capacite", "densite", "habitant", "number", "age", "population", "size", "area", "height", "length", "width", "altitude", "distance", "temperature", "quantity", "speed", "weight", "depth", "rank", "volume", "capacity", "density", "inhabitant"]
    ),
    Kind.PERSON: frozenset(
        ["personne", "president", "presidente", "auteur", "autrice", "fondateur", "fondatrice", "chef", "dirigeant", "dirigeante", "porte-parole", "roi", "reine", "empereur", "realisateur", "realisatrice", "joueur", "joueuse", "entraineur", "architecte", "compositeur", "inventeur", "ministre", "maire", "secretaire", "directeur", "directrice", "createur", "createur", "peintre", "ecrivain", "fils", "fille", "pere", "mere", "femme", "mari", "epouse", "successeur", "predecesseur", "leader", "pape", "general", "champion", "vainqueur", "gagnant", "acteur", "actrice", "chanteur", "chanteuse", "artiste", "scientifique", "philosophe", "poete", "heritier", "personnage", "commandant", "capitaine", "person", "president", "author", "founder", "leader", "chief", "spokesman", "spokesperson", "king", "queen", "emperor", "director", "player", "coach", "architect", "composer", "inventor", "minister", "mayor", "secretary", "creator", "painter", "writer", "son", "daughter", "father", "mother", "wife", "husband", "successor", "predecessor", "pope", "general", "champion", "winner", "actor", "singer", "artist"]
    ),
    Kind.PLACE: frozenset(
        ["pays", "ville", "region", "lieu", "endroit", "capitale", "continent", "ile", "departement", "commune", "province", "fleuve", "riviere", "montagne", "quartier", "territoire", "etat", "localite", "village", "mer", "ocean", "lac", "country", "city", "region", "place", "location", "capital", "continent", "island", "province", "river", "mountain", "town", "village", "state", "sea", "ocean", "lake"]
    ),
    Kind.ORGANISATION: frozenset(
        ["entreprise", "societe", "organisation", "parti", "club", "equipe", "groupe", "universite", "institution", "association", "organisme", "compagnie", "journal", "marque", "firme", "ecole", "gouvernement", "armee", "federation", "banque", "company", "organisation", "organization", "party", "club", "team", "group", "university", "institution", "association", "firm", "newspaper", "brand", "school", "government", "army", "federation", "bank"]
    ),
}

_DETERMINERS = r"(?:(?:le|la|les|un|une|des|du|de la|the|a|an)\s+|(?:de l'|l'|d'))?"
_BE = r"(?:(?:est|sont|etait|etaient|fut|furent|sera|seront|a ete|ont ete|serait|is|are|was|were|will be)\s+)?"
_NOUN = r"([a-z][a-z'-]*)"
_QUEL_NOUN = re.compile(
    rf"\b(?:quel|quelle|quels|quelles|lequel|laquelle|which|what)\s+{_BE}{_DETERMINERS}(?:nom\s+(?:du|de la|de l'|des|de|d')\s*)?{_NOUN}"
)
_HOW_MANY = re.compile(rf"\b(?:combien\s+(?:de\s+|d')?|how\s+(?:many|much)\s+){_NOUN}?")
# "Qui est le porte-parole de… ?", "Comment s'appelle le fondateur… ?", "Who is the mayor… ?"
_WHO_NOUN = re.compile(
    rf"(?:^qui\s+{_BE}|comment s'appellen?t?\s+|^who\s+{_BE}|what is the name of\s+){_DETERMINERS}{_NOUN}"
)
# Words a focus pattern can catch that ask about nothing.
_NOT_FOCUS = frozenset(["does", "did", "do", "est", "sont", "a", "ont", "etait", "has", "have", "had", "can", "could", "will", "would", "should", "il", "elle", "ils", "elles", "on", "ce", "cela", "ceci"])

# (pattern, kind), tried in order on the folded question; the first that matches decides.
_RULES: list[tuple[re.Pattern[str], Kind]] = [
    (re.compile(r"\b(pourquoi|pour quelle(s)? raisons?|quelle(s)? (est|etait|sont|a ete|fut|serait|serai[te]nt) (la |les )?(raison|cause|motif)s?|why|for what reason|what (was|is|were) the (reason|cause)s?)\b"), Kind.REASON),
    (re.compile(r"\b(combien de temps|pendant combien|depuis combien de temps|quelle (etait |est |a ete )?(la )?duree|how long)\b"), Kind.DURATION),
    (re.compile(r"\b(quel(le)? (pourcentage|proportion|part|taux)|what (percentage|proportion|share)|how much percent)\b"), Kind.PERCENTAGE),
    (re.compile(r"\b(combien (coute|coutait|a coute|vaut|valait|ont coute)|quel(le)? (est |etait )?(le |la )?(prix|cout|montant|budget|salaire|somme)|how much (did|does|do|was|is|were)?\s*\w*\s*(cost|pay|paid|worth|earn)|how much money)\b"), Kind.MONEY),
    (re.compile(r"\b(quand|en quelle annee|(a|en|de|depuis) quelle (date|annee|epoque|periode|decennie)|quel(le)? (annee|date|jour|mois|siecle|epoque|decennie)|en quel (siecle|mois)|depuis quand|a partir de quand|jusqu'a quand|when|what (year|date|day|month|century|decade)|in which (year|century|month))\b"), Kind.DATE),
    (re.compile(r"\b(combien|how many|how much|how old|how tall|how far|how high|how big|how large|quel age|a quel age)\b"), Kind.NUMBER),
    (re.compile(r"^((a|de|par|pour|avec|chez|contre|selon|aupres de) )?qui\b|\b(who|whom|whose)\b"), Kind.PERSON),
    (re.compile(r"(?<!\w)où(?!\w)|\bwhere\b"), Kind.PLACE),
    (re.compile(r"^(qu'est-ce qu(e|')|que (signifie|veut dire|designe)|que sont|qu'appelle-t-on|what (is|are) (a|an|the meaning)|what does .* mean|define)\b"), Kind.DEFINITION),
    (re.compile(r"^(est-ce qu|y a-t-il|y avait-il|a-t-(il|elle|on)\b|(est|sont|etait|etaient|a|ont|peut|peuvent|doit|fut|existe)-(il|elle|ils|elles|on)\b|(is|are|was|were|did|does|do|has|have|had|can|could|will|would|should)\s)"), Kind.YES_NO),
]


def _noun_kind(noun: str) -> Kind | None:
    for candidate in (noun, noun.rstrip("sx")):
        for kind, nouns in _NOUNS.items():
            if candidate in nouns:
                return kind
    return None


def _focus(folded: str) -> str | None:
    for pattern in (_QUEL_NOUN, _HOW_MANY, _WHO_NOUN):
        match = pattern.search(folded)
        if match and match.group(1) and match.group(1).strip("'-") not in _NOT_FOCUS:
            return match.group(1).strip("'-")
    return None


def question_kind(question: str) -> QuestionKind:
    """The expected kind of answer and the focus of a French or English question."""
    folded = " ".join(_fold(question).replace("?", " ").split())
    focus = _focus(folded)
    # "où" (where) and "ou" (or) differ only by the accent folding removes.
    lowered = " ".join(question.lower().replace("’", "'").replace("?", " ").split())
    # "Quel est le nom du fondateur ?", "Dans quelle ville ?": the noun decides first...
    if focus and (kind := _noun_kind(focus)) is not None:
        # ..."combien d'habitants" is a number even though "habitant" names people.
        return _asking(kind, focus)
    for pattern, kind in _RULES:
        if pattern.search(lowered if kind is Kind.PLACE else folded):
            return _asking(kind, focus)
    return _asking(Kind.OTHER, focus)


def _asking(kind: Kind, focus: str | None) -> QuestionKind:
    return QuestionKind(kind, focus, frozenset(analyze(focus)) if focus else frozenset())
