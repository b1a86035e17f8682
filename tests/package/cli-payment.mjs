// A payment at the command line of an installed paydesk: its own `paydesk sandbox`, a profile
// for the SenseCore emulator with its secret in the keyring, an order, and the payment paid.
// Usage: node cli-payment.mjs /usr/bin/paydesk
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import readline from "node:readline";

const bin = process.argv[2] ?? "paydesk";
const dataDir = mkdtempSync(path.join(tmpdir(), "paydesk-installed-"));
const paydesk = (args, input) => execFileSync(bin, ["--data-dir", dataDir, ...args], { encoding: "utf8", input });

const sandbox = spawn(bin, ["sandbox", "--listen", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "inherit"] });
try {
  const lines = readline.createInterface({ input: sandbox.stdout });
  const listings = [];
  for await (const line of lines) {
    listings.push(JSON.parse(line));
    if (listings.length === 5) break;
  }
  const sensecore = listings.find((l) => l.gateway === "sensecore");
  const settings = Object.entries(sensecore.settings).flatMap(([k, v]) => ["--set", `${k}=${v}`]);
  paydesk(["profile", "add", "shop", "--gateway", "sensecore", "--base-url", sensecore.base_url, ...settings]);
  for (const [key, value] of Object.entries(sensecore.secrets)) paydesk(["secret", "set", "shop", key], `${value}\n`);
  paydesk(["order", "add", "--profile", "shop", "--order-no", "PKG-1", "--amount", "12.34", "--attr", "resource_pack_id=rp-pkg"]);
  const paid = JSON.parse(paydesk(["pay", "PKG-1", "--channel", "balance", "--json"]));
  assert.equal(paid.state, "succeeded", JSON.stringify(paid));
  assert.equal(paid.charged_amount, "12.34", JSON.stringify(paid));
  console.log(`installed paydesk paid PKG-1: ${paid.state}, ${paid.charged_amount}`);
} finally {
  sandbox.kill();
}
