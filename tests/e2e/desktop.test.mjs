// The real paydesk binary in a real window (Xvfb), driven through tauri-driver and
// WebKitWebDriver, against the real backend, the built-in sandbox and the OS keyring.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const bin = process.env.PAYDESK_BIN ?? path.join(root, "target/debug/paydesk");
const shots = path.join(here, "screenshots");
const dataDir = mkdtempSync(path.join(tmpdir(), "paydesk-e2e-"));
const db = path.join(dataDir, "paydesk.sqlite");
const children = [];
let appOutput = "";
const ipcResponses = [];

function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.end();
        resolve();
      });
      socket.once("error", () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on ${port}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

function start(command, args, env) {
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d) => (appOutput += d));
  child.stderr.on("data", (d) => (appOutput += d));
  children.push(child);
  return child;
}

before(async () => {
  assert.ok(existsSync(bin), `build the app first: ${bin} is missing`);
  mkdirSync(shots, { recursive: true });
  const env = { ...process.env, PAYDESK_DATA_DIR: dataDir };
  if (!env.DISPLAY) {
    env.DISPLAY = ":99";
    start("Xvfb", [":99", "-screen", "0", "1400x900x24", "-nolisten", "tcp"], env);
    await new Promise((r) => setTimeout(r, 500));
  }
  env.DBUS_SESSION_BUS_ADDRESS ??= "unix:path=/nonexistent";
  start("tauri-driver", ["--port", "4444", "--native-port", "4445", "--native-driver", "/usr/bin/WebKitWebDriver"], env);
  await waitForPort(4444, 20_000);
});

after(() => {
  for (const child of children.reverse()) child.kill("SIGTERM");
});

async function openApp() {
  const browser = await remote({
    hostname: "127.0.0.1",
    port: 4444,
    logLevel: "warn",
    connectionRetryTimeout: 60_000,
    capabilities: { "tauri:options": { application: bin }, "wdio:enforceWebDriverClassic": true },
  });
  await browser.setTimeout({ implicit: 0 });
  return browser;
}

/** Calls an IPC command from inside the page, as the UI does, and keeps the raw answer. */
async function invoke(browser, cmd, args = {}) {
  const answer = await browser.executeAsync(
    (c, a, done) => {
      window.__TAURI_INTERNALS__
        .invoke(c, a)
        .then((r) => done(JSON.stringify({ ok: r })))
        .catch((e) => done(JSON.stringify({ err: e })));
    },
    cmd,
    args,
  );
  ipcResponses.push(answer);
  return JSON.parse(answer);
}

function sql(query) {
  return JSON.parse(execFileSync("sqlite3", ["-json", db, query], { encoding: "utf8" }) || "[]");
}

test("a person pays a demo order by clicking, and sees it paid", async () => {
  const browser = await openApp();
  try {
    const row = await browser.$('tr[data-order-no="DEMO-1001"]');
    await row.waitForDisplayed({ timeout: 30_000 });
    await browser.saveScreenshot(path.join(shots, "01-orders.png"));
    await (await row.$("td")).click();
    const open = await browser.$('[data-testid="open-pay"]');
    await open.waitForEnabled({ timeout: 10_000 });
    await open.click();
    const balance = await browser.$('button[data-channel="balance"]');
    await balance.waitForDisplayed({ timeout: 10_000 });
    await balance.click();
    await browser.saveScreenshot(path.join(shots, "02-pay-dialog.png"));
    await (await browser.$('[data-testid="confirm-pay"]')).click();
    const result = await browser.$('[data-testid="pay-result"]');
    await result.waitForDisplayed({ timeout: 20_000 });
    assert.equal(await result.getAttribute("data-state"), "succeeded");
    assert.match(await result.getText(), /Paid/);
    await browser.saveScreenshot(path.join(shots, "03-paid.png"));
    await (await browser.$('[data-testid="close-pay"]')).click();
    const badge = await browser.$('tr[data-order-no="DEMO-1001"] [data-state]');
    await browser.waitUntil(async () => (await badge.getAttribute("data-state")) === "succeeded", { timeout: 10_000 });

    for (const cmd of ["app_info", "list_orders", "list_profiles"]) await invoke(browser, cmd);
    await invoke(browser, "order_detail", { orderNo: "DEMO-1001" });
    ipcResponses.push(await browser.getPageSource());
  } finally {
    await browser.deleteSession();
  }

  const attempts = sql(
    "SELECT a.state, a.channel, a.gateway_ref, a.amount_minor, (SELECT count(*) FROM attempt_events e WHERE e.attempt_id = a.id) AS events " +
      "FROM attempts a JOIN orders o ON o.id = a.order_id WHERE o.order_no = 'DEMO-1001'",
  );
  assert.deepEqual(attempts, [
    { state: "succeeded", channel: "balance", gateway_ref: "DEMO-1001", amount_minor: 1234, events: 3 },
  ]);
});

test("after a restart the payment is still there and cannot be paid again", async () => {
  const browser = await openApp();
  try {
    const row = await browser.$('tr[data-order-no="DEMO-1001"]');
    await row.waitForDisplayed({ timeout: 30_000 });
    assert.equal(await (await row.$("[data-state]")).getAttribute("data-state"), "succeeded");
    await (await row.$("td")).click();
    const attempt = await browser.$('[data-testid="attempt"]');
    await attempt.waitForDisplayed({ timeout: 10_000 });
    assert.equal(await attempt.getAttribute("data-state"), "succeeded");
    assert.equal(await (await browser.$('[data-testid="open-pay"]')).isEnabled(), false);
    await browser.saveScreenshot(path.join(shots, "04-after-restart.png"));
    const again = await invoke(browser, "pay_order", { orderNo: "DEMO-1001", channel: "balance" });
    assert.equal(again.err?.kind, "already_paid");
    ipcResponses.push(await browser.getPageSource());
  } finally {
    await browser.deleteSession();
  }
  assert.equal(sql("SELECT count(*) AS n FROM attempts")[0].n, 1);
});

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

test("the token is in the keyring and nowhere else: not on disk, in logs or in IPC", () => {
  const found = execFileSync("secret-tool", ["search", "--all", "service", "paydesk"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const secrets = [...found.matchAll(/^secret = (.+)$/gm)].map((m) => m[1].trim()).filter((s) => s.length >= 16);
  assert.ok(secrets.length >= 1, "the sandbox token is stored in the OS keyring");
  const haystacks = [
    ...filesUnder(dataDir).map((f) => [f, readFileSync(f)]),
    ["app output", Buffer.from(appOutput)],
    ...ipcResponses.map((r, i) => [`IPC response ${i}`, Buffer.from(r)]),
  ];
  assert.ok(haystacks.some(([f]) => f.endsWith("paydesk.log")), "the app writes a log to check");
  for (const secret of secrets) {
    for (const [where, bytes] of haystacks) {
      assert.equal(bytes.includes(Buffer.from(secret)), false, `a secret leaked into ${where}`);
    }
  }
  writeFileSync(path.join(shots, "checked-files.txt"), haystacks.map(([f]) => f).join("\n"));
});
