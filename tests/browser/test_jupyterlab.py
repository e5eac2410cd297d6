"""A learner's session in a real JupyterLab, driven by headless Chromium (Playwright).

Starts JupyterLab on 127.0.0.1 with the learner's configuration (``biaslab/course/lab_config``),
opens module 02 of a fresh workbook, runs all cells, answers an exercise and reads the feedback,
moves a widget's slider and checks that its picture changed, and saves a screenshot
(``build/screenshots/``, or ``$BIASLAB_SCREENSHOT_DIR``).

Needs Debian's Chromium (``apt-get install chromium``); skipped without it, unless
``BIASLAB_REQUIRE_BROWSER=1`` (set by ``.ci/run``), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from biaslab.course import build_workbook, load_curriculum

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
MODULE = load_curriculum().module("02")
LAB_CONFIG = ROOT / "biaslab" / "course" / "lab_config"

if CHROMIUM is None:
    if os.environ.get("BIASLAB_REQUIRE_BROWSER") == "1":
        raise RuntimeError("BIASLAB_REQUIRE_BROWSER=1 but Chromium is not installed (apt-get install chromium).")
    pytest.skip("Chromium is not installed (apt-get install chromium chromium-driver)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a fresh workbook, as `make lab` starts it; always stopped afterwards."""
    workbook = tmp_path_factory.mktemp("workbook")
    build_workbook(workbook, modules=[MODULE.id])
    port, token = free_port(), "biaslab-browser-test"
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(LAB_CONFIG), BIASLAB_WORKBOOK=str(workbook),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("MPLBACKEND", None)  # the tests' Agg backend would hide the pictures; a learner's kernel draws inline
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={workbook}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = (workbook.parent / "jupyterlab.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"JupyterLab did not start; see {log.name}")
            time.sleep(0.5)
        yield url, token, workbook
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def page(lab):
    from playwright.sync_api import sync_playwright

    url, token, _ = lab
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(60_000)
            page.goto(f"{url}/lab/tree/{MODULE.notebook}?token={token}")
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
            yield page
        finally:
            browser.close()


def run_all_cells(page):
    # the kernel must be up first: "Run All" before that asks which kernel to start
    page.locator(".jp-StatusBar-Widget", has_text="Idle").first.wait_for(timeout=120_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    # done when the last code cell has an execution count and no cell is still queued or running
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent);
            return prompts.length > 0 && !prompts.some(t => t.includes('*')) && /\\[\\d+\\]/.test(prompts.at(-1));
        }""", timeout=240_000, polling=500)


def scroll_to(page, locator, tries=60):
    """Scroll the notebook until ``locator`` is on screen (JupyterLab may render only visible cells)."""
    notebook = page.locator(".jp-NotebookPanel-notebook").first
    box = notebook.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.keyboard.press("Escape")
    for _ in range(tries):
        if locator.count() and locator.is_visible():
            locator.scroll_into_view_if_needed()
            return
        page.mouse.wheel(0, 500)
        page.wait_for_timeout(150)
    raise AssertionError(f"{locator} never appeared while scrolling the notebook")


SHOTS = Path(os.environ.get("BIASLAB_SCREENSHOT_DIR", ROOT / "build" / "screenshots"))


def test_a_learner_runs_a_module_answers_and_moves_a_widget(page, lab):
    try:
        learner_session(page, lab)
    except Exception:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"jupyterlab-{MODULE.id}-failed.png"))  # what the browser showed
        raise


def learner_session(page, lab):
    _, _, workbook = lab
    # the learner's JupyterLab shows the course, not the instructor's nbgrader tools or news prompts
    assert page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").count() == 0
    assert page.locator("text=Create Assignment").count() == 0

    run_all_cells(page)
    assert page.locator(".jp-OutputArea-output", has_text="Traceback").count() == 0
    assert page.locator(".jp-OutputArea-output", has_text="Not attempted").count() >= len(MODULE.exercises)

    # answer q2 wrongly, run it and its check: the feedback names the outcome, never the answer
    answer = page.locator(".jp-CodeCell", has_text="eo_age = ...").first
    answer.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("eo_age = 0.5")
    page.keyboard.press("Shift+Enter")  # runs the answer, moves to the check cell
    page.keyboard.press("Shift+Enter")  # runs the check
    check = page.locator(".jp-CodeCell", has_text="q2.check(eo_age)").first
    check.locator(".jp-OutputArea-output", has_text="Not yet").wait_for()
    assert "0.404" not in check.inner_text()

    # the threshold widget: drag its slider; the picture is redrawn
    widget = page.locator(".widget-vbox", has=page.locator(".noUi-handle")).first
    scroll_to(page, widget)
    image = widget.locator("img").first
    before = image.get_attribute("src")
    handle = widget.locator(".noUi-handle").first
    # hover() scrolls the handle into view and waits until it stands still and receives the pointer, so
    # the drag starts on it (a box read while JupyterLab still lays cells out once started the drag on
    # the code cell above and selected its text)
    handle.hover()
    box = handle.bounding_box()
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 120, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()
    # the widget redraws into a new <img>: re-read the locator until its picture differs
    deadline = time.monotonic() + 20
    while image.get_attribute("src") == before and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert image.get_attribute("src") != before, "moving the slider did not change the picture"
    assert "decile score ≥ <b>5</b>" not in widget.inner_html()

    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"jupyterlab-{MODULE.id}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    (SHOTS / f"jupyterlab-{MODULE.id}-failed.png").unlink(missing_ok=True)
    # the checks were recorded in the learner's workbook
    progress = (workbook / ".biaslab" / "progress.json").read_text()
    assert f"{MODULE.id}.q2" in progress and "wrong_value" in progress
