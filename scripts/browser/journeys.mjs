// Browser journeys (issue #23): for each role the journey that matters most, done in headless
// Chromium the way a person does it (signing in, filling the forms, pressing the buttons), once
// at 1366×900 and again at 375×812. After every step it checks what the person SEES (the page's
// heading and the texts that say the step worked), that the page does not scroll sideways, and
// that axe-core finds no serious or critical violation (WCAG 2.0/2.1 A and AA).
//
// The journeys tell one story on a fresh demo, so each needs the one before:
//   public      reads a policy's clear card, uses the subsidy calculator and sees the result;
//   enterprise  signs in and finds its credit code;
//   bank        reports the enterprise's pledge loan with the form (and by file upload);
//   enterprise  starts an application on that loan, uploads the materials, submits it;
//   officer     accepts it, decides the differences, passes the first review stage; a second
//               and a third officer pass theirs (maker–checker); the list shows it approved;
//               publishes the notice, which a second officer confirms (four eyes);
//   public      lodges an objection on the notice; the officer decides it;
//   city        reads the conformance matrix, previews and issues the quarter's bulletin.
//
//   node journeys.mjs BASE_URL LOGINS_FILE OUT_DIR
//
// Prints a table of every step (viewport, role, step, page, status, sideways px, axe, result)
// and exits 1 when any step failed. With SHOTS=DIR it also saves the desktop screenshots the
// user guide uses into DIR/<role>/<name>.png (the window, not the whole page; see
// scripts/browser/screenshots.sh).

import { mkdirSync } from "node:fs";
import {
  DESKTOP,
  PHONE,
  axeSerious,
  launch,
  newContext,
  readLogins,
  sideways,
  signIn,
} from "./common.mjs";

