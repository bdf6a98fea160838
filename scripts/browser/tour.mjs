// A headless-Chromium tour of a running ipfin (issues #21, #22, #23): the public platform
// signed out at 1366 px and at phone width (390 px), and a station specialist's day at 390 px.
// For every page it prints the weight (HTML + CSS + JS bytes as transferred), whether the page
// scrolls sideways, and axe-core's serious and critical accessibility violations; it saves a
// screenshot of each. Exit status 1 when a page is over 100 KB, scrolls sideways at phone
// width, or has a serious or critical violation.
//
//   node tour.mjs BASE_URL LOGINS_FILE OUT_DIR
//
// `tour.sh` starts a demo server and runs this; see scripts/browser/README.md.

import { chromium } from "playwright-core";
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";

const [base, loginsFile, out] = process.argv.slice(2);
if (!base || !loginsFile || !out) {
  console.error("usage: node tour.mjs BASE_URL LOGINS_FILE OUT_DIR");
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const logins = Object.fromEntries(
  readFileSync(loginsFile, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => l.split("\t"))
    .map(([user, password]) => [user, password]),
);
const LIMIT = 100 * 1024;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 900 };
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
const rows = [];
let failed = false;

/** Opens `path` in `page`, measures it and saves `OUT/name.png`. */
async function visit(page, name, path, { axe = true } = {}) {
  let bytes = 0;
  const counted = [];
  const onResponse = async (r) => {
    const type = r.request().resourceType();
    if (!["document", "stylesheet", "script"].includes(type)) return;
    counted.push(
      r
        .body()
        .then((b) => (bytes += b.length))
        .catch(() => {}),
    );
  };
  page.on("response", onResponse);
  const resp = await page.goto(base + path, { waitUntil: "load" });
  await Promise.all(counted);
  page.off("response", onResponse);
  const status = resp ? resp.status() : 0;
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  let serious = [];
  if (axe) {
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(async () =>
      // eslint-disable-next-line no-undef
      axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }),
    );
    serious = result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}(${v.nodes.length})`);
  }
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
  const sideways = scrollWidth > innerWidth;
  const ok = status === 200 && bytes <= LIMIT && !sideways && serious.length === 0;
  if (!ok) failed = true;
  rows.push({
    page: name,
    path,
    status,
    kb: (bytes / 1024).toFixed(1),
    width: `${scrollWidth}/${innerWidth}`,
    axe: serious.join(" ") || "0",
    ok: ok ? "ok" : "FAIL",
  });
  return page;
}

/** The first link on the current page whose href matches `re`. */
async function firstLink(page, re) {
  const hrefs = await page.$$eval("a[href]", (as) => as.map((a) => a.getAttribute("href")));
  return hrefs.find((h) => re.test(h));
}

const publicPages = [
  ["front", "/"],
  ["zones", "/zones"],
  ["zone-nanshan", "/zones/440305"],
  ["calculator", "/tools/subsidy-calculator"],
  ["products", "/products"],
  ["needs", "/financing-needs"],
  ["valuation", "/valuation"],
  ["disposal", "/disposal"],
  ["book", "/book"],
  ["search", "/search?q=%E4%B8%93%E5%88%A9"],
];

for (const [label, viewport] of [
  ["desktop", DESKTOP],
  ["phone", PHONE],
]) {
  const ctx = await browser.newContext({ viewport, locale: "zh-CN", bypassCSP: true });
  const page = await ctx.newPage();
  for (const [name, path] of publicPages) {
    await visit(page, `${label}-${name}`, path);
    if (name === "zone-nanshan") {
      const card = await firstLink(page, /^\/policies\/\d+#card$/);
      if (card) await visit(page, `${label}-clear-card`, card);
      await page.goto(base + path);
    }
    if (name === "disposal") {
      const listing = await firstLink(page, /^\/disposal\/\d+$/);
      if (listing) await visit(page, `${label}-disposal-listing`, listing);
    }
  }
  await ctx.close();
}

// A station specialist's day on a phone: sign in, the week, the cases, one case.
{
  const ctx = await browser.newContext({ viewport: PHONE, locale: "zh-CN", bypassCSP: true });
  const page = await ctx.newPage();
  const user = "agency.specialist";
  await page.goto(base + "/login");
  await page.fill("#username", user);
  await page.fill("#password", logins[user] || "");
  await Promise.all([page.waitForNavigation(), page.click("form[action='/login'] button[type=submit]")]);
  if (page.url().includes("/password")) {
    console.error("the demo login asks for a new password first; the tour cannot go on");
    failed = true;
  } else {
    await visit(page, "phone-specialist-home", "/home");
    await visit(page, "phone-specialist-cases", "/cases");
    const c = await firstLink(page, /^\/cases\/\d+$/);
    if (c) await visit(page, "phone-specialist-case", c);
    // The week with the most recent visits of that case (else this week).
    const week = await page.evaluate(() => {
      const t = [...document.querySelectorAll("time[datetime]")].map((e) => e.getAttribute("datetime"));
      return t.find((d) => /^\d{4}-\d{2}-\d{2}$/.test(d));
    });
    await visit(page, "phone-specialist-week", week ? `/cases/week?date=${week}` : "/cases/week");
  }
  await ctx.close();
}
await browser.close();

console.table(rows);
console.log(failed ? "FAILED: see the rows marked FAIL" : "all pages within the limits");
process.exit(failed ? 1 : 0);
