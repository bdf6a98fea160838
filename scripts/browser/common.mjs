// What the tour and the journeys share: the browser, the demo logins, axe-core, and the
// measure of one page (sideways scrolling and serious/critical accessibility violations).

import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const DESKTOP = { width: 1366, height: 900 };
export const PHONE = { width: 375, height: 812 };

/** Debian's Chromium (or $CHROMIUM), headless. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    // The browser in Chinese, as the people using ipfin have it.
    args: ["--no-sandbox", "--lang=zh-CN"],
  });
}

/** `user → password` from the demo's `demo-logins.txt` (tab-separated). */
export function readLogins(file) {
  return Object.fromEntries(
    readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => l.split("\t"))
      .map(([user, password]) => [user, password]),
  );
}

/** A browser context as a person uses it: Chinese, the given window size. The page's CSP is
 * bypassed only so that axe-core can be injected. */
export function newContext(browser, viewport) {
  return browser.newContext({ viewport, locale: "zh-CN", bypassCSP: true });
}

/** Signs `user` in on `page` through the login form; throws when the demo asks for a new
 * password first or the sign-in fails. */
export async function signIn(page, base, user, password) {
  await page.goto(base + "/login");
  await page.fill("#username", user);
  await page.fill("#password", password || "");
  await Promise.all([
    page.waitForNavigation(),
    page.click("form[action='/login'] button[type=submit]"),
  ]);
  const url = new URL(page.url());
  if (url.pathname.startsWith("/password") || url.pathname.startsWith("/login")) {
    throw new Error(`${user} could not sign in (landed on ${url.pathname})`);
  }
}

/** How far the document is wider than the window (0: nothing scrolls sideways), and the widest
 * elements sticking out of it (tag.class), to say what to fix. */
export async function sideways(page) {
  return page.evaluate(() => {
    const over = document.documentElement.scrollWidth - window.innerWidth;
    const culprits = [];
    if (over > 0) {
      for (const e of document.querySelectorAll("body *")) {
        const r = e.getBoundingClientRect();
        if (r.right > window.innerWidth + 1 && !e.closest(".table-wrap, .chart")) {
          const cls = typeof e.className === "string" && e.className ? "." + e.className.split(" ")[0] : "";
          culprits.push(`${e.tagName.toLowerCase()}${cls}`);
          if (culprits.length >= 3) break;
        }
      }
    }
    return { over: Math.max(0, over), culprits };
  });
}

/** axe-core's serious and critical violations (WCAG 2.0/2.1 A and AA) as `rule(count)`. */
export async function axeSerious(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }),
  );
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}(${v.nodes.length})`);
}

/** Table cells squeezed to a character or two per line (narrower than 2.25 em while holding
 * three or more characters): a table that should have become cards or scrolled in its box. */
export async function squashed(page) {
  return page.evaluate(() => {
    let n = 0;
    for (const c of document.querySelectorAll("td, th")) {
      const r = c.getBoundingClientRect();
      const em = parseFloat(getComputedStyle(c).fontSize) || 16;
      if (r.width > 0 && r.width < 2.25 * em && (c.innerText || "").trim().length >= 3) n++;
    }
    return n;
  });
}
