import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "./App";
import { render } from "./test-render";
import { attempt, mockBackend, paid, profile, resetBackend } from "./test-backend";
import type { ProfileView } from "./types";
import { minorToDecimal } from "./words";

afterEach(resetBackend);

async function openOrder(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByText("DEMO-1001"));
  return screen.findByTestId("order-panel");
}

const partner: ProfileView = {
  ...profile,
  name: "shop-partner",
  gateway: "partner",
  order_currency: "CNY",
  order_attributes: [
    { name: "user_id", required: true, positive_integer: false },
    { name: "address_id", required: true, positive_integer: true },
  ],
};

describe("fixing an order before it is paid", () => {
  it("changes an unpaid order's terms, sending the revision it was read at, and shows what changed", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    const panel = await openOrder(user);
    await user.click(within(panel).getByTestId("edit-order"));
    const dialog = await screen.findByTestId("new-order-dialog");
    expect(within(dialog).queryByTestId("new-order-no")).toBeNull();
    expect(within(dialog).getByTestId("new-order-currency").textContent).toBe("CNY");
    const amount = within(dialog).getByTestId("new-order-amount") as HTMLInputElement;
    expect(amount.value).toBe("12.34");
    await user.clear(amount);
    await user.type(amount, "9.90");
    await user.type(within(dialog).getByTestId("attr-resource_pack_id"), "rp-2");
    await user.click(within(dialog).getByTestId("new-order-create"));
    await waitFor(() => expect(screen.queryByTestId("new-order-dialog")).toBeNull());
    const edit = backend.calls.find((c) => c.cmd === "edit_order")!;
    expect(edit.args).toMatchObject({ orderNo: "DEMO-1001", revision: 0, amount: "9.90", attributes: { resource_pack_id: "rp-2" } });
    const changes = await screen.findByTestId("order-changes");
    expect(changes.textContent).toContain("¥12.34 → ¥9.90");
    expect(changes.textContent).toContain("resource_pack_id: — → rp-2");
  });

  it("cancels an unpaid order after asking, keeps it, and offers no payment after", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    const panel = await openOrder(user);
    await user.click(within(panel).getByTestId("cancel-order"));
    const form = within(panel).getByTestId("cancel-order-form");
    expect(backend.calls.some((c) => c.cmd === "cancel_order")).toBe(false);
    await user.type(within(form).getByTestId("cancel-note"), "customer left");
    await user.click(within(form).getByTestId("confirm-cancel-order"));
    await waitFor(() => expect(within(panel).getByTestId("order-state").textContent).toContain("Cancelled"));
    expect(within(panel).getByTestId("cancelled-note").textContent).toContain("customer left");
    expect(within(panel).queryByTestId("open-pay")).toBeNull();
    expect(within(panel).queryByTestId("edit-order")).toBeNull();
    expect(backend.calls.find((c) => c.cmd === "cancel_order")!.args).toMatchObject({ orderNo: "DEMO-1001", note: "customer left" });
    const row = (await screen.findAllByText("DEMO-1001"))[0]!.closest("tr")!;
    await waitFor(() => expect(within(row).getByText("Cancelled")).toBeTruthy());
  });

  it("offers neither a change nor a cancellation once an attempt is live or paid", async () => {
    mockBackend({ attempts: [attempt("pending")] });
    const user = userEvent.setup();
    render(<App />);
    const panel = await openOrder(user);
    expect(within(panel).queryByTestId("edit-order")).toBeNull();
    expect(within(panel).queryByTestId("cancel-order")).toBeNull();
  });

  it("takes a new order's currency from its profile and asks for its gateway's fields, required ones marked", async () => {
    const backend = mockBackend({ profile: partner });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    await user.keyboard("{Control>}n{/Control}");
    const dialog = await screen.findByTestId("new-order-dialog");
    expect(within(dialog).getByTestId("new-order-currency").textContent).toBe("CNY");
    const fields = within(dialog).getByTestId("gateway-fields");
    expect((within(fields).getByTestId("attr-user_id") as HTMLInputElement).required).toBe(true);
    expect(within(fields).getAllByTitle("required")).toHaveLength(2);
    await user.type(within(dialog).getByTestId("new-order-no"), "P-9");
    await user.type(within(dialog).getByTestId("new-order-amount"), "3.00");
    await user.type(within(fields).getByTestId("attr-user_id"), "u-1");
    await user.type(within(fields).getByTestId("attr-address_id"), "12");
    await user.click(within(dialog).getByTestId("add-attribute"));
    await user.type(within(dialog).getByLabelText("Attribute name"), "table");
    await user.type(within(dialog).getByLabelText("Attribute value"), "7");
    await user.click(within(dialog).getByTestId("new-order-create"));
    await waitFor(() => expect(backend.calls.some((c) => c.cmd === "add_order")).toBe(true));
    expect(backend.calls.find((c) => c.cmd === "add_order")!.args).toMatchObject({
      profile: "shop-partner",
      orderNo: "P-9",
      amount: "3.00",
      currency: "CNY",
      attributes: { user_id: "u-1", address_id: "12", table: "7" },
    });
  });
});

