// Loads qingdan's GraphiQL in headless Chromium with every request beyond loopback refused,
// runs the default query, and checks the rendered answer; then, with TOKEN, subscribes from the
// page over graphql-transport-ws (/graphql/ws, GraphiQL's own fetcher) and sees a submission.
// Usage: node check.mjs URL SCREENSHOT [TOKEN]
import { chromium } from "playwright-core";

const [url, screenshot, token] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const left = [];
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
await page.route("**/*", (route) => {
  const u = new URL(route.request().url());
  if (["127.0.0.1", "localhost", "[::1]"].includes(u.hostname) || u.protocol === "data:") return route.continue();
  left.push(u.toString());
  return route.abort();
});
let ok = false;
try {
  await page.goto(url, { waitUntil: "load" });
  await page.waitForSelector(".graphiql-execute-button", { timeout: 30000 });
  // At load GraphiQL fetches the schema with its introspection query; a refusal would show in the
  // result pane before anything is run. Wait for the schema (the Docs pane), then read the pane.
  const docsAtLoad = page.locator('.graphiql-sidebar button[aria-label*="Documentation Explorer"]').first();
  if ((await docsAtLoad.getAttribute("aria-label"))?.startsWith("Show")) await docsAtLoad.click();
  await page.waitForFunction(
    () => /Root Types|Error fetching schema/.test(document.querySelector(".graphiql-doc-explorer")?.innerText ?? ""),
    null,
    { timeout: 30000 },
  );
  const atLoad = (await page.locator(".result-window").innerText()).trim();
  if (/error/i.test(atLoad)) throw new Error(`the result pane shows an error at load: ${atLoad.slice(0, 300)}`);
  const editor = await page.evaluate(() => document.querySelector(".graphiql-query-editor .CodeMirror").CodeMirror.getValue());
  if (!editor.includes("coLed: true")) throw new Error(`the default query is not the README's: ${editor}`);
  await page.click(".graphiql-execute-button");
  // 市政务服务办 co-leads task 30 of the bundled list, among others: its content must render.
  await page.waitForFunction(
    () => document.querySelector(".result-window")?.innerText.includes("\"totalCount\""),
    null,
    { timeout: 30000 },
  );
  const result = await page.evaluate(() => document.querySelector(".result-window .CodeMirror").CodeMirror.getValue());
  const data = JSON.parse(result);
  const nodes = data.data.tasks.nodes;
  if (!(data.data.tasks.totalCount > 0 && nodes.length === data.data.tasks.totalCount && nodes[0].content.length > 10)) {
    throw new Error(`unexpected answer: ${result.slice(0, 400)}`);
  }
  const shown = await page.locator(".result-window").innerText();
  if (!shown.includes(nodes[0].content.slice(0, 12))) throw new Error("the answer is not rendered in the result pane");
  console.log(`GraphiQL ran the default query: ${data.data.tasks.totalCount} co-led tasks, first: task ${nodes[0].number} ${nodes[0].content.slice(0, 24)}…`);
  // GraphiQL's own introspection query (depth 15) must be answered: its documentation explorer
  // then shows the schema's root types instead of "Error fetching schema".
  const docsButton = page.locator('.graphiql-sidebar button[aria-label*="Documentation Explorer"]').first();
  if ((await docsButton.getAttribute("aria-label"))?.startsWith("Show")) await docsButton.click();
  await page.waitForFunction(
    () => /Root Types|Error fetching schema/.test(document.querySelector(".graphiql-doc-explorer")?.innerText ?? ""),
    null,
    { timeout: 30000 },
  );
  const docs = await page.locator(".graphiql-doc-explorer").innerText();
  if (docs.includes("Error fetching schema") || !docs.includes("Query")) {
    throw new Error(`the documentation explorer has no schema: ${docs.slice(0, 300)}`);
  }
  console.log("GraphiQL's documentation explorer shows the schema (its introspection query was answered)");
  if (token) {
    // A subscription run from GraphiQL itself, with the token in its headers pane, fed by a
    // submission from here: the event must render in the result pane.
    await page.evaluate((auth) => {
      document.querySelector(".graphiql-query-editor .CodeMirror").CodeMirror.setValue(
        "subscription Live { reportSubmitted { revision summary task { number } } }");
      document.querySelector(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror").CodeMirror
        .setValue(JSON.stringify({ Authorization: auth }));
    }, `Bearer ${token}`);
    await page.click(".graphiql-execute-button");
    await new Promise((r) => setTimeout(r, 2000));
    const post = async (query, variables) => (await fetch(new URL("/graphql", url), {
      method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    })).json();
    const ids = await post("{ task(number: 29) { id } reportingPeriods { id } department(name: \"市税务局\") { id } }");
    const submitted = await post(
      "mutation($t: ID!, $p: ID!, $d: ID!) { submitReport(input: {taskId: $t, periodId: $p, departmentId: $d, status: ON_TRACK, progressPercent: 10, summary: \"浏览器订阅检查\"}) { report { revision } } }",
      { t: ids.data.task.id, p: ids.data.reportingPeriods[0].id, d: ids.data.department.id });
    if (!submitted.data) throw new Error(`the submission failed: ${JSON.stringify(submitted)}`);
    await page.waitForFunction(
      () => document.querySelector(".result-window .CodeMirror").CodeMirror.getValue().includes("浏览器订阅检查"),
      null, { timeout: 15000 },
    );
    console.log("a subscription run from GraphiQL (token in its headers pane) rendered the submission on task 29");
  }
  ok = true;
} catch (e) {
  console.error(`browser check failed: ${e.message}`);
} finally {
  await page.screenshot({ path: screenshot, fullPage: false });
  await browser.close();
}
if (left.length) console.error(`requests that tried to leave loopback:\n  ${left.join("\n  ")}`);
if (errors.length) console.error(`page errors:\n  ${errors.join("\n  ")}`);
console.log(`screenshot: ${screenshot}`);
process.exit(ok && left.length === 0 && errors.length === 0 ? 0 : 1);
