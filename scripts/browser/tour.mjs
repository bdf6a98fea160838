// A headless-Chromium tour of a running ipfin (issues #21, #22, #23): the public platform
// signed out at 1366 px and at phone width (375 px), and a station specialist's day at 375 px.
// For every page it prints the weight (HTML + CSS + JS bytes as transferred), whether the page
// scrolls sideways, and axe-core's serious and critical accessibility violations; it saves a
// screenshot of each. Exit status 1 when a page is over 100 KB, scrolls sideways at phone
// width, or has a serious or critical violation.
//
//   node tour.mjs BASE_URL LOGINS_FILE OUT_DIR
//
// `tour.sh` starts a demo server and runs this; see scripts/browser/README.md.

import { mkdirSync } from "node:fs";
import { DESKTOP, PHONE, axeSerious, launch, newContext, readLogins, sideways, signIn, squashed } from "./common.mjs";

const [base, loginsFile, out] = process.argv.slice(2);
if (!base || !loginsFile || !out) {
  console.error("usage: node tour.mjs BASE_URL LOGINS_FILE OUT_DIR");
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const logins = readLogins(loginsFile);
const LIMIT = 100 * 1024;
const browser = await launch();
const rows = [];
let failed = false;

/** Opens `path` in `page`, measures it and saves `OUT/name.png`. */
async function visit(page, name, path, { axe = true, shot = true } = {}) {
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
  const wide = await sideways(page);
  const squeezed = await squashed(page);
  const serious = axe ? await axeSerious(page) : [];
  if (shot) await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
  const ok = status === 200 && bytes <= LIMIT && wide.over === 0 && squeezed === 0 && serious.length === 0;
  if (!ok) failed = true;
  rows.push({
    page: name,
    path,
    status,
    kb: (bytes / 1024).toFixed(1),
    sideways: wide.over ? `${wide.over} px ${wide.culprits.join(" ")}` : 0,
    squashed: squeezed,
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
  const ctx = await newContext(browser, viewport);
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
  const ctx = await newContext(browser, PHONE);
  const page = await ctx.newPage();
  const user = "agency.specialist";
  try {
    await signIn(page, base, user, logins[user]);
  } catch (e) {
    console.error(`${e.message}; the tour cannot go on`);
    failed = true;
  }
  if (!failed) {
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

// Every page each signed-in role reaches from its navigation, and the first record of each list,
// on a phone (375 px): nothing scrolls sideways, no table is squeezed, axe-core is clean.
const SKIP = /\.(docx|xlsx|csv|svg|json)\b|\/export|\/files\/|\/evidence\/|\/lang\/|\/logout|^\/api\/|template/;
for (const user of ["ent.user", "bank.manager", "ns.officer", "ns.finance", "city.admin"]) {
  const ctx = await newContext(browser, PHONE);
  const page = await ctx.newPage();
  try {
    await signIn(page, base, user, logins[user]);
  } catch (e) {
    console.error(e.message);
    failed = true;
    await ctx.close();
    continue;
  }
  await visit(page, `sweep-${user}-home`, "/home", { shot: false });
  const nav = await page.$$eval("header nav a[href]", (as) => as.map((a) => a.getAttribute("href")));
  const seen = new Set(["/home"]);
  for (const href of nav) {
    const path = href.split("#")[0];
    if (!path.startsWith("/") || SKIP.test(path) || seen.has(path)) continue;
    seen.add(path);
    await visit(page, `sweep-${user}${path.replace(/\//g, "-")}`, path, { shot: false });
    // The first record the list links to (`/loans` → `/loans/3`).
    const detail = await firstLink(page, new RegExp(`^${path.replace(/[?]/g, "\\?")}/\\d+$`));
    if (detail && !seen.has(detail)) {
      seen.add(detail);
      await visit(page, `sweep-${user}${detail.replace(/\//g, "-")}`, detail, { shot: false });
    }
  }
  await ctx.close();
}
await browser.close();

console.table(rows);
console.log(failed ? "FAILED: see the rows marked FAIL" : "all pages within the limits");
process.exit(failed ? 1 : 0);
