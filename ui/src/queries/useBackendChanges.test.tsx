import { useQuery, type QueryClient } from "@tanstack/react-query";
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "../App";
import { attempt as standInAttempt, wholeAmount } from "../test-backend";
import { render } from "../test-render";
import type { AttemptDetail, AttemptState, Change, OrderView, ProfileView } from "../types";
import { createQueryClient } from "./client";
import { FIRST_LISTING } from "./paging";
import {
  activityQuery,
  appInfoQuery,
  auditQuery,
  currentShiftQuery,
  gatewaysQuery,
  lookupQuery,
  orderDetailQuery,
  orderPageQuery,
  profilesQuery,
  secretsQuery,
  shiftListQuery,
  shiftReportQuery,
  statusChecksQuery,
  takingsQuery,
} from "./reads";
import { useBackendChanges } from "./useBackendChanges";

const order: OrderView = {
  id: 1,
  order_no: "A-1",
  profile: "shop-a",
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
  revision: 0,
  cancelled_at: null,
  cancel_note: null,
};

const profile = (name: string): ProfileView => ({
  name,
  gateway: "sensecore",
  base_url: "http://127.0.0.1:1/sensecore",
  is_sandbox: true,
  settings: {},
  capabilities: {
    channels: ["balance", "alipay"],
    vouchers: false,
    coupon: false,
    credit_split: false,
    status_query: true,
    status_query_is_resend: false,
    idempotency_key: false,
    required_secrets: [],
    optional_secrets: [],
    pays_out: false,
    subscription_refunds: false,
  },
  order_currency: null,
  order_attributes: [],
});

/** The console's stand-in attempt, with a pay URL for the open pay dialog's QR code. */
function attempt(state: AttemptState): AttemptDetail {
  return standInAttempt(state, { idempotency_key: "k-7", gateway_ref: "ch_7", pay_url: "https://pay.example/qr/7" });
}

/** A back end that another writer (the reconciler, the command line) changes under the window. */
function mockBackend() {
  const backend = { asked: [] as string[], attempts: [] as AttemptDetail[], profiles: [profile("shop-a")] };
  mockIPC(
    (cmd, raw) => {
      const args = (raw ?? {}) as Record<string, unknown>;
      const about = args.orderNo ?? args.profile ?? args.reference ?? "";
      backend.asked.push(`${cmd} ${String(about)}`.trim());
      const current = { ...order, state: backend.attempts.at(-1)?.state ?? null };
      switch (cmd) {
        case "app_info":
          return { version: "0.1.0", data_dir: "/tmp/pd", sandbox_url: null, startup_error: null, currencies: [] };
        case "list_profiles":
          return backend.profiles;
        case "list_gateways":
          return [];
        case "secret_status":
          return [];
        case "status_checks":
          return { gateways: [], storage: { state: "ok", detail: null }, store: { url: null, reachable: true, read_only: false, as_of: null, schema_mismatch: null } };
        case "activity":
          return { in_flight: 0, unasked: 0, needs_review: 0 };
        case "takings":
          return [];
        case "query_orders":
          return { total: 1, offset: 0, rows: [current] };
        case "lookup":
          return [{ order_no: "A-1", matched: "order_no", value: "A-1" }];
        case "order_detail":
          return { order: args.orderNo === "A-1" ? current : { ...order, order_no: String(args.orderNo) }, attempts: backend.attempts, changes: [] };
        case "quote":
          return { currency: "CNY", amount: "12.34", amount_minor: 1234, deducted: "0.00", deducted_minor: 0, remaining: "12.34", remaining_minor: 1234, credit: null, balance: null };
        case "audit_trail":
          return [];
        case "current_shift":
          return null;
        case "list_shifts":
          return [];
        case "shift_report":
          return { shift: { id: 1, desk: "Desk 1", opened_at: 0, opened_by: "lin", closed_at: 1, closed_by: "lin", acknowledged: [] }, currencies: [], open: [], settled_after_close: [], sandbox_left_out: 0 };
        case "pay_order":
          backend.attempts = [attempt("pending")];
          return { order_no: "A-1", state: "pending", attempt_id: 7, channel: "alipay", idempotency_key: "k-7", gateway_ref: "ch_7", pay_url: "https://pay.example/qr/7", error: null, ...wholeAmount };
        default:
          throw new Error(`unexpected command ${cmd}`);
      }
    },
    { shouldMockEvents: true },
  );
  const internals = (window as unknown as { __TAURI_EVENT_PLUGIN_INTERNALS__: Record<string, unknown> }).__TAURI_EVENT_PLUGIN_INTERNALS__;
  internals.unregisterListener ??= () => {};
  return backend;
}

afterEach(async () => {
  const { cleanup } = await import("@testing-library/react");
  cleanup();
  await new Promise((resolve) => setTimeout(resolve, 0));
  clearMocks();
});

