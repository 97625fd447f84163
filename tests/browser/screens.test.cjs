// The dashboard's shop screens in real Chromium (Debian's), against the local stack: a
// brand admin creates a product with two variants and an image, sets its stock, publishes
// it and sees it on the storefront; an editor fulfils a paid order (processing → shipped
// with a tracking number → delivered) and the timeline shows each step; a read-only member
// sees the catalog and orders with no edit controls; axe-core (WCAG 2.1 A/AA, no serious or
// critical violation) on every screen of catalog, orders, overview, customers, devices,
// settings and notifications at 1280 and 390 px wide (and in Spanish), with no CSP violation;
// categories reordered from the keyboard; a customer erased after typing their email. Screenshots:
// tests/artifacts/browser/screens-*.png. Run by scripts/test with the stack up (NODE_PATH
// points at the pinned playwright-core and axe-core).
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const zlib = require("node:zlib");
const { chromium } = require("playwright-core");

const port = process.env.SHOAL_HTTP_PORT || "8787";
const PASSWORD = "Shoal-dev-2026!";
const HOST = "acme.localhost";
const shots = path.join(__dirname, "..", "artifacts", "browser");
fs.mkdirSync(shots, { recursive: true });
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const url = (p, host = HOST) => `http://${host}:${port}${p}`;
const shot = (page, name) => page.screenshot({ path: path.join(shots, `screens-${name}.png`), fullPage: true });

let ipCounter = 0;
/** A client address of its own per browser context: the rate limits count per client. */
const freshIp = () => `fd00:5c5:${process.pid.toString(16)}:${(Date.now() % 65536).toString(16)}::${(++ipCounter).toString(16)}`;

/** A JSON request to the local worker; answers { status, json }. */
function call(method, urlPath, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path: urlPath,
      headers: { host: `${HOST}:${port}`, "content-type": "application/json", "cf-connecting-ip": freshIp(), ...headers } }, (res) => {
      let data = "";
      res.on("data", (c) => (data += c));
      res.on("end", () => resolve({ status: res.statusCode, json: data ? JSON.parse(data) : null }));
    });
    req.on("error", reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

/** The brand admin's bearer token, for setting up what the screens show. */
async function adminToken() {
  const login = await call("POST", "/api/v1/auth/login", {}, { email: "admin@acme.localhost", password: PASSWORD });
  assert.equal(login.status, 200, JSON.stringify(login.json));
  return login.json.access_token;
}

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
  assert.deepEqual(cspViolations, [], "no CSP violations on any dashboard page");
});

async function newPage(width = 1280) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, extraHTTPHeaders: { "cf-connecting-ip": freshIp() } });
  const page = await context.newPage();
  page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
  page.on("pageerror", (e) => cspViolations.push(`page error: ${e.message}`));
  page.on("dialog", (d) => d.accept());
  return page;
}

/** The screen has rendered: its heading is there and nothing is loading. */
async function settled(page) {
  await page.waitForSelector("main h1");
  await page.waitForFunction(() => !document.querySelector(".loading"));
}

async function signIn(page, email, host = HOST) {
  await page.goto(url("/admin/sign-in", host));
  await settled(page);
  // before sign-in the screens speak the brand's language (Globex: Spanish)
  await page.getByLabel(/^(Email|Correo electrónico)$/).fill(email);
  await page.getByLabel(/^(Password|Contraseña)$/).fill(PASSWORD);
  await page.getByRole("button", { name: /^(Sign in|Iniciar sesión)$/ }).click();
  await page.waitForSelector("nav.side");
  await settled(page);
}

/** A shopper buys one of Acme's seeded products through the storefront and Stripe's stand-in; → the order number. */
async function paidOrder(email = `screens-${Date.now()}@example.com`) {
  const page = await newPage();
  try {
    await page.goto(url("/p/summit-hoodie"));
    await page.selectOption("select[name=variant_id]", { index: 0 });
    await page.click(".buy button");
    await page.waitForURL(/\/cart$/);
    await page.fill("input[name=email]", email);
    await page.click(".checkout button");
    await page.waitForURL(/\/checkout\/cs_test_/);
    await page.click("#pay");
    await page.waitForURL(/\/checkout\/success\?order=\d+/);
    return new URL(page.url()).searchParams.get("order");
  } finally {
    await page.context().close();
  }
}

