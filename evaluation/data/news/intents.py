"""The questions of issue 24 on the dated news set: open news, timelines, periods with no
article, facts. Written before the code that answers them and checked one by one against the
articles (stories.py, recurring_*.py); `build.py` writes them to intents.jsonl with every story
expanded to all its syndicated copies.

They are asked on Thursday 18 December 2025 (`INTENTS_TODAY`): "hier" is 17 December 2025 (one
article: the Tours tram viaduct), "la semaine dernière" 8-14 December 2025 (one article: the
Saint-Nazaire bridge), "le mois dernier" November 2025.

Each question says what a right reply is (`expect`):
- "story": answered, and for open questions the first citation is one of `stories` (in the
  period when one is asked); for timelines every line cites one of `stories`; for facts one
  of `answers` is in the reply;
- "none_in_period": the subject is covered, but at no date of the period: the reply says no
  article exists for the period;
- "nothing_about": no article is about the subject and none is from the year asked: the reply
  is the plain refusal (nothing about the subject), never a sentence blaming the date.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from typing import Literal

INTENTS_TODAY = "2025-12-18"

Period = tuple[str, str]  # first and last day, inclusive


def month(year: int, number: int) -> Period:
    return f"{year}-{number:02d}-01", f"{year}-{number:02d}-{calendar.monthrange(year, number)[1]:02d}"


def year(number: int) -> Period:
    return f"{number}-01-01", f"{number}-12-31"


def day(iso: str) -> Period:
    return iso, iso


@dataclass(frozen=True, slots=True)
class Intent:
    question: str
    intent: Literal["fact", "open", "timeline"]
    stories: tuple[str, ...] = ()  # any copy of any of them is right
    period: Period | None = None
    answers: tuple[str, ...] = ()  # fact questions: any of them in the reply is right
    expect: Literal["story", "none_in_period", "nothing_about"] = "story"


def open_(question: str, *stories: str, period: Period | None = None) -> Intent:
    return Intent(question, "open", stories, period)


def timeline(question: str, *stories: str, period: Period | None = None) -> Intent:
    return Intent(question, "timeline", stories, period)


def fact(question: str, answers: tuple[str, ...], *stories: str, period: Period | None = None) -> Intent:
    return Intent(question, "fact", stories, period, answers)


def none_in(question: str, period: Period, intent: Literal["fact", "open"] = "open") -> Intent:
    return Intent(question, intent, (), period, expect="none_in_period")


def nothing_about(question: str, period: Period) -> Intent:
    return Intent(question, "fact", (), period, expect="nothing_about")


TRAM = ("tram-2024-01", "tram-2024-03", "tram-2024-06", "tram-2024-09", "tram-2024-11", "tram-2025-02",
        "tram-2025-05", "tram-en-2025", "tram-2025-09", "tram-2025-12")
PROCES = ("proces-2025-03a", "proces-2025-03b", "proces-2025-03c", "proces-2025-05", "proces-en-2025", "proces-2025-06")
EBOUEURS_2024 = ("eboueurs-2024-03", "eboueurs-2024-03b", "eboueurs-en-2024", "eboueurs-2024-03c")
EBOUEURS = (*EBOUEURS_2024, "eboueurs-2025-10", "eboueurs-2025-10b")
VALMONT = ("valmont-2024-08", "valmont-2024-10", "valmont-2024-12", "valmont-2025-01", "valmont-2025-04",
           "valmont-2025-04b", "valmont-en-2025", "valmont-2025-08", "valmont-2025-11")
FERROMAX_2024 = ("ferromax-2024-02", "ferromax-en-2024", "ferromax-2024-04", "ferromax-2024-07", "ferromax-2024-12")
FERROMAX = (*FERROMAX_2024, "ferromax-2025-05")
VIERZON = ("vierzon-2025-01", "vierzon-2025-03a", "vierzon-2025-03b", "vierzon-2025-04")
FEUX_2025 = ("feux-2025-07", "feux-en-2025", "feux-2025-07b", "feux-2025-08", "feux-2025-09")
CARHAIX = ("carhaix-2024-06", "carhaix-2024-07", "carhaix-2024-09", "carhaix-2025-06")
HELIOS = ("helios-2024-05", "helios-2025-01", "helios-2025-06", "helios-2025-11", "helios-en-2025")
EAU = ("eau-2024-02", "eau-2024-05", "eau-2025-03", "eau-2025-08")
NOVEMBER_2025 = ("vendanges-2025", "carburant-2025-11", "helios-2025-11", "helios-en-2025", "valmont-2025-11")

INTENTS: list[Intent] = [
    # --- open news questions: the right story first (in the period when one is asked) ---------
    open_("Que s'est-il passé à Tours en février 2025 ?", "tram-2025-02", period=month(2025, 2)),
    open_("Quoi de neuf sur le tramway de Tours ?", "tram-2025-12"),
    open_("Où en est la deuxième ligne de tramway de Tours ?", "tram-2025-12"),
    open_("Quel est le dernier article sur le tramway de Tours ?", "tram-2025-12"),
    open_("What's new on the Tours tram?", "tram-2025-12"),
    open_("What happened in Tours in December 2025?", "tram-2025-12", period=month(2025, 12)),
    open_("Le dernier article sur le procès Logivert parle de quoi ?", "proces-2025-06"),
    open_("Que s'est-il passé au procès Logivert en mars 2025 ?", "proces-2025-03a", "proces-2025-03b",
          "proces-2025-03c", period=month(2025, 3)),
    open_("Où en est l'affaire de l'incendie de l'entrepôt Logivert ?", "proces-2025-06"),
    open_("What happened in Amiens in May 2025?", "proces-2025-05", "proces-en-2025", period=month(2025, 5)),
    open_("Que s'est-il passé avec les éboueurs de Lyon en mars 2024 ?", *EBOUEURS_2024, period=month(2024, 3)),
    open_("Quoi de neuf sur la grève des éboueurs à Lyon ?", "eboueurs-2025-10b"),
    open_("Quel est le dernier article sur la grève des éboueurs de Lyon ?", "eboueurs-2025-10b"),
    open_("What happened in Lyon in October 2025?", "eboueurs-2025-10", "eboueurs-2025-10b", period=month(2025, 10)),
    open_("Que s'est-il passé pour l'AS Valmont en décembre 2024 ?", "valmont-2024-12", period=month(2024, 12)),
    open_("Quelles sont les dernières nouvelles de l'AS Valmont ?", "valmont-2025-11"),
    open_("Où en est l'AS Valmont en Ligue 2 ?", "valmont-2025-11"),
    open_("Que s'est-il passé à l'usine Ferromax d'Hayange en juillet 2024 ?", "ferromax-2024-07", period=month(2024, 7)),
    open_("Quoi de neuf sur l'ancienne usine Ferromax d'Hayange ?", "ferromax-2025-05"),
    open_("Le dernier article sur Ferromax parle de quoi ?", "ferromax-2025-05"),
    open_("What happened in Hayange in December 2024?", "ferromax-2024-12", period=month(2024, 12)),
    open_("Que s'est-il passé à Vierzon en mars 2025 ?", "vierzon-2025-03a", "vierzon-2025-03b", period=month(2025, 3)),
    open_("Quelles sont les dernières nouvelles de Vierzon ?", "vierzon-2025-04"),
    open_("What happened in Vierzon in March 2025?", "vierzon-2025-03a", "vierzon-2025-03b", period=month(2025, 3)),
    open_("Que s'est-il passé en Gironde en juillet 2025 ?", "feux-2025-07", "feux-2025-07b", "feux-en-2025",
          period=month(2025, 7)),
    open_("Que s'est-il passé dans l'Aude en août 2025 ?", "feux-2025-08", period=month(2025, 8)),
    open_("Quel est le dernier article sur les feux de forêt ?", "feux-2025-09"),
    open_("Que s'est-il passé aux urgences de Carhaix en juillet 2024 ?", "carhaix-2024-07", period=month(2024, 7)),
    open_("Où en sont les urgences de l'hôpital de Carhaix ?", "carhaix-2025-06"),
    open_("What happened in Carhaix in September 2024?", "carhaix-2024-09", period=month(2024, 9)),
    open_("Quoi de neuf sur la gigafactory Hélios à Dunkerque ?", "helios-2025-11", "helios-en-2025"),
    open_("Que s'est-il passé chez Hélios Batteries en juin 2025 ?", "helios-2025-06", period=month(2025, 6)),
    open_("What is the latest news on Helios Batteries?", "helios-2025-11", "helios-en-2025"),
    open_("Où en est la sécheresse dans les Pyrénées-Orientales ?", "eau-2025-08"),
    open_("Que s'est-il passé dans les Pyrénées-Orientales en mars 2025 ?", "eau-2025-03", period=month(2025, 3)),
    open_("Que s'est-il passé hier ?", "tram-2025-12", period=day("2025-12-17")),
    open_("Que s'est-il passé la semaine dernière ?", "pont-2025-12", period=("2025-12-08", "2025-12-14")),
    open_("Que s'est-il passé le mois dernier ?", *NOVEMBER_2025, period=month(2025, 11)),
    open_("Que s'est-il passé dans les stations de ski en décembre 2025 ?", "ski-2025-12", period=month(2025, 12)),
    open_("Quelles sont les dernières nouvelles sur le prix du gazole ?", "carburant-2025-11"),
    open_("Que s'est-il passé au Festival d'Avignon en juillet 2025 ?", "avignon-2025", period=month(2025, 7)),
    open_("Où en est le loup dans le massif des Bauges ?", "loup-2025-06"),
    open_("Quoi de neuf sur les vendanges ?", "vendanges-2025"),
    open_("Que s'est-il passé avec les contrôleurs aériens en juillet 2025 ?", "aerien-2025-07", "aerien-2025-07b",
          period=month(2025, 7)),
    open_("Que s'est-il passé à Saint-Nazaire en décembre 2025 ?", "pont-2025-12", period=month(2025, 12)),
    # --- timelines: one line per dated story, in date order, no two copies of one story --------
    timeline("Chronologie des travaux du tramway de Tours", *TRAM),
    timeline("Chronologie du tramway de Tours en 2025", *(k for k in TRAM if "2025" in k), period=year(2025)),
    timeline("Comment s'est déroulé le procès Logivert ?", *PROCES),
    timeline("How did the Logivert trial unfold?", *PROCES),
    timeline("Les étapes de la grève des éboueurs de Lyon en mars 2024", *EBOUEURS_2024, period=month(2024, 3)),
    timeline("Chronologie de la grève des éboueurs de Lyon", *EBOUEURS),
    timeline("How did the Lyon refuse collectors' strike unfold in 2024?", *EBOUEURS_2024, period=year(2024)),
    timeline("Chronologie de la saison de l'AS Valmont", *VALMONT),
    timeline("Les étapes de la montée de l'AS Valmont en Ligue 2", *VALMONT),
    timeline("How did the Ferromax plant closure unfold?", *FERROMAX),
    timeline("Les étapes de la fermeture de l'usine Ferromax d'Hayange", *FERROMAX),
    timeline("Les étapes de la crise de l'usine Ferromax en 2024", *FERROMAX_2024, period=year(2024)),
    timeline("Comment s'est déroulée l'élection municipale partielle de Vierzon ?", *VIERZON),
    timeline("Chronologie des incendies de forêt en 2025", *FEUX_2025, period=year(2025)),
    timeline("How did the Hostens wildfire unfold?", "feux-2025-07", "feux-en-2025", "feux-2025-07b", "feux-2025-09"),
    timeline("Chronologie des urgences de Carhaix", *CARHAIX),
    timeline("Les étapes du projet de gigafactory Hélios à Dunkerque", *HELIOS),
    timeline("Comment la sécheresse dans les Pyrénées-Orientales a-t-elle évolué ?", *EAU),
    timeline("Chronologie des prix du gazole", "carburant-2024-04", "carburant-2024-10", "carburant-2025-11"),
    timeline("Chronologie du loup dans les Alpes", "loup-2024-06", "loup-2024-10", "loup-en-2024", "loup-2025-06"),
    timeline("Chronologie de la grève des contrôleurs aériens de juillet 2025", "aerien-2025-07", "aerien-2025-07b",
             period=month(2025, 7)),
    timeline("Chronologie de la grève à la SNCF", "sncf-oct", "sncf-dec", "sncf-feb"),
    # --- a covered subject, a period it was not covered in: the reply says none exists ---------
    none_in("Que s'est-il passé sur le chantier du tramway de Tours en août 2025 ?", month(2025, 8)),
    none_in("Que s'est-il passé à Tours en avril 2024 ?", month(2024, 4)),
    none_in("Y a-t-il eu une grève des éboueurs à Lyon en juin 2025 ?", month(2025, 6), "fact"),
    none_in("Qu'a fait l'AS Valmont en juin 2025 ?", month(2025, 6)),
    none_in("Que s'est-il passé au procès Logivert en janvier 2025 ?", month(2025, 1)),
    none_in("Que s'est-il passé à l'usine Ferromax en octobre 2024 ?", month(2024, 10)),
    none_in("What happened in Vierzon in September 2025?", month(2025, 9)),
    none_in("Que s'est-il passé aux urgences de Carhaix en mars 2025 ?", month(2025, 3)),
    none_in("Quoi de neuf chez Hélios Batteries en mars 2025 ?", month(2025, 3)),
    none_in("Que s'est-il passé dans les Pyrénées-Orientales en octobre 2025 ?", month(2025, 10)),
    none_in("What did Ferromax announce in 2023?", year(2023), "fact"),
    none_in("Quel a été le taux de réussite au bac 2023 ?", year(2023), "fact"),
    none_in("Que s'est-il passé au Festival d'Avignon en 2023 ?", year(2023)),
    none_in("Que s'est-il passé dans les stations de ski en mars 2025 ?", month(2025, 3)),
    none_in("Que s'est-il passé à Saint-Nazaire en juin 2025 ?", month(2025, 6)),
    # --- a subject no article is about, a year no article is from: the plain refusal -----------
    nothing_about("Qui a remporté l'Eurovision en 2019 ?", year(2019)),
    nothing_about("Qui a gagné le Tour de France 2021 ?", year(2021)),
    nothing_about("What happened at the Cannes film festival in 2022?", year(2022)),
    nothing_about("Quel était le prix du timbre-poste en 2023 ?", year(2023)),
    nothing_about("Qui a remporté la Coupe Davis en 2019 ?", year(2019)),
    # --- facts with gold answers ----------------------------------------------------------------
    fact("Combien de stations comptera la deuxième ligne du tramway de Tours ?", ("23",), "tram-2024-01", "tram-en-2025"),
    fact("Combien la commission d'indemnisation du tram de Tours a-t-elle versé aux commerçants en mars 2024 ?",
         ("212 000 euros",), "tram-2024-03", period=month(2024, 3)),
    fact("Jusqu'à quand le pont Wilson de Tours est-il fermé aux voitures en 2024 ?", ("31 août",), "tram-2024-06",
         period=year(2024)),
    fact("Quel est le nouveau coût du tramway de Tours annoncé en novembre 2024 ?", ("515 millions",), "tram-2024-11",
         "tram-2025-09", "tram-en-2025", period=month(2024, 11)),
    fact("Combien de sépultures les fouilles de la rue Nationale à Tours ont-elles livrées ?", ("62",), "tram-2025-02"),
    fact("Quand la deuxième ligne de tramway de Tours entrera-t-elle en service ?", ("2028",), "tram-2025-09",
         "tram-2025-12"),
    fact("Combien de voyageurs peut transporter une rame de la ligne 2 du tram de Tours ?", ("290",), "tram-2025-05"),
    fact("Combien de salariés sont morts dans l'incendie de l'entrepôt Logivert ?", ("trois",), *PROCES),
    fact("Quelle peine le parquet a-t-il requise contre l'ancien directeur de Logivert ?", ("deux ans",),
         "proces-2025-03c"),
    fact("À quelle amende la société Logivert a-t-elle été condamnée ?", ("300 000 euros",), "proces-2025-05",
         "proces-2025-06"),
    fact("How much was Logivert fined?", ("300,000 euros", "300 000 euros"), "proces-en-2025", "proces-2025-05",
         "proces-2025-06"),
    fact("Combien de tonnes de déchets s'accumulaient à Lyon le 14 mars 2024 ?", ("4 000 tonnes",),
         "eboueurs-2024-03b", "eboueurs-en-2024", period=day("2024-03-14")),
    fact("Quelle prime de pénibilité a été accordée aux éboueurs lyonnais en mars 2024 ?", ("110 euros",),
         "eboueurs-2024-03c", "eboueurs-2025-10", period=month(2024, 3)),
    fact("Quand les éboueurs de Lyon ont-ils suspendu leur grève en octobre 2025 ?", ("16 octobre",),
         "eboueurs-2025-10b", period=month(2025, 10)),
    fact("Quel était le score du match entre l'AS Valmont et Dijon en août 2024 ?", ("2-0",), "valmont-2024-08",
         period=month(2024, 8)),
    fact("Qui a marqué le but de Valmont contre Le Havre en Coupe de France ?", ("Kévin Lhermitte",), "valmont-2024-12"),
    fact("Contre quel club l'AS Valmont a-t-elle été éliminée de la Coupe de France ?", ("Lens",), "valmont-2025-01",
         "valmont-en-2025"),
    fact("Qui a remplacé Patrice Morand à la tête de l'AS Valmont ?", ("Sébastien Caradec",), "valmont-2025-11"),
    fact("Against which club did Valmont draw to win promotion?", ("Dijon",), "valmont-en-2025", "valmont-2025-04b"),
    fact("Combien de salariés employait l'usine Ferromax d'Hayange ?", ("420",), "ferromax-2024-02", "ferromax-en-2024",
         "ferromax-2024-12"),
    fact("Quelle prime de départ a obtenu chaque salarié licencié de Ferromax ?", ("45 000 euros",), "ferromax-2024-07"),
    fact("Quelle entreprise reprend l'ancienne usine Ferromax d'Hayange ?", ("Ventanor",), "ferromax-2025-05"),
    fact("Where will Ferromax move its production?", ("Poland", "Pologne"), "ferromax-en-2024", "ferromax-2024-02"),
    fact("Quel score Claire Dumoulin a-t-elle obtenu au second tour à Vierzon ?", ("47,9 %",), "vierzon-2025-03b"),
    fact("Quelle était la participation au premier tour de la municipale partielle de Vierzon ?", ("46,1 %",),
         "vierzon-2025-03a"),
    fact("De combien la taxe foncière baisse-t-elle à Vierzon en 2025 ?", ("5 %",), "vierzon-2025-04",
         period=year(2025)),
    fact("Combien d'hectares l'incendie de Hostens a-t-il brûlé ?", ("4 100 hectares",), "feux-2025-07b",
         "feux-2025-09"),
    fact("Combien d'hectares de forêt ont brûlé en France en 2024 ?", ("9 800 hectares",), "feux-2024-09",
         period=year(2024)),
    fact("How many people were evacuated because of the Hostens wildfire?", ("1,100", "1 100"), "feux-en-2025",
         "feux-2025-07", "feux-2025-07b"),
    fact("Combien de campings ont été évacués lors de l'incendie de la Clape ?", ("quatre campings",), "feux-2025-08"),
    fact("Combien de médecins urgentistes manquaient à Carhaix en juin 2024 ?", ("sept",), "carhaix-2024-06",
         period=month(2024, 6)),
    fact("Combien de manifestants ont défendu les urgences de Carhaix le 6 juillet 2024 selon la gendarmerie ?",
         ("2 800",), "carhaix-2024-07", period=day("2024-07-06")),
    fact("Combien coûtera la gigafactory Hélios de Dunkerque ?", ("1,6 milliard",), "helios-2024-05", "helios-2025-06"),
    fact("Combien Hélios Batteries a-t-elle levé en juin 2025 ?", ("600 millions",), "helios-2025-06",
         period=month(2025, 6)),
    fact("When will production start at the Helios gigafactory?", ("spring 2027", "printemps 2027"), "helios-en-2025",
         "helios-2025-11"),
    fact("Quelle a été la production de vin française en 2024 ?", ("36,9 millions", "36.9 million"), "vendanges-2024",
         "vendanges-en-2024", period=year(2024)),
    fact("Combien de pluie est tombée à Perpignan en 2023 ?", ("250 millimètres",), "eau-2024-02", period=year(2023)),
    fact("Quand la crise sécheresse a-t-elle été levée dans les Pyrénées-Orientales ?", ("18 mars",), "eau-2025-03"),
    fact("Combien de billets le Festival d'Avignon a-t-il vendus en 2024 ?", ("115 000",), "avignon-2024",
         period=year(2024)),
    fact("Combien de coureurs ont terminé le marathon de Paris 2025 ?", ("56 000",), "marathon-2025", period=year(2025)),
    fact("Combien de loups vivent en France selon l'Office français de la biodiversité ?", ("1 013", "1,013"),
         "loup-2024-10", "loup-en-2024"),
    fact("Quel était le prix moyen du gazole en octobre 2024 ?", ("1,597",), "carburant-2024-10", period=month(2024, 10)),
    fact("Quel est le taux de réussite au bac 2025 avant le rattrapage ?", ("86,1 %",), "bac-2025", period=year(2025)),
    fact("Combien de vols ont été annulés le 3 juillet 2025 à cause de la grève des contrôleurs aériens ?", ("1 500",),
         "aerien-2025-07", period=day("2025-07-03")),
    fact("Combien de visiteurs a accueilli le Salon de l'agriculture 2025 ?", ("607 503",), "salon-agri-2025",
         period=year(2025)),
]
