// Every control says what it does, in words that begin with what it shows.
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "./App";
import { OrderPanel } from "./components/OrderPanel";
import i18n from "./i18n";
import { render } from "./test-render";
import { attempt, mockBackend, resetBackend } from "./test-backend";
import type { OrderView } from "./types";

afterEach(resetBackend);

const order: OrderView = {
  id: 1,
  order_no: "DEMO-1001",
  profile: "sandbox-sensecore",
  gateway: "sensecore",
  is_sandbox: true,
  amount_minor: 1234,
  currency: "CNY",
  amount: "12.34",
  subject: "Cloud GPU hours",
  attributes: {},
  state: "pending",
  channel: "alipay",
  created_at: 1_700_000_000_000,
  updated_at: 1_700_000_000_000,
  revision: 0,
  cancelled_at: null,
  cancel_note: null,
};

describe("labels", () => {
  it("name each copy button by what it copies, beginning with the word it shows, in either language", async () => {
    mockBackend();
    const user = userEvent.setup();
    render(<OrderPanel detail={{ order, attempts: [attempt("pending", { gateway_ref: "ch_123" })], changes: [] }} copyable />);
    const copy = screen.getByRole("button", { name: "Copy Gateway reference: ch_123" });
    expect(copy.textContent).toBe("Copy");
    await user.click(copy);
    await waitFor(() => expect(copy.textContent).toBe("Copied"));
    expect(copy.getAttribute("aria-label")).toBe("Copied Gateway reference: ch_123");
    expect(await navigator.clipboard.readText()).toBe("ch_123");
    await act(async () => {
      await i18n.changeLanguage("zh-CN");
    });
    expect(copy.getAttribute("aria-label")).toBe("已复制网关单号: ch_123");
    expect(copy.textContent).toBe("已复制");
  });

  it("name a new setting's remove button before its key is typed", async () => {
    mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole("link", { name: /Gateways/ }));
    await user.click(await screen.findByTestId("add-profile"));
    const form = await screen.findByTestId("profile-form");
    await user.click(within(form).getByRole("button", { name: "+ Add setting" }));
    expect(within(form).getByRole("button", { name: "Remove Setting 1" })).toBeTruthy();
    await user.type(within(form).getByLabelText("Setting 1"), "app_id");
    expect(within(form).getByRole("button", { name: "Remove app_id" })).toBeTruthy();
  });
});
