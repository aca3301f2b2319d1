"""What a question asks for: the expected kind of answer and its focus, by rules.

"Quelle est la population d'Alep ?" asks for a number about "population"; "Qui est le
porte-parole de Ban Ki-moon ?" for a person, the "porte-parole"; "Quand l'offensive a-t-elle
commencé ?" for a date. The judge (answering/judge.py) then asks of every sentence whether it
holds that kind of thing. Interrogatives are a closed class in both languages, so rules over
them are exact where a model would only be close; the noun after "quel"/"which"/"how many"
decides for the open cases, from a list of nouns per kind.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from retrieval.text import analyze


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
