"""The judge's features for every question of a set, computed once and cached as JSON lines.

    python -m evaluation.judge_data --questions ../shared/eval/dev.jsonl --corpus ../shared/eval/corpus \
        --out var/eval/judge-dev.jsonl

Each line is one question: its group (answerable, off-corpus, on-topic, same-article), gold
article and answers, and its shortlisted sentences as the answerer sees them (retrieval with
the configured settings, `answering.judge.Judge` with a neutral model), each with the judge's
features, the short answer it would lead with, and two labels: `label` (the sentence lies in
the gold article and holds a gold answer: what the judge learns) and `holds_answer` (it holds a
gold answer: what answer accuracy counts). Fitting and cross-validation
(`evaluation.fit_judge`) then never re-run retrieval, spaCy or the embedder.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from answering.judge import SHORTLIST, Judge, JudgeModel, Remembered
from answering.query import plain_query
from answering.refusal import ARTICLES_LANGUAGE
from answering.sentence_features import FEATURES, SentenceAnalyzer
from evaluation.metrics import contains_answer
from evaluation.runner import SAME_ARTICLE, Question, load_questions, prepare, progress_bar
from qabot.settings import Settings

NEUTRAL = JudgeModel(weights=dict.fromkeys(FEATURES, 0.0), intercept=0.0, bar=0.0)


def sample(questions: list[Question], articles: int | None, controls: int | None, seed: int) -> list[Question]:
    """A subset by whole articles (the CPU budget), in file order: the questions of `articles`
    articles drawn at random, every off-corpus question, and at most `controls` same-article
    controls per article."""
    rng = random.Random(seed)
    if articles is not None:
        names = sorted({q.article for q in questions if q.article})
        kept = set(rng.sample(names, min(articles, len(names))))
        questions = [q for q in questions if q.article is None or q.article in kept]
    if controls is not None:
        seen: dict[str, int] = {}
        pool = [q for q in questions if q.group == SAME_ARTICLE]
        rng.shuffle(pool)
        chosen = set()
        for q in pool:
            if seen.setdefault(q.article or "", 0) < controls:
                seen[q.article or ""] += 1
                chosen.add(q.id)
        questions = [q for q in questions if q.group != SAME_ARTICLE or q.id in chosen]
    return questions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--articles", type=int, help="only the questions of this many articles, drawn at random "
                        "(off-corpus questions are all kept)")
    parser.add_argument("--controls", type=int, help="at most this many same-article controls per article")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--shortlist", type=int, default=SHORTLIST, help="sentences the judge looks at closely")
    args = parser.parse_args(argv)
    settings = Settings()  # pydantic-settings fills the fields from the environment
    questions = sample(load_questions(args.questions, args.limit), args.articles, args.controls, args.seed)
    services = prepare(settings, args.corpus)
    # Each distinct sentence analysed and embedded once: questions on one article shortlist the same ones.
    memo = Remembered(SentenceAnalyzer(), services.embedder, size=10**7)
    judge = Judge(NEUTRAL, memo, memo, args.shortlist)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with args.out.open("w", encoding="utf-8") as handle:
        for q in progress_bar(questions, desc="judge features", unit="q"):
            search = services.retriever.search(q.question, k=settings.retrieval_k)
            query = plain_query(q.question, ARTICLES_LANGUAGE)  # the evaluation set is French
            judged = judge.score(query, search.passages, search.idf_match)
            kind = query.kind
            rows = []
            for row in judged:
                article = search.passages[row.passage_number - 1].article_id
                holds_answer = bool(q.answers) and contains_answer(row.text, q.answers)
                rows.append({
                    "passage": row.passage_number, "article": article, "text": row.text,
                    "features": {k: round(v, 5) for k, v in row.features.items()},
                    "short_answer": row.short_answer,
                    "facts": [[f.kind.value, f.text, f.start] for f in row.facts],
                    "label": holds_answer and article == q.article,
                    "holds_answer": holds_answer,
                })
            handle.write(json.dumps({
                "id": q.id, "question": q.question, "group": q.group, "answerable": q.answerable,
                "article": q.article, "title": q.title, "answers": list(q.answers),
                "kind": kind.kind.value, "focus": kind.focus, "sentences": rows,
            }, ensure_ascii=False) + "\n")
    print(json.dumps({"questions": len(questions), "seconds": round(time.perf_counter() - started, 1)}))  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