describe("subscriptions a TOP payment replaces", () => {
  it("lists them in the pay dialog and sends them with the payment, the amount unchanged", async () => {
    const top: ProfileView = { ...profile, gateway: "top", capabilities: { ...profile.capabilities!, vouchers: false, subscription_refunds: true } };
    const backend = mockBackend({ profile: top });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    await user.click(await screen.findByTestId("open-pay"));
    const dialog = await screen.findByTestId("pay-dialog");
    await user.click(within(dialog).getByTestId("add-refund"));
    await user.type(within(dialog).getByTestId("refund-id-0"), "sub-7");
    await user.type(within(dialog).getByTestId("refund-amount-0"), "4.50");
    const confirm = within(dialog).getByTestId("confirm-pay") as HTMLButtonElement;
    await waitFor(() => expect(confirm.disabled).toBe(false));
    expect(within(dialog).getByTestId("charge-amount").textContent).toBe("¥12.34");
    await user.click(confirm);
    await within(dialog).findByTestId("pay-result");
    expect(backend.calls.find((c) => c.cmd === "pay_order")!.args).toMatchObject({ subscriptionRefunds: [{ subscribe_id: "sub-7", amount: "4.50" }] });
  });

  it("shows them on the attempt, apart from what it charged", async () => {
    mockBackend({ attempts: [attempt("succeeded", { subscription_refunds: [{ subscribe_id: "sub-7", amount: "4.50", amount_minor: 450 }] })] });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    const refund = await screen.findByTestId("subscription-refund");
    expect(refund.textContent).toBe("Replaces subscription sub-7¥4.50");
    expect(screen.getByTestId("charged").textContent).toBe("¥12.34");
  });
});

describe("amounts as charged", () => {
  it("shows the order amount, each deduction, the split and what was charged", async () => {
    mockBackend({
      attempts: [
        attempt("succeeded", {
          channel: "balance",
          coupon: "c-1",
          deductions: [
            { kind: "voucher", id: "v-1", amount: "2.50", amount_minor: 250 },
            { kind: "coupon", id: "c-1", amount: "1.00", amount_minor: 100 },
          ],
          balance_amount: "5.84",
          balance_amount_minor: 584,
          credit_amount: "3.00",
          credit_amount_minor: 300,
          charged_amount: "8.84",
          charged_amount_minor: 884,
        }),
      ],
    });
    const user = userEvent.setup();
    render(<App />);
    const panel = await openOrder(user);
    const charges = await within(panel).findByTestId("attempt-charges");
    expect(charges.textContent).toContain("Order amount¥12.34");
    expect(within(charges).getByTestId("deduction-voucher").textContent).toBe("Voucher v-1−¥2.50");
    expect(within(charges).getByTestId("deduction-coupon").textContent).toBe("Coupon c-1−¥1.00");
    expect(within(charges).getByTestId("split-balance").textContent).toBe("¥5.84");
    expect(within(charges).getByTestId("split-credit").textContent).toBe("¥3.00");
    expect(within(charges).getByTestId("charged").textContent).toBe("¥8.84");
  });

  it("asks the customer to scan for what the gateway charges, less the coupon it took off", async () => {
    mockBackend({
      payResult: {
        ...paid,
        state: "pending",
        pay_url: "https://pay.example/qr/1",
        deductions: [{ kind: "coupon", id: "c-100", amount: "1.00", amount_minor: 100 }],
        charged_amount: "11.34",
        charged_amount_minor: 1134,
      },
    });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    await user.click(await screen.findByTestId("open-pay"));
    const dialog = await screen.findByTestId("pay-dialog");
    const confirm = within(dialog).getByTestId("confirm-pay") as HTMLButtonElement;
    await waitFor(() => expect(confirm.disabled).toBe(false));
    await user.click(confirm);
    expect((await within(dialog).findByTestId("scan-amount")).textContent).toBe("Scan to pay ¥11.34");
    expect(within(dialog).getByTestId("scan-coupon").textContent).toBe("Coupon c-100 −¥1.00");
  });

  it("keeps the payment's answer over a detail read while its request was in flight", async () => {
    mockBackend({ payResult: { ...paid, state: "pending", pay_url: "https://pay.example/qr/1" }, detailAfterPay: "submitting" });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    await user.click(await screen.findByTestId("open-pay"));
    const dialog = await screen.findByTestId("pay-dialog");
    const confirm = within(dialog).getByTestId("confirm-pay") as HTMLButtonElement;
    await waitFor(() => expect(confirm.disabled).toBe(false));
    await user.click(confirm);
    const result = await within(dialog).findByTestId("pay-result");
    await new Promise((r) => setTimeout(r, 50));
    expect(result.getAttribute("data-state")).toBe("pending");
  });

  it("shows nothing extra for a payment of the whole amount", async () => {
    mockBackend({ attempts: [attempt("succeeded")] });
    const user = userEvent.setup();
    render(<App />);
    const panel = await openOrder(user);
    await within(panel).findAllByTestId("attempt");
    expect(within(panel).queryByTestId("attempt-charges")).toBeNull();
  });

  it("writes minor units as the backend's decimal, without floating point", () => {
    expect(minorToDecimal(1230, 2)).toBe("12.30");
    expect(minorToDecimal(5, 2)).toBe("0.05");
    expect(minorToDecimal(-5, 2)).toBe("-0.05");
    expect(minorToDecimal(900719925474099, 2)).toBe("9007199254740.99");
    expect(minorToDecimal(1500, 0)).toBe("1500");
  });
});
