"""The editors' desk over HTTP: sign-in by one-time link, sessions, CSRF, the pages' contents."""

from __future__ import annotations

import asyncio
import json
import re
import time

import pytest

from qabot.signin import LinkSigner, digest
from tests.bot.conftest import ADMIN, StartBot
from tests.fakes.telegram_server import TOKEN
from tests.web.conftest import DESK_URL, DeskHarness
from web.desk.app import web_link

PAGES = ["/", "/questions", "/unanswered", "/feedback", "/articles", "/feeds", "/audit"]


async def test_an_admin_signs_in_with_the_link_the_bot_sends(desk: DeskHarness) -> None:
    signed_in = await desk.sign_in()
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
    cookie = signed_in.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "max-age=43200" in cookie
    assert "secure" not in cookie  # http: a Secure cookie would never come back
    overview = await desk.client.get("/")
    assert overview.status_code == 200
    assert "articles" in overview.text and ">3<" in overview.text.replace(" ", "")  # seed + 2 extra


async def test_every_page_needs_a_session(desk: DeskHarness) -> None:
    for path in PAGES:
        response = await desk.client.get(path)
        assert response.status_code == 401, path
        assert "/web" in response.text
    assert (await desk.client.get("/reindex/events")).status_code == 401


async def test_a_link_signs_in_once(desk: DeskHarness) -> None:
    link = (await desk.link()).removeprefix(DESK_URL)
    assert (await desk.client.post(link)).status_code == 303
    desk.client.cookies.clear()
    again = await desk.client.post(link)
    assert again.status_code == 403 and "set-cookie" not in again.headers
    assert (await desk.client.get("/")).status_code == 401


async def test_an_expired_link_is_refused(desk: DeskHarness) -> None:
    from qabot.signin import make_link

    old = await make_link(desk.desk.records, LinkSigner(TOKEN), ADMIN, DESK_URL, now=time.time() - 601)
    response = await desk.client.post(old.removeprefix(DESK_URL))
    assert response.status_code == 403
    assert (await desk.client.get("/")).status_code == 401


async def test_a_forged_link_is_refused_before_the_database(desk: DeskHarness) -> None:
    link = (await desk.link()).removeprefix(DESK_URL)
    forged = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    assert (await desk.client.get(forged)).status_code == 403
    assert (await desk.client.post(forged)).status_code == 403
    other_key = LinkSigner("another deployment's token").new_token()
    assert (await desk.client.post(f"/signin/{other_key}")).status_code == 403


async def test_only_hashes_of_links_and_sessions_are_stored(desk: DeskHarness) -> None:
    link = await desk.link()
    token = link.rsplit("/", 1)[1].partition(".")[0]
    signed_in = await desk.client.post(link.removeprefix(DESK_URL))
    cookie = signed_in.cookies["qabot_desk"]
    dump = "\n".join(desk.bot.store.db.engine.raw_connection().iterdump())
    assert token not in dump and cookie not in dump
    assert digest(token) in dump and digest(cookie) in dump


async def test_a_non_admin_gets_no_link(desk: DeskHarness) -> None:
    stranger = 999
    desk.bot.ask("/web", chat_id=stranger)
    reply = await desk.bot.tg.reply(stranger, 0)
    assert "/signin/" not in reply.text
    assert "administrat" in reply.text.lower()


async def test_a_link_is_never_posted_in_a_group(desk: DeskHarness) -> None:
    group = -100
    desk.bot.ask("/web", chat_id=group, user_id=ADMIN, chat_type="supergroup")
    reply = await desk.bot.tg.reply(group, 0)
    assert "/signin/" not in reply.text and "priv" in reply.text.lower()


async def test_the_desk_switched_off_says_so(start_bot: StartBot) -> None:
    bot = await start_bot()
    bot.ask("/web", chat_id=ADMIN)
    reply = await bot.tg.reply(ADMIN, 0)
    assert "/signin/" not in reply.text and "WEB_PORT" in reply.text


async def test_pages_forbid_inline_scripts_and_framing(desk: DeskHarness) -> None:
    await desk.sign_in()
    for path in PAGES:
        response = await desk.client.get(path)
        assert response.status_code == 200, path
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "<script>" not in response.text and "onclick" not in response.text