/** One of every read the window makes, all on screen at once. */
function EveryRead() {
  useBackendChanges();
  useQuery(appInfoQuery());
  useQuery(profilesQuery());
  useQuery(gatewaysQuery());
  useQuery(secretsQuery("shop-a"));
  useQuery(secretsQuery("shop-b"));
  useQuery(statusChecksQuery());
  useQuery(activityQuery());
  useQuery(takingsQuery(0));
  useQuery(orderPageQuery(FIRST_LISTING, 0));
  useQuery(lookupQuery({ reference: "A-1" }));
  useQuery(orderDetailQuery("A-1"));
  useQuery(orderDetailQuery("B-2"));
  useQuery(auditQuery({ subject: "A-1" }));
  useQuery(currentShiftQuery());
  useQuery(shiftListQuery(false));
  useQuery(shiftReportQuery(null));
  return null;
}

/** What the window asks the back end for again after `event`. */
async function askedAfter(queryClient: QueryClient, backend: ReturnType<typeof mockBackend>, event: string, payload: unknown) {
  backend.asked = [];
  await act(() => emit(event, payload));
  await waitFor(() => expect(queryClient.isFetching()).toBe(0));
  return backend.asked.sort();
}

describe("changes in the back end", () => {
  // The audit trail has an entry for every change of an order, a payment or a profile; a
  // shift's report counts the payments started while it was open.
  const ORDER_LISTS = ["activity", "audit_trail", "current_shift", "list_shifts", "lookup A-1", "query_orders", "shift_report", "takings"];

  it.each<[string, Change, string[]]>([
    ["profiles", { kind: "profiles", names: ["shop-a"] }, ["audit_trail", "list_gateways", "list_profiles", "secret_status shop-a", "status_checks"]],
    ["orders", { kind: "orders", order_nos: ["A-1"] }, [...ORDER_LISTS, "order_detail A-1"]],
    ["attempts", { kind: "attempts", order_nos: ["A-1"], attempt_ids: [7] }, [...ORDER_LISTS, "order_detail A-1"]],
    [
      "everything",
      { kind: "everything" },
      [...ORDER_LISTS, "app_info", "list_gateways", "list_profiles", "order_detail A-1", "order_detail B-2", "secret_status shop-a", "secret_status shop-b", "status_checks"],
    ],
  ])("a change of %s asks again for exactly what it touched", async (_kind, change, expected) => {
    const backend = mockBackend();
    const queryClient = createQueryClient();
    render(<EveryRead />, queryClient);
    await waitFor(() => expect(backend.asked).toHaveLength(16));
    expect(await askedAfter(queryClient, backend, "change", change)).toEqual(expected.sort());
  });

  it("shows a payment settled elsewhere in the open order's panel and its row", async () => {
    const backend = mockBackend();
    backend.attempts = [attempt("pending")];
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTitle("A-1"));
    const panel = await screen.findByTestId("order-panel");
    await waitFor(() => expect(within(panel).getByTestId("attempt").getAttribute("data-state")).toBe("pending"));
    backend.attempts = [attempt("succeeded")];
    await act(() => emit("change", { kind: "attempts", order_nos: ["A-1"], attempt_ids: [7] } satisfies Change));
    await waitFor(() => expect(within(panel).getByTestId("attempt").getAttribute("data-state")).toBe("succeeded"));
    const row = document.querySelector<HTMLElement>('tr[data-order-no="A-1"]')!;
    await waitFor(() => expect(within(row).getByText("Paid")).toBeTruthy());
  });

  it("updates an open pay dialog's state line when its attempt settles", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTitle("A-1"));
    await user.click(await screen.findByTestId("open-pay"));
    const dialog = await screen.findByTestId("pay-dialog");
    await waitFor(() => expect((within(dialog).getByTestId("confirm-pay") as HTMLButtonElement).disabled).toBe(false));
    await user.click(within(dialog).getByTestId("confirm-pay"));
    const result = await within(dialog).findByTestId("pay-result");
    await waitFor(() => expect(result.getAttribute("data-state")).toBe("pending"));
    backend.attempts = [attempt("succeeded")];
    await act(() => emit("change", { kind: "attempts", order_nos: ["A-1"], attempt_ids: [7] } satisfies Change));
    await waitFor(() => expect(within(dialog).getByTestId("pay-result").getAttribute("data-state")).toBe("succeeded"));
  });

  it("shows a profile added elsewhere in the Gateways view", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await screen.findByTitle("A-1");
    await user.keyboard("{Control>}4{/Control}");
    await waitFor(() => expect(document.querySelector('article[data-profile="shop-a"]')).toBeTruthy());
    backend.profiles = [profile("shop-a"), profile("shop-b")];
    await act(() => emit("change", { kind: "profiles", names: ["shop-b"] } satisfies Change));
    await waitFor(() => expect(document.querySelector('article[data-profile="shop-b"]')).toBeTruthy());
  });
});
