import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api, errorMessage } from "./api";
import { App } from "./App";
import i18n from "./i18n";
import { createQueryClient, prefetchFirstScreen } from "./queries/client";
import { FIRST_LISTING, pageQuery } from "./queries/paging";
import { failureWords, render } from "./test-render";
import { attempt, mockBackend, paid, profile, quoteFor, resetBackend } from "./test-backend";
import type { Change, OrderQuery, ProfileView, TakingsRow } from "./types";

/** What main.tsx asks for before the first render. */
const FIRST_PAGE = pageQuery(FIRST_LISTING, 0);

afterEach(resetBackend);

async function openPay(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByText("DEMO-1001"));
  await user.click(await screen.findByTestId("open-pay"));
  const dialog = await screen.findByTestId("pay-dialog");
  await waitFor(() => expect((within(dialog).getByTestId("confirm-pay") as HTMLButtonElement).disabled).toBe(false));
  return dialog;
}

describe("the console", () => {
  it("lists orders with their amount, state and the SANDBOX badge", async () => {
    mockBackend();
    render(<App />);
    const row = await screen.findByText("DEMO-1001");
    const tr = row.closest("tr")!;
    expect(within(tr).getByText("¥12.34")).toBeTruthy();
    expect(within(tr).getByText("Created")).toBeTruthy();
    expect(within(tr).getByText("SANDBOX")).toBeTruthy();
    expect(screen.getByTestId("sandbox-status").textContent).toBe("Built-in sandbox gateways");
  });

  it("pays an order once, however often Confirm is pressed", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    const dialog = await openPay(user);
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

  it("shows the customer's payment number with the result, for the customer to compare with their wallet", async () => {
    mockBackend({ payResult: { ...paid, customer_ref: "4200001234202612070001" } });
    const user = userEvent.setup();
    render(<App />);
    await openPay(user);
    await user.keyboard("{Enter}");
    const result = await screen.findByTestId("pay-result");
    expect(within(result).getByTestId("pay-customer-ref").textContent).toBe("Customer's payment number: 4200001234202612070001");
  });

  it("says a payment whose answer could not be written was sent, and that the order must not be paid again another way", async () => {
    mockBackend({
      payError: { kind: "in_progress", message: "sent", code: "sent_not_recorded", params: { attempt_id: 7, reason: "the shared store is out of reach", because: "shared_store_offline" } },
    });
    const user = userEvent.setup();
    render(<App />);
    await openPay(user);
    await user.keyboard("{Enter}");
    const failure = await screen.findByTestId("pay-error");
    expect(failure.textContent).toContain(
      "The payment was sent to the gateway, but its answer could not be written to the history (the shared store is out of reach). The customer may have been charged: do not take another payment for this order.",
    );
    expect(failure.textContent).not.toContain("Nothing was");
  });

  it("shows the gateway's own words and what they mean when it refuses", async () => {
    mockBackend({
      payResult: { ...paid, state: "failed", gateway_ref: null, error: { code: "FAILED_PRECONDITION", message: "order is already paid" } },
    });
    const user = userEvent.setup();
    render(<App />);
    await openPay(user);
    await user.keyboard("{Enter}");
    const result = await screen.findByTestId("pay-result");
    expect(result.getAttribute("data-state")).toBe("failed");
    expect(within(result).getByText(/FAILED_PRECONDITION: order is already paid/)).toBeTruthy();
    expect(within(result).getByText(/支付请求失败 — the gateway refused the payment; nothing was charged/)).toBeTruthy();
  });

  it("says what a payment reported for another amount means: a person, before anything else", async () => {
    const message = "the gateway reports ¥1.00 for this payment, but ¥12.34 was asked";
    mockBackend({ payResult: { ...paid, state: "needs_review", error: { code: "AMOUNT_MISMATCH", message } } });
    const user = userEvent.setup();
    render(<App />);
    await openPay(user);
    await user.keyboard("{Enter}");
    const result = await screen.findByTestId("pay-result");
    expect(result.getAttribute("data-state")).toBe("needs_review");
    expect(within(result).getByText(/金额不符 — the gateway reports another amount than was asked/)).toBeTruthy();
    expect(within(result).getByTestId("gateway-words").textContent).toContain(`AMOUNT_MISMATCH: ${message}`);
  });

  it("deducts vouchers by the backend's exact quote and sends them with the payment", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    const dialog = await openPay(user);
    await user.click(within(dialog).getByTestId("add-voucher"));
    await user.type(within(dialog).getByTestId("voucher-id-0"), "v-1");
    await user.type(within(dialog).getByTestId("voucher-amount-0"), "10");
    await waitFor(() => expect(within(dialog).getByTestId("charge-amount").textContent).toBe("¥2.34"));
    expect(within(dialog).getByTestId("deducted").textContent).toBe("−¥10.00");
    await user.click(within(dialog).getByTestId("confirm-pay"));
    await screen.findByTestId("pay-result");
    const pay = backend.calls.find((c) => c.cmd === "pay_order")!;
    expect(pay.args).toMatchObject({ deductions: [{ id: "v-1", amount: "10" }] });
  });

  it("pays only the order the dialog shows: one changed at another desk meanwhile is refused, not charged", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    const dialog = await openPay(user);
    await waitFor(() => expect(within(dialog).getByTestId("charge-amount").textContent).toBe("¥12.34"));
    // Another desk makes the order 15.00 while this dialog still shows 12.34.
    backend.order = { ...backend.order, amount: "15.00", amount_minor: 1500, revision: backend.order.revision + 1 };
    await user.click(within(dialog).getByTestId("confirm-pay"));
    const failure = await within(dialog).findByTestId("pay-failure");
    expect(failureWords(failure)).toContain("was changed meanwhile");
    expect(backend.calls.find((c) => c.cmd === "pay_order")!.args).toMatchObject({ orderNo: "DEMO-1001", revision: 0 });
    expect(backend.paid).toBe(false);
  });

  it("shows a QR code for a pay URL and a state line that updates itself", async () => {
    mockBackend({
      payResult: { ...paid, channel: "alipay", state: "pending", pay_url: "https://pay.example/qr/1", attempt_id: 7 },
    });
    const user = userEvent.setup();
    render(<App />);
    await openPay(user);
    await user.keyboard("{Enter}");
    const result = await screen.findByTestId("pay-result");
    expect(result.getAttribute("data-state")).toBe("pending");
    const qr = await within(result).findByTestId("pay-qr");
    expect(qr.getAttribute("src")).toMatch(/^data:image\/svg\+xml;charset=utf-8,/);
    expect(within(result).getByTestId("live-state").textContent).toBe("Now: Pending");
    await act(async () => {
      await emit("change", { kind: "attempts", order_nos: ["DEMO-1001"], attempt_ids: [7] } satisfies Change);
    });
    // The order now reads paid (the fake's paid flag), so the live line follows it.
    await waitFor(() => expect(screen.getByTestId("pay-result").getAttribute("data-state")).toBe("succeeded"));
  });

  it("says where the customer pays when a pending payment has nothing to scan, and shows no QR step", async () => {
    mockBackend({ payResult: { ...paid, channel: "alipay", state: "pending", pay_url: null } });
    const user = userEvent.setup();
    render(<App />);
    await openPay(user);
    await user.keyboard("{Enter}");
    const result = await screen.findByTestId("pay-result");
    expect(result.getAttribute("data-state")).toBe("pending");
    expect(within(result).queryByTestId("pay-qr")).toBeNull();
    expect(within(result).getByTestId("state-hint").textContent).toBe(
      "Nothing to scan: the customer completes this payment in their payment app or at the gateway. paydesk asks the gateway until it settles.",
    );
    expect(result.textContent).not.toMatch(/to scan,|Scan to pay/);
  });

  it("keeps a pending payment's code at hand in the order panel once the dialog is closed", async () => {
    mockBackend({ attempts: [attempt("pending", { pay_url: "https://pay.example/qr/9" })] });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    const item = await screen.findByTestId("attempt");
    expect(within(item).getByTestId("attempt-qr").getAttribute("src")).toMatch(/^data:image\/svg\+xml;charset=utf-8,/);
    expect(item.textContent).toMatch(/Waiting for the customer to scan/);
  });

  it("hides the customer's personal data in a gateway's answer until a person asks for it", async () => {
    // The back end sends the answer with it hidden, and whole once asked for.
    const answer = JSON.stringify({ third_order_no: "DEMO-1001", order_receieve_name: "刘德华", order_receieve_phone: "18578229023" });
    const hidden = JSON.stringify({ third_order_no: "DEMO-1001", order_receieve_name: "•••", order_receieve_phone: "•••" });
    const pending = attempt("pending");
    pending.events = [{ ...pending.events[0]!, detail: hidden, personal_data_hidden: true }];
    mockBackend({ attempts: [pending], revealed: [{ ...pending.events[0]!, detail: answer, personal_data_hidden: false }] });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    const detail = await screen.findByTestId("event-detail");
    expect(detail.textContent).toContain("DEMO-1001");
    expect(detail.textContent).not.toMatch(/刘德华|18578229023/);
    await user.click(within(detail).getByTestId("reveal-personal"));
    expect(detail.textContent).toMatch(/刘德华/);
    expect(detail.textContent).toMatch(/18578229023/);
  });

  it("does not promise that a pending payment settles itself where the gateway cannot be asked", async () => {
    const unasked: ProfileView = { ...profile, capabilities: { ...profile.capabilities!, status_query: false } };
    mockBackend({
      profile: unasked,
      payResult: { ...paid, channel: "alipay", state: "pending", pay_url: "https://pay.example/qr/1" },
    });
    const user = userEvent.setup();
    render(<App />);
    await openPay(user);
    await user.keyboard("{Enter}");
    const result = await screen.findByTestId("pay-result");
    expect(result.getAttribute("data-state")).toBe("pending");
    expect(within(result).getByTestId("state-hint").textContent).toMatch(/cannot be asked for the result/);
    expect(within(result).getByTestId("pay-qr")).toBeTruthy();
  });

  it("words a payout as money going out, from the order panel to the result", async () => {
    const payout: ProfileView = {
      ...profile,
      gateway: "debit",
      capabilities: { ...profile.capabilities!, channels: ["bank"], vouchers: false, pays_out: true },
    };
    mockBackend({ profile: payout, payResult: { ...paid, channel: "bank" } });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    const open = await screen.findByTestId("open-pay");
    expect(open.textContent).toBe("Pay out…");
    expect(screen.getByTestId("order-state").textContent).toMatch(/Ready to pay out\./);
    await user.click(open);
    const dialog = await screen.findByTestId("pay-dialog");
    const confirm = within(dialog).getByTestId("confirm-pay") as HTMLButtonElement;
    await waitFor(() => expect(confirm.disabled).toBe(false));
    expect(within(dialog).getByRole("heading").textContent).toMatch(/^Pay out DEMO-1001/);
    expect(within(dialog).getByText("Amount to pay out")).toBeTruthy();
    expect(dialog.textContent).not.toMatch(/charge/i);
    expect(confirm.textContent).toBe("Confirm payout ¥12.34");
    await user.click(confirm);
    const result = await screen.findByTestId("pay-result");
    expect(within(result).getByText("Paid out")).toBeTruthy();
    expect(within(result).getByTestId("state-hint").textContent).toBe("Paid out to the payee.");
    expect(result.textContent).not.toMatch(/Payment received/);
  });

  it("offers no status check, and claims no checks, where the gateway cannot be asked", async () => {
    const unasked: ProfileView = { ...profile, capabilities: { ...profile.capabilities!, status_query: false } };
    mockBackend({ profile: unasked, attempts: [attempt("pending", { checks: 3 })] });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    const item = await screen.findByTestId("attempt");
    expect(item.textContent).toMatch(/cannot be asked for the result/);
    expect(item.textContent).not.toMatch(/Asked the gateway/);
    expect(within(item).queryByTestId("check-status")).toBeNull();
  });

  it("offers a status check of a pending payment where the gateway can be asked", async () => {
    mockBackend({ attempts: [attempt("pending", { checks: 2, pay_url: "https://pay.example/qr/2" })] });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    const item = await screen.findByTestId("attempt");
    expect(item.textContent).toMatch(/Waiting for the customer to scan/);
    expect(item.textContent).toMatch(/Asked the gateway 2 times/);
    expect(within(item).getByTestId("check-status")).toBeTruthy();
  });

  it("checks the selected order's payment with R in Orders, and not from another view where that order is not shown", async () => {
    const backend = mockBackend({ attempts: [attempt("pending", { checks: 2, pay_url: "https://pay.example/qr/2" })] });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    await screen.findByTestId("attempt");
    await user.keyboard("{Control>}2{/Control}");
    await screen.findByTestId("lookup-input");
    (document.activeElement as HTMLElement | null)?.blur();
    await user.keyboard("r");
    expect(backend.calls.filter((c) => c.cmd === "check_status")).toHaveLength(0);
    await user.keyboard("{Control>}1{/Control}");
    await screen.findByTestId("attempt");
    (document.activeElement as HTMLElement | null)?.blur();
    await user.keyboard("r");
    await waitFor(() => expect(backend.calls.filter((c) => c.cmd === "check_status")).toHaveLength(1));
  });

  it("clears the search on Esc and gives the keys back to the list", async () => {
    mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    const search = screen.getByTestId("global-search") as HTMLInputElement;
    await user.click(search);
    await user.keyboard("DEMO");
    expect(search.value).toBe("DEMO");
    await user.keyboard("{Escape}");
    expect(search.value).toBe("");
    expect(document.activeElement).not.toBe(search);
    await user.keyboard("r");
    expect(search.value).toBe("");
  });

  it("opens the pay dialog when a scanner types an order number and Enter", async () => {
    mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    await user.keyboard("/");
    expect(document.activeElement).toBe(screen.getByTestId("global-search"));
    await user.keyboard("DEMO-1001{Enter}");
    expect(await screen.findByTestId("pay-dialog")).toBeTruthy();
  });

  it("takes the next scan whole after the pay dialog closes: the last number is replaced, not added to", async () => {
    mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    await user.keyboard("/");
    await user.keyboard("DEMO-1001{Enter}");
    expect(await screen.findByTestId("pay-dialog")).toBeTruthy();
    await user.keyboard("{Escape}");
    const search = screen.getByTestId("global-search") as HTMLInputElement;
    expect(document.activeElement).toBe(search);
    await user.keyboard("DEMO-1001{Enter}");
    expect(search.value).toBe("DEMO-1001");
    expect(await screen.findByTestId("pay-dialog")).toBeTruthy();
  });

  it("does not open the pay dialog when a scan's only hit is a prefix match: lists it for the person to choose", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    await user.keyboard("/");
    // DEMO-100 is no order yet; the back end falls back to DEMO-1001, which it begins.
    await user.keyboard("DEMO-100{Enter}");
    await waitFor(() => expect(backend.calls.some((c) => c.cmd === "lookup" && c.args.reference === "DEMO-100")).toBe(true));
    await waitFor(() => expect(backend.calls.some((c) => c.cmd === "query_orders" && (c.args.query as OrderQuery).text === "DEMO-100")).toBe(true));
    await new Promise((r) => setTimeout(r, 100));
    expect(screen.queryByTestId("pay-dialog")).toBeNull();
    expect(document.querySelector('tr[data-order-no="DEMO-1001"]')).not.toBeNull();
    expect(screen.queryByText(/No order matches/)).toBeNull();
    expect((screen.getByTestId("global-search") as HTMLInputElement).value).toBe("DEMO-100");
  });

  it("keeps the DOM small at a million orders and asks the backend for pages", async () => {
    const backend = mockBackend({ total: 1_000_000 });
    render(<App />);
    await screen.findByText("ORD-0000000");
    expect((await screen.findByTestId("order-count")).textContent).toBe("1,000,000 orders");
    expect(document.querySelectorAll("tr[data-order-no]").length).toBeLessThan(60);
    for (const call of backend.calls.filter((c) => c.cmd === "query_orders")) {
      expect((call.args.query as OrderQuery).limit).toBeLessThanOrEqual(100);
    }
  });

  it("asks for the page the window preloads (main.tsx), so the preloaded answer is the one used", async () => {
    const backend = mockBackend();
    render(<App />);
    await screen.findByText("DEMO-1001");
    const first = backend.calls.find((c) => c.cmd === "query_orders")!;
    expect(JSON.stringify(first.args)).toBe(JSON.stringify({ query: FIRST_PAGE }));
  });

  it("takes a preloaded answer over once, then asks the back end again", async () => {
    const backend = mockBackend();
    const queryClient = createQueryClient();
    prefetchFirstScreen(queryClient);
    expect(backend.calls.filter((c) => c.cmd === "query_orders")).toHaveLength(1);
    render(<App />, queryClient);
    await screen.findByText("DEMO-1001");
    expect(backend.calls.filter((c) => c.cmd === "query_orders")).toHaveLength(1);
    await api.queryOrders(FIRST_PAGE);
    expect(backend.calls.filter((c) => c.cmd === "query_orders")).toHaveLength(2);
  });

  it("switches language in Settings, and the states follow", async () => {
    mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    await user.keyboard("{Control>}5{/Control}");
    await user.selectOptions(await screen.findByTestId("language"), "zh-CN");
    expect(screen.getByRole("heading", { name: "设置" })).toBeTruthy();
    await user.keyboard("{Control>}1{/Control}");
    const row = (await screen.findByText("DEMO-1001")).closest("tr")!;
    expect(within(row).getByText("已创建")).toBeTruthy();
    expect(screen.getByText("内置沙箱网关")).toBeTruthy();
    expect(localStorage.getItem("paydesk.language")).toBe("zh-CN");
  });

  it("lets a person resolve a payment that needs review, only with a note", async () => {
    const backend = mockBackend({ attempts: [attempt("needs_review")] });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    const form = await screen.findByTestId("resolve-form");
    const submit = within(form).getByRole("button", { name: "Record decision" }) as HTMLButtonElement;
    await user.click(within(form).getByLabelText("It was paid"));
    expect(submit.disabled).toBe(true);
    await user.type(within(form).getByLabelText("Note (required)"), "customer's bank statement shows it");
    await user.click(submit);
    await waitFor(() => expect(screen.getByTestId("attempt").getAttribute("data-state")).toBe("succeeded"));
    expect(backend.calls.find((c) => c.cmd === "resolve_review")!.args).toMatchObject({
      attemptId: 7,
      decision: "succeeded",
      note: "customer's bank statement shows it",
    });
  });

  it("offers a person the decision at once where the gateway cannot be asked; not paid takes their word on the code", async () => {
    const unasked: ProfileView = { ...profile, capabilities: { ...profile.capabilities!, status_query: false } };
    const backend = mockBackend({ profile: unasked, attempts: [attempt("pending", { pay_url: "https://pay.example/qr/1", may_still_be_paid: true })] });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    const form = await screen.findByTestId("resolve-form");
    expect(form.textContent).toMatch(/cannot be asked about this payment, so it will not settle by itself/);
    const submit = within(form).getByRole("button", { name: "Record decision" }) as HTMLButtonElement;
    await user.click(within(form).getByLabelText("It was not paid"));
    await user.type(within(form).getByLabelText("Note (required)"), "customer walked away");
    expect(submit.disabled).toBe(true);
    await user.click(within(within(form).getByTestId("code-unusable")).getByRole("checkbox"));
    expect(submit.disabled).toBe(false);
    await user.click(submit);
    await waitFor(() => expect(backend.calls.some((c) => c.cmd === "resolve_review")).toBe(true));
    expect(backend.calls.find((c) => c.cmd === "resolve_review")!.args).toMatchObject({
      attemptId: 7,
      decision: "failed",
      note: "customer walked away",
      codeUnusable: true,
    });
  });

  it("does not offer 'not paid' while the gateway says the code can still be paid", async () => {
    const until = Date.now() + 3_600_000;
    mockBackend({ attempts: [attempt("needs_review", { pay_url: "https://pay.example/qr/5", payable_until: until, may_still_be_paid: true })] });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    const item = await screen.findByTestId("attempt");
    expect(within(item).getByTestId("payable-until").textContent).toMatch(/The customer can pay with this code until/);
    const form = within(item).getByTestId("resolve-form");
    expect((within(form).getByLabelText("It was not paid") as HTMLInputElement).disabled).toBe(true);
    expect((within(form).getByLabelText("It was paid") as HTMLInputElement).disabled).toBe(false);
    expect(within(form).getByTestId("not-paid-after").textContent).toMatch(/once the code has expired/);
  });

  it("asks for a payout the gateway took the person's word that it was not made and will not be", async () => {
    const payout: ProfileView = {
      ...profile,
      gateway: "debit",
      capabilities: { ...profile.capabilities!, channels: ["bank"], vouchers: false, pays_out: true },
    };
    mockBackend({ profile: payout, attempts: [attempt("needs_review", { channel: "bank", gateway_ref: "7", may_still_be_paid: true })] });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    const form = await screen.findByTestId("resolve-form");
    await user.click(within(form).getByRole("radio", { name: /not/ }));
    expect(within(form).getByTestId("code-unusable").textContent).toMatch(/^ The payout was not made, and the gateway will not make it now/);
  });

  it("raises a settled payment a gateway contradicts, for a person to confirm or correct", async () => {
    const evidence = "the gateway's callback reports this payment succeeded, but it is recorded as failed";
    const backend = mockBackend({ attempts: [attempt("failed", { contested: evidence })] });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    expect((await screen.findByTestId("contested")).textContent).toContain(evidence);
    const form = await screen.findByTestId("resolve-form");
    await user.click(within(form).getByLabelText("It was paid"));
    await user.type(within(form).getByLabelText("Note (required)"), "bank statement shows the payout");
    await user.click(within(form).getByRole("button", { name: "Record decision" }));
    await waitFor(() => expect(backend.calls.some((c) => c.cmd === "resolve_review")).toBe(true));
  });

  it("shows a readable error instead of a blank window when the back end cannot start", async () => {
    mockBackend({ startupError: "the OS keyring is not available: no D-Bus session" });
    render(<App />);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("the OS keyring is not available");
    await waitFor(() => expect(screen.getByText("Copy details")).toBeTruthy());
    expect(screen.queryByTestId("orders-scroll")).toBeNull();
  });
});

