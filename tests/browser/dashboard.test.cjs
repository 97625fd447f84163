// The dashboard in real Chromium (Debian's), against the local stack: signing in, MFA
// enrolment with a QR code (the test computes the TOTP from the secret shown beside it),
// an invited editor who joins from the emailed link, a read-only member who sees no edit
// controls and whose forged POST is refused, a member of one brand who gets nothing on
// another brand's host, a super admin who switches brand (in that brand's audit log), the
// platform's sign-up, and axe-core (WCAG 2.1 A/AA, no serious or critical violation) on every
// screen at 1280 and 390 px wide, with no CSP violation. Screenshots: tests/artifacts/browser/.
// Run by scripts/test with the stack up: NODE_PATH points at the pinned playwright-core and
// axe-core.
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { chromium } = require("playwright-core");

const port = process.env.SHOAL_HTTP_PORT || "8787";
const emailPort = process.env.SHOAL_EMAIL_PORT || "12112";
const PASSWORD = "Shoal-dev-2026!";
const shots = path.join(__dirname, "..", "artifacts", "browser");
fs.mkdirSync(shots, { recursive: true });
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const url = (host, p) => `http://${host}:${port}${p}`;
// before sign-in the screens speak the brand's language (Globex: Spanish)
const EMAIL = /^(Email|Correo electrónico)$/;
const PASSWORD_LABEL = /^(Password|Contraseña)$/;
const SIGN_IN = /^(Sign in|Iniciar sesión)$/;
const WRONG_PASSWORD = /do not match an account of this shop|no coinciden con una cuenta de esta tienda/;

// Every screen this file walks with axe-core; a new screen is added here (frontend/admin/README.md).
const SCREENS = {
  brandSignedOut: ["/admin/sign-in", "/admin/forgot-password", "/admin/reset-password?email=someone%40example.com&sent=1"],
  brandSignedIn: ["/admin", "/admin/account", "/admin/members", "/admin/domains", "/admin/audit-log", "/admin/billing", "/admin/no-such-screen"],
  platform: ["/admin", "/admin/sign-up", "/admin/sign-up/verify?email=owner%40example.com&host=acme.localhost", "/admin/brands"],
};

/** SQL as the database superuser (scripts/dev psql), for states only Stripe could bring about. */
const sql = (statement) =>
  execFileSync(path.join(__dirname, "..", "..", "scripts", "dev"), ["psql", "-tA", "-c", statement], { encoding: "utf8" }).trim();

let ipCounter = 0;
/** A client address of its own per browser context: the rate limits count per client. */
const freshIp = () => `fd00:da5:${process.pid.toString(16)}:${(Date.now() % 65536).toString(16)}::${(++ipCounter).toString(16)}`;

/** A request to the local worker as a browser sends it; answers { status, json }. */
function call(method, host, urlPath, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path: urlPath,
      headers: { host: `${host}:${port}`, "content-type": "application/json", "cf-connecting-ip": freshIp(), ...headers } }, (res) => {
      let data = "";
      res.on("data", (c) => (data += c));
      res.on("end", () => resolve({ status: res.statusCode, json: data ? JSON.parse(data) : null }));
    });
    req.on("error", reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

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
const invitationLink = (to) => mail(to, (m) => { const h = /href="([^"]*accept-invitation[^"]*)"/.exec(m.html || ""); return h && h[1].replace(/&amp;/g, "&"); });
const emailedCode = (to) => mail(to, (m) => { const c = /\b(\d{6})\b/.exec(m.text || ""); return c && c[1]; });

/** RFC 6238 TOTP (SHA-1, 30 s, 6 digits) of a base32 secret at time step `step`. */
function totp(secret, step) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of secret.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, "0");
}
const stepNow = () => Math.floor(Date.now() / 1000 / 30);

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

/** A browser profile of its own (cookies, storage, client address). */
async function newPage(width = 1280) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, extraHTTPHeaders: { "cf-connecting-ip": freshIp() } });
  const page = await context.newPage();
  page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
  page.on("pageerror", (e) => cspViolations.push(`page error: ${e.message}`));
  return page;
}

