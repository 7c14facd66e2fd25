// The supervisor's board (GET /board) in headless Chromium, with every request beyond loopback
// refused: a supervisor signs in, the tiles must equal obligationSummary, the charts draw, a
// report waiting for review is returned from the page, a submission made meanwhile shows in the
// live feed, a department's page opens, the ledger downloads; a reporter sees no supervisor action.
// Usage: node board.mjs URL SUPERVISOR_TOKEN REPORTER_TOKEN SCREENSHOT_DIR
//        node board.mjs --print-trusted   (the queries this check sends: sha256 hex → text)
// The server runs with --trusted-documents holding that map (the board's own operations it
// trusts by itself). The reporter's department must lead at least two tasks owed in the first
// period and not reported yet (a fresh database seeded with the bundled list).
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";

// Every query this check sends, constant (ids go in variables), so that --print-trusted lists them.
const Q = {
  viewer: "query BoardCheckViewer { viewer { role department { id name } } }",
  periods: "query BoardCheckPeriods { reportingPeriods { id quarter label dueOn document { id title } } }",
  owed: "query BoardCheckOwed($period: ID!, $department: ID!) { obligations(periodId: $period, departmentId: $department, state: OVERDUE, first: 10) { totalCount nodes { state task { id number } } } }",
  submit: "mutation BoardCheckSubmit($task: ID!, $period: ID!, $summary: String!) { submitReport(input: {taskId: $task, periodId: $period, status: ON_TRACK, progressPercent: 30, summary: $summary}) { report { id revision isLate review { state } } } }",
  summary: "query BoardCheckSummary($period: ID!) { obligationSummary(periodId: $period) { total submitted submittedLate overdue returned pendingReview extensionsPending } }",
  review: "query BoardCheckReview($id: ID!) { node(id: $id) { id ... on Report { revision review { state comment } } } }",
};

if (process.argv[2] === "--print-trusted") {
  const trusted = Object.fromEntries(Object.values(Q).map((q) => [createHash("sha256").update(q, "utf8").digest("hex"), q]));
  console.log(JSON.stringify(trusted, null, 2));
  process.exit(0);
}

const [baseUrl, supervisorToken, reporterToken, shotDir] = process.argv.slice(2);
if (!baseUrl || !supervisorToken || !reporterToken || !shotDir) {
  console.error("usage: node board.mjs URL SUPERVISOR_TOKEN REPORTER_TOKEN SCREENSHOT_DIR | --print-trusted");
  process.exit(2);
}
const { chromium } = await import("playwright-core");
const endpoint = new URL("/graphql", baseUrl).toString();
const boardUrl = new URL("/board", baseUrl).toString();
const shot = (name) => path.join(shotDir, name);

// obligationSummary field → the tile showing it.
const TILES = {
  total: "tile-total",
  submitted: "tile-submitted",
  submittedLate: "tile-late",
  overdue: "tile-overdue",
  returned: "tile-returned",
  pendingReview: "tile-pending-review",
  extensionsPending: "tile-extensions",
};
const CHARTS = ["chart-lights", "chart-progress", "chart-assessment"];
const SUPERVISOR_ACTIONS = ["review-accept", "review-return", "extension-approve", "extension-reject", "notice-issue"];
const sel = (testid, attrs = {}) =>
  `[data-testid="${testid}"]` + Object.entries(attrs).map(([k, v]) => `[${k}=${JSON.stringify(v)}]`).join("");
const step = (n, text) => console.log(`board check ${n}/8: ${text}`);