describe("the dashboard", () => {
  afterEach(resetBackend);

  it("measures each currency's bars on their own scale and keeps payouts apart", async () => {
    const row = (channel: TakingsRow["channel"], currency: string, minor: number, pays_out = false): TakingsRow => ({
      pays_out,
      channel,
      state: "succeeded",
      currency,
      count: 1,
      amount_minor: minor,
      amount: (minor / 100).toFixed(2),
    });
    mockBackend({
      takings: [row("alipay", "CNY", 1_000_000), row("balance", "CNY", 250_000), row("balance", "INR", 5_000), row("bank", "INR", 80_000, true)],
    });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole("link", { name: /Dashboard/ }));
    const today = await screen.findByTestId("period-Today");
    const width = (table: HTMLElement, label: string) =>
      within(table).getByText(label, { selector: "th button" }).closest("tr")!.querySelector("rect.bar-paid")!.getAttribute("width");
    const paidIn = within(today).getByTestId("paid-in");
    const rows = within(paidIn).getAllByRole("row");
    expect(rows.map((r) => r.querySelector("rect.bar-paid")!.getAttribute("width"))).toEqual(["100", "25", "100"]);
    // The rupee balance is its own currency's largest: a full bar, not a sliver beside ¥10,000.
    expect(rows[2]!.textContent).toContain("₹50.00");
    expect(width(within(today).getByTestId("paid-out"), "Bank transfer")).toBe("100");
    expect(paidIn.textContent).not.toContain("Bank transfer");
  });
});

