"""The web page in a real headless Chromium (Debian's package, driven by Playwright).

Type a prompt, generate, see the images and the plan's boxes, drag a box and draw the changed plan,
edit by instruction, cancel a job. Screenshots go to ``$LIMNER_SCREENSHOTS`` (default: the test's
tmp dir). Skips cleanly when Playwright or a chromium binary is missing.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary")]

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def page(tmp_path):
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": 1200, "height": 900})
        pg.set_default_timeout(120_000)
        yield pg
        browser.close()


def shots(tmp_path: Path) -> Path:
    d = Path(os.environ.get("LIMNER_SCREENSHOTS", tmp_path))
    d.mkdir(parents=True, exist_ok=True)
    return d


def recipe(page) -> dict:
    return json.loads(page.locator("#recipe").inner_text())


def test_generate_drag_regenerate_edit(page, live_server, tmp_path):
    url = live_server()
    out = shots(tmp_path)
    page.goto(url + "/")
    page.fill("#prompt", "a red circle left of a blue square")
    page.select_option("#planner", "rules")
    page.fill("#steps", "4")
    page.fill("#n", "2")
    page.click("#generate")
    page.wait_for_selector("#grid figure:nth-child(2) img")
    page.wait_for_function("document.querySelectorAll('#boxes .box').length == 2")
    assert page.locator("#grid figcaption").all_inner_texts() == ["seed 0", "seed 1"]
    page.screenshot(path=str(out / "1-generated.png"))

    page.fill("#instruction", "make the circle green")
    page.click("#edit")
    page.wait_for_function("JSON.parse(document.querySelector('#recipe').textContent).kind === 'edit'"
                           " || document.querySelector('#error').textContent !== ''")
    assert page.locator("#error").inner_text() == "", page.locator("#error").inner_text()
    assert recipe(page)["extra"]["instruction"] == "make the circle green"
    page.screenshot(path=str(out / "2-edited.png"))
    assert page.locator("#grid figure").count() == 3  # the edit's result, then the two generated images
    page.locator("#grid figure[data-kind=generate]").first.click()
    page.wait_for_function("document.querySelectorAll('#boxes .box').length == 2")
    before = recipe(page)["layout"]["objects"]
    circle = [i for i, o in enumerate(before) if o["name"] == "circle"][0]
    box = page.locator(f"#boxes .box[data-index='{circle}']")
    b = box.bounding_box()
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2)
    page.mouse.down()
    page.mouse.move(b["x"] + b["width"] / 2 + 40, b["y"] + b["height"] / 2 + 60, steps=8)
    page.mouse.up()
    page.click("#regenerate")
    page.wait_for_function(f"JSON.parse(document.querySelector('#recipe').textContent).layout.objects[{circle}].box[1] > {before[circle]['box'][1] + 0.05}")
    after = recipe(page)["layout"]["objects"][circle]["box"]
    assert after[0] > before[circle]["box"][0] + 0.05
    page.screenshot(path=str(out / "3-dragged.png"))



def test_cancel_a_job_from_the_page(page, live_server, tmp_path):
    url = live_server(max_steps=1000)
    page.goto(url + "/")
    page.fill("#prompt", "a red circle")
    page.select_option("#planner", "rules")
    page.fill("#steps", "1000")
    page.fill("#n", "1")
    page.click("#generate")
    row = page.locator("#jobs li").first
    page.wait_for_function("document.querySelector('#jobs li') && document.querySelector('#jobs li').dataset.status === 'running'")
    row.locator(".cancel").click()
    page.wait_for_function("document.querySelector('#jobs li').dataset.status === 'cancelled'")
    page.screenshot(path=str(shots(tmp_path) / "4-cancelled.png"))
    assert "cancelled" in row.inner_text()


def test_bad_request_shows_the_message(page, live_server):
    url = live_server()
    page.goto(url + "/")
    page.fill("#prompt", "")
    page.click("#generate")
    page.wait_for_function("document.querySelector('#error').textContent.includes('empty')")
