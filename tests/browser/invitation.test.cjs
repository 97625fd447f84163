// An invited member in real Chromium (Debian's): the link in the invitation email opens
// the accept-invitation page, a password the policy refuses is explained on the page, a
// good one joins the brand; the page (both states) and the support and billing pages pass
// axe-core's WCAG 2.1 A/AA rules. Screenshots go to tests/artifacts/browser/.
// Run by scripts/test with the stack up: NODE_PATH points at the pinned playwright-core
// and axe-core.
const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const { chromium } = require("playwright-core");

const port = process.env.SHOAL_HTTP_PORT || "8787";
const emailPort = process.env.SHOAL_EMAIL_PORT || "12112";
const shots = path.join(__dirname, "..", "artifacts", "browser");
fs.mkdirSync(shots, { recursive: true });
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** A request to the local worker as a browser sends it (`host:port` as Host); answers { status, json }. */
function call(method, host, urlPath, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path: urlPath,
      headers: { host: `${host}:${port}`, "content-type": "application/json", "cf-connecting-ip": `fd00:b0:${process.pid.toString(16)}::${Date.now() % 65536}`, ...headers } }, (res) => {
      let data = "";
      res.on("data", (c) => (data += c));
      res.on("end", () => resolve({ status: res.statusCode, json: data ? JSON.parse(data) : null }));
    });
    req.on("error", reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

/** The invitation link of the email the email API received for `to` (sent within seconds). */
async function invitationLink(to) {
  for (let i = 0; i < 100; i++) {
    const journal = await new Promise((resolve, reject) => {
      http.get({ host: "127.0.0.1", port: emailPort, path: "/__requests" }, (res) => {
        let data = "";
        res.on("data", (c) => (data += c));
        res.on("end", () => resolve(JSON.parse(data).data || []));
      }).on("error", reject);
    });
    for (const e of journal) {
      const msg = e.status === 200 && e.body ? JSON.parse(e.body) : {};
      const href = (msg.to || []).includes(to) && /href="([^"]+)"/.exec(msg.html || "");
      if (href) return href[1].replace(/&amp;/g, "&");
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no invitation email to ${to} within 5 s`);
}

async function axeViolations(page) {
  // evaluated through the DevTools protocol: the page's CSP (no inline scripts) stays on
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

test("an invited member opens the emailed link, is told what a refused password lacks, and joins", async () => {
  const login = await call("POST", "acme.localhost", "/api/v1/auth/login", {}, { email: "admin@acme.localhost", password: "Shoal-dev-2026!" });
  assert.equal(login.status, 200, JSON.stringify(login.json));
  const invitee = `browser-invitee-${Date.now()}@example.com`;
  const invited = await call("POST", "acme.localhost", "/api/v1/admin/members/invitations",
    { authorization: `Bearer ${login.json.access_token}` }, { email: invitee, role: "editor" });
  assert.equal(invited.status, 201, JSON.stringify(invited.json));
  const link = await invitationLink(invitee);
  assert.match(link, new RegExp(`^http://acme\\.localhost:${port}/admin/accept-invitation\\?token=`));

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    const blocked = [];
    page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) blocked.push(m.text()); });
    const opened = await page.goto(link);
    assert.equal(opened.status(), 200);
    assert.equal((await page.locator("h1").innerText()).trim(), "Join Acme Outfitters");
    assert.deepEqual(await axeViolations(page), [], "the invitation form is accessible");
    await page.screenshot({ path: path.join(shots, "invitation-1-form.png") });

    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Accept invitation" }).click();
    await page.waitForSelector("[role=alert]");
    assert.match(await page.locator("[role=alert]").innerText(), /longer password/);
    assert.deepEqual(await axeViolations(page), [], "the form with its error is accessible");
    await page.screenshot({ path: path.join(shots, "invitation-2-refused.png") });

    await page.getByLabel("Password").fill("Member-Pass-456");
    await page.getByRole("button", { name: "Accept invitation" }).click();
    await page.waitForFunction(() => document.querySelector("h1")?.textContent.includes("Welcome"));
    assert.equal((await page.locator("h1").innerText()).trim(), "Welcome to Acme Outfitters");
    await page.screenshot({ path: path.join(shots, "invitation-3-joined.png") });
    const signedIn = await call("POST", "acme.localhost", "/api/v1/auth/login", {}, { email: invitee, password: "Member-Pass-456" });
    assert.equal(signedIn.status, 200, "the new member signs in");

    for (const url of [`http://acme.localhost:${port}/support`, `http://localhost:${port}/admin/billing?checkout=success`]) {
      assert.equal((await page.goto(url)).status(), 200, url);
      assert.deepEqual(await axeViolations(page), [], `${url} is accessible`);
    }
    assert.deepEqual(blocked, [], "no CSP violations");
  } finally {
    await browser.close();
  }
});
