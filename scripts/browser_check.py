#!/usr/bin/env python3
"""Open a trailblame HTML report in headless Chromium and check it as a reader's browser sees it.

Usage:
    browser_check.py REPORT.html [--expect-section ID ...] [--expect-text TEXT ...]
                     [--screenshot OUT.png] [--window 1280x900] [--viewport-only] [--dark]
                     [--max-height PX] [--no-horizontal-scroll]

Fails (exit 1, one line per problem) when:
  - the browser console has a message of level SEVERE or WARNING (a Content-Security-Policy
    violation, a blocked resource, a parse error);
  - the page has a <script> element, an on* event-handler attribute, or an element that loads
    something (img, iframe, object, embed, link, audio, video, source, base, form);
  - the page fetched any resource, or has a link that leaves the page or points to an
    id that does not exist;
  - the Content-Security-Policy meta tag is missing;
  - an --expect-section id is missing, or an --expect-text is not in document.body.innerText;
  - with --max-height, the page is taller; with --no-horizontal-scroll, the page or a table
    shown (not inside a closed <details>) scrolls sideways.
Prints every check it made. Exit 2 when the browser cannot be started.

Runs offline: Chromium and chromedriver come from Debian's packages (/usr/bin/chromium,
/usr/bin/chromedriver); Selenium Manager is never asked to download a driver.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import tempfile

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
LOADING_TAGS = "img, iframe, frame, object, embed, link, audio, video, source, base, form, meta[http-equiv=refresh]"

# Everything the page is asked about, in one round trip.
INSPECT_JS = """
const out = {};
out.scripts = document.querySelectorAll('script').length;
out.handlers = [];
for (const el of document.querySelectorAll('*')) {
  for (const a of el.attributes) {
    if (a.name.toLowerCase().startsWith('on')) out.handlers.push(el.tagName.toLowerCase() + ' ' + a.name);
  }
}
out.loading = Array.from(document.querySelectorAll(arguments[0])).map(e => e.outerHTML.slice(0, 120));
out.resources = performance.getEntriesByType('resource').map(r => r.name);
out.links = Array.from(document.querySelectorAll('[href], [src], [xlink\\\\:href]')).map(e =>
  e.getAttribute('href') ?? e.getAttribute('src') ?? e.getAttribute('xlink:href'));
out.ids = Array.from(document.querySelectorAll('[id]')).map(e => e.id);
out.csp = Array.from(document.querySelectorAll('meta[http-equiv]'))
  .filter(m => m.httpEquiv.toLowerCase() === 'content-security-policy').map(m => m.content);
out.text = document.body ? document.body.innerText : '';
out.title = document.title;
out.sections = document.querySelectorAll('section').length;
out.svgs = document.querySelectorAll('svg').length;
out.height = document.documentElement.scrollHeight;
out.pageOverflow = document.documentElement.scrollWidth - document.documentElement.clientWidth;
// Table boxes that scroll sideways, among those shown (not in a closed <details>).
out.wideTables = Array.from(document.querySelectorAll('.table-wrap'))
  .filter(w => w.offsetParent !== null && w.scrollWidth > w.clientWidth + 1)
  .map(w => {
    const sec = w.closest('section');
    const cap = w.querySelector('caption');
    return (sec ? '#' + sec.id : '?') + ' ' + (cap ? JSON.stringify(cap.innerText.slice(0, 60)) : '') +
      ' ' + w.scrollWidth + 'px in ' + w.clientWidth + 'px';
  });