/** The screen has rendered: its heading is there and nothing is loading. */
async function settled(page) {
  await page.waitForSelector("main h1");
  await page.waitForFunction(() => !document.querySelector(".loading"));
}

async function signIn(page, host, email, password = PASSWORD) {
  await page.goto(url(host, "/admin/sign-in"));
  await settled(page);
  await page.getByLabel(EMAIL).fill(email);
  await page.getByLabel(PASSWORD_LABEL).fill(password);
  await page.getByRole("button", { name: SIGN_IN }).click();
}

async function signedIn(page) {
  await page.waitForSelector("nav.side");
  await settled(page);
}

/** A new editor of Acme made through the API (invitation accepted with `password`). */
async function newMember(role, password) {
  const login = await call("POST", "acme.localhost", "/api/v1/auth/login", {}, { email: "admin@acme.localhost", password: PASSWORD });
  assert.equal(login.status, 200, JSON.stringify(login.json));
  const email = `browser-${role}-${Date.now()}-${ipCounter}@example.com`;
  const invited = await call("POST", "acme.localhost", "/api/v1/admin/members/invitations",
    { authorization: `Bearer ${login.json.access_token}` }, { email, role });
  assert.equal(invited.status, 201, JSON.stringify(invited.json));
  const token = new URL(await invitationLink(email)).searchParams.get("token");
  const accepted = await call("POST", "acme.localhost", "/api/v1/auth/accept-invitation", {}, { token, password });
  assert.equal(accepted.status, 200, JSON.stringify(accepted.json));
  return email;
}

test("every dashboard screen passes axe-core at 1280 and 390 px wide", async () => {
  for (const width of [1280, 390]) {
    const page = await newPage(width);
    for (const p of SCREENS.brandSignedOut) {
      await page.goto(url("acme.localhost", p));
      await settled(page);
      assert.deepEqual(await axeViolations(page), [], `${p} at ${width}px`);
      assert.ok(await page.evaluate((w) => document.documentElement.scrollWidth <= w, width), `${p} fits ${width}px`);
      await page.screenshot({ path: path.join(shots, `dashboard-${width}-${p.split("?")[0].replace(/\W+/g, "_")}.png`), fullPage: true });
    }
    await signIn(page, "acme.localhost", "admin@acme.localhost");
    await signedIn(page);
    for (const p of SCREENS.brandSignedIn) {
      await page.goto(url("acme.localhost", p));
      await settled(page);
      assert.deepEqual(await axeViolations(page), [], `${p} at ${width}px`);
      // nothing wider than the screen: wide tables scroll inside their own box
      assert.ok(await page.evaluate((w) => document.documentElement.scrollWidth <= w, width), `${p} fits ${width}px`);
      await page.screenshot({ path: path.join(shots, `dashboard-${width}-${p.replace(/\W+/g, "_")}.png`), fullPage: true });
    }
    for (const p of SCREENS.platform) {
      await page.goto(url("localhost", p));
      await settled(page);
      assert.deepEqual(await axeViolations(page), [], `platform ${p} at ${width}px`);
      assert.ok(await page.evaluate((w) => document.documentElement.scrollWidth <= w, width), `platform ${p} fits ${width}px`);
      await page.screenshot({ path: path.join(shots, `platform-${width}-${p.split("?")[0].replace(/\W+/g, "_")}.png`), fullPage: true });
    }
    await page.context().close();
  }
});

