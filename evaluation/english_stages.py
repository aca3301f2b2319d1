"""Where an English question loses against the same question in French: each of the 100 pairs
of evaluation/data/english (dev-en-100.jsonl beside dev-fr-100.jsonl) taken through the stages
of an answer, and the first stage that fails named.

    python -m evaluation.english_stages [--json docs/eval/cross-language-stages.json]

The stages, in order (the first one that fails is the question's stage):
  retrieval  no passage handed to the answerer (the configured k) states a gold answer;
  shortlist  none of the sentences the judge looks at (its first look's shortlist) states one;
  declined   the judge declines (its bars; across languages, the French reading's);
  order      it answers, but not with a sentence stating one (the wrong sentence first);
  right      the chosen sentences (or the lead) state a gold answer.
Accuracy is counted as `evaluation.tune_english` counts it (the chosen sentences and the lead,
not the composed reply): within a question or two of `qabot eval`. Beside the stage, whether
dense retrieval alone would have handed over a passage stating the answer (the lexical side
reads French words, which an English question mostly lacks).
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from answering.french_reading import across_languages
from answering.protocol import SentenceScorer
from answering.refusal import ARTICLES_LANGUAGE
from evaluation import metrics
from evaluation.runner import Question, load_questions, prepare, publish
from evaluation.tune_english import stated
from qabot.services import Services

ENGLISH = Path(__file__).parent / "data" / "english"
PAIRS = (ENGLISH / "dev-fr-100.jsonl", ENGLISH / "dev-en-100.jsonl")
STAGES = ("retrieval", "shortlist", "declined", "order", "right")


@dataclass(frozen=True, slots=True)
class Passed:
    """One question's way through the stages."""

    id: str
    language: str
    retrieved: bool  # a passage handed to the answerer states a gold answer
    dense_retrieved: bool  # ...with dense retrieval alone
    shortlisted: bool  # a sentence the judge looks at states one
    answered: bool
    right: bool

    @property
    def stage(self) -> str:
        """The first stage that fails ("right" when none does)."""
        if self.right:
            return "right"
        if not self.retrieved:
            return "retrieval"
        if not self.shortlisted:
            return "shortlist"
        return "order" if self.answered else "declined"


def follow(services: Services, scorer: SentenceScorer, question: Question, language: str) -> Passed:
    """`question` (in `language`) through retrieval, the judge's shortlist and its decision."""
    query, search = services.answers.retrieve(question.question, language)
    dense = services.retriever.search(query.search, len(search.passages) or None, mode="dense")
    judged = scorer.score(query, search.passages, search.idf_match) if search.passages else []
    chosen = scorer.choose(judged, 3)
    return Passed(
        id=question.id,
        language=language,
        retrieved=any(metrics.contains_answer(p.text, question.answers) for p in search.passages),
        dense_retrieved=any(metrics.contains_answer(p.text, question.answers) for p in dense.passages),
        shortlisted=any(metrics.contains_answer(row.text, question.answers) for row in judged),
        answered=bool(chosen),
        right=bool(chosen) and metrics.answer_accuracy(stated(chosen), question.answers),
    )


def measure(corpus: Path) -> list[tuple[Passed, Passed]]:
    """Each pair's (French, English) passage through the stages."""
    from qabot.settings import Settings

    services = prepare(Settings(), corpus)
    judge = services.answers.judge
    crossing = across_languages(judge, services.embedder)
    if judge is None or crossing is None:
        raise SystemExit("the stages are those of the logistic judge: set ANSWER_READER=off")
    french, english = (load_questions(path) for path in PAIRS)
    by_id = {q.id: q for q in english}
    return [
        (follow(services, judge, q, ARTICLES_LANGUAGE), follow(services, crossing, by_id[q.id], "en"))
        for q in french
        if q.id in by_id
    ]


def table(pairs: Sequence[tuple[Passed, Passed]]) -> dict[str, object]:
    """Counts per stage in each language, and where English fails among the questions French
    answers right."""
    french = Counter(f.stage for f, _ in pairs)
    english = Counter(e.stage for _, e in pairs)
    lost = Counter(e.stage for f, e in pairs if f.right and not e.right)
    won = Counter(f.stage for f, e in pairs if e.right and not f.right)
    return {
        "pairs": len(pairs),
        "french": {s: french[s] for s in STAGES},
        "english": {s: english[s] for s in STAGES},
        "english_lost_where_french_right": {s: lost[s] for s in STAGES},
        "french_lost_where_english_right": {s: won[s] for s in STAGES},
        "english_retrieval_misses_dense_finds": sum(not e.retrieved and e.dense_retrieved for _, e in pairs),
        "english_retrieved_dense_misses": sum(e.retrieved and not e.dense_retrieved for _, e in pairs),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/eval/corpus"))
    parser.add_argument("--json", type=Path, default=None, help="write the report here")
    args = parser.parse_args(argv)
    pairs = measure(args.corpus)
    report = {**table(pairs), "questions": [{"french": asdict(f), "english": asdict(e)} for f, e in pairs]}
    publish(report, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
