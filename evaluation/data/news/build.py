"""Write the dated news test set: articles with front matter, syndicated copies, questions.

    python evaluation/data/news/build.py      # rewrites corpus/, groups.json, questions.jsonl, intents.jsonl

Deterministic. A syndicated copy is what aggregators and regional papers publish from a wire
story: another headline and URL, its own source line, a dateline, typographic apostrophes,
sometimes a paragraph cut or a "Lire aussi" line added, published a few hours later.
`groups.json` lists each story's copies (the near-duplicate groups); every question names the
story it is about, and any copy of it counts as the right article.

The questions are asked on Thursday 20 February 2025 (`TODAY`): "la semaine dernière" is
10-16 February 2025, "hier" the 19th, "le mois dernier" January 2025. The recurring subjects of
2024-2025 (recurring_*.py) have their own questions, intents.jsonl (intents.py, issue 24: open
news questions, timelines, periods with no article, facts), asked on 18 December 2025.
"""

from __future__ import annotations

import json
import shutil
import sys
from datetime import datetime, timedelta
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from intents import INTENTS, INTENTS_TODAY  # noqa: E402
from recurring_a import RECURRING_A  # noqa: E402
from recurring_b import RECURRING_B  # noqa: E402
from recurring_c import RECURRING_C  # noqa: E402
from stories import STORIES  # noqa: E402

# The first part (2024-09 .. 2025-02, the questions of questions.jsonl), then the recurring
# subjects of 2024-2025 (the questions of intents.jsonl).
ALL_STORIES = STORIES + RECURRING_A + RECURRING_B + RECURRING_C

TODAY = "2025-02-20"

# story key -> sources of its syndicated copies
COPIES: dict[str, list[str]] = {
    "sncf-oct": ["Le Parisien avec AFP", "La Dépêche"], "sncf-dec": ["Ouest-France"],
    "sncf-feb": ["20 Minutes"], "crue-gard": ["Midi Libre"], "crue-seine": ["20 Minutes", "CNews"],
    "elec-nov": ["BFM Business"], "elec-feb": ["Le Parisien avec AFP", "Sud Ouest"],
    "bce-sep": ["Yahoo Finance"], "bce-dec": ["MarketWatch", "US News"], "bce-jan": ["Yahoo Finance"],
    "ariane-dec": ["Air & Cosmos"], "ariane-feb": ["France-Guyane"], "ol-nov": ["Lyon Capitale"],
    "budget-dec": ["Le HuffPost avec AFP", "La Voix du Nord"], "grippe-jan": ["Ouest-France"],
    "nordlys-jan": ["Yahoo Finance"], "cop-close": ["The Independent", "Yahoo News"],
    "tempete-jan": ["Sud Ouest"], "agri-nov": ["La Dépêche"], "notre-dame": ["Le Parisien avec AFP", "Ouest-France"],
    "telethon": ["20 Minutes"], "ev-feb": ["Yahoo Finance"], "goncourt": ["Livres Hebdo"],
    "soldes": ["Actu.fr"],
    # the recurring subjects of 2024-2025
    "tram-2024-01": ["Actu.fr"], "tram-2024-06": ["Le Parisien avec AFP", "20 Minutes"],
    "tram-2024-11": ["Actu.fr"], "tram-2025-02": ["Le Figaro avec AFP"], "tram-2025-05": ["Ouest-France", "Actu.fr"],
    "tram-2025-12": ["Actu.fr"], "tram-en-2025": ["Yahoo News"],
    "proces-2025-03a": ["Le Parisien avec AFP", "Ouest-France"], "proces-2025-03c": ["Le Figaro avec AFP"],
    "proces-2025-05": ["Le Courrier picard", "20 Minutes"], "proces-2025-06": ["France Bleu"],
    "proces-en-2025": ["Yahoo News"],
    "eboueurs-2024-03": ["Lyon Capitale"], "eboueurs-2024-03b": ["Le Progrès", "BFM Lyon"],
    "eboueurs-2024-03c": ["Lyon Capitale"], "eboueurs-2025-10": ["Lyon Capitale"], "eboueurs-2025-10b": ["Le Progrès"],
    "eboueurs-en-2024": ["US News"],
    "valmont-2024-08": ["Actu.fr"], "valmont-2024-12": ["L'Équipe", "Ouest-France"], "valmont-2025-01": ["Paris-Normandie"],
    "valmont-2025-04b": ["Paris-Normandie", "France Bleu"], "valmont-en-2025": ["Yahoo Sports"],
    "ferromax-2024-02": ["Le Républicain lorrain", "L'Est républicain"], "ferromax-2024-07": ["Le Républicain lorrain"],
    "ferromax-2024-12": ["France Bleu"], "ferromax-2025-05": ["Les Échos", "Le Républicain lorrain"],
    "ferromax-en-2024": ["MarketWatch"],
    "vierzon-2025-01": ["France Bleu"], "vierzon-2025-03a": ["Le Berry républicain", "France Bleu"],
    "vierzon-2025-03b": ["Le Parisien avec AFP"],
    "feux-2024-07": ["L'Indépendant", "Midi Libre"], "feux-2024-09": ["Le Figaro avec AFP"], "feux-2025-07": ["20 Minutes"],
    "feux-2025-07b": ["Sud Ouest", "Le Parisien avec AFP"], "feux-2025-08": ["Midi Libre"], "feux-2025-09": ["Ouest-France"],
    "feux-en-2025": ["Yahoo News"],
    "carhaix-2024-06": ["Ouest-France"], "carhaix-2024-07": ["Le Télégramme", "Ouest-France"], "carhaix-2025-06": ["France Bleu"],
    "helios-2024-05": ["La Voix du Nord", "Les Échos"], "helios-2025-01": ["Le Parisien avec AFP"],
    "helios-2025-11": ["Les Échos"], "helios-en-2025": ["Yahoo Finance"],
    "vendanges-2024": ["La Revue du vin de France"], "vendanges-2025": ["Sud Ouest"], "vendanges-en-2024": ["US News"],
    "eau-2024-02": ["France Bleu"], "eau-2025-03": ["Midi Libre"], "avignon-2024": ["La Provence"],
    "carburant-2024-04": ["BFM Business"], "carburant-2025-11": ["Le Parisien avec AFP"], "bac-2024": ["20 Minutes"],
    "aerien-2025-07": ["Le Parisien avec AFP", "Ouest-France"],
}