describe("gateway profiles", () => {
  afterEach(resetBackend);

  it("asks before removing a profile in the app's own dialog, in the window's language", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole("link", { name: /Gateways/ }));
    await user.click(await screen.findByTestId("remove-profile"));
    const dialog = await screen.findByTestId("remove-dialog");
    expect(dialog.textContent).toMatch(/Remove profile sandbox-sensecore\? Its secrets are deleted from the keyring\./);
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByTestId("remove-dialog")).toBeNull();
    expect(backend.calls.some((c) => c.cmd === "remove_profile")).toBe(false);
    await user.click(screen.getByTestId("remove-profile"));
    await user.click(within(await screen.findByTestId("remove-dialog")).getByTestId("confirm-remove"));
    await waitFor(() => expect(backend.calls.find((c) => c.cmd === "remove_profile")?.args).toMatchObject({ profile: "sandbox-sensecore" }));
  });

  it("names the sandbox in the window's language", async () => {
    mockBackend();
    render(<App />);
    const row = (await screen.findByText("DEMO-1001")).closest("tr")!;
    expect(within(row).getByText("SANDBOX")).toBeTruthy();
    await act(async () => {
      await i18n.changeLanguage("zh-CN");
    });
    expect(within(row).getByText("沙箱")).toBeTruthy();
  });
});

