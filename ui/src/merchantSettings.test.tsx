// Settings → Merchant: the name and address that head every receipt and the time zone the day
// follows; what was saved is said, a refused value is worded in the person's language and
// nothing changes, and a desk that may only read sees the settings but changes none.
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "./App";
import i18n from "./i18n";
import { render, failureWords } from "./test-render";
import { mockBackend, resetBackend } from "./test-backend";
import type { IpcError, Merchant } from "./types";

afterEach(resetBackend);

const called = (backend: ReturnType<typeof mockBackend>, cmd: string) => backend.calls.filter((c) => c.cmd === cmd).map((c) => c.args);

async function openMerchant(user: ReturnType<typeof userEvent.setup>) {
  await screen.findByText("DEMO-1001");
  await user.keyboard("{Control>}5{/Control}");
  return screen.findByTestId("merchant-form");
}

const field = (form: HTMLElement, testId: string) => within(form).getByTestId(testId) as HTMLInputElement;

describe("the merchant's settings", () => {
  it("saves the name, a multi-line address and a time zone, and says what was saved", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    const form = await openMerchant(user);
    const zone = field(form, "merchant-time-zone");
    // Empty: this computer's zone, named.
    expect(zone.value).toBe("");
    expect(zone.placeholder).toBe("This computer's time zone (Asia/Shanghai)");
    expect(within(form).getByTestId("merchant-zone-in-force").textContent).toBe("Days follow Asia/Shanghai.");
    const offered = [...document.querySelectorAll(`datalist#${zone.getAttribute("list")} option`)].map((o) => (o as HTMLOptionElement).value);
    expect(offered).toEqual(expect.arrayContaining(["Asia/Shanghai", "Asia/Hong_Kong", "Asia/Singapore", "Asia/Kolkata", "Europe/London", "America/New_York", "UTC"]));

    await user.type(field(form, "merchant-name"), "益安便利店");
    await user.type(field(form, "merchant-address"), "上海市南京东路 1 号{Enter}200001");
    await user.type(zone, "Asia/Hong_Kong");
    await user.click(within(form).getByTestId("save-merchant"));
    expect((await within(form).findByTestId("merchant-saved")).textContent).toBe("Saved. Receipts are headed 益安便利店; days follow Asia/Hong_Kong.");
    expect(called(backend, "set_merchant_settings")).toEqual([
      { settings: { name: "益安便利店", address: "上海市南京东路 1 号\n200001", time_zone: "Asia/Hong_Kong" } },
    ]);
    expect(within(form).getByTestId("merchant-zone-in-force").textContent).toBe("Days follow Asia/Hong_Kong.");

    // Emptied again: back to this computer's zone.
    await user.clear(zone);
    expect(within(form).queryByTestId("merchant-saved")).toBeNull();
    await user.click(within(form).getByTestId("save-merchant"));
    await within(form).findByTestId("merchant-saved");
    expect(called(backend, "set_merchant_settings")[1]).toEqual({ settings: { name: "益安便利店", address: "上海市南京东路 1 号\n200001", time_zone: null } });
    expect(backend.merchant.time_zone).toBeNull();
  });

  it("words a refused time zone in 简体中文 and changes nothing", async () => {
    const kept: Merchant = { name: "益安便利店", address: "上海", time_zone: "Asia/Shanghai" };
    const backend = mockBackend({
      merchant: kept,
      onSetMerchant: (settings) => {
        const refusal: IpcError = {
          kind: "refused",
          message: "time zone \"Mars/Olympus\" is unknown",
          code: "invalid",
          params: { field: { kind: "time_zone" }, rule: { kind: "unknown", value: `"${settings.time_zone}"`, known: [] } },
        };
        return Promise.reject(refusal);
      },
    });
    await act(() => i18n.changeLanguage("zh-CN"));
    const user = userEvent.setup();
    render(<App />);
    const form = await openMerchant(user);
    const zone = field(form, "merchant-time-zone");
    expect(zone.value).toBe("Asia/Shanghai");
    await user.clear(zone);
    await user.type(zone, "Mars/Olympus");
    await user.click(within(form).getByTestId("save-merchant"));
    expect(failureWords(await within(form).findByTestId("merchant-error"))).toBe('时区 "Mars/Olympus" 不存在。');
    expect(within(form).queryByTestId("merchant-saved")).toBeNull();
    // Nothing saved: the settings kept and in force are the ones before; what was typed stays to correct.
    expect(backend.merchant).toEqual(kept);
    expect(within(form).getByTestId("merchant-zone-in-force").textContent).toBe("日期按 Asia/Shanghai 计算。");
    expect(zone.value).toBe("Mars/Olympus");
  });

  it("lets a desk that may only read see the settings but change none", async () => {
    const backend = mockBackend({
      merchant: { name: "益安便利店", address: "上海", time_zone: null },
      statusChecks: () => ({
        gateways: [],
        storage: { state: "ok", detail: null },
        store: { url: "postgres://agent_1@db.shop.example/paydesk", reachable: true, read_only: true, as_of: null, schema_mismatch: null },
      }),
    });
    const user = userEvent.setup();
    render(<App />);
    await waitFor(() => expect(screen.getByTestId("shared-store").getAttribute("data-read-only")).toBe("true"));
    const form = await openMerchant(user);
    expect(screen.getByTestId("merchant-read-only").textContent).toBe(
      "This desk may only read the shared history: the merchant's settings are changed at a desk that may write.",
    );
    expect(field(form, "merchant-name").value).toBe("益安便利店");
    for (const id of ["merchant-name", "merchant-address", "merchant-time-zone"]) expect(field(form, id).readOnly).toBe(true);
    expect(within(form).queryByTestId("save-merchant")).toBeNull();
    await user.type(field(form, "merchant-name"), "X{Enter}");
    expect(field(form, "merchant-name").value).toBe("益安便利店");
    expect(called(backend, "set_merchant_settings")).toEqual([]);
  });
});
