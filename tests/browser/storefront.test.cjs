// A shopper in real Chromium (Debian's), on each demo brand: browse, search, add two
// variants, check out through the Stripe stand-in's hosted page, land on the success
// page, and see the order paid. Every page of the shop on the way (home, category, search,
// product, cart, checkout success and cancel, order status: lookup form and answer) passes
// axe-core's WCAG 2.1 A/AA rules with no serious or critical violation. Screenshots go to
// tests/artifacts/browser/ (ignored by git).
// Run by scripts/test with the stack up: NODE_PATH points at the pinned playwright-core
// and axe-core.
const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { chromium } = require("playwright-core");

const port = process.env.SHOAL_HTTP_PORT || "8787";
const shots = path.join(__dirname, "..", "artifacts", "browser");
fs.mkdirSync(shots, { recursive: true });
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's serious and critical WCAG 2.1 A/AA violations on the page, one line each. */
async function seriousViolations(page) {
  // evaluated through the DevTools protocol: the page's CSP (no inline scripts) stays on
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

async function assertAccessible(page, what) {
  assert.deepEqual(await seriousViolations(page), [], `${what} (${page.url()}) has no serious or critical axe violation`);
}

const brands = [
  { host: "acme.localhost", name: "Acme Outfitters", search: "tee", second: "/p/summit-hoodie", thanks: "Thank you!", paid: "Paid", price: /\$\d+\.\d\d/ },
  { host: "globex.localhost", name: "Globex Tienda", search: "camiseta", second: "/p/cumbre-sudadera", thanks: "¡Gracias!", paid: "Pagado", price: /\d+,\d\d\s€/ },
];

async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
}

for (const b of brands) {
  test(`a shopper on ${b.host} browses, searches, buys two variants and sees the order paid`, async () => {
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      // the pages' Content-Security-Policy must not block anything the shop itself uses
      const blocked = [];
      page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) blocked.push(m.text()); });
      const base = `http://${b.host}:${port}`;
      const home = await page.goto(`${base}/`);
      assert.match(home.headers()["content-security-policy"] || "", /frame-ancestors 'none'/);
      assert.match(await page.title(), new RegExp(b.name));
      const primary = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--primary").trim());
      assert.match(primary, /^#[0-9a-f]{6}$/i, "the brand colours (the hashed inline style) apply");
      assert.ok((await page.locator(".card").count()) >= 12, "the home page lists products");
      assert.match(await page.locator(".card .price").first().innerText(), b.price, "prices in the brand's locale");
      await page.screenshot({ path: path.join(shots, `${b.host}-1-home.png`) });
      await assertAccessible(page, "the home page");

      await page.click("nav.categories a[href^='/c/']");
      await page.waitForURL(/\/c\//);
      assert.ok((await page.locator(".card").count()) >= 1, "a category lists its products");
      await assertAccessible(page, "a category page");

      await page.fill("input[name=q]", b.search);
      await page.click(".search button");
      await page.waitForURL(/\/search\?q=/);
      const results = page.locator(".card");
      assert.ok((await results.count()) >= 1, "search finds products");
      await page.screenshot({ path: path.join(shots, `${b.host}-2-search.png`) });
      await assertAccessible(page, "the search results");

      await results.first().click();
      await page.waitForURL(/\/p\//);
      await assertAccessible(page, "a product page");
      await page.selectOption("select[name=variant_id]", { index: 0 });
      await page.click(".buy button");
      await page.waitForURL(/\/cart$/);

      await page.goto(`${base}${b.second}`);
      await page.selectOption("select[name=variant_id]", { index: 1 });
      await page.click(".buy button");
      await page.waitForURL(/\/cart$/);
      assert.equal(await page.locator("table.cart tr:not(.subtotal)").count(), 2, "two variants in the cart");
      await page.screenshot({ path: path.join(shots, `${b.host}-3-cart.png`) });
      await assertAccessible(page, "the cart");

      const email = `browser-${Date.now()}@example.com`;
      await page.fill("input[name=email]", email);
      await page.click(".checkout button");
      await page.waitForURL(/\/checkout\/cs_test_/);
      await page.screenshot({ path: path.join(shots, `${b.host}-4-stripe.png`) });
      await page.click("#pay");
      await page.waitForURL(new RegExp(`${b.host.replace(".", "\\.")}:${port}/checkout/success\\?order=\\d+`));
      assert.equal((await page.locator("h1").innerText()).trim(), b.thanks);
      await page.screenshot({ path: path.join(shots, `${b.host}-5-success.png`) });
      await assertAccessible(page, "the checkout success page");

      const number = new URL(page.url()).searchParams.get("order");
      await page.goto(`${base}/orders?number=${number}&email=${encodeURIComponent(email)}`);
      assert.equal((await page.locator("dd.status").innerText()).trim(), b.paid, "the signed webhook marked it paid");
      await page.screenshot({ path: path.join(shots, `${b.host}-6-order.png`) });
      await assertAccessible(page, "the order status");
      await page.goto(`${base}/orders`);
      await assertAccessible(page, "the order lookup form");
      // where Stripe sends a shopper who cancels (without a checkout's token: the page alone)
      await page.goto(`${base}/checkout/cancel`);
      await assertAccessible(page, "the checkout cancel page");
      assert.deepEqual(blocked, [], "no CSP violations");
    } finally {
      await browser.close();
    }
  });
}
