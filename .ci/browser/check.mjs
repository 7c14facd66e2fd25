// Loads qingdan's GraphiQL in headless Chromium with every request beyond loopback refused,
// runs the default query, and checks the rendered answer. Usage: node check.mjs URL SCREENSHOT
import { chromium } from "playwright-core";

const [url, screenshot] = process.argv.slice(2);
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