test("sign in opens the screen asked for, and signing out ends the session", async () => {
  const page = await newPage();
  await page.goto(url("acme.localhost", "/admin/domains"));
  await page.waitForURL(/\/admin\/sign-in\?next=%2Fadmin%2Fdomains/);
  await page.getByLabel(EMAIL).fill("admin@acme.localhost");
  await page.getByLabel(PASSWORD_LABEL).fill("wrong-password-1A!");
  await page.getByRole("button", { name: SIGN_IN }).click();
  await page.waitForSelector("[role=alert]");
  assert.match(await page.locator("[role=alert]").innerText(), WRONG_PASSWORD);
  await page.getByLabel(PASSWORD_LABEL).fill(PASSWORD);
  await page.getByRole("button", { name: SIGN_IN }).click();
  await page.waitForURL(/\/admin\/domains$/);
  await signedIn(page);
  assert.equal((await page.locator("h1").innerText()).trim(), "Domains");
  // the access cookie expires (15 min): a reload refreshes the session (by cookie, with the
  // CSRF token kept from the login) and stays on the screen
  const cookies = await page.context().cookies();
  await page.context().clearCookies();
  await page.context().addCookies(cookies.filter((c) => c.name !== "shoal_access"));
  await page.reload();
  await signedIn(page);
  assert.equal((await page.locator("h1").innerText()).trim(), "Domains");
  assert.ok((await page.context().cookies()).some((c) => c.name === "shoal_access"), "a new access cookie");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/admin\/sign-in$/);
  assert.equal(await page.evaluate(async () => (await fetch("/api/v1/account/me")).status), 401);
  await page.context().close();
});

test("a member turns on MFA by scanning the QR secret and then signs in with a code", async () => {
  const password = "Mfa-Member-789";
  const email = await newMember("editor", password);
  const page = await newPage();
  await signIn(page, "acme.localhost", email, password);
  await signedIn(page);
  await page.locator("nav.side").getByRole("link", { name: "Account" }).click();
  await settled(page);
  const mfa = page.locator("form", { has: page.getByRole("heading", { name: "Two-step sign-in" }) });
  await mfa.getByLabel("Current password").fill(password);
  await mfa.getByRole("button", { name: "Set up two-step sign-in" }).click();
  await page.waitForSelector("svg.qr");
  assert.equal(await page.locator("svg.qr").getAttribute("role"), "img");
  assert.ok((await page.locator("svg.qr path").getAttribute("d")).length > 500, "the QR code is drawn");
  assert.deepEqual(await axeViolations(page), [], "the enrolment screen is accessible");
  await page.screenshot({ path: path.join(shots, "dashboard-mfa-1-qr.png"), fullPage: true });
  const secret = (await page.locator("code.secret").innerText()).trim();
  // the QR code's URI (also the link for a phone) names the same secret
  const uri = new URL(await page.locator("a.otpauth").getAttribute("href"));
  assert.equal(uri.protocol, "otpauth:");
  assert.equal(uri.searchParams.get("secret"), secret);
  const enrolStep = stepNow();
  await page.getByLabel("Code from your authenticator app").fill(totp(secret, enrolStep));
  await page.getByRole("button", { name: "Turn on" }).click();
  await page.waitForSelector("ul.codes");
  assert.equal(await page.locator("ul.codes li").count(), 10, "ten recovery codes, shown once");
  const recoveryCodes = await page.locator("ul.codes li").allInnerTexts();
  assert.deepEqual(await axeViolations(page), [], "the recovery codes screen is accessible");
  await page.screenshot({ path: path.join(shots, "dashboard-mfa-2-recovery-codes.png"), fullPage: true });
  await page.getByRole("button", { name: "I saved my recovery codes" }).click();
  await page.waitForSelector("text=Two-step sign-in is on.");

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/admin\/sign-in$/);
  await signIn(page, "acme.localhost", email, password);
  await page.waitForSelector("text=Enter your code");
  assert.deepEqual(await axeViolations(page), [], "the code step is accessible");
  await page.screenshot({ path: path.join(shots, "dashboard-mfa-3-code-step.png") });
  // each time step is accepted once: the one after enrolment's (or the current one, if later)
  await page.getByLabel("Code from your authenticator app").fill(totp(secret, Math.max(enrolStep + 1, stepNow())));
  await page.getByRole("button", { name: "Sign in" }).click();
  await signedIn(page);
  assert.equal(await page.evaluate(async () => (await (await fetch("/api/v1/account/me")).json()).mfa_enabled), true);

  // turning it off takes the password and a second factor: here one of the recovery codes
  await page.locator("nav.side").getByRole("link", { name: "Account" }).click();
  await settled(page);
  const off = page.locator("form", { has: page.getByRole("heading", { name: "Two-step sign-in" }) });
  await off.getByLabel("Current password").fill(password);
  await off.getByLabel("Code from your authenticator app, or a recovery code").fill("000000");
  await off.getByRole("button", { name: "Turn off two-step sign-in" }).click();
  await page.waitForSelector(".field-error, [role=alert]");
  assert.match(await off.innerText(), /not right|used already/, "a wrong code is said next to its field");
  await off.getByLabel("Code from your authenticator app, or a recovery code").fill(recoveryCodes[0].trim());
  await off.getByRole("button", { name: "Turn off two-step sign-in" }).click();
  await page.waitForSelector("text=Two-step sign-in is off.");
  assert.equal(await page.evaluate(async () => (await (await fetch("/api/v1/account/me")).json()).mfa_enabled), false);
  await page.context().close();
});

