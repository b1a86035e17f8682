import { expect, test } from "@playwright/test";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const shots = path.resolve(here, "../../tests/e2e/screenshots");

test.beforeEach(async ({ page }) => {
  // The window runs with tauri.conf.json's freezePrototype: a library that writes to a
  // built-in prototype breaks the real app, so it must break these tests too.
  await page.addInitScript(() => Object.freeze(Object.prototype));
  await page.addInitScript({ path: path.join(here, "mock-backend.js") });
  await page.addInitScript(() => localStorage.setItem("paydesk.language", "en"));
});

test("a million orders scroll smoothly with a bounded DOM", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("order-count")).toHaveText("1,000,000 orders");
  await expect(page.locator('tr[data-order-no="DEMO-1001"]')).toBeVisible();
  const rows = await page.locator("tr[data-order-no]").count();
  expect(rows).toBeGreaterThan(5);
  expect(rows).toBeLessThan(80);
  await page.screenshot({ path: path.join(shots, "pw-01-orders.png") });
  await page.getByTestId("orders-scroll").evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(page.locator('tr[data-order-no="ORD-0999999"]')).toBeVisible();
  expect(await page.locator("tr[data-order-no]").count()).toBeLessThan(80);
  const queries = await page.evaluate(() =>
    (window as unknown as { __paydesk: { state: { calls: { cmd: string; args: { query?: { limit: number } } }[] } } }).__paydesk.state.calls.filter(
      (c) => c.cmd === "query_orders",
    ),
  );
  for (const q of queries) expect(q.args.query!.limit).toBeLessThanOrEqual(100);
});

test("with the detail panel open at 1280×800 the table still fits, its least important columns left out", async ({ page }) => {
  await page.goto("/");
  const box = page.getByTestId("orders-scroll");
  await expect(page.locator('tr[data-order-no="DEMO-1001"]')).toBeVisible();
  await expect(page.locator('th[data-col="subject"]')).toBeVisible();
  await page.locator('tr[data-order-no="DEMO-1001"] td').first().click();
  await expect(page.getByTestId("order-panel")).toBeVisible();
  await expect(page.locator('th[data-col="subject"]')).toHaveCount(0);
  for (const col of ["order_no", "amount", "state"]) await expect(page.locator(`th[data-col="${col}"]`)).toBeVisible();
  const [scrollWidth, clientWidth] = await box.evaluate((el) => [el.scrollWidth, el.clientWidth]);
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
  await page.screenshot({ path: path.join(shots, "pw-07-panel.png") });
});

test("a scanner pays with a voucher; the QR code's state line settles by itself", async ({ page }) => {
  await page.goto("/");
  await expect(page.locator('tr[data-order-no="DEMO-1001"]')).toBeVisible();
  await page.keyboard.press("/");
  await page.keyboard.type("DEMO-1001");
  await page.keyboard.press("Enter");
  const dialog = page.getByTestId("pay-dialog");
  await expect(dialog).toBeVisible();
  await dialog.locator('button[data-channel="alipay"]').click();
  await dialog.getByTestId("add-voucher").click();
  await dialog.getByTestId("voucher-id-0").fill("v-100");
  await dialog.getByTestId("voucher-amount-0").fill("10");
  await expect(dialog.getByTestId("charge-amount")).toHaveText("¥2.34");
  await page.screenshot({ path: path.join(shots, "pw-02-pay-voucher.png") });
  await dialog.getByTestId("confirm-pay").click();
  const result = page.getByTestId("pay-result");
  await expect(result).toHaveAttribute("data-state", "pending");
  await expect(result.getByTestId("pay-qr")).toBeVisible();
  await page.screenshot({ path: path.join(shots, "pw-03-qr.png") });
  await page.evaluate(() => (window as unknown as { __paydesk: { emit: (e: string, p: number[]) => void } }).__paydesk.emit("attempts-changed", [7]));
  await expect(result).toHaveAttribute("data-state", "succeeded");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
});

test("switching to 简体中文 renames every view, and dark theme keeps it readable", async ({ page }) => {
  await page.goto("/");
  await expect(page.locator('tr[data-order-no="DEMO-1001"]')).toBeVisible();
  await page.keyboard.press("Control+5");
  await page.getByTestId("language").selectOption("zh-CN");
  await page.getByTestId("theme").selectOption("dark");
  await expect(page.getByRole("heading", { name: "设置" })).toBeVisible();
  await page.keyboard.press("Control+1");
  await expect(page.getByRole("heading", { name: "订单" })).toBeVisible();
  await expect(page.locator('tr[data-order-no="DEMO-1001"]').getByText("已创建")).toBeVisible();
  await page.screenshot({ path: path.join(shots, "pw-04-zh-dark.png") });
  await page.keyboard.press("Control+3");
  await expect(page.getByText("各渠道收款").first()).toBeVisible();
  await page.screenshot({ path: path.join(shots, "pw-05-dashboard.png") });
  await page.keyboard.press("Control+2");
  await page.getByTestId("lookup-input").fill("ch_abc");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("lookup-detail")).toContainText("DEMO-1001");
  await page.screenshot({ path: path.join(shots, "pw-06-lookup.png") });
});