return out;
"""


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("report", type=pathlib.Path, help="the HTML file to check")
    p.add_argument("--expect-section", action="append", default=[], metavar="ID",
                   help="an element id that must exist (repeatable)")
    p.add_argument("--expect-text", action="append", default=[], metavar="TEXT",
                   help="text that must appear in document.body.innerText (repeatable)")
    p.add_argument("--screenshot", type=pathlib.Path, metavar="OUT.png",
                   help="save a screenshot (the full page unless --viewport-only)")
    p.add_argument("--window", default="1280x900", metavar="WxH", help="window size (default 1280x900)")
    p.add_argument("--viewport-only", action="store_true", help="screenshot only the window")
    p.add_argument("--dark", action="store_true", help="emulate prefers-color-scheme: dark")
    p.add_argument("--max-height", type=int, metavar="PX",
                   help="fail when the page is taller than this (at the window's width)")
    p.add_argument("--no-horizontal-scroll", action="store_true",
                   help="fail when the page or a shown table scrolls sideways at the window's width")
    return p.parse_args(argv)


def start_browser(window: str, profile: str) -> webdriver.Chrome:
    width, _, height = window.partition("x")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={profile}",
        f"--window-size={int(width)},{int(height)}",
    ):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)


def full_page_screenshot(driver: webdriver.Chrome, out: pathlib.Path) -> None:
    import base64

    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png",
        "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
    })
    out.write_bytes(base64.b64decode(shot["data"]))


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    path = args.report.resolve()
    if not path.is_file():
        print(f"browser_check: {args.report}: no such file", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="tb-chromium-") as profile:
        try:
            driver = start_browser(args.window, profile)
        except (WebDriverException, OSError) as e:
            print(f"browser_check: cannot start {CHROMIUM} via {CHROMEDRIVER}: {e}", file=sys.stderr)
            return 2
        try:
            if args.dark:
                driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
                    "features": [{"name": "prefers-color-scheme", "value": "dark"}]})
            driver.get(path.as_uri())
            page = driver.execute_script(INSPECT_JS, LOADING_TAGS)
            console = driver.get_log("browser")
            if args.screenshot:
                args.screenshot.parent.mkdir(parents=True, exist_ok=True)
                if args.viewport_only:
                    driver.save_screenshot(str(args.screenshot))
                else:
                    full_page_screenshot(driver, args.screenshot)
        finally:
            driver.quit()

    checks: list[tuple[str, list[str]]] = []
    bad_console = [m for m in console if m.get("level") in ("SEVERE", "WARNING")]
    checks.append((f"no console warnings or errors ({len(console)} message(s) in all)",
                   [f"console {m.get('level')}: {m.get('message')}" for m in bad_console]))
    checks.append(("no <script> elements",
                   [f"{page['scripts']} <script> element(s) in the DOM"] if page["scripts"] else []))
    checks.append(("no on* event-handler attributes",
                   [f"event-handler attribute: {h}" for h in page["handlers"]]))
    checks.append(("no element that loads a resource (img, iframe, object, link, form...)",
                   [f"element that loads a resource: {el}" for el in page["loading"]]))
    checks.append(("nothing fetched", [f"fetched a resource: {r}" for r in page["resources"]]))

    ids = set(page["ids"])
    hrefs = [h for h in page["links"] if h is not None]
    link_problems = []
    for href in hrefs:
        if not href.startswith("#"):
            link_problems.append(f"link leaves the page: {href!r}")
        elif href[1:] not in ids:
            link_problems.append(f"link to a missing id: {href!r}")
    checks.append((f"all {len(hrefs)} link(s) point to ids in the page", link_problems))
    checks.append(("Content-Security-Policy meta present",
                   [] if CSP in page["csp"] else
                   [f"Content-Security-Policy meta missing or different: {page['csp']!r}"]))
    for sid in args.expect_section:
        checks.append((f"section #{sid} present", [] if sid in ids else [f"missing section id: #{sid}"]))
    for text in args.expect_text:
        checks.append((f"text shown: {text!r}",
                       [] if text in page["text"] else [f"expected text not shown: {text!r}"]))

    if args.max_height is not None:
        checks.append((f"page height {page['height']} px at most {args.max_height} px",
                       [] if page["height"] <= args.max_height else
                       [f"the page is {page['height']} px tall"]))
    if args.no_horizontal_scroll:
        problems = [f"table scrolls sideways: {t}" for t in page["wideTables"]]
        if page["pageOverflow"] > 0:
            problems.append(f"the page scrolls sideways by {page['pageOverflow']} px")
        checks.append(("nothing scrolls sideways", problems))

    print(f"browser_check: {path.name}: title {page['title']!r}, "
          f"{page['sections']} section(s), {page['svgs']} svg chart(s)")
    failed = 0
    for name, problems in checks:
        if problems:
            failed += 1
            print(f"  FAIL  {name}")
            for p in problems:
                print(f"          {p}")
        else:
            print(f"  ok    {name}")
    if args.screenshot:
        print(f"  screenshot: {args.screenshot}")
    if failed:
        print(f"browser_check: {failed} of {len(checks)} check(s) failed for {path}")
        return 1
    print(f"browser_check: all {len(checks)} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