const [base, loginsFile, out] = process.argv.slice(2);
if (!base || !loginsFile || !out) {
  console.error("usage: node journeys.mjs BASE_URL LOGINS_FILE OUT_DIR");
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const SHOTS = process.env.SHOTS || "";
const logins = readLogins(loginsFile);
const browser = await launch();
const rows = [];
const notes = [];
let failed = 0;

/** Today in Beijing as YYYY-MM-DD (business dates are Asia/Shanghai). */
function today() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
}
function addDays(iso, days) {
  const d = new Date(iso + "T00:00:00Z");
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A small PDF file to upload as a material. */
function pdf(name) {
  return {
    name,
    mimeType: "application/pdf",
    buffer: Buffer.from(`%PDF-1.4\n% ${name}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`),
  };
}

/** One person in one browser window (their own cookies), signed in or not. */
class Person {
  constructor(view, role, user) {
    this.view = view;
    this.role = role;
    this.user = user;
    this.status = 0;
  }

  async open() {
    this.ctx = await newContext(browser, this.view.viewport);
    this.page = await this.ctx.newPage();
    this.page.on("response", (r) => {
      if (r.request().isNavigationRequest() && r.frame() === this.page.mainFrame()) {
        this.status = r.status();
      }
    });
    if (this.user) await signIn(this.page, base, this.user, logins[this.user]);
    return this;
  }

  async close() {
    await this.ctx?.close();
  }

  /** Opens `path` as if typed or followed from a link. */
  async go(path) {
    await this.page.goto(base + path, { waitUntil: "load" });
  }

  /** Clicks `locator` (a link or a submit button) and waits for the page it leads to. */
  async press(locator) {
    await Promise.all([this.page.waitForNavigation({ waitUntil: "load" }), locator.click()]);
  }

  /** With SHOTS set, the desktop window saved as SHOTS/<role>/<name>.png, scrolled so that
   * `at` (the part of the page the guide talks about) is at its top. */
  async shot(name, at) {
    if (!SHOTS || this.view.label !== "desktop") return;
    const dir = `${SHOTS}/${this.role}`;
    mkdirSync(dir, { recursive: true });
    if (at) await this.page.locator(at).first().evaluate((e) => e.scrollIntoView());
    await this.page.screenshot({ path: `${dir}/${name}.png` });
  }

  /** The step's check: the status, the `h1`, each text visible, no sideways scrolling, axe.
   * Records a row; throws (ending the journey) when the person would not see what the step
   * should have shown. */
  async see(step, { h1, text = [], status = 200, shot, shotAt } = {}) {
    const page = this.page;
    const problems = [];
    if (this.status !== status) problems.push(`status ${this.status} (expected ${status})`);
    if (h1) {
      const heading = page.locator("h1").first();
      const shown = (await heading.count()) ? (await heading.innerText()).trim() : "";
      const ok = h1 instanceof RegExp ? h1.test(shown) : shown.includes(h1);
      if (!ok || !(await heading.isVisible())) problems.push(`h1 "${shown}" (expected ${h1})`);
    }
    for (const t of text) {
      // What the page says, not the menu (whose groups are closed until opened): one visible
      // match is enough (the same words may also sit in a closed 测算过程).
      const all = page.locator("main").getByText(t);
      let seen = false;
      for (let i = 0; i < Math.min(await all.count(), 20) && !seen; i++) seen = await all.nth(i).isVisible();
      if (!seen) problems.push(`not visible: ${t}`);
    }
    const blocking = problems.length > 0;
    const wide = await sideways(page);
    if (wide.over > 0) problems.push(`scrolls sideways by ${wide.over} px (${wide.culprits.join(", ")})`);
    const axe = await axeSerious(page);
    if (axe.length) problems.push(`axe: ${axe.join(" ")}`);
    const path = new URL(page.url()).pathname + new URL(page.url()).search;
    rows.push({
      view: this.view.label,
      role: this.role,
      step,
      path: path.length > 42 ? path.slice(0, 41) + "…" : path,
      status: this.status,
      sideways: wide.over,
      axe: axe.length ? axe.join(" ") : "0",
      result: problems.length ? "FAIL" : "ok",
    });
    if (problems.length) {
      failed++;
      notes.push(`${this.view.label} · ${this.role} · ${step}: ${problems.join("; ")}`);
      await page.screenshot({ path: `${out}/FAIL-${this.view.label}-${this.role}-${rows.length}.png`, fullPage: true });
    }
    if (shot) await this.shot(shot, shotAt);
    if (blocking) throw new Error(`${step}: ${problems.join("; ")}`);
  }
}

/** Runs one journey; a failure is recorded and the journeys that need its result skip. */
async function journey(view, role, name, fn) {
  const people = [];
  const as = async (user, who = role) => {
    const p = await new Person(view, who, user).open();
    people.push(p);
    return p;
  };
  try {
    return await fn(as);
  } catch (e) {
    failed++;
    const msg = String(e.message || e).split("\n")[0];
    rows.push({ view: view.label, role, step: `${name}: stopped`, path: "", status: "", sideways: "", axe: "", result: "FAIL" });
    notes.push(`${view.label} · ${role} · ${name} stopped: ${msg}`);
    return undefined;
  } finally {
    for (const p of people) await p.close();
  }
}

function skipped(view, role, name, why) {
  failed++;
  rows.push({ view: view.label, role, step: `${name}: skipped`, path: "", status: "", sideways: "", axe: "", result: "FAIL" });
  notes.push(`${view.label} · ${role} · ${name} skipped: ${why}`);
}

// ---------------------------------------------------------------------------------------------
// The journeys.

/** Public: a policy's clear card, then the calculator with a loan, and its result. */
async function publicReads(view) {
  return journey(view, "public", "policy and calculator", async (as) => {
    const p = await as(null);
    await p.go("/");
    await p.see("front page", { h1: "知识产权质押融资", shot: "front" });
    await p.press(p.page.locator("header nav").getByRole("link", { name: "扶持政策" }));
    await p.see("policy list", { h1: "扶持政策" });
    await p.press(p.page.getByRole("link", { name: /南山区知识产权质押融资扶持措施/ }).first());
    await p.see("a policy's clear card", {
      h1: "南山区知识产权质押融资扶持措施",
      text: ["政策明白卡", "谁可以申请", "资助什么、资助多少"],
      shot: "clear-card",
    });

    await p.go("/tools/subsidy-calculator");
    await p.see("calculator form", { h1: "资助测算" });
    const page = p.page;
    const policy = await page.$eval("#policy", (s) =>
      [...s.options].find((o) => o.textContent.includes("南山区"))?.value,
    );
    await page.selectOption("#policy", policy);
    await page.selectOption("#class", "small");
    await page.getByLabel("贷款本金（元）").fill("3,000,000.00");
    await page.getByLabel("放款日").fill(`${YEAR}-02-10`);
    await page.getByLabel("到期日").fill(`${YEAR + 1}-02-09`);
    await page.getByLabel("贷款年利率（%）").fill("3.45");
    await page.getByLabel("已付利息（元）").fill("80,000.00");
    await p.press(page.getByRole("button", { name: "测算" }));
    await p.see("calculator result", { h1: "资助测算", text: ["测算结果", "测算资助合计"], shot: "calculator" });
    // The result is where the person is looking, not below a long form.
    const inView = await page.locator("#result-h").evaluate((h) => {
      const r = h.getBoundingClientRect();
      return r.top > -2 && r.top < window.innerHeight;
    });
    if (!inView) {
      failed++;
      notes.push(`${view.label} · public · calculator: the result heading is outside the window after submitting`);
      rows[rows.length - 1].result = "FAIL";
    }
  });
}

/** A new enterprise user: signs up and claims an enterprise of the registry at /register; the
 * district's officer approves the claim on /claims after the verification call; the new user
 * signs in with the password they chose and lands on their home page. */
async function signUpAndClaim(view) {
  return journey(view, "enterprise", "sign up and claim", async (as) => {
    const o = await as("ns.officer", "district");
    await o.go("/enterprises");
    await o.see("the registry", { h1: "企业库" });
    const codes = [...new Set((await o.page.locator("main").innerText()).match(/\b91[0-9A-Z]{16}\b/g) || [])];
    if (codes.length < 3) throw new Error(`too few enterprises in the registry: ${codes.length}`);
    const code = codes[view.label === "desktop" ? 1 : 2];
    const username = `jrn.${view.label}`;
    const password = "journey-Passphrase-2026";

    const p = await as(null);
    await p.go("/register");
    await p.see("sign-up form", { h1: "企业用户注册与认领" });
    const page = p.page;
    await page.locator("#credit_code").fill(code);
    await page.locator("#display_name").fill("王五");
    await page.locator("#phone").fill("13800000123");
    await page.locator("#username").fill(username);
    await page.locator("#password").fill(password);
    await page.locator("#password_again").fill(password);
    await p.press(page.getByRole("button", { name: "提交认领申请" }));
    await p.see("claim submitted", { status: 201, text: ["认领申请已提交"] });

    await o.go("/claims");
    await o.see("claims awaiting the district", { h1: "企业认领审核", text: [username] });
    const row = o.page.locator("tr", { hasText: username });
    await row.getByLabel("通过", { exact: true }).check();
    await o.press(row.getByRole("button", { name: "保存" }));
    await o.see("claim approved", { h1: "企业认领审核", text: ["已通过"] });

    const n = await as(null);
    await signIn(n.page, base, username, password);
    await n.see("the new user's home", { h1: "工作台", text: ["待办事项"] });
    return true;
  });
}

/** Enterprise: signs in, sees its home page and its own record with the credit code. */
async function enterpriseProfile(view) {
  return journey(view, "enterprise", "sign in", async (as) => {
    const e = await as("ent.user");
    await e.see("home after signing in", { h1: "工作台", text: ["待办事项"], shot: "home" });
    await e.go("/enterprises");
    await e.see("my enterprise", { h1: "深圳市南山示例科技有限公司", text: ["统一社会信用代码"], shot: "enterprise" });
    const code = await e.page
      .locator("dt", { hasText: "统一社会信用代码" })
      .locator("xpath=following-sibling::dd[1]")
      .innerText();
    return code.trim();
  });
}

/** Bank: reports the enterprise's pledge loan with the form; sees it on the loan page and list. */
async function bankReports(view, creditCode, contract, pledge) {
  return journey(view, "bank", "report a loan", async (as) => {
    const b = await as("bank.manager");
    await b.see("home", { h1: "工作台", shot: "home" });
    await b.go("/loans/new");
    await b.see("loan form", { h1: "报送贷款" });
    const page = b.page;
    await page.getByLabel("借款企业统一社会信用代码").fill(creditCode);
    await page.getByLabel("合同编号").fill(contract);
    await page.getByLabel("贷款金额（元）").fill("3,000,000.00");
    await page.getByLabel("年利率（%）").fill("3.45");
    await page.getByLabel("起始日").fill(LOAN_START);
    await page.getByLabel("到期日").fill(LOAN_END);
    await page.getByLabel("质押登记号").fill(pledge);
    await page.getByLabel("质押登记日").fill(addDays(LOAN_START, -9));
    await page.getByLabel("质押的知识产权").fill("专利 202310456789.0 一种基于多模态数据的工业视觉检测方法");
    await b.shot("loan-form");
    await b.press(page.getByRole("button", { name: "报送", exact: true }));
    await b.see("the reported loan", { h1: contract, text: ["3,000,000.00", "深圳市南山示例科技有限公司"], shot: "loan" });
    await b.go("/loans");
    await b.see("loan list", { h1: "贷款", text: [contract] });

    // And by file: a second loan in the loan template's columns, saved from Excel as
    // 「CSV UTF-8」, uploaded on 批量导入; the import's page shows it done, the list shows it.
    await b.go("/imports");
    await b.see("bulk import", { h1: "批量导入", text: ["质押贷款"] });
    const fileContract = `${contract}-FILE`;
    const csv = [
      "合同编号,借款人统一社会信用代码,贷款金额（元）,年利率（%）,起始日,到期日,质押登记号,质押登记日,质押知识产权",
      `${fileContract},${creditCode},"1,000,000.00",3.30,${LOAN_START},${LOAN_END},${pledge.replace(/^Y(\d{4})97/, "Y$196")},${addDays(LOAN_START, -9)},软件著作权:2024SR0123456`,
    ].join("\r\n");
    await page.selectOption("#kind", "loans");
    await page.locator("#file").setInputFiles({
      name: "质押贷款.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("\ufeff" + csv, "utf8"),
    });
    await b.press(page.getByRole("button", { name: "上传并导入" }));
    for (let i = 0; i < 30 && !(await page.locator(".badge.on, .badge", { hasText: /已完成|已拒绝/ }).count()); i++) {
      await page.waitForTimeout(500);
      await page.reload();
    }
    await b.see("import done", { h1: /导入/, text: ["已完成"], shot: "import" });
    await b.go("/loans");
    await b.see("loan list with the imported loan", { h1: "贷款", text: [fileContract] });
    return true;
  });
}

/** Enterprise: starts an application on the reported loan, uploads every required material,
 * submits it and sees it submitted with its number. Returns the application's path. */
async function enterpriseApplies(view, contract) {
  return journey(view, "enterprise", "apply", async (as) => {
    const e = await as("ent.user");
    await e.go("/applications");
    await e.see("my applications", { h1: "资助申请" });
    await e.press(e.page.getByRole("link", { name: "新建申请" }));
    await e.see("new application", { h1: "新建资助申请", text: [contract] });
    const page = e.page;
    const policy = await page.$eval("#policy_version_id", (s) =>
      [...s.options].find((o) => o.textContent.includes("440305") || o.textContent.includes("南山区"))?.value,
    );
    await page.selectOption("#policy_version_id", policy);
    const loan = page.getByLabel(`选择 ${contract}`, { exact: true });
    await loan.check();
    const id = await loan.getAttribute("value");
    await page.locator(`input[name="interest_${id}"]`).fill("60,000.00");
    await e.press(page.getByRole("button", { name: /保存草稿/ }));
    await e.see("the draft", { h1: /企业费用资助/, text: ["草稿", contract] });
    const appPath = new URL(page.url()).pathname;

    // Every required material, one upload form per row of the checklist.
    const required = page.locator("tr", { has: page.locator(".badge", { hasText: "必备" }) });
    const n = await required.count();
    for (let i = 0; i < n; i++) {
      const row = page.locator("tr", { has: page.locator(".badge", { hasText: "必备" }) }).nth(i);
      const name = (await row.locator("td").first().innerText()).split(/\s/)[0];
      await row.locator("input[type=file]").setInputFiles(pdf(`${name}.pdf`));
      await e.press(row.getByRole("button", { name: "上传" }));
    }
    await e.see("materials uploaded", { h1: /企业费用资助/, text: ["申请书.pdf", "营业执照.pdf"], shot: "application-draft", shotAt: "#files" });
    await page.getByLabel("我确认所填信息和材料真实、完整").check();
    await e.press(page.getByRole("button", { name: "提交申请" }));
    await e.see("submitted", { h1: /440305-\d{4}-EF-\d+/, text: ["已申报"], shot: "application-submitted" });
    const number = (await page.locator("h1").innerText()).match(/440305-\d{4}-EF-\d+/)[0];
    await e.go("/applications");
    await e.see("my applications list", { h1: "资助申请", text: [number] });
    return { appPath, number };
  });
}

/** District officers: accept, decide the differences, pass the three review stages with three
 * different people (maker–checker), see the list; publish the notice with a second officer's
 * confirmation. Returns the notice's title. */
async function officersReview(view, app) {
  return journey(view, "district", "review and notice", async (as) => {
    const o1 = await as("ns.officer");
    await o1.see("home with the to-do", { h1: "工作台", text: [app.number], shot: "home" });
    await o1.go("/applications");
    await o1.see("applications list", { h1: "资助申请", text: [app.number], shot: "applications" });
    await o1.press(o1.page.getByRole("link", { name: app.number }).first());
    await o1.see("the submitted application", { h1: app.number, text: ["已申报"] });
    let page = o1.page;

    // Returned for supplement with a deadline; the enterprise finds it on its to-do list with
    // that deadline, reads what to supplement, adds the file and submits again.
    await page.locator("#note").fill("请补充银行出具的付息凭证。");
    await page.locator("#date").fill(addDays(today(), 5));
    await o1.press(page.getByRole("button", { name: "退回补正" }));
    await o1.see("returned", { h1: app.number, text: ["退回补正"] });
    const ent = await as("ent.user", "enterprise");
    await ent.see("enterprise home with the return", { h1: "工作台", text: [`申报 ${app.number} 被退回补正`, "还有 5 天"] });
    await ent.press(ent.page.locator("ol.todo").getByRole("link", { name: new RegExp(`${app.number} 被退回补正`) }));
    await ent.see("what to supplement", { h1: app.number, text: ["请补充银行出具的付息凭证。"] });
    const extra = ent.page.locator("tr", { has: ent.page.locator("input[type=file]") }).first();
    await extra.locator("input[type=file]").setInputFiles(pdf("付息凭证.pdf"));
    await ent.press(extra.getByRole("button", { name: "上传" }));
    await ent.page.getByLabel("我确认所填信息和材料真实、完整").check();
    await ent.press(ent.page.getByRole("button", { name: "提交申请" }));
    await ent.see("submitted again", { h1: app.number, text: ["已申报", "付息凭证.pdf"] });

    await o1.go(app.appPath);
    await o1.see("the resubmitted application", { h1: app.number, text: ["已申报"] });
    page = o1.page;
    await page.locator("#comment-a").fill("材料齐全，予以受理");
    await o1.press(page.getByRole("button", { name: "受理", exact: true }));
    await o1.see("accepted", { h1: app.number, text: ["已受理"] });

    // Differences between the stated figures and the bank's: each decided with a reason.
    const decide = page.getByRole("button", { name: "保存差异认定" });
    if (await decide.count()) {
      const k = await page.locator("input[name$='_choice'][value=accept_stated]").count();
      for (let i = 0; i < k; i++) {
        await page.locator(`input[name="d${i}_choice"][value=accept_stated]`).check();
        const first = await page.locator(`#d${i}_evidence option`).nth(1).getAttribute("value");
        await page.selectOption(`#d${i}_evidence`, first);
        await page.locator(`#d${i}_reason`).fill("核对付息凭证原件无误");
      }
      await o1.press(decide);
      await o1.see("differences decided", { h1: app.number, text: ["核对付息凭证原件无误"], shot: "review", shotAt: "#diff-h" });
    }
    await o1.shot("review-actions", "#act-h");
    await o1.press(page.getByRole("button", { name: "通过本环节" }));
    await o1.see("first stage passed", { h1: app.number, text: ["已受理"] });
    // Maker–checker: the same person is not offered the next stage.
    if (await page.getByRole("button", { name: "通过本环节" }).count()) {
      throw new Error("the officer who passed the first stage is offered the second");
    }

    for (const [user, label] of [
      ["ns.checker", "second stage passed by another officer"],
      ["ns.approver", "third stage passed by a third officer"],
    ]) {
      const o = await as(user);
      await o.go(app.appPath);
      await o.see(`${label.split(" ")[0]} stage open`, { h1: app.number });
      await o.press(o.page.getByRole("button", { name: "通过本环节" }));
      await o.see(label, { h1: app.number });
    }
    await o1.go(app.appPath);
    await o1.see("approved", { h1: app.number, text: ["审核通过"] });
    await o1.go("/applications?state=reviewed");
    await o1.see("list of approved applications", { h1: "资助申请", text: [app.number] });

    // The notice: prepared by one officer, confirmed by another.
    await o1.go("/notices");
    await o1.see("notices", { h1: "资助公示", text: ["发布公示"] });
    page = o1.page;
    const title = `${YEAR} 年拟资助名单公示（${view.label === "desktop" ? "一" : "二"}）`;
    await page.getByLabel("标题", { exact: true }).fill(title);
    await page.locator("form[action='/notices'] input[name=confirm]").check();
    await o1.press(page.getByRole("button", { name: "发布公示" }));
    await o1.see("notice awaiting confirmation", { h1: /公示/, text: ["待确认", title] });
    const confirmPath = new URL(page.url()).pathname;
    const o2 = await as("ns.checker");
    await o2.go(confirmPath);
    await o2.see("second officer sees what will be published", { h1: /公示/, text: [title, app.number], shot: "confirmation" });
    await o2.page.locator("form[action$='/decision'] input[name=confirm]").check();
    await o2.press(o2.page.getByRole("button", { name: "确认执行" }));
    await o2.see("notice confirmed", { h1: /公示/, text: ["已确认"] });
    return title;
  });
}

/** Public: finds the open notice and lodges an objection; the officer decides it. */
async function publicObjects(view, title, app) {
  return journey(view, "public", "objection", async (as) => {
    const p = await as(null);
    await p.go("/notices");
    await p.see("public notices", { h1: "资助公示", text: [title] });
    await p.press(p.page.getByRole("link", { name: title }));
    await p.see("the notice", { h1: title, text: [app.number, "提出异议"], shot: "notice" });
    const page = p.page;
    const option = await page.$eval("#application_id", (s, n) => [...s.options].find((o) => o.textContent.includes(n))?.value, app.number);
    await page.selectOption("#application_id", option);
    await page.getByLabel("姓名或单位").fill("李四");
    await page.getByLabel("联系方式").fill("13900000001");
    await page.getByLabel("异议内容及理由").fill("疑似与其他批次重复申报同一笔贷款。");
    await p.press(page.getByRole("button", { name: "提交异议" }));
    await p.see("objection lodged", { h1: title, text: ["异议已提交"] });
    if (await page.getByText("13900000001").count()) throw new Error("the objector's contact is shown publicly");

    const o = await as("ns.checker", "district");
    await o.go(new URL(page.url()).pathname);
    await o.see("officer sees the objection", { h1: title, text: ["疑似与其他批次重复申报"] });
    const decision = o.page.locator("form[action^='/objections/']").first();
    await decision.getByLabel("核查情况和处理意见").fill("经核查无重复申报");
    await o.press(decision.getByRole("button", { name: "提交" }));
    await o.see("objection decided", { h1: title, text: ["经核查无重复申报"] });
  });
}

/** City: the conformance matrix; the bulletins, previewing and issuing last quarter's. */
async function cityReads(view) {
  return journey(view, "city", "conformance and bulletin", async (as) => {
    const c = await as("city.admin");
    await c.see("home", { h1: "工作台", shot: "home" });
    await c.go("/conformance");
    await c.see("conformance matrix", { h1: "政策对标", text: ["南山区", "深汕特别合作区"], shot: "conformance" });
    await c.go("/bulletins");
    await c.see("bulletins", { h1: "季度通报" });
    const issued = c.page.locator("tbody a[href^='/bulletins/']").first();
    if (!(await issued.count())) {
      await c.press(c.page.getByRole("button", { name: "预览" }));
      await c.see("bulletin preview", { h1: /通报/, shot: "bulletin-preview" });
      await c.page.locator("input[name=confirm]").check();
      await c.press(c.page.locator("form[action='/bulletins'][method=post] button[type=submit]"));
    } else {
      await c.press(issued);
    }
    await c.see("the issued bulletin", { h1: /通报/, text: ["印发日期", "下载 Word 文档"], shot: "bulletin" });
  });
}

// ---------------------------------------------------------------------------------------------

const TODAY = today();
const YEAR = Number(TODAY.slice(0, 4));
// A loan disbursed this year, before today, running a year.
const LOAN_START = TODAY.slice(5) > "01-20" ? `${YEAR}-01-10` : addDays(TODAY, -5);
const LOAN_END = addDays(addDays(LOAN_START, 365), -1);

// VIEWS=desktop (or phone) runs one window size only (screenshots.sh takes the desktop's).
const VIEWS = (process.env.VIEWS || "desktop,phone").split(",");
for (const [label, viewport] of [
  ["desktop", DESKTOP],
  ["phone", PHONE],
].filter(([l]) => VIEWS.includes(l))) {
  const view = { label, viewport };
  const n = label === "desktop" ? 1 : 2;
  const contract = `JRN-${YEAR}-${label.toUpperCase()}`;
  const pledge = `Y${YEAR}97000000${n}`;
  await publicReads(view);
  await signUpAndClaim(view);
  const code = await enterpriseProfile(view);
  if (!code) {
    skipped(view, "bank", "report a loan", "no credit code from the enterprise journey");
    continue;
  }
  const loanOk = (await bankReports(view, code, contract, pledge)) === true;
  const app = loanOk ? await enterpriseApplies(view, contract) : skipped(view, "enterprise", "apply", "no loan reported");
  const title = app ? await officersReview(view, app) : skipped(view, "district", "review and notice", "no application");
  if (title) await publicObjects(view, title, app);
  else skipped(view, "public", "objection", "no notice was published (the demo has none of its own)");
  await cityReads(view);
}
await browser.close();

console.table(rows);
for (const n of notes) console.log("  " + n);
console.log(failed ? `FAILED: ${failed} problem(s), see the rows marked FAIL` : `all ${rows.length} steps ok`);
process.exit(failed ? 1 : 0);