test("a brand admin creates a product with two variants and an image, sets stock, publishes it and sees it in the shop", async () => {
  const page = await newPage();
  await signIn(page, "admin@acme.localhost");
  await page.locator("nav.side").getByRole("link", { name: "Products" }).click();
  await settled(page);
  await page.getByRole("link", { name: "New product" }).click();
  await settled(page);
  const stamp = Date.now().toString(36);
  const title = `Browser Tee ${stamp}`;
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Description").fill("A tee made by the browser test.");
  await page.getByLabel("SKU").fill(`BT-${stamp}-S`);
  await page.getByLabel("Options").fill("size=S");
  await page.getByLabel("Price (USD)", { exact: true }).fill("19.5");
  // a refusal names its field and what to fix
  await page.getByLabel("Compare-at price (USD)").fill("10.00");
  await page.getByRole("button", { name: "Create product" }).click();
  await page.waitForSelector(".field-error");
  assert.match(await page.locator(".field-error").innerText(), /compare-at price must be above the price/i);
  await shot(page, "product-new-refused");
  await page.getByLabel("Compare-at price (USD)").fill("25.00");
  await page.getByLabel("Stock on hand").fill("5");
  await page.getByRole("button", { name: "Create product" }).click();
  await page.waitForURL(/\/admin\/products\/[0-9a-f-]{36}\?created=1$/);
  await settled(page);
  const productId = new URL(page.url()).pathname.split("/").pop();

  // the second variant
  await page.getByRole("button", { name: "Add a variant" }).click();
  const add = page.locator("form", { has: page.getByRole("heading", { name: "Add a variant" }) });
  await add.getByLabel("SKU").fill(`BT-${stamp}-M`);
  await add.getByLabel("Options").fill("size=M");
  await add.getByLabel("Price (USD)", { exact: true }).fill("21.00");
  await add.getByLabel("Stock on hand").fill("3");
  await add.getByRole("button", { name: "Add variant" }).click();
  await page.waitForSelector(`h3:has-text("BT-${stamp}-M")`);
  assert.equal(await page.locator("article.variant").count(), 2, "two variants");

  // an image, uploaded with a progress bar, then described
  // the upload is held back a moment so its progress bar can be seen
  const hold = async (route) => { await new Promise((r) => setTimeout(r, 800)); await route.continue(); };
  await page.route(/\/images$/, hold);
  await page.getByLabel("Add an image").setInputFiles({ name: "tee.png", mimeType: "image/png", buffer: png(64, [11, 87, 208]) });
  await page.waitForSelector("progress[aria-label='Upload progress']");
  await shot(page, "product-uploading");
  await page.waitForSelector("ol.images img");
  await page.unroute(/\/images$/, hold);
  assert.match(await page.locator("ol.images img").getAttribute("src"), /^\/media\/[0-9a-f]+\.png$/);
  await page.getByLabel("Description of image 1 (alt text)").fill("A blue tee");
  await page.getByRole("button", { name: "Save description" }).click();
  await page.waitForFunction(() => document.querySelector("ol.images img")?.getAttribute("alt") === "A blue tee");

  // stock: +7 received on the first variant, with the ledger showing it
  const first = page.locator("article.variant").first();
  await first.getByLabel("Change").fill("7");
  await first.getByLabel("Reason").selectOption("received");
  await first.getByRole("button", { name: "Adjust stock" }).click();
  await first.locator("text=Stock adjusted: 12 available.").waitFor();
  await first.getByRole("button", { name: "Show stock history" }).click();
  await first.locator("table.ledger td", { hasText: "+7" }).waitFor();
  // more than is there is refused, next to the field
  await first.getByLabel("Change").fill("-100");
  await first.getByRole("button", { name: "Adjust stock" }).click();
  await first.locator(".field-error").waitFor();
  assert.match(await first.locator(".field-error").innerText(), /below what is reserved|remove fewer/);
  await first.getByLabel("Low-stock threshold", { exact: true }).fill("2");
  await first.getByRole("button", { name: "Save threshold" }).click();
  await first.locator("text=Saved.").first().waitFor();

  // publish: active
  const details = page.locator("form", { has: page.getByRole("heading", { name: /^Details/ }) });
  await details.getByLabel("Status").selectOption("active");
  await details.getByRole("button", { name: "Save" }).click();
  await details.locator("text=Saved.").waitFor();
  await shot(page, "product-editor");
  assert.deepEqual(await axeViolations(page), [], "the filled product editor");

  const product = await page.evaluate(async (id) => (await fetch(`/api/v1/admin/products/${id}`)).json(), productId);
  assert.equal(product.status, "active");
  assert.deepEqual(product.variants.map((v) => v.inventory.available).sort(), [12, 3]);

  // the storefront shows it, both variants and the image
  const shop = await newPage();
  await shop.goto(url(`/p/${product.slug}`));
  assert.equal((await shop.locator("h1").innerText()).trim(), title);
  assert.equal(await shop.locator("select[name=variant_id] option").count(), 2, "both variants are for sale");
  assert.ok((await shop.locator(`img[src^="/media/"]`).count()) >= 1, "the uploaded image is on the product page");
  await shop.screenshot({ path: path.join(shots, "screens-product-in-shop.png"), fullPage: true });
  await shop.context().close();

  // and the list finds it
  await page.goto(url(`/admin/products?q=${encodeURIComponent(stamp)}`));
  await settled(page);
  await page.waitForSelector(`table.products a:has-text("${title}")`);
  await page.context().close();
});

