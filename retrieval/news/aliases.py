"""Institutions a French and an English article name differently: "la BCE" is "the ECB". A
question naming one should find the articles writing the other, in the "about the subject" test
(retrieval.news.shaping.Subject) and so in retrieval's count of a period's articles: a French
question on the ECB's December decision must not be told that no article is from December when
the only ones are English wire copy.

The table holds well-known acronyms only, each group the same body in French and English,
written as the articles write them (matched case-sensitively, as whole words, like the question's
names: "UN" is not the French article "un", "EU" not the participle "eu"). An acronym that means
something else in the other language is left out ("CPI": the International Criminal Court in
French, the consumer price index in English wire copy). "UN" and "WHO" are the analyser's stop
words "un" and "who": no stored term holds them, so an article writing them is found by its text
(Subject.unindexed), and an English question naming them reads the term of "ONU", "OMS" instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from retrieval.text import fold

ALIAS_GROUPS: tuple[frozenset[str], ...] = tuple(frozenset(group) for group in (
    ("BCE", "ECB"),  # Banque centrale européenne / European Central Bank
    ("UE", "EU"),  # Union européenne / European Union
    ("ONU", "UN"),  # Organisation des Nations unies / United Nations
    ("OTAN", "NATO"),  # Organisation du traité de l'Atlantique nord
    ("FMI", "IMF"),  # Fonds monétaire international
    ("OMS", "WHO"),  # Organisation mondiale de la santé
    ("OMC", "WTO"),  # Organisation mondiale du commerce
    ("OCDE", "OECD"),  # Organisation de coopération et de développement économiques
    ("AIEA", "IAEA"),  # Agence internationale de l'énergie atomique
    ("CIO", "IOC"),  # Comité international olympique
    ("BEI", "EIB"),  # Banque européenne d'investissement
))

_OTHERS: Mapping[str, frozenset[str]] = {
    fold(name): frozenset(fold(other) for other in group if other != name)
    for group in ALIAS_GROUPS for name in group
}


def other_names(written: str) -> frozenset[str]:
    """The other languages' forms of a name as written (accents folded, case kept): {"ECB"}
    for "BCE"; empty for a name the table does not hold."""
    return _OTHERS.get(written, frozenset())
