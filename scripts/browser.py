"""A headless Chromium driven through the DevTools protocol over a pipe (`--remote-debugging-pipe`:
JSON messages ending in a NUL byte on file descriptors 3 and 4), with the standard library only.
One browser for many pages: the site's tests load every page in it, and scripts/screenshots.py
takes the README's pictures with it.

    with Browser() as b:
        seen = b.load("file:///tmp/site/index.html", width=360)
        seen.console_errors, seen.requests, seen.failed, seen.scroll_width
        b.screenshot("file:///...", 1280, 900) -> PNG bytes
        b.pdf("file:///...") -> PDF bytes (A4)
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from typing import Any

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find() -> str | None:
    """The browser's path, or None when there is none."""
    for name in NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class Seen:
    """What loading one page showed."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    scroll_width: int = 0
    width: int = 0


class Browser:
    def __init__(self, path: str | None = None, timeout: float = 60) -> None:
        exe = path or find()
        if exe is None:
            raise FileNotFoundError("no Chromium found")
        self.profile = tempfile.mkdtemp(prefix="aes-chromium-")
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()

        def fds() -> None:  # in the child: its fd 3 reads our commands, fd 4 writes answers
            r, w = os.dup(to_chrome_r), os.dup(from_chrome_w)  # out of the way of 3 and 4
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            [
                exe,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                "--font-render-hinting=none",
                "--remote-debugging-pipe",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=fds,
            pass_fds=(3, 4),  # closing the others comes after preexec_fn
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.out = os.fdopen(to_chrome_w, "wb", buffering=0)
        self.inp = os.fdopen(from_chrome_r, "rb", buffering=0)
        self.buf = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        self.timeout = timeout
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)

    # ---- the protocol --------------------------------------------------------------------

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self.buf:
            chunk = self.inp.read(1 << 16)
            if not chunk:
                raise RuntimeError("the browser closed its pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        out: dict[str, Any] = json.loads(msg)
        return out

    def call(
        self, method: str, params: dict[str, Any] | None = None, session: bool = False
    ) -> dict[str, Any]:
        self.next_id += 1
        msg: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        self.out.write(json.dumps(msg).encode() + b"\0")
        while True:
            m = self._read()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                result: dict[str, Any] = m.get("result", {})
                return result
            if "method" in m:
                self.events.append(m)

    def wait_for(self, method: str) -> dict[str, Any]:
        for i, e in enumerate(self.events):
            if e["method"] == method:
                return self.events.pop(i)
        while True:
            m = self._read()
            if m.get("method") == method:
                return m
            if "method" in m:
                self.events.append(m)

    # ---- pages ---------------------------------------------------------------------------

    def _size(self, width: int, height: int) -> None:
        if getattr(self, "_sized", None) == (width, height):
            return
        self._sized = (width, height)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=True,
        )

    def load(self, url: str, width: int = 1280, height: int = 900) -> Seen:
        self._size(width, height)
        self.events.clear()
        self.call("Page.navigate", {"url": url}, session=True)
        self.wait_for("Page.loadEventFired")
        seen = Seen(url, width=width)
        sw = self.evaluate("document.documentElement.scrollWidth")
        seen.scroll_width = int(sw)
        for e in self.events:
            p = e.get("params", {})
            if e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                seen.console_errors.append(json.dumps(p.get("args", []))[:200])
            elif e["method"] == "Runtime.exceptionThrown":
                seen.console_errors.append(str(p.get("exceptionDetails", {}))[:200])
            elif e["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                seen.console_errors.append(p["entry"].get("text", "")[:200])
            elif e["method"] == "Network.requestWillBeSent":
                seen.requests.append(p["request"]["url"])
            elif e["method"] == "Network.loadingFailed":
                seen.failed.append(p.get("errorText", "") + " " + p.get("requestId", ""))
        return seen

    def evaluate(self, expression: str) -> Any:
        r = self.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True
        )
        return r["result"].get("value")

    def screenshot(self, url: str, width: int, height: int, full: bool = False) -> bytes:
        self.load(url, width, height)
        params: dict[str, Any] = {"format": "png"}
        if full:
            h = int(self.evaluate("document.documentElement.scrollHeight"))
            params["clip"] = {"x": 0, "y": 0, "width": width, "height": h, "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.call("Page.captureScreenshot", params, session=True)["data"]
        return base64.b64decode(data)

    def pdf(self, url: str) -> bytes:
        self.load(url, 1280, 900)
        data = self.call(
            "Page.printToPDF",
            {"paperWidth": 8.27, "paperHeight": 11.69, "preferCSSPageSize": True},
            session=True,
        )["data"]
        return base64.b64decode(data)

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, OSError, BrokenPipeError):
            self.call("Browser.close")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for f in (self.out, self.inp):
            with contextlib.suppress(OSError):
                f.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
