"""Checks the simulator's chat page in headless Chromium, the way a newcomer uses it.

Drives Chromium through chromedriver's WebDriver HTTP interface (plain JSON over HTTP, so the standard
library suffices): loads the page, waits for a card with an Acknowledge button, picks a member in the
"Acting as" list, clicks Acknowledge, and waits until the card shows who acknowledged it and its buttons
are gone. Saves a screenshot before and after.

usage: python3 chat_page_check.py PAGE_URL MEMBER_TEXT EXPECTED_TEXT SCREENSHOT_PREFIX
exit 0 when the card changed as expected, 1 otherwise (with the reason on stderr).
"""

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """One headless Chromium session behind chromedriver."""

    def __init__(self):
        self.port = free_port()
        self.driver = subprocess.Popen(
            [shutil.which("chromedriver") or "/usr/bin/chromedriver", f"--port={self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while True:
            try:
                self.call("GET", "/status")
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        options = {"args": ["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1000,1000"]}
        chromium = shutil.which("chromium")
        if chromium:
            options["binary"] = chromium
        answer = self.call("POST", "/session", {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "goog:chromeOptions": options}}})
        self.session = answer["sessionId"]

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.load(response)
        return answer.get("value", answer) if path != "/session" else answer["value"]

    def session_call(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def elements(self, css):
        found = self.session_call("POST", "/elements", {"using": "css selector", "value": css})
        return [item[ELEMENT] for item in found]

    def text(self, element):
        return self.session_call("GET", f"/element/{element}/text")

    def click(self, element):
        self.session_call("POST", f"/element/{element}/click", {})

    def screenshot(self, path):
        with open(path, "wb") as file:
            file.write(base64.b64decode(self.session_call("GET", "/screenshot")))

    def close(self):
        try:
            self.call("DELETE", f"/session/{self.session}")
        finally:
            self.driver.terminate()
            self.driver.wait(timeout=10)


def wait_for(what, condition, seconds=30):
    """Retries `condition` until it returns something true. The page redraws itself every second, so an
    element found a moment ago may be gone (WebDriver answers 404, "stale element"): that is retried too."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            result = condition()
            if result:
                return result
        except urllib.error.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"not within {seconds}s: {what}")


def click_matching(browser, css, text):
    """Clicks the last element matching `css` whose text contains `text`; True once clicked."""
    matches = [element for element in browser.elements(css) if text in browser.text(element)]
    if not matches:
        return False
    browser.click(matches[-1])
    return True


def main():
    page, member, expected, prefix = sys.argv[1:5]
    browser = Browser()
    try:
        browser.session_call("POST", "/url", {"url": page})
        def acknowledge_buttons():
            return [button for button in browser.elements(".kb-row button") if "Acknowledge" in browser.text(button)]

        before = len(wait_for("a card with an Acknowledge button", acknowledge_buttons))
        browser.screenshot(prefix + "-before.png")
        wait_for(f"member '{member}' in the Acting as list", lambda: click_matching(browser, "#member option", member))
        wait_for("a click on Acknowledge", lambda: click_matching(browser, ".kb-row button", "Acknowledge"))
        wait_for(f"the card to say '{expected}'", lambda: expected in browser.text(browser.elements("#messages")[0]))
        browser.screenshot(prefix + "-after.png")
        wait_for("the Acknowledge button to go", lambda: len(acknowledge_buttons()) < before)
        print(f"chat page: clicked Acknowledge as {member}; the card now says '{expected}'; "
              f"screenshots {os.path.basename(prefix)}-before.png and -after.png")
    except Exception as error:  # one line for the caller, whatever went wrong
        print(f"chat page check failed: {error}", file=sys.stderr)
        return 1
    finally:
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