/** The status bar's word on a desk that keeps its history in its own file. */
const standalone = { url: null, reachable: true, read_only: false, as_of: null, schema_mismatch: null };

describe("the status bar", () => {
  it("says the gateways answer and the data directory is sound", async () => {
    mockBackend();
    render(<App />);
    const reach = await screen.findByTestId("gateway-reach");
    expect(reach.textContent).toBe("✓ Gateway reachable");
    await waitFor(() => expect(screen.getByTestId("storage").getAttribute("data-state")).toBe("ok"));
    expect(screen.getByTestId("storage").textContent).toBe("✓ Data directory OK: /tmp/pd");
  });

  it("tells a missing required secret from an optional one that is not set", async () => {
    mockBackend({
      secrets: [
        { key: "app_secret", required: true, set: false },
        { key: "session", required: false, set: false },
      ],
    });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    await user.keyboard("{Control>}4{/Control}");
    await screen.findByRole("heading", { name: "Gateways" });
    const row = (key: string) => document.querySelector(`[data-secret="${key}"]`) as HTMLElement;
    await waitFor(() => expect(row("session")).toBeTruthy());
    expect(within(row("app_secret")).getByText("missing").className).toBe("error");
    expect(within(row("session")).getByText("not set (optional)").className).toBe("muted");
  });

  it("names an unreachable gateway, which opens the Gateways view", async () => {
    mockBackend({
      statusChecks: () => ({
        gateways: [
          { profile: "sandbox-sensecore", is_sandbox: true, reachable: true, detail: "127.0.0.1:1" },
          { profile: "shop-top", is_sandbox: false, reachable: false, detail: "top.example:443: connection refused" },
        ],
        storage: { state: "ok", detail: null },
        store: standalone,
      }),
    });
    const user = userEvent.setup();
    render(<App />);
    const reach = await screen.findByTestId("gateway-reach");
    expect(reach.textContent).toBe("✕ Not reachable: shop-top");
    expect(reach.getAttribute("title")).toContain("shop-top: ✕ top.example:443: connection refused");
    await user.click(reach);
    expect(await screen.findByRole("heading", { name: "Gateways" })).toBeTruthy();
  });

  it("shows a damaged data directory in the status bar and as an error with its details", async () => {
    let state: "checking" | "problem" = "checking";
    mockBackend({
      statusChecks: () =>
        state === "checking"
          ? { gateways: [], storage: { state, detail: null }, store: standalone }
          : { gateways: [], storage: { state, detail: "the database file is damaged (quick_check: page 7)" }, store: standalone },
    });
    render(<App />);
    await waitFor(() => expect(screen.getByTestId("storage").getAttribute("data-state")).toBe("checking"));
    expect(screen.getByTestId("storage").textContent).toContain("Checking the data directory");
    // The background read finishes; the bar asks again soon while it is still checking.
    state = "problem";
    await waitFor(() => expect(screen.getByTestId("storage").getAttribute("data-state")).toBe("problem"), { timeout: 4000 });
    expect(screen.getByTestId("storage").textContent).toContain("Data directory problem");
    expect((await screen.findByRole("alert")).textContent).toContain("Data directory problem: the database file is damaged (quick_check: page 7)");
  });

  it("names a shared history, and a read-only desk does not pay", async () => {
    const backend = mockBackend({
      statusChecks: () => ({
        gateways: [{ profile: "sandbox-sensecore", is_sandbox: true, reachable: true, detail: "127.0.0.1:1" }],
        storage: { state: "ok", detail: null },
        store: { url: "postgres://agent_1@db.shop.example/paydesk?sslmode=verify-full", reachable: true, read_only: true, as_of: null, schema_mismatch: null },
      }),
    });
    const user = userEvent.setup();
    render(<App />);
    const shared = await screen.findByTestId("shared-store");
    expect(shared.textContent).toBe("⇄ Shared store · read only");
    expect(shared.getAttribute("title")).toBe("postgres://agent_1@db.shop.example/paydesk?sslmode=verify-full");
    // It looks payments up; paying, adding, importing, asking the gateway and deciding are
    // for the desks that may write, and it says so.
    await user.click(await screen.findByText("DEMO-1001"));
    const panel = await screen.findByTestId("order-panel");
    expect(within(panel).getByTestId("read-only-note").textContent).toContain("may only read");
    expect(within(panel).queryByTestId("open-pay")).toBeNull();
    expect(panel.textContent).not.toContain("Ready to pay");
    expect(within(panel).queryByTestId("check-status")).toBeNull();
    expect(screen.queryByTestId("new-order")).toBeNull();
    expect(screen.queryByTestId("open-import")).toBeNull();
    expect(screen.getByTestId("open-export")).toBeTruthy();
    await user.keyboard("{Control>}n{/Control}");
    await user.keyboard("{Control>}i{/Control}");
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(backend.calls.filter((c) => c.cmd === "pay_order")).toHaveLength(0);
  });

  it("hides paying on a desk that may only read from its first drawing, before the status checks come back", async () => {
    const backend = mockBackend({ readOnly: true, statusChecks: () => new Promise(() => {}) });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    const panel = await screen.findByTestId("order-panel");
    expect(within(panel).getByTestId("read-only-note").textContent).toContain("may only read");
    expect(within(panel).queryByTestId("open-pay")).toBeNull();
    expect(screen.queryByTestId("new-order")).toBeNull();
    await user.keyboard("{Enter}");
    expect(backend.calls.filter((c) => c.cmd === "quote" || c.cmd === "pay_order")).toHaveLength(0);
  });

  const readOnlyDesk = (state: "needs_review" | "unknown") =>
    mockBackend({
      readOnly: true,
      attempts: [attempt(state)],
      statusChecks: () => ({
        gateways: [],
        storage: { state: "ok", detail: null },
        store: { url: "postgres://agent_1@db.shop.example/paydesk", reachable: true, read_only: true, as_of: null, schema_mismatch: null },
      }),
    });

  it("tells a desk that may only read where a payment needing a person is decided", async () => {
    readOnlyDesk("needs_review");
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    const panel = await screen.findByTestId("order-panel");
    await waitFor(() => expect(within(panel).getByTestId("state-hint").textContent).toBe("Needs a person at a desk that may write: this desk may only read."));
    expect(within(panel).queryByTestId("resolve-form")).toBeNull();
    await act(() => i18n.changeLanguage("zh-CN"));
    expect(within(panel).getByTestId("state-hint").textContent).toBe("需要人工处理：请在可写入的收银台处理，本机只能查看。");
    await act(() => i18n.changeLanguage("en"));
  });

  it("lists on a desk that may only read no key that writes", async () => {
    readOnlyDesk("unknown");
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    await waitFor(() => expect(screen.queryByTestId("new-order")).toBeNull());
    await user.keyboard("?");
    const sheet = await screen.findByTestId("shortcut-sheet");
    for (const id of ["new-order", "import", "check"]) expect(sheet.querySelector(`tr[data-shortcut="${id}"]`)).toBeNull();
    expect(sheet.querySelector('[data-section="inPay"]')).toBeNull();
    for (const id of ["search", "export", "receipt", "help"]) expect(sheet.querySelector(`tr[data-shortcut="${id}"]`)).not.toBeNull();
  });

  it("asks the gateway nothing by its key (R) on a desk that may only read", async () => {
    const backend = readOnlyDesk("unknown");
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    await waitFor(() => expect(screen.getByTestId("attempt").getAttribute("data-state")).toBe("unknown"));
    await screen.findByTestId("read-only-note");
    await user.keyboard("r");
    expect(backend.calls.filter((c) => c.cmd === "check_status")).toHaveLength(0);
  });

  it("says how old the history is while the shared store is out of reach, and pays nothing", async () => {
    const asOf = new Date();
    asOf.setHours(9, 41, 0, 0);
    const backend = mockBackend({
      statusChecks: () => ({
        gateways: [],
        storage: { state: "ok", detail: null },
        store: { url: "postgres://desk_1@db.shop.example/paydesk?sslmode=verify-full", reachable: false, read_only: false, as_of: asOf.getTime(), schema_mismatch: null },
      }),
    });
    const user = userEvent.setup();
    render(<App />);
    const shared = await screen.findByTestId("shared-store");
    await waitFor(() => expect(shared.textContent).toBe("✕ Offline: history as of 09:41 AM; paying is paused"));
    expect(shared.getAttribute("data-reachable")).toBe("false");
    await user.click(await screen.findByText("DEMO-1001"));
    await user.click(await screen.findByTestId("open-pay"));
    const dialog = await screen.findByTestId("pay-dialog");
    expect(within(dialog).getByTestId("pay-offline").textContent).toContain("out of reach");
    const confirm = within(dialog).getByTestId("confirm-pay") as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    await user.click(confirm);
    expect(backend.calls.filter((c) => c.cmd === "pay_order")).toHaveLength(0);
  });

  function unfitStore(mismatch: { applied: number; supported: number }) {
    return mockBackend({
      statusChecks: () => ({
        gateways: [],
        storage: { state: "ok", detail: null },
        store: { url: "postgres://desk_1@db.shop.example/paydesk", reachable: false, read_only: false, as_of: 1, schema_mismatch: mismatch },
      }),
    });
  }

  it("says to update this desk when a newer paydesk updated the shared store", async () => {
    unfitStore({ applied: 13, supported: 12 });
    const user = userEvent.setup();
    render(<App />);
    const shared = await screen.findByTestId("shared-store");
    await waitFor(() => expect(shared.textContent).toBe("✕ Update paydesk on this desk: a newer paydesk updated the shared store; paying is paused"));
    expect(shared.getAttribute("title")).toBe("postgres://desk_1@db.shop.example/paydesk: the shared store's schema is version 13, this paydesk's is 12");
    await user.click(await screen.findByText("DEMO-1001"));
    await user.click(await screen.findByTestId("open-pay"));
    const dialog = await screen.findByTestId("pay-dialog");
    expect(within(dialog).getByTestId("pay-offline").textContent).toBe(
      "A newer paydesk updated the shared store: paying is paused until paydesk on this desk is updated.",
    );
    expect((within(dialog).getByTestId("confirm-pay") as HTMLButtonElement).disabled).toBe(true);
    await act(() => i18n.changeLanguage("zh-CN"));
    expect(shared.textContent).toBe("✕ 请更新此收银台的 paydesk：共享数据库已被新版 paydesk 升级；已暂停付款");
  });

  it("says the shared store's owner must update it when it is behind this paydesk", async () => {
    unfitStore({ applied: 11, supported: 12 });
    render(<App />);
    const shared = await screen.findByTestId("shared-store");
    await waitFor(() => expect(shared.textContent).toBe("✕ The shared store needs its owner to update it (paydesk store connect); paying is paused"));
  });

  it("words a refusal to pay while offline with the copy's age", () => {
    const asOf = new Date();
    asOf.setHours(17, 5, 0, 0);
    const refusal = { kind: "refused", message: "offline", code: "shared_store_offline", params: { as_of: asOf.getTime(), schema_mismatch: null } };
    expect(errorMessage(refusal)).toBe("Offline: history as of 05:05 PM; paying, and what only the shared store holds, waits until it is back. Nothing was written or sent.");
    expect(errorMessage({ ...refusal, params: { as_of: null, schema_mismatch: null } })).toContain("this desk has no copy of the history yet");
    expect(errorMessage({ ...refusal, params: { as_of: null, schema_mismatch: { applied: 13, supported: 12 } } })).toBe(
      "A newer paydesk updated the shared store (its schema is version 13, this paydesk's 12): update paydesk on this desk. Until then it shows its copy of the history and pays nothing. Nothing was written or sent.",
    );
    expect(errorMessage({ ...refusal, params: { as_of: 1, schema_mismatch: { applied: 11, supported: 12 } } })).toContain(
      "its owner updates it by connecting once (paydesk store connect)",
    );
  });

  it("counts payments that wait on a gateway that cannot be asked apart from those being checked", async () => {
    mockBackend({ activity: { in_flight: 2, unasked: 1, needs_review: 1 } });
    render(<App />);
    const activity = await screen.findByTestId("activity");
    await waitFor(() => expect(activity.getAttribute("title")).toBe("Checking 2 payments · 1 cannot be checked (the gateway has no status query) · 1 need a person"));
    // The bar says each in a few words; why one cannot be checked is in its title.
    expect([...activity.children].map((c) => c.textContent?.trim())).toEqual(["Checking 2 payments", "1 cannot be checked", "1 need a person"]);
  });
});