test("a brand admin invites an editor, who accepts from the emailed link and signs in", async () => {
  const admin = await newPage();
  await signIn(admin, "acme.localhost", "admin@acme.localhost");
  await signedIn(admin);
  await admin.locator("nav.side").getByRole("link", { name: "Members" }).click();
  await settled(admin);
  const invitee = `browser-invited-${Date.now()}@example.com`;
  const inviteForm = admin.locator("form", { has: admin.getByRole("heading", { name: "Invite someone" }) });
  await inviteForm.getByLabel("Email").fill(invitee);
  await inviteForm.getByLabel("Role", { exact: true }).selectOption("editor");
  await admin.getByRole("button", { name: "Send invitation" }).click();
  await admin.waitForSelector(`text=Invitation sent to ${invitee}.`);
  await admin.waitForSelector(`td:has-text("${invitee}")`);
  await admin.screenshot({ path: path.join(shots, "dashboard-invite-1-pending.png"), fullPage: true });

  // a second invitation, revoked from the list
  const revoked = `browser-revoked-${Date.now()}@example.com`;
  await inviteForm.getByLabel("Email").fill(revoked);
  await admin.getByRole("button", { name: "Send invitation" }).click();
  await admin.waitForSelector(`td:has-text("${revoked}")`);
  await admin.getByRole("button", { name: `Revoke the invitation to ${revoked}` }).click();
  await admin.waitForSelector(`text=The invitation to ${revoked} was revoked.`);
  await admin.waitForFunction((e) => ![...document.querySelectorAll("td")].some((td) => td.textContent === e), revoked);

  const link = await invitationLink(invitee);
  const page = await newPage();
  await page.goto(link);
  assert.equal((await page.locator("h1").innerText()).trim(), "Join Acme Outfitters");
  await page.getByLabel("Password").fill("Invited-Pass-456");
  await page.getByRole("button", { name: "Accept invitation" }).click();
  await page.waitForFunction(() => document.querySelector("h1")?.textContent.includes("Welcome"));
  await signIn(page, "acme.localhost", invitee, "Invited-Pass-456");
  await signedIn(page);
  const nav = await page.locator("nav.side").innerText();
  assert.ok(!nav.includes("Members") && !nav.includes("Billing") && nav.includes("Account"), `an editor's menu: ${nav}`);
  await page.screenshot({ path: path.join(shots, "dashboard-invite-2-editor-signed-in.png") });
  await admin.reload();
  await settled(admin);
  await admin.waitForSelector(`td:has-text("${invitee}")`);
  assert.equal(await admin.getByLabel(`Role of ${invitee}`).inputValue(), "editor", "the new editor is in the team");
  await admin.getByLabel(`Role of ${invitee}`).selectOption("read_only");
  await admin.waitForSelector("text=Saved.");
  const role = await call("POST", "acme.localhost", "/api/v1/auth/login", {}, { email: invitee, password: "Invited-Pass-456" });
  assert.equal(role.json.account.role, "read_only", "the role change applies");
  await page.context().close();
  await admin.context().close();
});

