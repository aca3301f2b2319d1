"""argparse types shared by the subcommands: bad values end in argparse's one-line usage error."""

from __future__ import annotations

import argparse


def positive_int(text: str) -> int:
    """A count of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value


def question(text: str) -> str:
    """A question with something in it: a letter or a digit (emoji or zero-width spaces alone ask
    nothing)."""
    if not text.strip():
        raise argparse.ArgumentTypeError('the question is empty; ask something, e.g. "Combien de civils ont fui Alep ?"')
    # The front door's module is heavy (numpy, the index's types), so it loads here: only `ask`
    # and `search` parse a question.
    from qabot.frontdoor import has_words

    if not has_words(text) and text != "-":  # "-": `qabot ask -` reads its questions from standard input
        raise argparse.ArgumentTypeError(
            'the question holds no words; type it in words, e.g. "Combien de civils ont fui Alep ?"'
        )
    return text
