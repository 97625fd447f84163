// The journeys the other browser files leave out, each on a brand of its own made
// through the platform's sign-up (so nothing here changes the seeded demo shops): the
// brand_admin's whole first day (sign up, product with two variants, an image and stock,
// publish the product and the shop, see it in the shop), the settings that show in the
// storefront (logo in the header, a legal page in Spanish at /legal/…, unpublish → "coming
// soon" → publish again), and a product archived, restored and duplicated from its editor.
// Every new page state is checked with axe-core (WCAG 2.1 A/AA, no serious or critical
// violation) at 1280 and 390 px wide and screenshotted to tests/artifacts/browser/.
// Run by scripts/test with the stack up: NODE_PATH points at the pinned playwright-core and
// axe-core. The helpers are copies of dashboard.test.cjs's and screens.test.cjs's.
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const zlib = require("node:zlib");
const { chromium } = require("playwright-core");

const port = process.env.SHOAL_HTTP_PORT || "8787";
const emailPort = process.env.SHOAL_EMAIL_PORT || "12112";
const OWNER_PASSWORD = "Owner-Pass-2026";
const shots = path.join(__dirname, "..", "artifacts", "browser");
fs.mkdirSync(shots, { recursive: true });
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const url = (host, p) => `http://${host}:${port}${p}`;

let ipCounter = 0;
/** A client address of its own per browser context: the rate limits count per client. */
const freshIp = () => `fd00:10e:${process.pid.toString(16)}:${(Date.now() % 65536).toString(16)}::${(++ipCounter).toString(16)}`;

/** The newest message the email API received for `to` that `pick` finds something in. */
async function mail(to, pick) {
  for (let i = 0; i < 100; i++) {
    const journal = await new Promise((resolve, reject) => {
      http.get({ host: "127.0.0.1", port: emailPort, path: "/__requests" }, (res) => {
        let data = "";
        res.on("data", (c) => (data += c));
        res.on("end", () => resolve(JSON.parse(data).data || []));
      }).on("error", reject);
    });
    for (const e of journal.slice().reverse()) {
      const msg = e.status === 200 && e.body ? JSON.parse(e.body) : {};
      const found = (msg.to || []).includes(to) && pick(msg);
      if (found) return found;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no matching email to ${to} within 5 s`);
}
const emailedCode = (to) => mail(to, (m) => { const c = /\b(\d{6})\b/.exec(m.text || ""); return c && c[1]; });

/** A PNG of `size`×`size` pixels of one colour (made here: the test needs no image files). */
function png(size, [r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(size * 3).map((_, i) => [r, g, b][i % 3])]);
  const raw = Buffer.concat(Array.from({ length: size }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", zlib.deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

async function axeViolations(page) {
  // evaluated through the DevTools protocol: the page's CSP (no inline scripts) stays on
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

/** axe-core, nothing wider than the screen, and a screenshot, at 1280 and then 390 px wide (back to 1280 after). */
async function checkBothWidths(page, name) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    assert.deepEqual(await axeViolations(page), [], `${name} at ${width}px`);
    assert.ok(await page.evaluate((w) => document.documentElement.scrollWidth <= w, width), `${name} fits ${width}px`);
    await page.screenshot({ path: path.join(shots, `journeys-${width}-${name}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

let browser;
const cspViolations = [];
before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
});
after(async () => {
  await browser.close();
  assert.deepEqual(cspViolations, [], "no CSP violations on any page");
});

/** A browser profile of its own (cookies, storage, client address, language). */
async function newPage(locale = "en-US") {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale,
    extraHTTPHeaders: { "cf-connecting-ip": freshIp(), "accept-language": locale } });
  const page = await context.newPage();
  page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
  page.on("pageerror", (e) => cspViolations.push(`page error: ${e.message}`));
  page.on("dialog", (d) => d.accept());
  // routing turns Chromium's HTTP cache off: each storefront visit sees what the server
  // answers now, not the copy a product page's `private, max-age=60` lets a browser keep
  await context.route("**/*", (route) => route.continue());
  return page;
}

/** The screen has rendered: its heading is there and nothing is loading. */
async function settled(page) {
  await page.waitForSelector("main h1");
  await page.waitForFunction(() => !document.querySelector(".loading"));
}

/** A new brand made through the platform host's sign-up form (English, euros), its owner
 * signed in on its own host; → { host, name, slug }. */