test("a read-only member sees no edit controls, and a forged POST is refused", async () => {
  const page = await newPage();
  await signIn(page, "acme.localhost", "viewer@acme.localhost");
  await signedIn(page);
  const nav = (await page.locator("nav.side").innerText()).split("\n").map((s) => s.trim()).filter(Boolean);
  assert.deepEqual(nav.filter((n) => ["Members", "Domains", "Audit log", "Billing"].includes(n)), [], `read_only's menu: ${nav}`);
  for (const p of ["/admin/members", "/admin/domains", "/admin/audit-log", "/admin/billing"]) {
    await page.goto(url("acme.localhost", p));
    await settled(page);
    assert.equal((await page.locator("h1").innerText()).trim(), "Not available", p);
    assert.equal(await page.locator("main form, main button, main select").count(), 0, `${p}: no controls`);
  }
  await page.screenshot({ path: path.join(shots, "dashboard-read-only-refused.png") });
  const forged = await page.evaluate(async () => {
    const send = (headers) => fetch("/api/v1/admin/members/invitations", { method: "POST", headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ email: "forged@example.com", role: "brand_admin" }) }).then(async (r) => [r.status, (await r.json()).error.code]);
    return { noToken: await send({}), withToken: await send({ "x-csrf-token": localStorage.getItem("shoal.csrf") }) };
  });
  assert.deepEqual(forged.noToken, [403, "csrf_token_invalid"], "a POST without the CSRF token is refused");
  assert.deepEqual(forged.withToken, [403, "forbidden"], "and with it, the role refuses it");
  await page.context().close();
});

test("a member of one brand cannot sign in on another brand's host nor read anything there", async () => {
  const page = await newPage();
  await signIn(page, "acme.localhost", "admin@acme.localhost");
  await signedIn(page);
  await page.goto(url("globex.localhost", "/admin/members"));
  await page.waitForURL(/globex\.localhost.*\/admin\/sign-in/);
  await settled(page);
  await page.getByLabel(EMAIL).fill("admin@acme.localhost");
  await page.getByLabel(PASSWORD_LABEL).fill(PASSWORD);
  await page.getByRole("button", { name: SIGN_IN }).click();
  await page.waitForSelector("[role=alert]");
  assert.match(await page.locator("[role=alert]").innerText(), WRONG_PASSWORD);
  await page.screenshot({ path: path.join(shots, "dashboard-other-brand-refused.png") });
  const reads = await page.evaluate(async () =>
    Promise.all(["/api/v1/account/me", "/api/v1/admin/members", "/api/v1/admin/audit-log", "/api/v1/admin/billing"].map((p) => fetch(p).then((r) => r.status))));
  assert.deepEqual(reads, [401, 401, 401, 401]);
  assert.equal(await page.locator("nav.side").count(), 0, "nothing of the dashboard is shown");
  await page.context().close();
});

test("a super admin switches to a brand from the platform host and the switch is in its audit log", async () => {
  const page = await newPage();
  await page.goto(url("localhost", "/admin/brands"));
  await settled(page);
  await page.getByLabel("Shop address or slug").fill("globex");
  await page.getByRole("button", { name: "Go to its sign-in" }).click();
  await page.waitForURL(/globex\.localhost:\d+\/admin\/sign-in\?switch=1/);
  await settled(page);
  const since = new Date(Date.now() - 1000).toISOString();
  await page.getByLabel(EMAIL).fill("super@shoal.localhost");
  await page.getByLabel(PASSWORD_LABEL).fill(PASSWORD);
  await page.getByRole("button", { name: SIGN_IN }).click();
  await signedIn(page);
  const me = await page.evaluate(async () => (await fetch("/api/v1/account/me")).json());
  assert.equal(me.role, "super_admin");
  await page.goto(url("globex.localhost", "/admin/audit-log"));
  await settled(page);
  await page.getByLabel(/^(Action|Acción)$/).fill("brand_switched");
  await page.getByRole("button", { name: /Apply filters|Aplicar filtros/ }).click();
  await page.waitForFunction((id) => [...document.querySelectorAll("table.audit tbody tr")].some((tr) => tr.textContent.includes(id)), me.id);
  const rows = await page.evaluate(() => [...document.querySelectorAll("table.audit tbody tr")].map((tr) => tr.textContent));
  assert.ok(rows.some((r) => r.includes("brand_switched") && r.includes(me.id)), rows.join("\n"));
  const api = await page.evaluate(async (from) => (await fetch(`/api/v1/admin/audit-log?action=brand_switched&from=${encodeURIComponent(from)}`)).json(), since);
  assert.ok(api.items.some((e) => e.actor === me.id), "recorded just now, as this super admin");
  await page.screenshot({ path: path.join(shots, "dashboard-super-admin-switch-audited.png"), fullPage: true });
  await page.context().close();
});