async function gql(name, token, variables = {}) {
  const res = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: Q[name], variables }),
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${name}: HTTP ${res.status}, not JSON: ${text.slice(0, 300)}`);
  }
  if (!res.ok || body.errors?.length || !body.data) {
    throw new Error(`${name}: HTTP ${res.status}: ${JSON.stringify(body.errors ?? body).slice(0, 600)}`);
  }
  return body.data;
}

const isLoopback = (u) => ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname);
const left = [];
const errors = [];
const gqlErrors = [];
const pendingBodies = [];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});

// A context whose requests beyond loopback are refused and whose page's errors are collected.
async function open(label) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  await context.route("**/*", (route) => {
    const u = new URL(route.request().url());
    if (isLoopback(u) || ["data:", "blob:"].includes(u.protocol)) return route.continue();
    left.push(u.toString());
    return route.abort();
  });
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(`[${label}] ${e}`));
  page.on("console", (m) => { if (m.type() === "error") errors.push(`[${label}] console: ${m.text()}`); });
  page.on("dialog", (d) => {
    console.log(`  [${label}] the page asked (${d.type()}): ${d.message()} — accepted`);
    d.accept().catch(() => {});
  });
  // WebSockets are not routed: one beyond loopback is at least reported.
  page.on("websocket", (ws) => { if (!isLoopback(new URL(ws.url()))) left.push(ws.url()); });
  // GraphQL errors in the page's own answers (a refused or failing operation) fail the check.
  page.on("response", (r) => {
    const u = new URL(r.url());
    if (!isLoopback(u) || u.pathname !== "/graphql") return;
    pendingBodies.push(r.text().then((t) => {
      let b;
      try { b = JSON.parse(t); } catch { return; }
      if (b?.errors?.length) {
        gqlErrors.push(`[${label}] ${r.request().method()} ${r.status()}: ${JSON.stringify(b.errors).slice(0, 400)}`);
      }
    }).catch(() => {}));
  });
  return { context, page };
}

async function signIn(page, token) {
  const input = page.getByTestId("token-input");
  await input.waitFor({ state: "visible", timeout: 30000 });
  await input.fill(token);
  await page.getByTestId("sign-in").click();
}

// Waits for data-ready="true" (and the period, when given); on timeout says what the board shows.
async function waitReady(page, periodId, what, timeout = 30000) {
  try {
    await page.waitForFunction((pid) => {
      const b = document.querySelector('[data-testid="board"]');
      return !!b && b.getAttribute("data-ready") === "true" && (!pid || b.getAttribute("data-period-id") === pid);
    }, periodId ?? null, { timeout });
  } catch (e) {
    const now = await page.evaluate(() => {
      const b = document.querySelector('[data-testid="board"]');
      return b ? `data-ready=${b.getAttribute("data-ready")} data-period-id=${b.getAttribute("data-period-id")}` : "no board element";
    }).catch(() => "the page is gone");
    throw new Error(`${what}: the board is not ready${periodId ? ` on period ${periodId}` : ""} after ${timeout / 1000} s (${now}): ${e.message.split("\n")[0]}`);
  }
}

const readTiles = (page) => page.evaluate((tiles) => Object.fromEntries(Object.entries(tiles).map(
  ([k, id]) => [k, document.querySelector(`[data-testid="${id}"]`)?.textContent.trim() ?? null])), TILES);
const tileDiffs = (shown, summary) => Object.keys(TILES)
  .filter((k) => shown[k] === null || !/^\d+$/.test(shown[k]) || Number(shown[k]) !== summary[k])
  .map((k) => `${TILES[k]} shows ${shown[k] === null ? "nothing (no element)" : JSON.stringify(shown[k])}, obligationSummary.${k} = ${summary[k]}`);

// Waits (up to 15 s) until the board is ready and every tile equals `summary`.
async function waitTiles(page, summary, what) {
  try {
    await page.waitForFunction(([tiles, want]) => {
      if (document.querySelector('[data-testid="board"]')?.getAttribute("data-ready") !== "true") return false;
      return Object.entries(tiles).every(([k, id]) => document.querySelector(`[data-testid="${id}"]`)?.textContent.trim() === String(want[k]));
    }, [TILES, summary], { timeout: 15000 });
  } catch (e) {
    const diffs = tileDiffs(await readTiles(page), summary);
    throw new Error(`${what}: the tiles do not equal obligationSummary after 15 s:\n  ${diffs.length ? diffs.join("\n  ") : e.message}`);
  }
}

let supervisor;
let reporter;
let ok = false;
try {
  // 1. A report waiting for review, submitted by the reporter before the browser opens.
  const [sv, rv] = [(await gql("viewer", supervisorToken)).viewer, (await gql("viewer", reporterToken)).viewer];
  if (sv.role !== "SUPERVISOR") throw new Error(`the supervisor token is ${sv.role}`);
  if (rv.role !== "REPORTER" || !rv.department) throw new Error(`the reporter token is ${rv.role} of ${rv.department?.name}`);
  const periods = (await gql("periods", supervisorToken)).reportingPeriods;
  if (!periods.length) throw new Error("no reporting periods");
  const q1 = periods[0];
  const owed = (await gql("owed", reporterToken, { period: q1.id, department: rv.department.id })).obligations.nodes;
  if (owed.length < 2) {
    throw new Error(`${rv.department.name} owes ${owed.length} unreported report(s) in ${q1.label}; the check needs two`);
  }
  const first = (await gql("submit", reporterToken, { task: owed[0].task.id, period: q1.id, summary: "看板检查：待审核的报告" })).submitReport.report;
  if (first.review.state !== "PENDING_REVIEW") throw new Error(`the new report's review is ${first.review.state}`);
  step(1, `${rv.department.name} submitted task ${owed[0].task.number} for ${q1.label} (${q1.document.title}; due ${q1.dueOn}, late: ${first.isLate}): report ${first.id} waits for review (supervisor of ${sv.department?.name})`);

  // 2. Sign in as the supervisor; count the page's /graphql requests up to the first ready screen.
  supervisor = await open("supervisor");
  const { page } = supervisor;
  const counts = { load: { POST: 0, GET: 0 }, signin: { POST: 0, GET: 0 } };
  let phase = "load";
  page.on("request", (req) => {
    const u = new URL(req.url());
    if (!phase || !isLoopback(u) || u.pathname !== "/graphql") return;
    const m = req.method();
    counts[phase][m] = (counts[phase][m] ?? 0) + 1;
  });
  // The live feed's subscription: known once the page sends a graphql-transport-ws `subscribe`.
  let markSubscribed;
  const subscribed = new Promise((resolve) => { markSubscribed = resolve; });
  page.on("websocket", (ws) => ws.on("framesent", (f) => {
    try {
      if (JSON.parse(typeof f.payload === "string" ? f.payload : f.payload.toString()).type === "subscribe") markSubscribed(ws.url());
    } catch { /* not JSON */ }
  }));
  await page.goto(boardUrl, { waitUntil: "load" });
  await page.getByTestId("token-input").waitFor({ state: "visible", timeout: 30000 });
  const readyBefore = await page.evaluate(() => document.querySelector('[data-testid="board"]')?.getAttribute("data-ready") ?? null);
  phase = "signin";
  await signIn(page, supervisorToken);
  await waitReady(page, null, "first screen after sign-in");
  phase = null;
  const firstScreen = counts.signin;
  const periodOptions = await page.locator(`${sel("period-select")} option`).evaluateAll((os) => os.map((o) => o.value));
  const documentOptions = await page.locator(`${sel("document-select")} option`).evaluateAll((os) => os.map((o) => o.value));
  if (!documentOptions.includes(q1.document.id)) throw new Error(`document-select has no option ${q1.document.id}: ${JSON.stringify(documentOptions)}`);
  if (!periodOptions.includes(q1.id)) throw new Error(`period-select has no option ${q1.id}: ${JSON.stringify(periodOptions)}`);
  const defaultPeriod = await page.getByTestId("period-select").inputValue();
  if (defaultPeriod !== q1.id) await page.getByTestId("period-select").selectOption(q1.id);
  await waitReady(page, q1.id, "after selecting Q1");
  step(2, `/graphql requests: ${counts.load.POST} POST, ${counts.load.GET} GET at load (board data-ready before sign-in: ${readyBefore}); `
    + `${firstScreen.POST} POST, ${firstScreen.GET} GET from sign-in to the first ready screen (period ${defaultPeriod === q1.id ? "Q1 by default" : `${defaultPeriod}, then Q1 selected`})`);
  if (firstScreen.POST > 4) throw new Error(`the first screen after sign-in took ${firstScreen.POST} POSTs to /graphql (at most 4)`);

  // 3. Tiles against obligationSummary; a canvas in each chart.
  const summary1 = (await gql("summary", supervisorToken, { period: q1.id })).obligationSummary;
  const diffs = tileDiffs(await readTiles(page), summary1);
  if (diffs.length) throw new Error(`the tiles differ from obligationSummary(periodId: Q1):\n  ${diffs.join("\n  ")}`);
  const sizes = [];
  for (const id of CHARTS) {
    const canvas = page.locator(`${sel(id)} canvas`).first();
    try {
      await canvas.waitFor({ state: "attached", timeout: 15000 });
    } catch {
      throw new Error(`${id} holds no <canvas> after 15 s (${await page.locator(sel(id)).count()} element(s) ${id})`);
    }
    const [w, h] = await canvas.evaluate((c) => [c.width, c.height]);
    if (!(w > 0 && h > 0)) throw new Error(`${id}'s canvas is ${w}×${h}`);
    sizes.push(`${id} ${w}×${h}`);
  }
  step(3, `tiles equal obligationSummary(Q1) ${JSON.stringify(summary1)}; canvases: ${sizes.join(", ")}`);

  // 4. Return the seeded report from its row.
  const row = page.locator(sel("review-row", { "data-report-id": first.id }));
  try {
    await row.waitFor({ state: "visible", timeout: 15000 });
  } catch {
    const ids = await page.locator(sel("review-row")).evaluateAll((rs) => rs.map((r) => r.getAttribute("data-report-id")));
    throw new Error(`no visible review-row for report ${first.id}; rows: ${JSON.stringify(ids)}`);
  }
  for (const id of ["review-accept", "review-return", "review-comment"]) {
    if ((await row.getByTestId(id).count()) !== 1) throw new Error(`the review-row of ${first.id} has ${await row.getByTestId(id).count()} ${id}`);
  }
  const noticeButtons = await page.locator(sel("notice-issue")).count();
  if (summary1.overdue > 0 && noticeButtons === 0) throw new Error(`${summary1.overdue} obligations are overdue but the supervisor sees no notice-issue button`);
  const comment = "看板检查：请补充量化进展";
  await row.getByTestId("review-comment").fill(comment);
  await row.getByTestId("review-return").click();
  try {
    await row.waitFor({ state: "detached", timeout: 15000 });
  } catch {
    throw new Error(`the review-row of ${first.id} is still there 15 s after review-return`);
  }
  const reviewed = (await gql("review", supervisorToken, { id: first.id })).node;
  if (reviewed?.review?.state !== "RETURNED" || reviewed.review.comment !== comment) {
    throw new Error(`after review-return the report's review is ${JSON.stringify(reviewed?.review)}`);
  }
  const summary2 = (await gql("summary", supervisorToken, { period: q1.id })).obligationSummary;
  if (summary2.returned !== summary1.returned + 1) {
    throw new Error(`obligationSummary.returned went from ${summary1.returned} to ${summary2.returned} after one return`);
  }
  await waitTiles(page, summary2, "after review-return");
  step(4, `report ${first.id} returned from its row (comment kept), the row is gone; tiles refreshed: returned ${summary1.returned} → ${summary2.returned}, pendingReview ${summary1.pendingReview} → ${summary2.pendingReview}; ${noticeButtons} notice-issue button(s) shown`);

  // 5. A submission made while the page is open shows in the live feed.
  let timer;
  const wsUrl = await Promise.race([subscribed, new Promise((resolve) => { timer = setTimeout(resolve, 20000, null); })]);
  clearTimeout(timer);
  if (!wsUrl) throw new Error("the page sent no graphql-transport-ws subscribe within 20 s");
  const feedSel = `${sel("event-feed")} ${sel("event", { "data-action": "report.submitted" })}`;
  const submittedBefore = await page.locator(feedSel).count();
  // A row the submission does not change: the refresh that follows the event keeps its element.
  const kept = await page.locator(sel("overdue-row")).last().elementHandle();
  const overdueBefore = Number(await page.getByTestId("tile-overdue").textContent());
  const second = (await gql("submit", reporterToken, { task: owed[1].task.id, period: q1.id, summary: "看板检查：实时推送" })).submitReport.report;
  try {
    await page.waitForFunction(([s, n]) => document.querySelectorAll(s).length > n, [feedSel, submittedBefore], { timeout: 20000 });
  } catch {
    const shown = await page.locator(`${sel("event-feed")} ${sel("event")}`).evaluateAll((es) => es.map((e) => e.getAttribute("data-action")));
    throw new Error(`no new report.submitted event in event-feed within 20 s of the submission of ${second.id} (feed: ${JSON.stringify(shown)})`);
  }
  const feed = await page.locator(`${sel("event-feed")} ${sel("event")}`).evaluateAll((es) => es.map((e) => e.getAttribute("data-action")));
  if (feed[0] !== "report.submitted") throw new Error(`the newest event is not first in event-feed: ${JSON.stringify(feed)}`);
  await waitReady(page, q1.id, "after the live event");
  // The refresh after the event has run once the tiles show the new submission.
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="tile-overdue"]').textContent) < n,
    overdueBefore, { timeout: 15000 });
  if (!(await kept.evaluate((el) => el.isConnected))) throw new Error("the refresh after a live event replaced a row it did not change");
  step(5, `task ${owed[1].task.number} submitted from node showed live (${wsUrl}); feed: ${JSON.stringify(feed)}; screenshot ${shot("board.png")}`);

  // 6. A department's page; then the ledger.
  // The rows redraw after each live event: click the link of the department read, wherever it is.
  const departmentId = await page.getByTestId("department-link").first().getAttribute("data-department-id", { timeout: 15000 });
  await page.locator(`${sel("department-link")}[data-department-id="${departmentId}"]`).first().click();
  const deptPage = page.locator(sel("department-page"));
  await deptPage.waitFor({ state: "visible", timeout: 15000 });
  const shownDept = await deptPage.getAttribute("data-department-id");
  if (shownDept !== departmentId) throw new Error(`department-link ${departmentId} opened department-page ${shownDept}`);
  // Loaded: its obligations of the period, one row each.
  await page.waitForSelector(`${sel("department-page")}[data-ready="true"]`, { timeout: 15000 });
  const deptRows = await deptPage.getByTestId("department-obligation").count();
  const deptText = (await deptPage.innerText()).trim();
  if (!deptText || deptRows === 0) throw new Error(`department-page ${departmentId} shows no obligation: ${deptText.slice(0, 200)}`);
  await page.screenshot({ path: shot("board-department.png"), fullPage: true });
  await deptPage.getByTestId("department-close").or(page.getByTestId("department-close")).first().click();
  await deptPage.waitFor({ state: "hidden", timeout: 15000 });
  const [download] = await Promise.all([
    page.waitForEvent("download", { timeout: 60000 }),
    page.getByTestId("ledger-download").click(),
  ]);
  if (await download.failure()) throw new Error(`the ledger download failed: ${await download.failure()}`);
  const ledger = await readFile(await download.path());
  if (ledger.length === 0) throw new Error("the ledger download is empty");
  const kind = ledger.subarray(0, 2).toString("latin1") === "PK" ? "a workbook" : "not a zip (CSV?)";
  step(6, `department-link ${departmentId} opened its page (${deptRows} obligations, ${deptText.length} characters) and closed; screenshot ${shot("board-department.png")}; `
    + `ledger-download gave ${download.suggestedFilename()} (${ledger.length} bytes, ${kind})`);

  // 7. A reporter sees no supervisor action.
  reporter = await open("reporter");
  await reporter.page.goto(boardUrl, { waitUntil: "load" });
  await signIn(reporter.page, reporterToken);
  await waitReady(reporter.page, null, "reporter's first screen");
  const found = [];
  for (const id of SUPERVISOR_ACTIONS) {
    const n = await reporter.page.locator(sel(id)).count();
    if (n) found.push(`${n} ${id}`);
  }
  await reporter.page.screenshot({ path: shot("board-reporter.png"), fullPage: true });
  if (found.length) throw new Error(`the reporter's board holds supervisor actions: ${found.join(", ")}`);
  step(7, `the reporter's board (${rv.department.name}) holds none of ${SUPERVISOR_ACTIONS.join(", ")}; screenshot ${shot("board-reporter.png")}`);
  ok = true;
} catch (e) {
  console.error(`board check failed: ${e.message}`);
} finally {
  if (!ok) {
    for (const [who, name] of [[supervisor, "board-failed.png"], [reporter, "board-reporter-failed.png"]]) {
      if (who) await who.page.screenshot({ path: shot(name), fullPage: true }).then(() => console.error(`screenshot: ${shot(name)}`), () => {});
    }
  }
  await Promise.allSettled(pendingBodies);
  await browser.close();
}
if (left.length) console.error(`requests that tried to leave loopback:\n  ${left.join("\n  ")}`);
if (errors.length) console.error(`page errors:\n  ${errors.join("\n  ")}`);
if (gqlErrors.length) console.error(`GraphQL errors in the page's answers:\n  ${gqlErrors.join("\n  ")}`);
const clean = left.length === 0 && errors.length === 0 && gqlErrors.length === 0;
if (ok) step(8, clean ? "no page error, no console error, no GraphQL error, nothing left loopback" : "the steps passed, but see the errors above");
process.exit(ok && clean ? 0 : 1);