DATELINES = {"fr": "PARIS ({source}) – ", "en": "LONDON ({source}) - "}

# (question, story keys any of which is right, a short gold answer); [] for "no article".
QUESTIONS: list[tuple[str, list[str], str]] = [
    ("Que s'est-il passé à la SNCF en décembre 2024 ?", ["sncf-dec"], "contrôleurs"),
    ("Combien de TGV circulaient pendant la grève SNCF d'octobre 2024 ?", ["sncf-oct"], "un TGV sur deux"),
    ("Quel accord a été signé à la SNCF en février 2025 ?", ["sncf-feb"], "3,5 %"),
    ("What happened at SNCF in October 2024?", ["sncf-oct"], "TGV"),
    ("Qu'est-ce qui a changé à la SNCF la semaine dernière ?", ["sncf-feb"], "accord"),
    ("Que s'est-il passé à la SNCF il y a deux mois ?", ["sncf-dec"], "contrôleurs"),
    ("Qu'a décidé la BCE en décembre 2024 ?", ["bce-dec"], "3.00%"),
    ("What did the ECB decide in September 2024?", ["bce-sep"], "3.50%"),
    ("What did the ECB decide last month?", ["bce-jan"], "2.75%"),
    ("Where did the ECB deposit rate stand after the January 2025 meeting?", ["bce-jan"], "2.75%"),
    ("What are the latest ECB decisions?", ["bce-jan"], "2.75%"),
    ("Qu'a fait la BCE depuis janvier ?", ["bce-jan"], "2.75%"),
    ("Quelles sont les dernières nouvelles d'Ariane 6 ?", ["ariane-feb"], "pas de tir"),
    ("Qu'a annoncé Arianespace fin septembre 2024 ?", ["ariane-sep"], "repoussé"),
    ("Quelle date de lancement d'Ariane 6 a été fixée en décembre 2024 ?", ["ariane-dec"], "26 février"),
    ("Quel a été le score de l'OL en janvier 2025 ?", ["ol-jan"], "1-1"),
    ("Contre qui l'OL a-t-il joué en novembre 2024 ?", ["ol-nov"], "Nantes"),
    ("Comment s'est terminé le match de l'OL le 15 septembre 2024 ?", ["ol-sep"], "2-2"),
    ("Quelles sont les dernières nouvelles de l'OL ?", ["ol-jan"], "Nice"),
    ("Que s'est-il passé à l'Assemblée le 4 décembre 2024 ?", ["budget-dec"], "motion de censure"),
    ("Qu'ont voté les députés sur le budget en octobre 2024 ?", ["budget-oct"], "contribution exceptionnelle"),
    ("Où en était l'épidémie de grippe en décembre 2024 ?", ["grippe-dec"], "trois régions"),
    ("Quelle était la situation de la grippe à la mi-janvier 2025 ?", ["grippe-jan"], "520"),
    ("Quelles sont les dernières nouvelles de l'épidémie de grippe ?", ["grippe-jan"], "plan blanc"),
    ("Quel niveau la Seine a-t-elle atteint en janvier 2025 ?", ["crue-seine"], "5,20 mètres"),
    ("Que s'est-il passé lors de la crue de la Seine de juin 2016 ?", ["crue-seine"], "Louvre"),
    ("Combien d'habitants ont été évacués lors des inondations de septembre 2024 ?", ["crue-gard"], "300"),
    ("De combien le tarif réglementé de l'électricité a-t-il baissé en février 2025 ?", ["elec-feb"], "15 %"),
    ("Quelle baisse du tarif de l'électricité la CRE annonçait-elle en novembre 2024 ?", ["elec-nov"], "9 %"),
    ("What did Nordlys Software announce in January 2025?", ["nordlys-jan"], "1,800"),
    ("How much revenue did Nordlys Software report in October 2024?", ["nordlys-oct"], "$2.4 billion"),
    ("What was agreed at the climate summit on 24 November 2024?", ["cop-close"], "$300 billion"),
    ("What happened in Baku on November 11, 2024?", ["cop-open"], "COP29"),
    ("Quelle tempête a frappé la Bretagne en novembre 2024 ?", ["tempete-nov"], "Bérénice"),
    ("Combien de morts la tempête a-t-elle fait fin janvier 2025 ?", ["tempete-jan"], "deux morts"),
    ("Quels étaient les taux des crédits immobiliers en décembre 2024 ?", ["immo-jan"], "3,27 %"),
    ("Comment évoluaient les prix de l'immobilier en octobre 2024 ?", ["immo-oct"], "4 %"),
    ("Pourquoi les agriculteurs ont-ils manifesté en novembre 2024 ?", ["agri-nov"], "Mercosur"),
    ("Quels sont les résultats des élections aux chambres d'agriculture de janvier 2025 ?", ["agri-jan"], "46,7 %"),
    ("How did EU electric car sales do in January 2025?", ["ev-feb"], "34%"),
    ("What happened to EU electric car registrations yesterday?", ["ev-feb"], "34%"),
    ("How did EU electric car sales do in August 2024?", ["ev-oct"], "44%"),
    ("Quand Notre-Dame de Paris a-t-elle rouvert en décembre 2024 ?", ["notre-dame"], "samedi"),
    ("Combien a rapporté le Téléthon en décembre 2024 ?", ["telethon"], "70,5 millions"),
    ("Combien le Téléthon avait-il récolté en 2023 ?", ["telethon"], "80,4 millions"),
    ("Qui a reçu le prix Goncourt en novembre 2024 ?", ["goncourt"], "Kamel Daoud"),
    ("Quand ont commencé les soldes d'hiver en janvier 2025 ?", ["soldes"], "8 janvier"),
    ("Qu'a-t-on appris sur le musée des Beaux-Arts de Rennes la semaine dernière ?", ["musee-feb"], "31 millions"),
    ("Quand le musée des Beaux-Arts de Rennes a-t-il fermé en novembre 2024 ?", ["musee-oct"], "4 novembre"),
    ("Combien de visiteurs a attiré le Mondial de l'automobile en octobre 2024 ?", ["salon-auto"], "500 000"),
    ("Combien de véhicules incendiés le ministère a-t-il recensés le 1er janvier 2025 ?", ["nouvel-an"], "984"),
    ("Quel incendie a eu lieu dans le Var en septembre 2024 ?", ["feu-sep"], "Maures"),
    ("Combien d'élèves ont fait leur rentrée en septembre 2024 ?", ["rentree"], "12 millions"),
    ("How much did US shoppers spend online on Black Friday in November 2024?", ["black-friday"], "$10.8 billion"),
    ("Combien de visiteurs attendait la Fête des Lumières en décembre 2024 ?", ["lumieres"], "1,8 million"),
    # No article was published in these periods, nor speaks of them: the answer must say so.
    ("Y a-t-il eu une grève à la SNCF en juillet 2024 ?", [], ""),
    ("What did the ECB decide in March 2023?", [], ""),
    ("Quel a été le score de l'OL en août 2024 ?", [], ""),
    ("Qu'est-il arrivé à Ariane 6 en 2022 ?", [], ""),
    ("Quelle tempête a frappé la Bretagne en mars 2025 ?", [], ""),
]