test("an owner signs up on the platform host, confirms the emailed code and lands in the new shop's dashboard", async () => {
  const page = await newPage();
  const slug = `browser-shop-${Date.now().toString(36)}`;
  const email = `${slug}@example.com`;
  await page.goto(url("localhost", "/admin/sign-up"));
  await settled(page);
  await page.getByLabel("Shop name").fill(`Browser Shop ${slug.slice(-6)}`);
  await page.getByLabel("Shop address").fill(slug);
  await page.getByLabel("Currency").selectOption("EUR");
  await page.getByLabel("Language of the shop").selectOption("es");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create shop" }).click();
  await page.waitForSelector(".field-error");
  assert.match(await page.locator(".field-error").innerText(), /too short|at least 8/, "the refused password says what to fix, next to it");
  await page.screenshot({ path: path.join(shots, "platform-signup-refused-password.png"), fullPage: true });
  await page.getByLabel("Password").fill("Owner-Pass-2026");
  await page.getByRole("button", { name: "Create shop" }).click();
  await page.waitForURL(/\/admin\/sign-up\/verify/);
  await page.getByLabel("Code from the email").fill(await emailedCode(email));
  await page.getByRole("button", { name: "Confirm" }).click();
  await page.waitForURL(new RegExp(`${slug}\\.localhost:\\d+/admin/sign-in\\?welcome=1`));
  await page.getByLabel(EMAIL).fill(email);
  await page.getByLabel(PASSWORD_LABEL).fill("Owner-Pass-2026");
  await page.getByRole("button", { name: SIGN_IN }).click();
  await signedIn(page);
  const me = await page.evaluate(async () => (await fetch("/api/v1/account/me")).json());
  assert.equal(me.role, "brand_admin");
  assert.match(me.brand.name, /^Browser Shop /);
  await page.screenshot({ path: path.join(shots, "platform-signup-landed.png"), fullPage: true });

  // the billing banner: the trial ends soon, a payment failed (within the grace period), blocked
  const subscription = (status, periodEnd, graceEnd) => sql(
    `insert into public.brand_subscriptions (brand_id, status, plan, current_period_end, grace_period_ends_at)
     values ('${me.brand.id}', '${status}', 'starter', ${periodEnd}, ${graceEnd})
     on conflict (brand_id) do update set status = excluded.status, current_period_end = excluded.current_period_end,
       grace_period_ends_at = excluded.grace_period_ends_at`);
  const banner = async (expected, shot) => {
    await page.goto(page.url().replace(/\/admin.*$/, "/admin"));
    await settled(page);
    await page.waitForSelector(".banner");
    assert.match(await page.locator(".banner").innerText(), expected);
    assert.deepEqual(await axeViolations(page), [], `${shot} is accessible`);
    await page.screenshot({ path: path.join(shots, `dashboard-billing-banner-${shot}.png`) });
    await page.locator(".banner").getByRole("link").click();
    await page.waitForURL(/\/admin\/billing$/);
    await settled(page);
  };
  subscription("trialing", "now() + interval '3 days'", "null");
  await banner(/trial ends|prueba termina/, "trial");
  assert.match(await page.locator("dl.facts").innerText(), /Trial|Prueba/);
  subscription("past_due", "now() - interval '1 day'", "now() + interval '6 days'");
  await banner(/payment failed|Falló el último pago/, "past-due");
  subscription("canceled", "now() - interval '10 days'", "now() - interval '1 day'");
  await banner(/closed|cerrada/, "blocked");
  assert.equal(await page.locator("main h1").innerText(), await page.evaluate(() => document.title.split(" · ")[0]), "the billing screen opens while blocked");
  await page.context().close();
});