async def test_a_form_without_its_csrf_token_is_refused(desk: DeskHarness) -> None:
    await desk.sign_in()
    refused = await desk.client.post("/logout", data={})
    assert refused.status_code == 403
    assert (await desk.client.post("/logout", data={"csrf": "forged"})).status_code == 403
    assert (await desk.client.get("/")).status_code == 200  # still signed in
    assert (await desk.client.post("/reindex", data={})).status_code == 403
    assert desk.bot.services.reindex_calls == [False]  # only the harness's own indexing
    signed_out = await desk.client.post("/logout", data={"csrf": await desk.csrf()})
    assert signed_out.status_code == 200
    assert (await desk.client.get("/")).status_code == 401


async def test_questions_votes_and_declined_questions_show_up(desk: DeskHarness) -> None:
    await desk.sign_in()
    reader = 31337
    answer = await desk.bot.answer_to("Quel budget pour les pistes cyclables de Grenoble ?", chat_id=reader)
    desk.bot.tg.press(answer, answer.button("👎")["callback_data"])
    await desk.bot.tg.wait_for(lambda: desk.bot.tg.calls_of("answerCallbackQuery"))
    for wording in ("Qui a gagné l'Eurovision ?", "qui a gagne l eurovision"):
        await desk.bot.answer_to(wording, chat_id=reader)

    questions = (await desk.client.get("/questions")).text
    assert "pistes cyclables de Grenoble" in questions and "Eurovision" in questions
    assert str(reader) not in questions  # readers appear under a pseudonym
    assert "r-" in questions

    downvoted = (await desk.client.get("/questions", params={"down": "1"})).text
    assert "pistes cyclables" in downvoted and "Eurovision" not in downvoted
    declined = (await desk.client.get("/questions", params={"declined": "1"})).text
    assert "Eurovision" in declined and "pistes cyclables" not in declined
    by_word = (await desk.client.get("/questions", params={"q": "cyclables"})).text
    assert "pistes cyclables" in by_word and "Eurovision" not in by_word

    feedback = (await desk.client.get("/feedback")).text
    assert "pistes cyclables" in feedback and "👎" in feedback and "Grenoble" in feedback

    unanswered = (await desk.client.get("/unanswered")).text
    assert unanswered.lower().count("eurovision") >= 2  # one group, both wordings listed
    assert '<td class="num">2</td>' in unanswered

    overview = (await desk.client.get("/")).text
    assert 'id="today">3<' in overview and 'id="votes">0 / 1<' in overview


async def test_a_reindex_from_the_desk_streams_its_progress(desk: DeskHarness) -> None:
    await desk.sign_in()
    (desk.bot.settings.articles_dir / "nouveau.txt").write_text(
        " date 2026-12 Un nouvel article\n\nLe tramway de Grenoble rouvre lundi.", encoding="utf-8"
    )
    started = await desk.client.post("/reindex", data={"csrf": await desk.csrf()})
    assert started.status_code == 303 and "reindex_started" in started.headers["location"]
    events: list[dict[str, object]] = []
    async with desk.client.stream("GET", "/reindex/events") as stream:
        async for line in stream.aiter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line.removeprefix("data: ")))
                if events[-1].get("state") in {"done", "failed"}:
                    break
    assert events[-1]["state"] == "done", events
    assert "1 added" in str(events[-1]["summary"])
    overview = (await desk.client.get("/")).text
    assert "1 added" in overview  # the last re-index, as /status shows it
    audit = (await desk.client.get("/audit")).text
    assert "sign-in" in audit and "reindex" in audit and "web-link" in audit


async def test_a_second_reindex_waits_for_the_first(desk: DeskHarness) -> None:
    import threading

    await desk.sign_in()
    desk.bot.services.gate = threading.Event()
    csrf = await desk.csrf()
    first = await desk.client.post("/reindex", data={"csrf": csrf})
    assert "reindex_started" in first.headers["location"]
    await asyncio.to_thread(desk.bot.services.reindexing.wait, 10)
    second = await desk.client.post("/reindex", data={"csrf": csrf})
    assert "reindex_busy" in second.headers["location"]
    desk.bot.services.gate.set()