def front_matter(meta: dict[str, str]) -> str:
    dumped: str = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    return "---\n" + dumped + "---\n\n"


def slug(key: str, n: int) -> str:
    return f"{key}.md" if n == 0 else f"{key}--copie-{n}.md"


def syndicate(title: str, body: str, source: str, lang: str, n: int) -> tuple[str, str]:
    """Another outlet's copy of a wire story."""
    paragraphs = body.split("\n\n")
    paragraphs[0] = DATELINES[lang].format(source="AFP" if lang == "fr" else "Reuters") + paragraphs[0]
    if n % 2 == 1 and len(paragraphs) > 3:
        paragraphs = paragraphs[:-1]  # the last paragraph cut for space
    if n == 2:
        # A regional desk's rewrite: the lede cut to its first sentence, a line of its own added.
        paragraphs[0] = paragraphs[0].split(". ")[0] + "."
        paragraphs.append("Lire aussi : nos articles sur le sujet." if lang == "fr" else "Read more: our coverage.")
    text = "\n\n".join(paragraphs)
    if lang == "fr":
        text = text.replace("'", "’")
        title = title.replace("'", "’")
    if " : " in title:
        head, tail = title.split(" : ", 1)
        title = f"{tail[0].upper()}{tail[1:]} ({head})" if n == 1 else f"{head} – {tail}"
    elif n == 1:
        title = f"{title} ({source})"
    return title, text


