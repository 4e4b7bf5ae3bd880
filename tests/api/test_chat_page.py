"""The chat page in real headless Chromium (Debian's package) against a real server.

Screenshots go to tests/artifacts/ for people to look at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright

from bench.pgserver import Cluster
from index.embed import SentenceTransformerEmbedder
from index.indexer import Indexer
from tests.api.conftest import AUTH, start_server
from tests.conftest import SEEDS

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("QA_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("Chromium is needed for the browser tests: apt-get install chromium")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Playwright gives every launch a new, empty profile directory.
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def open_page(browser: Browser, server: httpx.Client, width: int = 1200, height: int = 800) -> Page:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(str(server.base_url) + "/")
    expect(page.locator("#count")).to_contain_text("indexed")
    return page


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def add_article(server: httpx.Client, **article: str) -> None:
    added = server.post("/documents", headers=AUTH, json={"articles": [article]})
    assert added.status_code == 200 and added.json()["added"] == 1


def ask(page: Page, question: str) -> None:
    page.fill("#question", question)
    page.press("#question", "Enter")


@pytest.fixture(params=["directory", "postgres"])
def any_server(
    request: pytest.FixtureRequest, seed_copy: Path, tmp_path: Path
) -> Iterator[httpx.Client]:
    """The seed served from an index directory, and from PostgreSQL read through a replica."""
    if request.param == "directory":
        with start_server(seed_copy, tmp_path) as client:
            yield client
        return
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    embedder: SentenceTransformerEmbedder = request.getfixturevalue("embedder")
    url = cluster.create_database("chat-page")
    Indexer(url, embedder).index_paths([SEEDS])
    cluster.wait_replicated()
    replica = cluster.replicas[0].url_of(url)
    with start_server(tmp_path / "unused", tmp_path, store_url=url, store_replicas=replica) as c:
        yield c


def test_answer_is_highlighted_and_its_source_opens_at_the_sentence(
    browser: Browser, any_server: httpx.Client, request: pytest.FixtureRequest
) -> None:
    server = any_server
    prefix = "pg-" if "postgres" in request.node.name else ""
    page = open_page(browser, server)
    expect(page.locator("#count")).to_have_text("1 article indexed.")
    shot(page, f"{prefix}1-empty")
    ask(page, "where are the forward operating bases?")
    span = page.locator(".answer blockquote strong").first
    expect(span).to_have_text(
        "Pont Sondé, Downtown Port-au-Prince, and at the Haitian Police Academy"
    )
    expect(page.locator(".answer blockquote").first).to_contain_text(
        "Forward Operating Bases (FOBs)"
    )
    expect(page.locator(".match").first).to_contain_text("strong match")
    shot(page, f"{prefix}2-answer")
    page.locator(".answer .open-source").first.click()
    cited = page.locator("#cited")
    expect(cited).to_contain_text("have been established in")
    expect(cited.locator("strong")).to_have_text(
        "Pont Sondé, Downtown Port-au-Prince, and at the Haitian Police Academy"
    )
    expect(cited).to_be_in_viewport()
    expect(page.locator("#source-text")).to_contain_text("Also Read:")  # the whole article
    shot(page, f"{prefix}3-source")
    page.keyboard.press("Escape")
    expect(page.locator("#source")).to_be_hidden()
    expect(page.locator(".answer .open-source").first).to_be_focused()


def test_follow_up_and_new_conversation(browser: Browser, server: httpx.Client) -> None:
    page = open_page(browser, server)
    page.locator(".example").first.click()
    expect(page.locator("#question")).to_have_value("Where are the forward operating bases?")
    page.press("#question", "Enter")
    expect(page.locator(".answer")).to_have_count(1)
    ask(page, "what are they improving?")
    expect(page.locator(".turn").nth(1).locator("blockquote strong")).to_contain_text(
        "patrol reach, cutting response times"
    )
    expect(page.locator(".turn").nth(1).locator(".resolved")).to_have_text(
        "Read as: what are the forward operating bases improving?"
    )
    expect(page.locator(".turn").first.locator(".resolved")).to_have_count(0)
    page.click("#new-conversation")
    expect(page.locator(".turn")).to_have_count(0)
    expect(page.locator("#empty")).to_be_visible()


def test_unrelated_question_says_it_found_nothing(browser: Browser, server: httpx.Client) -> None:
    page = open_page(browser, server)
    ask(page, "what is the capital of France?")
    expect(page.locator(".no-answer")).to_have_text("I couldn't find that in the articles.")
    expect(page.locator(".related button").first).to_be_visible()
    shot(page, "4-no-answer")
    page.locator(".related button").first.click()
    expect(page.locator("#cited")).to_be_visible()


def test_server_errors_show_in_the_conversation(browser: Browser, server: httpx.Client) -> None:
    page = open_page(browser, server)
    page.evaluate("document.getElementById('question').removeAttribute('maxlength')")
    ask(page, "why " * 600)
    expect(page.locator(".reply .error")).to_contain_text("limit")


def test_a_service_that_cannot_be_reached_is_said_plainly(
    browser: Browser, seed_copy: Path, tmp_path: Path
) -> None:
    with start_server(seed_copy, tmp_path) as server:
        page = open_page(browser, server)
    ask(page, "who leads the mission?")  # the server has stopped
    expect(page.locator(".reply .error")).to_contain_text("the service could not be reached")
    expect(page.locator(".reply .error")).not_to_contain_text("Failed to fetch")
    expect(page.locator("#question")).to_be_enabled()


def test_hostile_article_text_is_shown_as_text_and_never_runs(
    browser: Browser, server: httpx.Client
) -> None:
    hostile = (
        "Saboteurs planted <script>window.pwned = 1</script> in the harbour office of "
        'Jérémie. Witnesses saw <img src=x onerror="window.pwned = 2"> on the wall.'
    )
    add_article(server, id="hostile", title="<b>Harbour</b>", text=hostile)
    page = open_page(browser, server)
    ask(page, "what did saboteurs plant in the harbour office of Jérémie?")
    quote = page.locator(".answer blockquote").first
    expect(quote).to_contain_text("<script>window.pwned = 1</script>")
    page.locator(".answer .open-source").first.click()
    expect(page.locator("#source-text")).to_contain_text('<img src=x onerror="window.pwned = 2">')
    expect(page.locator("#source-title")).to_have_text("<b>Harbour</b>")
    assert page.evaluate("window.pwned") is None
    assert page.locator("#conversation img, #source img, #conversation script").count() == 0
    shot(page, "5-hostile")


def test_highlight_counts_characters_as_the_api_does_past_emoji(
    browser: Browser, server: httpx.Client
) -> None:
    # The offsets count code points; JavaScript counts UTF-16 units, two for each of these.
    text = (
        "🚢🚢🚢🚢🚢🚢🚢🚢 Big day at the docks 🎉🎉🎉🎉. The harbour master of Port Zanzibar "
        "is Wilhelmina Okonkwo-Baptiste, who took office in 2019. 𝐍𝐞𝐰𝐬 at noon."
    )
    add_article(server, id="emoji", title="Harbour 🚢 news", text=text)
    page = open_page(browser, server)
    ask(page, "who is the harbour master of Port Zanzibar?")
    quote = page.locator(".answer blockquote").first
    expect(quote.locator("strong")).to_have_text("Wilhelmina Okonkwo-Baptiste")
    expect(quote).to_have_text(
        "The harbour master of Port Zanzibar is Wilhelmina Okonkwo-Baptiste, "
        "who took office in 2019."
    )
    page.locator(".answer .open-source").first.click()
    cited = page.locator("#cited")
    expect(cited.locator("strong")).to_have_text("Wilhelmina Okonkwo-Baptiste")
    expect(cited).to_have_text(
        "The harbour master of Port Zanzibar is Wilhelmina Okonkwo-Baptiste, "
        "who took office in 2019."
    )
    expect(page.locator("#source-text")).to_have_text(text)


def test_a_long_title_is_cut_in_the_conversation_and_kept_whole_in_its_tooltip(
    browser: Browser, server: httpx.Client
) -> None:
    title = "Harbour authority names new chief " * 20  # 680 characters
    add_article(server, id="titled", title=title, text="The harbour chief is Ann Lee-Okafor.")
    page = open_page(browser, server)
    ask(page, "who is the harbour chief?")
    button = page.locator(".answer .open-source").first
    expect(button).to_have_attribute("title", title.strip())
    shown = button.inner_text()
    assert shown.endswith("…") and len(shown) <= 121 and title.startswith(shown[:-1])
    button.click()
    expect(page.locator("#cited strong")).to_have_text("Ann Lee-Okafor")
    assert len(page.locator("#source-title").inner_text()) <= 241


def test_phone_width_opens_the_source_full_screen(browser: Browser, server: httpx.Client) -> None:
    page = open_page(browser, server, width=390, height=844)
    ask(page, "who is the MSS spokesperson?")
    expect(page.locator(".answer blockquote strong").first).to_have_text("Jack Ombaka")
    shot(page, "6-phone-answer")
    page.locator(".answer .open-source").first.click()
    box = page.locator("#source").bounding_box()
    assert box is not None and box["width"] >= 389
    expect(page.locator("#cited")).to_be_in_viewport()
    shot(page, "7-phone-source")


def test_an_answer_named_a_sentence_before_is_highlighted_in_the_whole_quote(
    browser: Browser, server: httpx.Client
) -> None:
    article = (
        "Texaco said on Friday that Alfred DeCrane would take over its board in May. "
        "He succeeds John McKinley as chairman of the oil company, a post he has held since "
        "1980."
    )
    add_article(server, id="texaco-chair", title="Texaco chairman", text=article)
    page = open_page(browser, server)
    ask(page, "Who succeeds John McKinley as chairman?")
    quote = page.locator(".answer blockquote").first
    expect(quote.locator("strong")).to_have_text("Alfred DeCrane")
    expect(quote).to_contain_text("He succeeds John McKinley as chairman")  # both sentences
    page.locator(".answer .open-source").first.click()
    cited = page.locator("#cited")
    expect(cited).to_have_text(article)
    expect(cited.locator("strong")).to_have_text("Alfred DeCrane")
    shot(page, "8-named-before")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_accessibility_violations(
    browser: Browser, server: httpx.Client, scheme: Literal["light", "dark"]
) -> None:
    # axe-core's WCAG rules, in each state of the page. It found the question form outside
    # every landmark, and the source panel an <aside> with the role of a dialog.
    page = browser.new_page(viewport={"width": 1200, "height": 800}, color_scheme=scheme)
    page.goto(str(server.base_url) + "/")
    expect(page.locator("#count")).to_contain_text("indexed")
    axe = Axe()

    def violations() -> str:
        return axe.run(page).generate_snapshot()

    assert violations() == ""
    ask(page, "where are the forward operating bases?")
    expect(page.locator(".answer blockquote strong").first).to_be_visible()
    ask(page, "how do I bake sourdough bread?")
    expect(page.locator(".reply:not(.pending)")).to_have_count(2)
    assert violations() == ""
    page.locator(".answer .open-source").first.click()
    expect(page.locator("#cited")).to_be_visible()
    assert violations() == ""
    page.close()
