"""Load a page in headless Chromium and report what a reader would get: console errors,
uncaught exceptions, every request the page made, its visible text and a screenshot.

Talks the DevTools protocol over --remote-debugging-pipe (NUL-separated JSON on fds 3 and 4),
so no websocket library or port is needed.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)


def chromium_binary() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@dataclass
class PageResult:
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    text: str = ""
    first_screen: str = ""  # the text a reader sees before scrolling
    width: int = 0
    height: int = 0
    png: bytes = b""
    pixels: list[tuple[int, int, int]] = field(default_factory=list)  # the colour at each probe (x, y)
    min_contrast: float = 0.0  # the lowest WCAG contrast of any text against the background it is drawn on
    values: list[Any] = field(default_factory=list)  # what each of load's `evaluate` expressions returned


# the text of every text node that shows at least partly in the window before scrolling
FIRST_SCREEN = """(() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.height > 0 && box.top < window.innerHeight && box.bottom > 0) out.push(node.textContent);
  }
  return out.join(" ");
})()"""


# WCAG 2 contrast of each text's colour against the first opaque background behind it (the canvas
# when none is: white, or a dark grey when the page lets the browser use its dark scheme)
MIN_CONTRAST = """(() => {
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const meta = document.querySelector('meta[name="color-scheme"]');
  const declared = [meta ? meta.content : "", getComputedStyle(document.documentElement).colorScheme].join(" ");
  const canvas = declared.includes("dark") && matchMedia("(prefers-color-scheme: dark)").matches
    ? [18, 18, 18] : [255, 255, 255];
  const behind = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return canvas;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let lowest = 21;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim() || !node.parentElement) continue;
    const a = lum(rgb(getComputedStyle(node.parentElement).color).slice(0, 3)), b = lum(behind(node.parentElement));
    lowest = Math.min(lowest, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05));
  }
  return lowest;
})()"""


def png_pixel(png: bytes) -> tuple[int, int, int]:
    """The colour of a 1x1 PNG (RGB or RGBA, 8 bits): for one pixel every PNG filter leaves the
    bytes as they are, since the bytes it predicts from are all zero."""
    chunks, pos = b"", 8
    while pos < len(png):
        length = int.from_bytes(png[pos : pos + 4], "big")
        kind = png[pos + 4 : pos + 8]
        if kind == b"IDAT":
            chunks += png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(chunks)
    return raw[1], raw[2], raw[3]


class _Pipe:
    def __init__(self, proc: subprocess.Popen[bytes], to_chrome: int, from_chrome: int) -> None:
        self.proc = proc
        self.to_chrome = to_chrome
        self.from_chrome = from_chrome
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 30
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict[str, Any]:
        for event in self.events:
            if event.get("method") == method:
                return event
        deadline = time.monotonic() + timeout
        while True:
            event = self._read_message(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event


def load(
    path: Path,
    *,
    width: int = 900,
    height: int = 1000,
    binary: str | None = None,
    dark: bool = False,
    probes: tuple[tuple[int, int], ...] = (),
    shot_height: int = 8000,
    evaluate: tuple[str, ...] = (),
) -> PageResult:
    """Open `path` (a local file) in a `width` x `height` window and collect what happened; needs a
    Chromium binary. `dark`: the reader prefers a dark colour scheme (a page that declares it
    supports dark gets a dark canvas and default colours). `probes`: points whose colour to report.
    `shot_height`: the screenshot's height at most, in px. `evaluate`: JavaScript expressions whose
    values (JSON-serializable) to report, in `values`."""
    binary = binary or chromium_binary()
    if binary is None:
        raise FileNotFoundError("chromium not installed")
    child_in, to_chrome = os.pipe()
    from_chrome, child_out = os.pipe()

    def wire_fds() -> None:  # Chromium reads commands on fd 3 and writes replies to fd 4
        os.dup2(child_in, 3)  # dup2 makes them inheritable; every other fd is not (PEP 446)
        os.dup2(child_out, 4)

    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        proc = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,  # would close 3 and 4 after wire_fds ran
            preexec_fn=wire_fds,
        )
        os.close(child_in)
        os.close(child_out)
        pipe = _Pipe(proc, to_chrome, from_chrome)
        try:
            return _inspect(pipe, path, width, height, probes, dark, shot_height, evaluate)
        finally:
            with contextlib.suppress(RuntimeError, TimeoutError, OSError):
                pipe.call("Browser.close")
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            os.close(to_chrome)
            os.close(from_chrome)


def _inspect(
    pipe: _Pipe,
    path: Path,
    width: int,
    height: int,
    probes: tuple[tuple[int, int], ...],
    dark: bool,
    shot_height: int,
    evaluate: tuple[str, ...] = (),
) -> PageResult:
    target = pipe.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = pipe.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        pipe.call(f"{domain}.enable", session=session)
    pipe.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        session=session,
    )
    if dark:
        pipe.call(
            "Emulation.setEmulatedMedia",
            {"features": [{"name": "prefers-color-scheme", "value": "dark"}]},
            session=session,
        )
    pipe.call("Page.navigate", {"url": path.resolve().as_uri()}, session=session)
    pipe.wait_for("Page.loadEventFired")
    result = PageResult()
    text = pipe.call("Runtime.evaluate", {"expression": "document.body.innerText", "returnByValue": True}, session)
    result.text = text["result"]["value"]
    first = pipe.call("Runtime.evaluate", {"expression": FIRST_SCREEN, "returnByValue": True}, session)
    result.first_screen = first["result"]["value"]
    contrast = pipe.call("Runtime.evaluate", {"expression": MIN_CONTRAST, "returnByValue": True}, session)
    result.min_contrast = float(contrast["result"]["value"])
    for expression in evaluate:
        value = pipe.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
        result.values.append(value["result"].get("value"))
    for x, y in probes:
        dot = pipe.call(
            "Page.captureScreenshot",
            {"format": "png", "clip": {"x": x, "y": y, "width": 1, "height": 1, "scale": 1}},
            session=session,
        )
        result.pixels.append(png_pixel(base64.b64decode(dot["data"])))
    metrics = pipe.call("Page.getLayoutMetrics", session=session)["cssContentSize"]
    result.width, result.height = int(metrics["width"]), int(metrics["height"])
    shot = pipe.call(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": result.width, "height": min(result.height, shot_height), "scale": 1},
        },
        session=session,
    )
    result.png = base64.b64decode(shot["data"])
    for event in pipe.events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
            result.console_errors.append(" ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
        elif method == "Runtime.exceptionThrown":
            result.console_errors.append(str(params["exceptionDetails"].get("text")))
        elif method == "Log.entryAdded" and params["entry"].get("level") in ("error", "warning"):
            result.console_errors.append(f"{params['entry'].get('source')}: {params['entry'].get('text')}")
        elif method == "Network.requestWillBeSent":
            result.requests.append(params["request"]["url"])
    return result
