"""Admins: /reindex while questions are answered, uploads, /status, /unanswered; others refused."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from bot.handlers.admin import safe_filename, write_article
from retrieval.sources.feeds import FeedState, SeenItem
from tests.bot.conftest import ADMIN, Harness, StartBot
from tests.fakes.telegram_server import SentMessage

NEW_ARTICLE = (
    " date 2022-09 Les vendanges précoces en Bourgogne\n\n"
    "Les vignerons de Bourgogne ont commencé les vendanges dès le mois d'août, "
    "une précocité record due à la chaleur.\n"
)


async def test_reindex_picks_up_a_new_article_while_questions_are_answered(harness: Harness) -> None:
    tg, services = harness.tg, harness.services
    services.gate = threading.Event()
    (Path(harness.settings.articles_dir) / "vendanges.txt").write_text(NEW_ARTICLE, encoding="utf-8")

    tg.message("/reindex", chat_id=ADMIN)
    progress = await tg.reply(ADMIN, 0)
    assert progress.visible.startswith("Réindexation")
    await tg.wait_for(services.reindexing.is_set)
    await tg.wait_for(lambda: "embedding: 0/4" in tg.messages[(ADMIN, progress.message_id)].visible)

    # meanwhile: questions are answered from the previous index, in another chat and the admin's
    answer = await harness.answer_to("Quel budget le conseil municipal de Grenoble a-t-il voté ?")
    assert "Grenoble" in answer.visible
    declined = await harness.answer_to("Les vignerons de Bourgogne et les vendanges ?", chat_id=ADMIN)
    assert "Je ne trouve pas" in declined.visible
    # a second /reindex is told one is running
    before = len(tg.sent(ADMIN))
    tg.message("/reindex full", chat_id=ADMIN)
    assert "déjà en cours" in (await tg.reply(ADMIN, before)).visible

    services.gate.set()
    done = await tg.wait_for(
        lambda: "terminée" in (m := tg.messages[(ADMIN, progress.message_id)]).visible and m
    )
    assert "1 ajouté(s), 0 modifié(s), 0 retiré(s), 3 inchangé(s)" in done.visible
    answer = await harness.answer_to("Les vignerons de Bourgogne et les vendanges ?", chat_id=ADMIN)
    assert "Bourgogne" in answer.visible and answer.button("[1] Les vendanges précoces")

    tg.message("/reindex full", chat_id=ADMIN)
    await tg.wait_for(lambda: services.reindex_calls[-1] is True and not services.reindexing.is_set()
                      and "terminée" in tg.last(ADMIN).visible)
    assert "4 ajouté(s)" in tg.last(ADMIN).visible

    before = len(tg.sent(ADMIN))
    tg.message("/status", chat_id=ADMIN)
    status = (await tg.reply(ADMIN, before)).visible
    for expected in ("Articles : 4", "Passages :", "Période : de décembre 2016 à septembre 2022", "fake-keywords", "extractive",
                     "4 ajouté(s)", "Aujourd'hui : 2 réponses, 1 refus"):
        assert expected in status, (expected, status)
    assert re.search(r"Dernière réindexation : \d{1,2}(er)? \w+ 20\d\d à \d\d:\d\d UTC — ", status), status

    before = len(tg.sent(ADMIN))
    tg.message("/unanswered", chat_id=ADMIN)
    assert "Les vignerons de Bourgogne et les vendanges ?" in (await tg.reply(ADMIN, before)).visible


@pytest.mark.parametrize("command", ["/reindex", "/reindex full", "/status", "/unanswered", "/reindex@qabot_test_bot"])
async def test_non_admins_are_refused_and_nothing_happens(harness: Harness, command: str) -> None:
    harness.tg.message(command, chat_id=55)
    refusal = await harness.tg.reply(55, 0)
    assert refusal.visible == "Cette commande est réservée aux administrateurs."
    assert harness.services.reindex_calls == [False]  # only the fixture's initial index


async def test_non_admin_upload_refused_and_not_saved(harness: Harness) -> None:
    harness.tg.document(chat_id=56, file_name="intrus.txt", content=NEW_ARTICLE.encode(), language_code="en")
    assert (await harness.tg.reply(56, 0)).visible == (
        "Only administrators can add articles. Ask a question in words instead."
    )
    harness.tg.document(chat_id=57, file_name="intrus.txt", content=NEW_ARTICLE.encode())
    assert (await harness.tg.reply(57, 0)).visible == (
        "Seuls les administrateurs peuvent ajouter des articles. Posez plutôt une question en toutes lettres."
    )
    assert not (Path(harness.settings.articles_dir) / "intrus.txt").exists()
    assert harness.services.reindex_calls == [False]


async def test_an_admins_document_in_a_group_is_answered_with_where_to_send_it(harness: Harness) -> None:
    group = -100200
    harness.tg.document(chat_id=group, user_id=ADMIN, file_name="groupe.txt", content=NEW_ARTICLE.encode(),
                        chat_type="supergroup")
    reply = await harness.tg.reply(group, 0)
    assert reply.visible.startswith("Je n'enregistre pas les articles envoyés dans un groupe : envoyez-moi le fichier en message privé")
    harness.tg.document(chat_id=group, user_id=ADMIN + 7, file_name="autre.txt", content=NEW_ARTICLE.encode(),
                        chat_type="supergroup")  # a member's file in a group: not for the bot, no reply
    harness.ask("@qabot_test_bot Quel budget pour Grenoble ?", chat_id=group, chat_type="supergroup")
    await harness.tg.reply(group, 1)
    assert len(harness.tg.sent(group)) == 2
    assert not (Path(harness.settings.articles_dir) / "groupe.txt").exists()
    assert harness.services.reindex_calls == [False]


async def test_unanswered_shows_control_characters_made_visible(harness: Harness) -> None:
    tg = harness.tg
    tg.message("Pourquoi \u202eexe.txt\x00 zzzz ?", chat_id=ADMIN)
    await tg.wait_for(lambda: tg.sent(ADMIN))
    before = len(tg.sent(ADMIN))
    tg.message("/unanswered", chat_id=ADMIN)
    listed = (await tg.reply(ADMIN, before)).text
    assert "Pourquoi \ufffdexe.txt\ufffd zzzz ?" in listed
    assert "\u202e" not in listed and "\x00" not in listed


async def test_admin_upload_is_saved_safely_and_indexed(harness: Harness) -> None:
    tg = harness.tg
    tg.document(chat_id=ADMIN, file_name="../../Vendanges précoces (2022).TXT", content=NEW_ARTICLE.encode())
    saved = await tg.reply(ADMIN, 0)
    assert "Vendanges précoces _2022.txt" in saved.visible
    assert "« Les vendanges précoces en Bourgogne » (2022-09)" in saved.visible
    done = await tg.wait_for(lambda: "terminée" in tg.last(ADMIN).visible and tg.last(ADMIN))
    assert "1 ajouté(s)" in done.visible
    root = Path(harness.settings.articles_dir)
    assert (root / "Vendanges précoces _2022.txt").read_text(encoding="utf-8") == NEW_ARTICLE
    assert not list(root.parent.glob("Vendanges*"))
    answer = await harness.answer_to("Les vignerons de Bourgogne et les vendanges ?", chat_id=ADMIN)
    assert "Bourgogne" in answer.visible


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", "⚠️ En-tête ignoré : l'en-tête n'est pas du YAML valide (ligne 4). L'article est indexé comme texte "
               "brut, en-tête compris (son titre, sa date et sa source n'ont pas été lus) : corrigez l'en-tête et "
               "renvoyez le fichier."),
        ("en", "⚠️ Header ignored: front matter is not valid YAML (line 4). The article is indexed as plain text, "
               "header included (its title, date and source were not read): fix the header and send the file again."),
    ],
)
async def test_an_upload_whose_front_matter_is_broken_says_it_was_ignored(
    harness: Harness, lang: str, expected: str
) -> None:
    tg = harness.tg
    broken = "---\ntitle: Vendanges précoces\ntags: [vin, Bourgogne\n---\nLes vignerons de Bourgogne vendangent en août.\n"
    tg.document(chat_id=ADMIN, file_name="vendanges.md", content=broken.encode(), language_code=lang)
    saved = await tg.reply(ADMIN, 0)
    assert expected in saved.visible.split("\n")
    assert "title: Vendanges précoces" in saved.visible.split("\n")[0]  # the title it got, as said
    done = await tg.wait_for(lambda: "✅" in tg.last(ADMIN).visible and tg.last(ADMIN))
    assert ("1 fichier(s) indexé(s) sans leur en-tête" if lang == "fr" else "1 file(s) indexed without their") in done.visible
    assert (Path(harness.settings.articles_dir) / "vendanges.md").read_text(encoding="utf-8") == broken  # noqa: ASYNC240


async def test_a_good_upload_has_no_warning(harness: Harness) -> None:
    harness.tg.document(chat_id=ADMIN, file_name="vendanges.md", content=NEW_ARTICLE.encode())
    saved = await harness.tg.reply(ADMIN, 0)
    assert "⚠️" not in saved.visible and "Article enregistré" in saved.visible


@pytest.mark.parametrize(
    ("file_name", "content", "expected"),
    [
        ("photo.jpg", b"\xff\xd8\xff", "Envoyez un fichier texte .txt ou .md."),
        ("latin1.txt", "Été à Paris, café crème".encode("latin-1"),
         "Fichier refusé : ce n'est pas du texte UTF-8 valide (octet 0)."),
        ("binaire.md", b"abc\x00def", "Fichier refusé : fichier binaire (il contient des octets nuls)."),
        ("vide.txt", b"   \n", "Fichier refusé : fichier vide."),
        ("gros.txt", b"a" * 5000, "Fichier trop volumineux (5\u202f000 octets ; la limite est de 1\u202f000 octets)."),
    ],
)
async def test_bad_uploads_are_refused(start_bot: StartBot, file_name: str, content: bytes, expected: str) -> None:
    harness = await start_bot(max_upload_bytes=1000)
    harness.tg.document(chat_id=ADMIN, file_name=file_name, content=content)
    reply = await harness.tg.reply(ADMIN, 0)
    assert reply.visible == expected
    assert harness.services.reindex_calls == [False]
    assert sorted(p.name for p in Path(harness.settings.articles_dir).iterdir()) == [  # noqa: ASYNC240
        "000_1b43e35984dace57.txt", "balises.txt", "lyon.txt"
    ]


def test_safe_filename() -> None:
    assert safe_filename("../../etc/passwd.txt") == "passwd.txt"
    assert safe_filename("..\\..\\win.md") == "win.md"
    assert safe_filename(".hidden.txt") == "hidden.txt"
    assert safe_filename("...txt") == "article.txt"
    assert safe_filename("a\x00b\nc.txt") == "a_b_c.txt"
    assert safe_filename("Été à Noël.MD") == "Été à Noël.md"
    assert safe_filename("x" * 300 + ".txt") == "x" * 80 + ".txt"
    for bad in (None, "", "noext", "a.pdf", "a.txt.exe", "a.txt/"):
        assert safe_filename(bad) is None


def test_write_article_never_leaves_the_folder(tmp_path: Path) -> None:
    root = tmp_path / "articles"
    root.mkdir()
    (tmp_path / "outside.txt").write_text("secret")
    (root / "link.txt").symlink_to(tmp_path / "outside.txt")
    with pytest.raises(ValueError):
        write_article(root, "link.txt", b"overwrite", replace=True)
    with pytest.raises(ValueError):
        write_article(root, "sub/x.txt", b"x", replace=True)
    assert (tmp_path / "outside.txt").read_text() == "secret"
    assert write_article(root, "ok.txt", b"hello", replace=False) == "ok.txt"
    assert write_article(root, "ok.txt", b"hello again", replace=False) is None  # never without a yes
    assert (root / "ok.txt").read_bytes() == b"hello"
    assert write_article(root, "ok.txt", b"hello again", replace=True) == "ok.txt"
    assert (root / "ok.txt").read_bytes() == b"hello again"
    assert sorted(p.name for p in root.iterdir()) == ["link.txt", "ok.txt"]


OTHER_VERSION = (
    " date 2022-10 Les vendanges tardives en Alsace\n\n"
    "Les vignerons d'Alsace ont attendu octobre pour les vendanges tardives.\n"
)


async def _upload_and_get_choice(harness: Harness, name: str, content: str) -> tuple[SentMessage, dict[str, str]]:
    tg = harness.tg
    before = len(tg.sent(ADMIN))
    tg.document(chat_id=ADMIN, file_name=name, content=content.encode())
    asked = await tg.reply(ADMIN, before)
    return asked, {b["text"]: b["callback_data"] for b in asked.buttons()}


async def _wait_reindexed(harness: Harness, count: int) -> None:
    await harness.tg.wait_for(lambda: len(harness.services.reindex_calls) == count
                              and not harness.services.reindexing.is_set()
                              and "terminée" in harness.tg.last(ADMIN).visible)


async def test_an_upload_with_an_existing_name_asks_and_keeps_both(harness: Harness) -> None:
    root = Path(harness.settings.articles_dir)
    (root / "vendanges.txt").write_text(NEW_ARTICLE, encoding="utf-8")  # noqa: ASYNC240
    asked, buttons = await _upload_and_get_choice(harness, "vendanges.txt", OTHER_VERSION)
    assert "existe déjà" in asked.visible and set(buttons) == {"♻️ Remplacer", "➕ Garder les deux"}
    assert (root / "vendanges.txt").read_text(encoding="utf-8") == NEW_ARTICLE  # noqa: ASYNC240  nothing lost yet
    assert harness.services.reindex_calls == [False]

    harness.tg.press(asked, buttons["➕ Garder les deux"])
    await _wait_reindexed(harness, 2)
    chosen = harness.tg.messages[(ADMIN, asked.message_id)]  # the question becomes what was done
    assert chosen.visible == "➕ Les deux sont gardés : vendanges.txt reste tel quel, le fichier envoyé s'appelle vendanges-2.txt."
    assert not chosen.buttons()
    assert (root / "vendanges.txt").read_text(encoding="utf-8") == NEW_ARTICLE  # noqa: ASYNC240
    assert (root / "vendanges-2.txt").read_text(encoding="utf-8") == OTHER_VERSION  # noqa: ASYNC240
    assert oct((root / "vendanges-2.txt").stat().st_mode & 0o777) == "0o644"  # noqa: ASYNC240  like the others

    again = harness.tg.press(asked, buttons["♻️ Remplacer"])  # a second press: the choice is spent
    await harness.tg.wait_for(lambda: again in harness.tg.callback_answers)
    assert harness.tg.callback_answers[again]["text"] == "Ce bouton n'est plus disponible."
    assert (root / "vendanges.txt").read_text(encoding="utf-8") == NEW_ARTICLE  # noqa: ASYNC240


async def test_an_upload_with_an_existing_name_replaces_only_on_yes(harness: Harness) -> None:
    root = Path(harness.settings.articles_dir)
    (root / "vendanges.txt").write_text(NEW_ARTICLE, encoding="utf-8")  # noqa: ASYNC240
    asked, buttons = await _upload_and_get_choice(harness, "vendanges.txt", OTHER_VERSION)
    other = harness.tg.press(asked, buttons["♻️ Remplacer"], user_id=ADMIN + 1)  # someone else: refused
    await harness.tg.wait_for(lambda: other in harness.tg.callback_answers)
    assert (root / "vendanges.txt").read_text(encoding="utf-8") == NEW_ARTICLE  # noqa: ASYNC240
    harness.tg.press(asked, buttons["♻️ Remplacer"])
    await _wait_reindexed(harness, 2)
    assert (root / "vendanges.txt").read_text(encoding="utf-8") == OTHER_VERSION  # noqa: ASYNC240
    assert "remplace le fichier du même nom" in harness.tg.last(ADMIN).visible
    assert harness.tg.messages[(ADMIN, asked.message_id)].visible == "♻️ vendanges.txt est remplacé par le fichier envoyé."


async def test_two_uploads_named_dot_dot_txt_never_collide(harness: Harness) -> None:
    tg = harness.tg
    tg.document(chat_id=ADMIN, file_name="..txt", content=NEW_ARTICLE.encode())
    await _wait_reindexed(harness, 2)
    asked, buttons = await _upload_and_get_choice(harness, "..txt", OTHER_VERSION)
    tg.press(asked, buttons["➕ Garder les deux"])
    await _wait_reindexed(harness, 3)
    root = Path(harness.settings.articles_dir)
    assert (root / "article.txt").read_text(encoding="utf-8") == NEW_ARTICLE  # noqa: ASYNC240
    assert (root / "article-2.txt").read_text(encoding="utf-8") == OTHER_VERSION  # noqa: ASYNC240


async def test_status_reports_each_feed_and_its_error(start_bot: StartBot) -> None:
    good, bad, new = "https://gazette.example/rss", "https://broken.example/rss", "https://new.example/rss"
    harness = await start_bot(feeds=(good, bad, new))
    harness.store.feeds.save_feed_state(FeedState(good, last_polled="2025-02-20T08:00:00+00:00"),
                                  {"a": SeenItem("e1", "1"), "b": SeenItem("e2", "2")})
    harness.store.feeds.save_feed_state(FeedState(bad, last_polled="2025-02-20T08:00:01+00:00",
                                            last_error=f"{bad} answered HTTP 500"), {})
    before = len(harness.tg.sent(ADMIN))
    harness.tg.message("/status", chat_id=ADMIN)
    status = (await harness.tg.reply(ADMIN, before)).visible
    assert f"• {good} : lu le 2025-02-20T08:00:00+00:00, 2 articles" in status
    assert f"• {bad} : ⚠️ échec le 2025-02-20T08:00:01+00:00 : {bad} answered HTTP 500" in status
    assert f"• {new} : pas encore lu" in status