async def test_sign_in_attempts_are_limited(desk: DeskHarness) -> None:
    forged = "/signin/" + LinkSigner(TOKEN).new_token()  # well signed, never issued
    codes = [(await desk.client.post(forged)).status_code for _ in range(11)]
    assert codes[:10] == [403] * 10 and codes[10] == 429


@pytest.mark.parametrize("accept, word", [("en-GB,en;q=0.9", "Sign in"), ("fr-FR,fr;q=0.9,en;q=0.5", "Se connecter")])
async def test_the_desk_speaks_the_browsers_language(desk: DeskHarness, accept: str, word: str) -> None:
    link = (await desk.link()).removeprefix(DESK_URL)
    page = await desk.client.get(link, headers={"accept-language": accept})
    assert word in page.text


async def test_an_uploaded_article_is_saved_checked_and_indexed(desk: DeskHarness) -> None:
    await desk.sign_in()
    csrf = await desk.csrf()
    article = " date 2026-12 Le tram rouvre\n\nLa ligne A du tramway de Grenoble rouvre lundi 8 décembre.".encode()
    sent = await desk.client.post("/articles/upload", data={"csrf": csrf, "on_taken": "refuse"},
                                  files={"file": ("../../tram rouvre!.txt", article, "text/plain")})
    assert sent.status_code == 303, sent.text
    saved = desk.bot.settings.articles_dir / "tram rouvre.txt"  # the name made safe, in the folder
    assert saved.read_bytes() == article
    await desk.bot.tg.wait_for(lambda: "tram rouvre.txt" in desk.bot.services.retriever.articles or None)
    library = (await desk.client.get("/articles", params={"q": "rouvre"})).text
    assert "Le tram rouvre" in library

    again = await desk.client.post("/articles/upload", data={"csrf": csrf, "on_taken": "refuse"},
                                   files={"file": ("tram rouvre.txt", b"autre texte", "text/plain")})
    assert again.status_code == 409 and saved.read_bytes() == article  # nothing lost without a yes
    both = await desk.client.post("/articles/upload", data={"csrf": csrf, "on_taken": "keep"},
                                  files={"file": ("tram rouvre.txt", b" date 2026-12 Autre\n\nAutre texte.", "text/plain")})
    assert both.status_code == 303 and (desk.bot.settings.articles_dir / "tram rouvre-2.txt").exists()

    for name, data, code in [("virus.exe", b"MZ", 400), ("vide.txt", b"", 422), ("gros.txt", b"x" * 3_000_000, 413)]:
        refused = await desk.client.post("/articles/upload", data={"csrf": csrf, "on_taken": "refuse"},
                                         files={"file": (name, data, "text/plain")})
        assert refused.status_code == code, (name, refused.status_code)
        assert not (desk.bot.settings.articles_dir / name).exists()
    audit = (await desk.client.get("/audit")).text
    assert "upload" in audit and "tram rouvre-2.txt" in audit


async def test_a_deleted_article_goes_to_the_trash_and_comes_back(desk: DeskHarness) -> None:
    await desk.sign_in()
    csrf = await desk.csrf()
    confirm = await desk.client.get("/articles/delete", params={"name": "balises.txt"})
    assert confirm.status_code == 200 and "balises.txt" in confirm.text
    assert (desk.bot.settings.articles_dir / "balises.txt").exists()  # asking changes nothing
    deleted = await desk.client.post("/articles/delete", data={"csrf": csrf, "name": "balises.txt"})
    assert deleted.status_code == 303
    assert not (desk.bot.settings.articles_dir / "balises.txt").exists()
    await desk.bot.tg.wait_for(lambda: "balises.txt" not in desk.bot.services.retriever.articles or None)
    page = (await desk.client.get("/articles")).text
    key = re.search(r'name="key" value="([^"]+balises.txt)"', page)
    assert key, page
    restored = await desk.client.post("/articles/restore", data={"csrf": csrf, "key": key.group(1)})
    assert restored.status_code == 303
    assert (desk.bot.settings.articles_dir / "balises.txt").exists()
    outside = await desk.client.post("/articles/delete", data={"csrf": csrf, "name": "../../etc/passwd"})
    assert outside.status_code == 404


