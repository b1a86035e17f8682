import { act, cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "./App";
import type { OrderDetail, OrderView, PaymentReport, ProfileView } from "./types";

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
  state: null,
  channel: null,
  created_at: 1_700_000_000_000,
  updated_at: 1_700_000_000_000,
};

const profile: ProfileView = {
  name: "sandbox-sensecore",
  gateway: "sensecore",
  base_url: "http://127.0.0.1:1/sensecore",
  is_sandbox: true,
  settings: {},
  capabilities: {
    channels: ["balance", "credit", "alipay"],
    vouchers: true,
    coupon: false,
    credit_split: false,
    status_query: false,
    idempotency_key: false,
    required_secrets: ["token"],
  },
};

const paid: PaymentReport = {
  order_no: "DEMO-1001",
  state: "succeeded",
  attempt_id: 7,
  channel: "balance",
  idempotency_key: "k-1",
  gateway_ref: "DEMO-1001",
  pay_url: null,
  error: null,
};

interface Backend {
  calls: { cmd: string; args: unknown }[];
  paid: boolean;
}

function mockBackend(options: { startupError?: string; payResult?: PaymentReport } = {}): Backend {
  const backend: Backend = { calls: [], paid: false };
  mockIPC((cmd, args) => {
    backend.calls.push({ cmd, args });
    switch (cmd) {
      case "app_info":
        return {
          version: "0.1.0",
          data_dir: "/tmp/pd",
          sandbox_url: "http://127.0.0.1:1",
          startup_error: options.startupError ?? null,
        };
      case "list_orders":
        return [backend.paid ? { ...order, state: "succeeded", channel: "balance" } : order];
      case "list_profiles":
        return [profile];
      case "order_detail": {
        const detail: OrderDetail = {
          order: backend.paid ? { ...order, state: "succeeded" } : order,
          attempts: [],
        };
        return detail;
      }
      case "pay_order":
        backend.paid = true;
        return options.payResult ?? paid;
      default:
        throw new Error(`unexpected command ${cmd}`);
    }
  }, { shouldMockEvents: true });
  // The page-side half of the event plugin that a real webview injects; jsdom lacks it.
  const internals = (window as unknown as { __TAURI_EVENT_PLUGIN_INTERNALS__: Record<string, unknown> })
    .__TAURI_EVENT_PLUGIN_INTERNALS__;
  internals.unregisterListener ??= () => {};
  return backend;
}

afterEach(async () => {
  // Unmount first and let the (asynchronous) unlisten finish: it needs the mocked event
  // plugin still in place.
  cleanup();
  await new Promise((resolve) => setTimeout(resolve, 0));
  clearMocks();
});

describe("the console", () => {
  it("lists orders with their amount, state and the SANDBOX badge", async () => {
    mockBackend();
    render(<App />);
    const row = await screen.findByText("DEMO-1001");
    const tr = row.closest("tr")!;
    expect(within(tr).getByText("¥12.34")).toBeTruthy();
    expect(within(tr).getByText("Created")).toBeTruthy();
    expect(within(tr).getByText("SANDBOX")).toBeTruthy();
  });

  it("pays an order once, however often Confirm is pressed", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    await user.click(await screen.findByTestId("open-pay"));
    const dialog = await screen.findByTestId("pay-dialog");
    expect(within(dialog).getByText("Balance")).toBeTruthy();
    expect(within(dialog).getByText("Alipay")).toBeTruthy();
    expect(within(dialog).getByTestId("charge-amount").textContent).toBe("¥12.34");
    const confirm = within(dialog).getByTestId("confirm-pay");
    // Two presses before React re-renders: the second must find the first already under way.
    act(() => {
      confirm.click();
      confirm.click();
    });
    const result = await screen.findByTestId("pay-result");
    expect(result.getAttribute("data-state")).toBe("succeeded");
    expect(within(result).getByText("Paid")).toBeTruthy();
    const pays = backend.calls.filter((c) => c.cmd === "pay_order");
    expect(pays).toHaveLength(1);
    expect(pays[0]!.args).toMatchObject({ orderNo: "DEMO-1001", channel: "balance" });
  });

  it("shows the gateway's own words when it refuses", async () => {
    mockBackend({
      payResult: { ...paid, state: "failed", gateway_ref: null, error: { code: "FAILED_PRECONDITION", message: "order is already paid" } },
    });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    await user.click(await screen.findByTestId("open-pay"));
    await user.click(await screen.findByTestId("confirm-pay"));
    const result = await screen.findByTestId("pay-result");
    expect(result.getAttribute("data-state")).toBe("failed");
    expect(within(result).getByText(/FAILED_PRECONDITION: order is already paid/)).toBeTruthy();
  });

  it("shows a readable error instead of a blank window when the back end cannot start", async () => {
    mockBackend({ startupError: "the OS keyring is not available: no D-Bus session" });
    render(<App />);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("the OS keyring is not available");
    await waitFor(() => expect(screen.getByText("Copy details")).toBeTruthy());
  });
});
