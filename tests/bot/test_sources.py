"""Citation buttons: the passage, the article page by page, back to the answer; votes; restarts."""

from __future__ import annotations

from functools import partial
from typing import Any

from retrieval.sources.articles import parse_article
from tests.bot.conftest import Harness, StartBot
from tests.fakes.telegram_server import SentMessage


async def press(h: Harness, message: SentMessage, data: str, **kw: Any) -> SentMessage:
    """Press a button and wait until its callback query is answered; return the message."""
    query_id = h.tg.press(message, data, **kw)
    await h.tg.wait_for(lambda: query_id in h.tg.callback_answers)
    return h.tg.messages[(message.chat_id, message.message_id)]


async def test_button_opens_the_passage_then_pages_through_the_article(harness: Harness) -> None:
    answer = await harness.answer_to("Parlez-moi des marchés de Lyon et des halles")
    answer_html = answer.text
    button = answer.button("[1] Marchés de Lyon")
    view = await press(harness, answer, button["callback_data"])
    assert view.text.startswith("<b>[1]</b> <b>Marchés de Lyon : un long reportage</b> (2019-06)")
    assert "<blockquote>Paragraphe" in view.text
    assert [b["text"] for b in view.buttons()] == ["↩️ Réponse", "📄 Lire l'article"]

    page = await press(harness, view, view.button("📄")["callback_data"])
    assert "page 1/" in page.visible and "Paragraphe 0." in page.visible
    pages = int(page.visible.rsplit("page 1/", 1)[1])
    assert pages >= 3
    seen = [page.visible]
    for _ in range(pages - 1):
        page = await press(harness, page, page.button("▶️")["callback_data"])
        seen.append(page.visible)
    assert f"page {pages}/{pages}" in page.visible and "Paragraphe 11." in page.visible
    assert all(b["text"] != "▶️" for b in page.buttons())
    assert all(len(p) <= 4096 for p in seen)
    page = await press(harness, page, page.button("◀️")["callback_data"])
    assert f"page {pages - 1}/{pages}" in page.visible

    back = await press(harness, page, page.button("↩️ Réponse")["callback_data"])
    assert back.text == answer_html and back.button("👍")


async def test_a_passage_shows_its_source_and_opens_the_original(harness: Harness) -> None:
    front = ("---\ntitle: Le tramway de Brest prolongé\ndate: 2025-02-14T08:30:00+01:00\n"
             "url: https://www.letelegramme.example/brest-tram\nsource: Le Télégramme\n---\n"
             "Le tramway de Brest sera prolongé de six kilomètres vers Lambézellec en 2027.\n")
    harness.services.retriever.articles["tram.md"] = parse_article("tram.md", front.encode())
    answer = await harness.answer_to("Le tramway de Brest sera-t-il prolongé vers Lambézellec ?")
    view = await press(harness, answer, answer.button("[1] Le tramway de Brest")["callback_data"])
    assert view.text.startswith("<b>[1]</b> <b>Le tramway de Brest prolongé</b> (Le Télégramme, 2025-02-14 08:30)")
    link = view.button("🔗 Article original")
    assert link["url"] == "https://www.letelegramme.example/brest-tram" and "callback_data" not in link


async def test_stale_forged_and_foreign_callbacks_open_nothing(harness: Harness) -> None:
    answer = await harness.answer_to("Quel budget le conseil municipal de Grenoble a-t-il voté ?")
    source = answer.button("[1]")["callback_data"]
    answer_id = source.split(":")[1]
    forged = ["s:999999:1", f"p:{answer_id}:9:0", "../../etc/passwd", "", "x" * 64, f"s:{answer_id}:1:extra"]
    for data in forged:
        query_id = harness.tg.press(answer, data)
        await harness.tg.wait_for(partial(harness.tg.callback_answers.get, query_id))
    assert harness.tg.messages[(7, answer.message_id)].text == answer.text
    # the same button pressed in another chat (its data copied) opens nothing there
    other = await harness.answer_to("Les travaux de Grenoble ?", chat_id=8)
    query_id = harness.tg.press(other, source)
    await harness.tg.wait_for(lambda: query_id in harness.tg.callback_answers)
    assert harness.tg.callback_answers[query_id]["text"] == "Ce bouton n'est plus disponible."
    assert harness.tg.messages[(8, other.message_id)].text == other.text


