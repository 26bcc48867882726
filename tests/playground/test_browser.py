"""The playground end to end in real headless Chromium (Debian's ``chromium``, driven by
Playwright): a ``play=1`` link trains, the test loss falls, controls and Step work, a neuron
shows its autograd graph, and the page logs no error.

Without /usr/bin/chromium the test skips and says why, except under ``CI=true``, where it
fails. ``MINITORCH_SCREENSHOT=docs/playground.png`` saves the screenshot there (the README's);
otherwise it goes to the test's temporary directory.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from minitorch_nn.playground import make_server
from minitorch_nn.playground.store import SessionStore

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
EPOCH = "Number(document.querySelector('[data-testid=epoch]').textContent)"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        why = (
            f"{CHROMIUM} is missing: the playground's browser test needs Debian's chromium "
            "package (apt-get install chromium)"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(why)
        pytest.skip(why)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def server():
    srv = make_server("127.0.0.1", 0, store=SessionStore())
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def test_a_play_link_trains_live_and_every_control_works(browser, server, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 980})
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server.url}?dataset=circle&hidden=4,4&activation=tanh&lr=0.03&play=1")

    def number(testid: str) -> float:
        return float(page.inner_text(f"[data-testid={testid}]"))

    # the epoch counter advances by itself and the test loss falls
    page.wait_for_function(f"{EPOCH} >= 1", timeout=120_000)
    first_loss = number("test-loss")
    page.wait_for_function(f"{EPOCH} >= 60", timeout=120_000)
    assert number("test-loss") < 0.5 * first_loss
    assert number("train-loss") < 0.5 * first_loss
    assert "play=1" in page.url and "hidden=4,4" in page.url

    # a control: the learning rate changes without starting over, and goes into the URL
    epoch_before = number("epoch")
    page.select_option("[data-testid=lr]", "0.01")
    page.wait_for_function("location.search.includes('lr=0.01&')")
    page.wait_for_function(f"{EPOCH} > {epoch_before}")
    assert len(page.evaluate("window.__playground.curve")) >= epoch_before

    # pause, then Step trains exactly one epoch
    page.click("[data-testid=play]")
    page.wait_for_function("!window.__playground.playing && !window.__playground.busy")
    paused_at = number("epoch")
    page.click("[data-testid=step]")
    page.wait_for_function(f"{EPOCH} === {paused_at + 1}")
    page.wait_for_timeout(300)
    assert number("epoch") == paused_at + 1
    assert "play=1" not in page.url

    # click a neuron: its computation as our autograd graph, with data and grad
    page.click("[data-testid=neuron-2-1]")
    page.wait_for_selector("[data-testid=graph] svg")
    graph_text = page.text_content("[data-testid=graph]") or ""
    assert "h2.2" in graph_text and "grad" in graph_text and "w1" in graph_text
    assert page.locator("[data-testid=graph] svg path.edge").count() >= 10
    assert "h2.2 = tanh" in page.inner_text("#graph-title")

    # the output heatmap has been painted: blue inside the circle, orange outside
    colours = page.evaluate(
        """() => { const c = document.getElementById('heatmap').getContext('2d');
                   return [[...c.getImageData(150, 150, 1, 1).data],
                           [...c.getImageData(4, 4, 1, 1).data]]; }"""
    )
    centre, corner = colours
    assert centre[2] > centre[0] and corner[0] > corner[2]

    screenshot = Path(os.environ.get("MINITORCH_SCREENSHOT") or tmp_path / "playground.png")
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000

    # the network: adding a layer starts over with the new shape, in the URL too
    page.click("#add-layer")
    page.wait_for_function("location.search.includes('hidden=4,4,2')")
    assert number("epoch") == 0
    assert page.locator("[data-testid^=neuron-3-]").count() == 2
    assert errors == []

    # closing the tab frees its session on the server
    assert len(server.store) == 1
    page.close(run_before_unload=True)
    for _ in range(50):
        if len(server.store) == 0:
            break
        threading.Event().wait(0.1)
    assert len(server.store) == 0