test("an editor fulfils a paid order: processing, shipped with tracking, delivered, a partial refund, and the timeline shows it", async () => {
  const number = await paidOrder();
  const page = await newPage();
  await signIn(page, "editor@acme.localhost");
  await page.locator("nav.side").getByRole("link", { name: "Orders" }).click();
  await settled(page);
  // the CSV export shows that it is being prepared, then downloads the orders
  await page.route(/export\.csv/, async (route) => { await new Promise((r) => setTimeout(r, 800)); await route.continue(); });
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  await page.getByRole("button", { name: "Preparing…" }).waitFor();
  const csv = await download;
  assert.match(csv.suggestedFilename(), /^orders-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = fs.readFileSync(await csv.path(), "utf8");
  assert.ok(text.includes(`${number}`), "the export has the new order");
  await page.getByLabel("Search", { exact: true }).fill(`#${number}`);
  await page.getByRole("button", { name: "Apply" }).click();
  await page.getByRole("link", { name: `#${number}` }).click();
  await settled(page);
  assert.equal((await page.locator("h1").innerText()).trim(), `Order #${number}`);
  const status = () => page.locator("dd.order-status").innerText().then((s) => s.trim());
  assert.equal(await status(), "Paid");
  // only what the state machine allows: from paid, processing or cancel; never shipped yet
  assert.equal(await page.getByRole("button", { name: "Mark as shipped" }).count(), 0);
  await page.getByRole("button", { name: "Start processing" }).click();
  await page.waitForFunction(() => document.querySelector("dd.order-status")?.textContent.trim() === "Processing");
  // shipping without a tracking number is refused next to the field
  await page.getByRole("button", { name: "Mark as shipped" }).click();
  await page.waitForSelector(".field-error");
  assert.match(await page.locator(".field-error").innerText(), /tracking number/);
  const tracking = `1Z${Date.now()}`;
  await page.getByLabel("Tracking number").fill(tracking);
  await page.getByRole("button", { name: "Mark as shipped" }).click();
  await page.waitForFunction(() => document.querySelector("dd.order-status")?.textContent.trim() === "Shipped");
  assert.equal((await page.locator("dd.tracking").innerText()).trim(), tracking);
  await page.getByRole("button", { name: "Mark as delivered" }).click();
  await page.waitForFunction(() => document.querySelector("dd.order-status")?.textContent.trim() === "Delivered");
  // what is offered now is exactly what the API allows from delivered
  const allowed = await page.evaluate(async (u) => (await (await fetch(`/api/v1/admin/orders/${u}`)).json()).allowed_transitions, new URL(page.url()).pathname.split("/").pop());
  const offered = await page.locator("form", { has: page.getByRole("heading", { name: "Next step" }) }).getByRole("button").allInnerTexts();
  const label = { processing: "Start processing", shipped: "Mark as shipped", delivered: "Mark as delivered", cancelled: "Cancel order", returned: "Mark as returned" };
  assert.deepEqual(offered.map((s) => s.trim()), allowed.map((to) => label[to]));
  assert.ok(!allowed.includes("shipped") && !allowed.includes("delivered"));
  const timeline = await page.locator("ol.timeline").innerText();
  for (const step of ["Paid → Processing", "Processing → Shipped", "Shipped → Delivered", tracking]) assert.ok(timeline.includes(step), `timeline has ${step}:\n${timeline}`);
  // a partial refund through Stripe's stand-in, then it shows in refunds and the timeline
  await page.getByLabel("Amount to refund (USD)").fill("10.00");
  await page.getByRole("button", { name: "Refund", exact: true }).click();
  await page.locator("text=$10.00 refunded.").waitFor();
  await page.waitForFunction(() => document.body.textContent.includes("Partly refunded"));
  assert.ok((await page.locator("ol.timeline").innerText()).includes("Refunded $10.00"), "the refund is in the timeline");
  assert.deepEqual(await axeViolations(page), [], "the delivered order");
  await shot(page, "order-delivered");
  await page.context().close();
});

test("a read-only member sees the catalog and orders but no edit controls", async () => {
  const token = await adminToken();
  const products = await call("GET", "/api/v1/admin/products?limit=1", { authorization: `Bearer ${token}` });
  const orders = await call("GET", "/api/v1/admin/orders?limit=1", { authorization: `Bearer ${token}` });
  const page = await newPage();
  await signIn(page, "viewer@acme.localhost");
  const nav = await page.locator("nav.side").innerText();
  for (const item of ["Products", "Categories", "Orders", "Customers"]) assert.ok(nav.includes(item), `${item} in read_only's menu: ${nav}`);
  assert.ok(!nav.includes("Devices"), "no devices for read_only");
  const screens = ["/admin/products", `/admin/products/${products.json.items[0].id}`, "/admin/categories", "/admin/orders", `/admin/orders/${orders.json.items[0].id}`, "/admin/settings"];
  for (const p of screens) {
    await page.goto(url(p));
    await settled(page);
    // the list filters are searches, not edits; the stock history toggle only reads
    const controls = await page.evaluate(() => [...document.querySelectorAll("main input, main select, main textarea, main button, main a.button")]
      .filter((el) => !el.closest("form[role=search]") && !el.disabled && !el.readOnly && !/stock history|Export CSV|Show more/.test(el.textContent))
      .map((el) => el.outerHTML.slice(0, 120)));
    assert.deepEqual(controls, [], `${p}: no edit controls`);
    await shot(page, `read-only-${p.split("/")[2]}${p.split("/").length > 3 ? "-detail" : ""}`);
  }
  await page.goto(url("/admin/products/new"));
  await settled(page);
  assert.equal((await page.locator("h1").innerText()).trim(), "Not available");
  await page.context().close();
});

test("every shop screen passes axe-core at 1280 and 390 px wide", async () => {
  const token = await adminToken();
  const auth = { authorization: `Bearer ${token}` };
  const product = (await call("GET", "/api/v1/admin/products?limit=1", auth)).json.items[0];
  const order = (await call("GET", "/api/v1/admin/orders?limit=1", auth)).json.items[0];
  const customers = (await call("GET", "/api/v1/admin/customers?limit=1", auth)).json.items;
  const device = await call("POST", "/api/v1/admin/devices", auth, { name: `Till ${Date.now().toString(36)}`, store: "Main street" });
  assert.equal(device.status, 201, JSON.stringify(device.json));
  const deviceId = device.json.device ? device.json.device.id : device.json.id;
  await call("POST", `/api/v1/admin/devices/${deviceId}/commands`, auth, { kind: "refresh_catalog" });
  const screens = ["/admin", "/admin/products", "/admin/products/new", `/admin/products/${product.id}`, "/admin/categories", "/admin/orders",
    `/admin/orders/${order.id}`, "/admin/customers", ...(customers.length ? [`/admin/customers/${customers[0].id}`] : []), "/admin/devices",
    `/admin/devices/${deviceId}`, "/admin/settings", "/admin/notifications"];
  for (const width of [1280, 390]) {
    const page = await newPage(width);
    await signIn(page, "admin@acme.localhost");
    for (const p of screens) {
      await page.goto(url(p));
      await settled(page);
      assert.deepEqual(await axeViolations(page), [], `${p} at ${width}px`);
      // wide tables scroll inside their own box: the page itself never scrolls sideways
      assert.ok(await page.evaluate((w) => document.documentElement.scrollWidth <= w, width), `${p} fits ${width}px`);
      const name = p.replace(/[0-9a-f-]{36}/, "id").replace(/\W+/g, "_");
      await page.screenshot({ path: path.join(shots, `screens-${width}${name}.png`), fullPage: true });
    }
    await page.context().close();
  }
  // in Spanish (Globex), on a phone
  const es = await newPage(390);
  await signIn(es, "admin@globex.localhost", "globex.localhost");
  for (const p of ["/admin", "/admin/products", "/admin/products/new", "/admin/categories", "/admin/orders", "/admin/customers", "/admin/settings"]) {
    await es.goto(url(p, "globex.localhost"));
    await settled(es);
    assert.equal(await es.evaluate(() => document.documentElement.lang), "es");
    assert.deepEqual(await axeViolations(es), [], `globex ${p} at 390px`);
    assert.ok(await es.evaluate(() => document.documentElement.scrollWidth <= 390), `globex ${p} fits 390px`);
    await es.screenshot({ path: path.join(shots, `screens-es-390${p.replace(/\W+/g, "_")}.png`), fullPage: true });
  }
  await es.context().close();
});

test("settings: a low-contrast theme is refused next to the colours, and the new-order email opt-in saves", async () => {
  const page = await newPage();
  await signIn(page, "admin@acme.localhost");
  await page.goto(url("/admin/settings"));
  await settled(page);
  const general = page.locator("form", { has: page.getByRole("heading", { name: "Shop", exact: true }) });
  await general.getByLabel("Background").fill("#ffffff");
  await general.getByLabel("Text", { exact: true }).fill("#dddddd");
  await general.getByRole("button", { name: "Save" }).click();
  await general.locator(".field-error").first().waitFor();
  assert.match(await general.locator(".field-error").first().innerText(), /too close.*4\.5:1/);
  assert.equal(await general.getByLabel("Text", { exact: true }).getAttribute("aria-invalid"), "true", "the refused colour is marked");
  await shot(page, "settings-low-contrast");
  assert.deepEqual(await axeViolations(page), [], "settings with the refusal");

  await page.goto(url("/admin/notifications"));
  await settled(page);
  const box = page.getByLabel("Email me for each new order");
  const was = await box.isChecked();
  await box.setChecked(!was);
  await page.getByRole("button", { name: "Save" }).click();
  await page.locator("text=Saved.").waitFor();
  const me = await page.evaluate(async () => (await fetch("/api/v1/account/me")).json());
  assert.equal(Boolean(me.notifications && me.notifications.new_order_email), !was, "the choice is stored");
  await box.setChecked(was);
  await page.getByRole("button", { name: "Save" }).click();
  await page.context().close();
});

test("a brand admin creates and reorders categories from the keyboard, and erases a customer after typing their email", async () => {
  const page = await newPage();
  await signIn(page, "admin@acme.localhost");
  await page.goto(url("/admin/categories"));
  await settled(page);
  const name = `Browser cat ${Date.now().toString(36)}`;
  const create = page.locator("form", { has: page.getByRole("heading", { name: "New category" }) });
  await create.getByLabel("Name").fill(name);
  await create.getByRole("button", { name: "Create category" }).click();
  await page.locator(`text=Category ${name} created.`).waitFor();
  const position = async () => page.evaluate(async (n) => (await (await fetch("/api/v1/admin/categories")).json()).items.findIndex((c) => c.name === n), name);
  const before = await position();
  assert.ok(before > 0, "a new category goes last");
  // Up, from the keyboard: focus the button and press Enter
  await page.getByRole("button", { name: `Move up: ${name}` }).focus();
  await page.keyboard.press("Enter");
  await page.locator(`text=${name} is now number ${before}.`).waitFor();
  assert.equal(await position(), before - 1);
  await page.getByRole("button", { name: `Delete ${name}` }).click();
  await page.locator(`text=Category ${name} deleted.`).waitFor();
  await shot(page, "categories");

  const email = `erase-${Date.now()}@example.com`;
  await paidOrder(email);
  await page.goto(url(`/admin/customers`));
  await settled(page);
  await page.getByRole("searchbox", { name: "Search customers" }).fill(email);
  await page.getByRole("button", { name: "Apply" }).click();
  await page.getByRole("link", { name: email }).click();
  await settled(page);
  await page.getByLabel(`Type ${email} to confirm`).fill("someone-else@example.com");
  await page.getByRole("button", { name: "Erase personal data" }).click();
  assert.match(await page.locator(".field-error").innerText(), /exactly as shown/);
  await page.getByLabel(`Type ${email} to confirm`).fill(email);
  await page.getByRole("button", { name: "Erase personal data" }).click();
  await page.locator("text=The customer's personal data was erased.").waitFor();
  await shot(page, "customer-erased");
  await page.context().close();
});