test("a brand admin adds a domain, sees the DNS records to set, verifies it and removes it", async () => {
  const page = await newPage();
  await signIn(page, "acme.localhost", "admin@acme.localhost");
  await signedIn(page);
  await page.locator("nav.side").getByRole("link", { name: "Domains" }).click();
  await settled(page);
  const host = `shop-${Date.now().toString(36)}.browser-test.com`;
  await page.getByLabel("Domain", { exact: true }).fill("127.0.0.1");
  await page.getByRole("button", { name: "Add domain" }).click();
  await page.waitForSelector(".field-error");
  await page.getByLabel("Domain", { exact: true }).fill(host);
  await page.getByRole("button", { name: "Add domain" }).click();
  await page.waitForSelector(`text=${host} was added.`);
  const records = page.getByRole("table", { name: `DNS records to set for ${host}` });
  await records.waitFor();
  assert.match(await records.innerText(), /CNAME/);
  assert.match(await records.innerText(), /TXT/);
  assert.deepEqual(await axeViolations(page), [], "the domains screen with records is accessible");
  await page.screenshot({ path: path.join(shots, "dashboard-domains-records.png"), fullPage: true });
  const card = page.locator("li.card", { has: page.getByRole("heading", { name: host }) });
  await card.getByRole("button", { name: "Verify now" }).click();
  await page.waitForSelector(`[role=status]:has-text("${host}"), [role=alert]`);
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: `Remove ${host}` }).click();
  await page.waitForSelector(`text=${host} was removed.`);
  await page.getByRole("heading", { name: host }).waitFor({ state: "detached" });
  await page.context().close();
});

test("the English and Spanish string tables have the same keys, none empty", async () => {
  const dir = path.join(__dirname, "..", "..", "frontend", "admin", "src", "i18n");
  const en = (await import(path.join(dir, "en.js"))).default;
  const es = (await import(path.join(dir, "es.js"))).default;
  assert.deepEqual(Object.keys(es).sort(), Object.keys(en).sort());
  for (const [k, v] of [...Object.entries(en), ...Object.entries(es)]) assert.ok(typeof v === "string" && v.trim(), k);
});

test("the audit log filters by action and pages with Show more", async () => {
  const action = `browser_marker_${Date.now().toString(36)}`;
  sql(`insert into public.audit_log (brand_id, actor, action, target, detail)
       select b.brand_id, 'anonymous', '${action}', g::text, '{}'::jsonb
         from (select brand_id from public.brand_domains where host = 'acme.localhost') b, generate_series(1, 60) g`);
  const page = await newPage();
  await signIn(page, "acme.localhost", "admin@acme.localhost");
  await signedIn(page);
  await page.goto(url("acme.localhost", "/admin/audit-log"));
  await settled(page);
  await page.getByLabel("Action").fill(action);
  await page.getByRole("button", { name: "Apply filters" }).click();
  const rows = page.locator("table.audit tbody tr");
  await page.waitForFunction((a) => [...document.querySelectorAll("table.audit tbody tr")].every((tr) => tr.textContent.includes(a)), action);
  assert.equal(await rows.count(), 50, "a page of 50, only this action");
  await page.getByRole("button", { name: "Show more" }).click();
  await page.waitForFunction(() => document.querySelectorAll("table.audit tbody tr").length === 60);
  assert.equal(await page.getByRole("button", { name: "Show more" }).count(), 0, "the last page");
  await page.context().close();
});