def main() -> None:
    corpus = HERE / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    corpus.mkdir()
    groups: dict[str, list[str]] = {}
    for key, date, source, lang, title, body in ALL_STORIES:
        host = source.lower().replace(" ", "").replace("'", "").replace("é", "e")
        files = [slug(key, 0)]
        meta = {"title": title, "date": date, "url": f"https://www.{host}.example/{key}", "source": source, "lang": lang}
        (corpus / files[0]).write_text(front_matter(meta) + body + "\n", encoding="utf-8")
        for n, copy_source in enumerate(COPIES.get(key, []), start=1):
            copy_title, copy_body = syndicate(title, body, copy_source, lang, n)
            published = datetime.fromisoformat(date) + timedelta(hours=2 * n + 1)
            copy_host = copy_source.lower().split(" avec ")[0].replace(" ", "").replace("'", "").replace("é", "e")
            meta = {
                "title": copy_title, "date": published.isoformat(), "url": f"https://www.{copy_host}.example/{key}-{n}",
                "source": copy_source, "lang": lang,
            }
            files.append(slug(key, n))
            (corpus / files[-1]).write_text(front_matter(meta) + copy_body + "\n", encoding="utf-8")
        groups[key] = files
    (HERE / "groups.json").write_text(json.dumps(groups, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    with (HERE / "questions.jsonl").open("w", encoding="utf-8") as out:
        for number, (question, keys, answer) in enumerate(QUESTIONS, start=1):
            row = {
                "id": f"news-{number:02d}", "question": question, "answers": [answer] if answer else [],
                "answerable": bool(keys), "article": groups[keys[0]][0] if keys else None,
                "articles": [f for k in keys for f in groups[k]], "today": TODAY,
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    write_intents(groups, {key: date for key, date, *_ in ALL_STORIES})
    print(f"{sum(len(f) for f in groups.values())} articles ({len(ALL_STORIES)} stories, "
          f"{sum(1 for f in groups.values() if len(f) > 1)} with copies), {len(QUESTIONS)} questions, "
          f"{len(INTENTS)} intent questions")


def write_intents(groups: dict[str, list[str]], dates: dict[str, str]) -> None:
    """intents.jsonl: the questions of issue 24, each story key expanded to all its copies."""
    with (HERE / "intents.jsonl").open("w", encoding="utf-8") as out:
        for number, item in enumerate(INTENTS, start=1):
            unknown = [k for k in item.stories if k not in groups]
            assert not unknown, f"{item.question}: unknown stories {unknown}"
            row = {
                "id": f"intent-{number:03d}", "question": item.question, "today": INTENTS_TODAY,
                "intent": item.intent, "stories": list(item.stories),
                "articles": [f for k in item.stories for f in groups[k]],
                "story_dates": {k: dates[k] for k in item.stories},
                "period": {"start": item.period[0], "end": item.period[1]} if item.period else None,
                "answers": list(item.answers), "expect": item.expect,
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