describe("dialogs", () => {
  async function tabAround(user: ReturnType<typeof userEvent.setup>, dialog: HTMLElement, shift: boolean) {
    const seen = new Set<Element>();
    for (let i = 0; i < 30; i++) {
      await user.keyboard(shift ? "{Shift>}{Tab}{/Shift}" : "{Tab}");
      expect(dialog.contains(document.activeElement)).toBe(true);
      seen.add(document.activeElement!);
    }
    return seen;
  }

  it("keep Tab inside, make the window behind inert, close on Esc and give the focus back to the opener", async () => {
    mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    const payButton = await screen.findByTestId("open-pay");
    await user.click(payButton);
    const dialog = await screen.findByRole("dialog", { name: "Pay DEMO-1001" });
    expect(dialog.getAttribute("aria-describedby")).toBe("pay-subject");
    await waitFor(() => expect(document.activeElement).toBe(within(dialog).getByTestId("confirm-pay")));
    expect(screen.getByTestId("global-search").closest("[inert]")).not.toBeNull();
    const forward = await tabAround(user, dialog, false);
    const backward = await tabAround(user, dialog, true);
    // Every control is reached both ways: the channels (one stop, a radio group), Add voucher,
    // Confirm and Cancel.
    expect(forward.size).toBe(4);
    expect(backward.size).toBe(forward.size);
    expect([...forward].every((el) => backward.has(el))).toBe(true);
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("pay-dialog")).toBeNull();
    expect(document.activeElement).toBe(payButton);
    expect(screen.getByTestId("global-search").closest("[inert]")).toBeNull();
    // Esc went to the dialog, not to the detail panel behind it.
    expect(screen.getByTestId("order-panel")).toBeTruthy();
  });

  it("after a payment, when Pay… can no longer take the focus, give it to the search box for the next scan", async () => {
    mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await openPay(user);
    await user.keyboard("{Enter}");
    const result = await screen.findByTestId("pay-result");
    await waitFor(() => expect(document.activeElement).toBe(within(result).getByTestId("next-order")));
    await waitFor(() => expect((screen.getByTestId("open-pay") as HTMLButtonElement).disabled).toBe(true));
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("pay-dialog")).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId("global-search"));
  });

  it("takes the next customer's scan while a payment's result still shows: nothing typed is lost", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await openPay(user);
    await user.keyboard("{Enter}");
    const result = await screen.findByTestId("pay-result");
    await waitFor(() => expect(document.activeElement).toBe(within(result).getByTestId("next-order")));
    const lookups = () => backend.calls.filter((c) => c.cmd === "lookup").map((c) => c.args.reference);
    const before = lookups().length;
    // The scanner types the next number and Enter: it is looked up whole (here the order just
    // paid, so its detail shows rather than a second pay dialog).
    await user.keyboard("DEMO-1001{Enter}");
    await waitFor(() => expect(screen.queryByTestId("pay-dialog")).toBeNull());
    await waitFor(() => expect(lookups().slice(before)).toEqual(["DEMO-1001"]));
    expect(backend.calls.filter((c) => c.cmd === "pay_order")).toHaveLength(1);
  });

  it("cannot be closed with Esc while the payment is being sent", async () => {
    mockBackend({ payResult: undefined });
    const user = userEvent.setup();
    render(<App />);
    const dialog = await openPay(user);
    // Hold the payment in flight.
    mockIPC((cmd) => (cmd === "pay_order" ? new Promise(() => {}) : cmd === "quote" ? quoteFor({}) : null), { shouldMockEvents: true });
    await user.click(within(dialog).getByTestId("confirm-pay"));
    expect(await screen.findByTestId("pay-progress")).toBeTruthy();
    await user.keyboard("{Escape}");
    expect(screen.getByTestId("pay-dialog")).toBeTruthy();
  });

  it("says why a payment could not be made, with the details to copy for support", async () => {
    mockBackend();
    const user = userEvent.setup();
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    render(<App />);
    const dialog = await openPay(user);
    const refusal = { kind: "keyring", code: "keyring_unavailable", message: "the keyring is locked", params: { reason: "the keyring is locked" } };
    mockIPC((cmd) => (cmd === "pay_order" ? Promise.reject(refusal) : cmd === "quote" ? quoteFor({}) : null), { shouldMockEvents: true });
    await user.click(within(dialog).getByTestId("confirm-pay"));
    const failure = await within(dialog).findByTestId("pay-failure");
    expect(failure.textContent).toContain("the keyring is locked");
    await user.click(within(failure).getByRole("button", { name: "Copy details" }));
    expect(writeText).toHaveBeenCalledWith("the keyring is locked\nkeyring / keyring_unavailable: the keyring is locked");
  });

  it("fills an empty list from where it is: a gateway profile first, then an order or a file", async () => {
    mockBackend({ dataSet: "live", total: 0 });
    const user = userEvent.setup();
    render(<App />);
    const empty = await screen.findByTestId("orders-empty");
    const addProfile = await within(empty).findByRole("button", { name: "Add a gateway profile…" });
    expect(empty.textContent).toContain("no gateway profile to pay them through");
    await user.click(addProfile);
    expect(await screen.findByRole("heading", { level: 1, name: "Gateways" })).toBeTruthy();
    // New order from anywhere says the same, rather than a form whose every save is refused.
    await user.keyboard("{Control>}n{/Control}");
    const dialog = await screen.findByTestId("new-order-dialog");
    expect(within(dialog).getByTestId("new-order-no-profile").textContent).toMatch(/no.*gateway profile|has none yet/);
    expect(within(dialog).queryByTestId("new-order-create")).toBeNull();
    await user.click(within(dialog).getByRole("button", { name: "Add a gateway profile…" }));
    expect(screen.queryByTestId("new-order-dialog")).toBeNull();
    expect(screen.getByRole("heading", { level: 1, name: "Gateways" })).toBeTruthy();
  });

  it("offers New order and Import on an empty list once there is a profile to pay through", async () => {
    mockBackend({ total: 0 });
    const user = userEvent.setup();
    render(<App />);
    const empty = await screen.findByTestId("orders-empty");
    // Until the profiles are read, nothing is said of them: no "add a profile" that flashes by.
    expect(empty.textContent).not.toContain("no gateway profile");
    expect(await within(empty).findByRole("button", { name: "Import…" })).toBeTruthy();
    await waitFor(() => expect((within(empty).getByRole("button", { name: "New order" }) as HTMLButtonElement).disabled).toBe(false));
    await user.click(within(empty).getByRole("button", { name: "New order" }));
    expect(await screen.findByRole("dialog")).toBeTruthy();
  });

  it("name every dialog and return the focus to the button that opened it", async () => {
    mockBackend({ onImport: () => ({ rows: 0, imported: 0, rejected_count: 0, rejected: [] }), onExport: () => null });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    for (const [opener, name] of [
      ["new-order", "New order"],
      ["open-import", "Import orders"],
      ["open-export", "Export orders"],
    ] as const) {
      const button = screen.getByTestId(opener);
      await user.click(button);
      const dialog = await screen.findByRole("dialog", { name });
      expect(dialog.contains(document.activeElement)).toBe(true);
      await user.keyboard("{Escape}");
      expect(screen.queryByRole("dialog")).toBeNull();
      expect(document.activeElement).toBe(button);
    }
  });
});
