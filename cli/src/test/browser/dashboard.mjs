// Drives Debian's Chromium through a gateway's dashboard page for DashboardBrowserIT.
// Usage: node dashboard.mjs <page URL> <screenshot.png>
// 1. Opens the page and waits until it has polled and its tap shows requests; saves the screenshot.
//    Prints {"phase":"traffic",...}.
// 2. Waits for a line on stdin (the test stopped its traffic), then for two more polls, and prints
//    {"phase":"quiet",...}: what the page shows, for the test to compare with the gateway's metrics.
import { chromium } from "playwright-core";
import { createInterface } from "node:readline";

const [url, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  // This machine's network is closed: no background connections, no sandbox as root, no GPU.
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = [];
  page.on("pageerror", e => problems.push("page error: " + e.message));
  page.on("console", m => { if (m.type() === "error") problems.push("console: " + m.text()); });
  page.on("requestfailed", r => { if (!r.url().includes("/tap")) problems.push("request failed: " + r.url()); });
  await page.goto(url);
  await page.waitForFunction(() => Number(document.body.dataset.polls || 0) >= 2
      && document.querySelectorAll("#tap tbody tr").length >= 3, null, { timeout: 30000 });
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify({ phase: "traffic", shown: await shown(page), problems }));

  await new Promise(resolve => createInterface({ input: process.stdin }).once("line", resolve));
  const polls = await page.evaluate(() => Number(document.body.dataset.polls));
  await page.waitForFunction(p => Number(document.body.dataset.polls) >= p + 2, polls, { timeout: 30000 });
  console.log(JSON.stringify({ phase: "quiet", shown: await shown(page), problems }));
} finally {
  await browser.close();
}

function shown(page) {
  return page.evaluate(() => {
    const rows = id => [...document.querySelectorAll("#" + id + " tbody tr:not(.empty)")];
    const texts = tr => [...tr.cells].map(td => td.textContent);
    return {
      links: rows("links").map(tr => ({ link: tr.dataset.link, alive: tr.dataset.alive === "true", cells: texts(tr) })),
      refusals: Object.fromEntries(rows("refusals").map(tr => [tr.dataset.reason, Number(tr.dataset.count)])),
      exported: rows("exported").map(tr => tr.dataset.service),
      splits: rows("splits").map(tr => ({ route: tr.dataset.route, backend: tr.dataset.backend,
        requests: Number(tr.dataset.requests), cells: texts(tr) })),
      services: rows("services").map(tr => ({ service: tr.dataset.service, direction: tr.dataset.direction,
        requests: Number(tr.dataset.requests), cells: texts(tr) })),
      tap: rows("tap").map(tr => ({ tls: tr.dataset.tls === "true", backend: tr.dataset.backend, cells: texts(tr) })),
      error: document.getElementById("error").textContent,
    };
  });
}