async function signUp(page, label) {
  const slug = `journey-${label}-${Date.now().toString(36)}`;
  const name = `Journey ${label} ${slug.slice(-5)}`;
  const email = `${slug}@example.com`;
  await page.goto(url("localhost", "/admin/sign-up"));
  await settled(page);
  await page.getByLabel("Shop name").fill(name);
  await page.getByLabel("Shop address").fill(slug);
  await page.getByLabel("Currency").selectOption("EUR");
  await page.getByLabel("Language of the shop").selectOption("en");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(OWNER_PASSWORD);
  await page.getByRole("button", { name: "Create shop" }).click();
  await page.waitForURL(/\/admin\/sign-up\/verify/);
  await page.getByLabel("Code from the email").fill(await emailedCode(email));
  await page.getByRole("button", { name: "Confirm" }).click();
  const host = `${slug}.localhost`;
  await page.waitForURL(new RegExp(`${slug}\\.localhost:\\d+/admin/sign-in\\?welcome=1`));
  await settled(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(OWNER_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForSelector("nav.side");
  await settled(page);
  return { host, name, slug };
}

async function openScreen(page, navLabel) {
  await page.locator("nav.side").getByRole("link", { name: navLabel }).click();
  await settled(page);
}

/** A product made on the New product screen (one variant, size=S, €19.50, 4 in stock); → its id. */
async function newProduct(page, title, sku) {
  await openScreen(page, "Products");
  await page.getByRole("link", { name: "New product" }).click();
  await settled(page);
  await page.getByLabel("Title").fill(title);
  // the product's title is not the variant's name (they shared one form field once)
  assert.equal(await page.getByLabel("Variant name").inputValue(), "", "the variant name stays empty");
  await page.getByLabel("Description").fill("Made by the journeys browser test.");
  await page.getByLabel("SKU").fill(sku);
  await page.getByLabel("Options").fill("size=S");
  await page.getByLabel("Price (EUR)", { exact: true }).fill("19.50");
  await page.getByLabel("Stock on hand").fill("4");
  await page.getByRole("button", { name: "Create product" }).click();
  await page.waitForURL(/\/admin\/products\/[0-9a-f-]{36}\?created=1$/);
  await settled(page);
  return new URL(page.url()).pathname.split("/").pop();
}

const apiProduct = (page, id) => page.evaluate(async (id) => (await fetch(`/api/v1/admin/products/${id}`)).json(), id);

/** Opens the storefront page at `p` in the shopper's page; → the HTTP status. */
async function shopper(shop, host, p) {
  const resp = await shop.goto(url(host, p));
  return resp.status();
}

test("brand_admin: signs up on the platform host, creates a product with two variants, an image and stock, publishes it and the shop, and sees it in the new shop", async () => {
  const page = await newPage();
  const { host, name } = await signUp(page, "owner");
  const me = await page.evaluate(async () => (await fetch("/api/v1/account/me")).json());
  assert.equal(me.role, "brand_admin");
  assert.equal(me.brand.name, name);

  // a new shop is not open yet: its storefront says "coming soon"
  const shop = await newPage();
  assert.equal(await shopper(shop, host, "/"), 503);
  assert.equal((await shop.locator("h1").innerText()).trim(), name);
  assert.match(await shop.locator("body").innerText(), /Coming soon/);
  await checkBothWidths(shop, "coming-soon");

  const stamp = Date.now().toString(36);
  const title = `Journey Tee ${stamp}`;
  const productId = await newProduct(page, title, `JT-${stamp}-S`);

  // the second variant
  await page.getByRole("button", { name: "Add a variant" }).click();
  const add = page.locator("form", { has: page.getByRole("heading", { name: "Add a variant" }) });
  await add.getByLabel("SKU").fill(`JT-${stamp}-M`);
  await add.getByLabel("Options").fill("size=M");
  await add.getByLabel("Price (EUR)", { exact: true }).fill("21.00");
  await add.getByLabel("Stock on hand").fill("2");
  await add.getByRole("button", { name: "Add variant" }).click();
  await page.waitForSelector(`h3:has-text("JT-${stamp}-M")`);
  assert.equal(await page.locator("article.variant").count(), 2, "two variants");

  // an image, uploaded from the editor
  await page.getByLabel("Add an image").setInputFiles({ name: "tee.png", mimeType: "image/png", buffer: png(48, [200, 40, 40]) });
  await page.waitForSelector("ol.images img");
  const imageSrc = await page.locator("ol.images img").getAttribute("src");
  assert.match(imageSrc, /^\/media\/[0-9a-f]+\.png$/);

  // stock: +6 received on the first variant
  const first = page.locator("article.variant").first();
  await first.getByLabel("Change").fill("6");
  await first.getByLabel("Reason").selectOption("received");
  await first.getByRole("button", { name: "Adjust stock" }).click();
  await first.locator("text=Stock adjusted: 10 available.").waitFor();

  // publish the product
  const details = page.locator("form", { has: page.getByRole("heading", { name: /^Details/ }) });
  await details.getByLabel("Status").selectOption("active");
  await details.getByRole("button", { name: "Save" }).click();
  await details.locator("text=Saved.").waitFor();
  await checkBothWidths(page, "owner-product-editor");
  const product = await apiProduct(page, productId);
  assert.equal(product.status, "active");
  assert.deepEqual(product.variants.map((v) => v.inventory.available).sort(), [10, 2]);

  // the product is published but the shop is not: still "coming soon"
  assert.equal(await shopper(shop, host, `/p/${product.slug}`), 503);

  // Settings → Publish the shop
  await openScreen(page, "Settings");
  assert.match(await page.locator(".publish-state").innerText(), /coming soon/);
  await page.getByRole("button", { name: "Publish the shop" }).click();
  await page.waitForSelector("text=The shop is published.");
  assert.match(await page.locator(".publish-state").innerText(), /is published/);
  await checkBothWidths(page, "owner-settings-published");

  // the storefront: the product with both variants and the image
  assert.equal(await shopper(shop, host, `/p/${product.slug}`), 200);
  assert.equal((await shop.locator("h1").innerText()).trim(), title);
  const options = await shop.locator("select[name=variant_id] option").allInnerTexts();
  assert.equal(options.length, 2, `both variants are for sale: ${options}`);
  assert.ok(options.some((o) => /^S — /.test(o)) && options.some((o) => /^M — /.test(o)), `sizes S and M: ${options}`);
  assert.ok((await shop.locator(`img[src^="/media/"]`).count()) >= 1, "the uploaded image is on the product page");
  await checkBothWidths(shop, "owner-product-in-shop");
  assert.equal(await shopper(shop, host, "/"), 200);
  await shop.locator(`a[href="/p/${product.slug}"]`).first().waitFor();
  await checkBothWidths(shop, "owner-shop-home");
  await shop.context().close();
  await page.context().close();
});

test("settings: a logo shows in the shop's header, a legal page saved in Spanish is at /legal/terms, and unpublishing shows coming soon until published again", async () => {
  const page = await newPage();
  const { host, name } = await signUp(page, "settings");
  await openScreen(page, "Settings");
  await page.getByRole("button", { name: "Publish the shop" }).click();
  await page.waitForSelector("text=The shop is published.");

  // the logo
  await page.getByLabel("Upload a logo").setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: png(64, [11, 87, 208]) });
  await page.waitForSelector("text=Logo saved.");
  const logo = await page.locator("img.logo-preview").getAttribute("src");
  assert.match(logo, /^\/media\//, "the preview shows the uploaded logo");
  assert.equal(await page.locator("img.logo-preview").getAttribute("alt"), `Logo of ${name}`);

  // the terms of sale, in Spanish
  const terms = `Condiciones de venta de prueba ${Date.now().toString(36)}.\n\nSegundo párrafo: devoluciones en 30 días.`;
  const spanish = page.getByRole("form", { name: "Terms of sale (Spanish)" });
  await spanish.getByRole("textbox", { name: "Terms of sale (Spanish)" }).fill(terms);
  await spanish.getByRole("button", { name: "Save page" }).click();
  await spanish.locator("[role=status]", { hasText: "Saved." }).waitFor();
  await checkBothWidths(page, "settings-logo-and-legal");
  // what was saved is what the screen shows after a reload
  await page.reload();
  await settled(page);
  assert.equal(await page.getByRole("textbox", { name: "Terms of sale (Spanish)" }).inputValue(), terms);
  assert.equal(await page.locator("img.logo-preview").getAttribute("src"), logo);

  // the storefront: the logo in the header; the Spanish terms for a Spanish-speaking shopper
  const shop = await newPage("es");
  assert.equal(await shopper(shop, host, "/"), 200);
  assert.ok((await shop.locator(`header img[src="${logo}"]`).count()) === 1, `the header shows the logo ${logo}: ${await shop.locator("header").innerHTML()}`);
  await checkBothWidths(shop, "shop-with-logo");
  assert.equal(await shopper(shop, host, "/legal/terms"), 200);
  const body = await shop.locator("main").innerText();
  assert.ok(body.includes(terms.split("\n")[0]) && body.includes("Segundo párrafo"), `the Spanish terms: ${body}`);
  assert.equal(await shop.locator("main p", { hasText: "Segundo párrafo" }).count(), 1, "blank lines make paragraphs");
  await checkBothWidths(shop, "legal-terms-es");
  assert.equal(await shopper(shop, host, "/legal/privacy"), 404, "a page never written is not there");

  // unpublish → coming soon → publish again
  await page.getByRole("button", { name: 'Unpublish (show "coming soon")' }).click();
  await page.waitForSelector('text=The shop shows "coming soon" again.');
  await checkBothWidths(page, "settings-unpublished");
  assert.equal(await shopper(shop, host, "/"), 503);
  assert.match(await shop.locator("body").innerText(), /Coming soon/);
  assert.equal(await shopper(shop, host, "/legal/terms"), 503, "the legal pages close with the shop");
  await checkBothWidths(shop, "coming-soon-again");
  await page.getByRole("button", { name: "Publish the shop" }).click();
  await page.waitForSelector("text=The shop is published.");
  assert.equal(await shopper(shop, host, "/"), 200);
  await shop.context().close();
  await page.context().close();
});

test("a product archived from its editor leaves the shop, is restored as a draft, and a duplicate opens as a draft", async () => {
  const page = await newPage();
  const { host } = await signUp(page, "archive");
  await openScreen(page, "Settings");
  await page.getByRole("button", { name: "Publish the shop" }).click();
  await page.waitForSelector("text=The shop is published.");
  const stamp = Date.now().toString(36);
  const title = `Journey Mug ${stamp}`;
  const id = await newProduct(page, title, `JM-${stamp}`);
  const details = page.locator("form", { has: page.getByRole("heading", { name: /^Details/ }) });
  await details.getByLabel("Status").selectOption("active");
  await details.getByRole("button", { name: "Save" }).click();
  await details.locator("text=Saved.").waitFor();
  const { slug } = await apiProduct(page, id);
  const shop = await newPage();
  assert.equal(await shopper(shop, host, `/p/${slug}`), 200);

  await details.getByRole("button", { name: "Archive" }).click();
  await page.waitForSelector("text=Archived: the product is no longer in the shop.");
  assert.equal((await apiProduct(page, id)).status, "archived");
  assert.equal(await details.getByLabel("Status").inputValue(), "archived", "the form shows the new status");
  await checkBothWidths(page, "product-archived");
  assert.equal(await shopper(shop, host, `/p/${slug}`), 404, "an archived product is not in the shop");

  await details.getByRole("button", { name: "Restore as draft" }).click();
  await page.waitForSelector("text=Restored as a draft.");
  assert.equal((await apiProduct(page, id)).status, "draft");
  assert.equal(await details.getByLabel("Status").inputValue(), "draft");
  assert.equal(await details.getByRole("button", { name: "Archive" }).count(), 1, "archiving is offered again");

  await details.getByRole("button", { name: "Duplicate" }).click();
  await page.waitForURL((u) => /\/admin\/products\/[0-9a-f-]{36}\?created=1$/.test(u.href) && !u.href.includes(id));
  await settled(page);
  const copyId = new URL(page.url()).pathname.split("/").pop();
  const copy = await apiProduct(page, copyId);
  assert.equal(copy.status, "draft", "the copy is a draft");
  assert.notEqual(copy.slug, slug);
  assert.equal(copy.variants.length, 1, "the copy has the variant");
  assert.equal(await page.locator("form", { has: page.getByRole("heading", { name: /^Details/ }) }).getByLabel("Status").inputValue(), "draft");
  assert.match(await page.getByLabel("Title").inputValue(), new RegExp(title));
  await checkBothWidths(page, "product-duplicate");
  await shop.context().close();
  await page.context().close();
});