async def test_feeds_are_added_checked_and_removed_from_the_desk(desk: DeskHarness) -> None:
    await desk.sign_in()
    csrf = await desk.csrf()
    refused = await desk.client.post("/feeds/add", data={"csrf": csrf, "url": "http://169.254.169.254/latest"})
    assert refused.status_code == 422 and "169.254.169.254" in refused.text
    assert await desk.bot.store.feeds.feeds() == []
    with_password = "https://reader:hunter2@93.184.216.34/feed.xml"  # a public address: no lookup
    added = await desk.client.post("/feeds/add", data={"csrf": csrf, "url": with_password})
    assert added.status_code == 303
    assert await desk.bot.store.feeds.feeds() == [with_password]
    page = (await desk.client.get("/feeds")).text
    assert "93.184.216.34/feed.xml" in page and "hunter2" not in page.replace(f'value="{with_password}"', "")
    removed = await desk.client.post("/feeds/remove", data={"csrf": csrf, "key": with_password})
    assert removed.status_code == 303 and await desk.bot.store.feeds.feeds() == []
    audit = (await desk.client.get("/audit")).text
    assert "feed-add" in audit and "feed-remove" in audit and "hunter2" not in audit


async def test_qabot_web_link_prints_a_link_for_an_admin_only(
    desk: DeskHarness, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.main import main

    settings = desk.bot.settings
    for name, value in {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_ADMIN_IDS": str(ADMIN), "WEB_PORT": "8080",
                        "WEB_PUBLIC_URL": DESK_URL, "DATA_DIR": str(settings.data_dir),
                        "ARTICLES_DIR": str(settings.articles_dir), "INDEX_DIR": str(settings.index_dir)}.items():
        monkeypatch.setenv(name, value)
    assert await asyncio.to_thread(main, ["web-link", "999"]) == 1
    assert "999 is not in TELEGRAM_ADMIN_IDS" in capsys.readouterr().err
    assert await asyncio.to_thread(main, ["web-link", str(ADMIN)]) == 0
    link = capsys.readouterr().out.strip()
    assert link.startswith(f"{DESK_URL}/signin/")
    assert (await desk.client.post(link.removeprefix(DESK_URL))).status_code == 303  # the bot's database
    assert (await desk.client.get("/")).status_code == 200


async def test_the_front_door_makes_a_link_on_the_bots_database_and_audits_it(desk: DeskHarness) -> None:
    """What `qabot web-link` asks of the front door: a link the desk honours once, in the audit
    log as asked from the terminal."""
    link = await desk.bot.services.desk_link(ADMIN, "terminal")
    assert link.startswith(f"{DESK_URL}/signin/")
    assert (await desk.client.post(link.removeprefix(DESK_URL))).status_code == 303
    desk.client.cookies.clear()
    assert (await desk.client.post(link.removeprefix(DESK_URL))).status_code == 403  # spent
    entries = await desk.desk.records.audit_entries(10)
    assert [(e.admin_id, e.via, e.action) for e in entries if e.action == "web-link"] == [(ADMIN, "terminal", "web-link")]


async def test_admin_commands_in_telegram_are_audited_too(desk: DeskHarness) -> None:
    desk.bot.ask("/reindex", chat_id=ADMIN)
    await desk.bot.tg.wait_for(lambda: desk.bot.services.reindex_calls[1:] or None)
    desk.bot.tg.document(chat_id=ADMIN, file_name="depeche.txt",
                         content=" date 2026-12 Une dépêche\n\nLe conseil a voté le budget.".encode())
    for _ in range(100):  # the upload is audited as it is saved, before the bot replies
        if any(e.action == "upload" for e in await desk.desk.records.audit_entries(10)):
            break
        await asyncio.sleep(0.1)
    await desk.sign_in()
    audit = (await desk.client.get("/audit")).text
    assert "telegram" in audit and "reindex" in audit and "depeche.txt (new)" in audit and "web-link" in audit


async def test_unanswered_questions_show_the_articles_nearest_them(desk: DeskHarness) -> None:
    from answering.protocol import Answer

    def declined(question: str) -> Answer:
        return Answer(question=question, text="Je n'ai pas trouvé la réponse dans les articles.", citations=[],
                      answered=False, language="fr", answerer="extractive",
                      suggestions=["Marchés de Lyon : un long reportage"])

    desk.bot.services.answers.override = declined
    await desk.bot.answer_to("Combien coûte un étal aux halles de Lyon ?", chat_id=77)
    await desk.sign_in()
    page = (await desk.client.get("/unanswered")).text
    assert "étal aux halles" in page and "Marchés de Lyon : un long reportage" in page


WIRE = ("---\ntitle: Grève <script>alert(1)</script> à la SNCF\ndate: 2026-12-01\nsource: AFP\n"
        "url: https://example.org/greve?a=1&b=2\n---\n\n"
        "Les contrôleurs de la SNCF font grève le week-end de Noël.\n"
        "Le trafic sera <b>très perturbé</b> selon la direction.\n")
COPY = ("---\ntitle: La SNCF en grève\ndate: 2026-12-02\nsource: Le Parisien\nurl: https://example.org/copie\n---\n\n"
        "Les contrôleurs de la SNCF font grève le week-end de Noël, le trafic sera perturbé.\n")


async def test_an_articles_page_shows_its_chunks_and_its_copies(desk: DeskHarness) -> None:
    folder = desk.bot.settings.articles_dir
    (folder / "greve.md").write_text(WIRE, encoding="utf-8")
    (folder / "greve-copie.md").write_text(COPY, encoding="utf-8")
    services = desk.bot.services
    services.reindex_now()
    services.retriever.groups = {name: ["greve-copie.md", "greve.md"] for name in ("greve.md", "greve-copie.md")}
    assert (await desk.client.get("/articles/view", params={"name": "greve.md"})).status_code == 401
    await desk.sign_in()
    library = (await desk.client.get("/articles")).text
    assert 'href="/articles/view?name=greve.md"' in library

    page = await desk.client.get("/articles/view", params={"name": "greve.md"})
    assert page.status_code == 200
    html = page.text
    # The article's words are text, never markup: its title and its chunks are escaped.
    assert "<script>alert" not in html and "Grève &lt;script&gt;alert(1)&lt;/script&gt; à la SNCF" in html
    assert "<b>très" not in html and "&lt;b&gt;très perturbé&lt;/b&gt;" in html
    assert "2026-12-01" in html and "AFP" in html
    assert 'href="https://example.org/greve?a=1&amp;b=2" rel="noopener noreferrer nofollow"' in html
    # Each chunk: its number, where it lies in the file as stored (front matter included), its text.
    rows = re.findall(r'<td class="num">(\d+)</td><td class="num">(\d+)–(\d+)</td><td class="chunk">([^<]*)</td>', html)
    assert [int(n) for n, *_ in rows] == [1, 2]
    for _, start, end, text in rows:
        assert WIRE[int(start):int(end)] == text.replace("&lt;", "<").replace("&gt;", ">")
    copies = html.split('id="copies"', 1)[1].split("</table>", 1)[0]
    assert "greve-copie.md" in copies and "Le Parisien" in copies and "La SNCF en grève" in copies
    assert ">greve.md<" not in copies  # the article itself is not its own copy

    copy = (await desk.client.get("/articles/view", params={"name": "greve-copie.md"})).text
    assert 'href="/articles/view?name=greve.md"' in copy.split('id="copies"', 1)[1]


def test_only_web_addresses_become_links() -> None:
    """Reading a file refuses other URLs already; the page does not rely on it."""
    assert web_link("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert web_link(" HTTP://example.org ") == "HTTP://example.org"
    for url in ("javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "//example.org", "http:/x", "", None):
        assert web_link(url) is None, url


async def test_an_article_not_yet_indexed_or_missing_says_so(desk: DeskHarness) -> None:
    await desk.sign_in()
    (desk.bot.settings.articles_dir / "nouveau.txt").write_text(" date 2026-12 Nouveau\n\nUn texte neuf.", encoding="utf-8")
    fresh = await desk.client.get("/articles/view", params={"name": "nouveau.txt"}, headers={"accept-language": "en"})
    assert fresh.status_code == 200 and "not indexed yet" in fresh.text and 'id="chunks"' not in fresh.text
    for name in ("nulle-part.txt", "../../etc/passwd", ".cache.txt", ""):
        missing = await desk.client.get("/articles/view", params={"name": name})
        assert missing.status_code == 404, name
        assert "Aucun article" in missing.text
    assert "nulle-part.txt" in (await desk.client.get("/articles/view", params={"name": "nulle-part.txt"})).text