async def test_feedback_is_stored_with_question_answer_and_citations(harness: Harness) -> None:
    answer = await harness.answer_to("Quel budget le conseil municipal de Grenoble a-t-il voté ?")
    query_id = harness.tg.press(answer, answer.button("👎")["callback_data"], user_id=7)
    await harness.tg.wait_for(lambda: query_id in harness.tg.callback_answers)
    assert harness.tg.callback_answers[query_id]["text"] == "Merci pour votre avis !"
    query_id = harness.tg.press(answer, answer.button("👍")["callback_data"], user_id=7)  # changes its mind
    await harness.tg.wait_for(lambda: query_id in harness.tg.callback_answers)
    votes = await harness.services.vote_records(10)  # as the desk reads them
    assert len(votes) == 1
    vote = votes[0]
    assert vote.vote == 1 and vote.user_id == 7
    assert vote.question == "Quel budget le conseil municipal de Grenoble a-t-il voté ?"
    assert "Grenoble" in vote.answer and "[1]" in vote.answer
    assert vote.citations[0].article_id == "balises.txt" and "pistes cyclables" in vote.citations[0].text


async def test_buttons_of_old_answers_work_after_a_restart(start_bot: StartBot, harness: Harness) -> None:
    answer = await harness.answer_to("Quel budget le conseil municipal de Grenoble a-t-il voté ?")
    await harness.application.updater.stop()
    await harness.application.stop()
    await harness.application.shutdown()
    await harness.application.post_shutdown(harness.application)

    from bot.app import build_application
    from tests.bot.conftest import FAST

    restarted = build_application(harness.settings, harness.services, tuning=FAST)
    assert restarted.post_init and restarted.post_shutdown and restarted.updater
    await restarted.initialize()
    await restarted.post_init(restarted)
    await restarted.start()
    await restarted.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        h2 = Harness(harness.tg, harness.services, harness.settings, restarted)
        view = await press(h2, answer, answer.button("[1]")["callback_data"])
        assert "<blockquote>" in view.text and "pistes cyclables" in view.text
    finally:
        await restarted.updater.stop()
        await restarted.stop()
        await restarted.shutdown()
        await restarted.post_shutdown(restarted)
        # the fixture's own shutdown of the first application must stay harmless
        await harness.application.initialize()
        await harness.application.start()
        await harness.application.updater.start_polling(poll_interval=0.0, timeout=1)


DEEP = " date 2020-04 Les oiseaux de la côte\n\n" + "\n\n".join(
    f"Section {i}. " + ("Les promeneurs longent la côte au petit matin, entre les dunes et les pins. " * 8)
    + ("Les cormorans huppés nichent sur la falaise nord." if i == 9 else "")
    + ("Les cormorans huppés pêchent au large du cap." if i == 3 else "")
    for i in range(12)
)


async def test_read_the_article_opens_the_page_of_the_passage_and_goes_when_the_article_does(
    start_bot: StartBot,
) -> None:
    from pathlib import Path

    h = await start_bot(index=False)
    article = Path(h.settings.articles_dir) / "oiseaux.txt"
    article.write_text(DEEP, encoding="utf-8")  # noqa: ASYNC240
    h.services.reindex_now()
    answer = await h.answer_to("Où les cormorans huppés nichent-ils sur la falaise nord ?")
    labels = [b["text"] for b in answer.buttons() if b["text"].startswith("[")]
    assert len(labels) == 2 and len(set(labels)) == 2, labels  # one article cited twice: told apart
    assert all("Les oiseaux" in label for label in labels), labels

    view = await press(h, answer, answer.button("[1]")["callback_data"])
    assert "falaise nord" in view.visible
    page = await press(h, view, view.button("📄")["callback_data"])
    assert "Les cormorans huppés nichent sur la falaise nord." in page.visible
    assert "page 1/" not in page.visible  # the passage's page, not the first

    article.unlink()  # noqa: ASYNC240
    h.services.reindex_now()
    back = await press(h, page, page.button("↩️ Réponse")["callback_data"])
    gone = await press(h, back, back.button("[1]")["callback_data"])
    assert "Cet article n'est plus dans l'index." in gone.visible
    assert [b["text"] for b in gone.buttons()] == ["↩️ Réponse"]
