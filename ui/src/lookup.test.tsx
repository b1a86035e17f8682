import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "./App";
import i18n from "./i18n";
import { render } from "./test-render";
import { attempt, mockBackend, resetBackend, SYSTEM_TIME_ZONE } from "./test-backend";
import type { StatusChecks } from "./types";
import { dateInputToMs, formatTime } from "./words";

afterEach(resetBackend);

/** Looks DEMO-1001 up by its number and copies the whole ticket. */
async function copyTicket(user: ReturnType<typeof userEvent.setup>) {
  await screen.findByText("DEMO-1001");
  await user.keyboard("{Control>}2{/Control}");
  const input = await screen.findByTestId("lookup-input");
  await user.clear(input);
  await user.type(input, "DEMO-1001{Enter}");
  const found = await screen.findByTestId("lookup-detail");
  await navigator.clipboard.writeText("");
  // "Copy all details", or "Copied" once it was pressed.
  const copyAll = found.querySelector<HTMLButtonElement>(":scope > button")!;
  expect([i18n.t("lookup.copyAll"), i18n.t("common.copied")]).toContain(copyAll.textContent);
  await user.click(copyAll);
  const ticket = await waitFor(async () => {
    const text = await navigator.clipboard.readText();
    expect(text).not.toBe("");
    return text;
  });
  return { found, ticket };
}

describe("support's lookup", () => {
  it("finds orders by an amount within days, each with its state and amount", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    await user.keyboard("{Control>}2{/Control}");
    await user.type(await screen.findByTestId("lookup-amount"), "12.34");
    await user.type(screen.getByTestId("lookup-from"), "2026-12-01");
    await user.type(screen.getByTestId("lookup-to"), "2026-12-05");
    await user.click(screen.getByTestId("lookup-amount-go"));
    const hits = await screen.findAllByTestId("lookup-hit");
    expect(hits).toHaveLength(2);
    expect(within(hits[0]!).getByText("Created")).toBeTruthy();
    expect(within(hits[0]!).getByText("¥12.34")).toBeTruthy();
    // A sandbox's orders wear the badge wherever they appear, a support agent's list too.
    expect(within(hits[0]!).getByText("SANDBOX")).toBeTruthy();
    expect(within(hits[1]!).getByText("Cancelled")).toBeTruthy();
    const asked = backend.calls.find((c) => c.cmd === "lookup_amount")!.args;
    // The merchant's days: from the first day's midnight to the midnight after the last.
    expect(asked).toEqual({
      amount: "12.34",
      sinceMs: dateInputToMs("2026-12-01", 0, SYSTEM_TIME_ZONE),
      untilMs: dateInputToMs("2026-12-05", 1, SYSTEM_TIME_ZONE),
    });
    await user.click(within(hits[0]!).getByRole("button", { name: "DEMO-1001" }));
    await waitFor(() => expect(screen.getByTestId("lookup-detail")).toBeTruthy());
  });

  it("says so when no order has that amount", async () => {
    mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    await user.keyboard("{Control>}2{/Control}");
    await user.type(await screen.findByTestId("lookup-amount"), "1.00");
    await user.click(screen.getByTestId("lookup-amount-go"));
    expect((await screen.findByText(/No record this desk can reach matches 1.00/)).textContent).toContain("1.00");
  });

  it("says it searches what this desk can reach, not only this computer, in both languages", async () => {
    mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    await user.keyboard("{Control>}2{/Control}");
    const help = () => document.getElementById("lookup-help")!.textContent!;
    await waitFor(() => expect(help()).toContain("It searches the records this desk can reach: the shared history (this desk's copy of it while offline), or this desk's own."));
    expect(help()).not.toContain("this computer's records");
    await act(() => i18n.changeLanguage("zh-CN"));
    expect(help()).toContain("查询此收银台可查到的记录：共享数据库中的记录（离线时为本机保存的副本），或本机记录。");
    expect(help()).not.toContain("只查本机记录");
    await user.type(screen.getByTestId("lookup-amount"), "1.00");
    await user.click(screen.getByTestId("lookup-amount-go"));
    expect((await screen.findByText(/此收银台可查到的记录中没有与 1.00 匹配的内容/)).textContent).toContain("1.00");
  });

  it("shows the customer's payment number beside the gateway's, to copy, and puts it in the ticket", async () => {
    mockBackend({ attempts: [attempt("succeeded", { gateway_ref: "ch_123", customer_ref: "4200001234202612050001" })] });
    const user = userEvent.setup();
    render(<App />);
    const { found, ticket } = await copyTicket(user);
    const panel = within(found).getByTestId("order-panel");
    const refs = [...panel.querySelectorAll(".ref")].map((r) => r.textContent);
    expect(refs.slice(0, 2)).toEqual(["Gateway reference: ch_123 Copy", "Customer's payment number: 4200001234202612050001 Copy"]);
    expect(within(panel).getByRole("button", { name: "Copy Customer's payment number: 4200001234202612050001" })).toBeTruthy();
    expect(ticket).toContain("Gateway reference: ch_123\nCustomer's payment number: 4200001234202612050001\n");
    await act(() => i18n.changeLanguage("zh-CN"));
    expect(panel.textContent).toContain("顾客交易单号: 4200001234202612050001");
    const { ticket: zh } = await copyTicket(user);
    expect(zh).toContain("顾客交易单号: 4200001234202612050001");
  });

  it("leaves the customer's payment number out where the attempt has none", async () => {
    mockBackend({ attempts: [attempt("succeeded", { customer_ref: null })] });
    const user = userEvent.setup();
    render(<App />);
    const { found, ticket } = await copyTicket(user);
    expect(found.textContent).not.toContain("Customer's payment number");
    expect(ticket).not.toContain("Customer's payment number");
  });

  it("copies a cancelled order as cancelled, with its note, as the panel shows it", async () => {
    const backend = mockBackend();
    const cancelledAt = 1_700_000_200_000;
    backend.order = { ...backend.order, cancelled_at: cancelledAt, cancel_note: "customer changed their mind" };
    const user = userEvent.setup();
    render(<App />);
    const { found, ticket } = await copyTicket(user);
    const said = `Cancelled ${formatTime(cancelledAt)}: kept, never paid — customer changed their mind`;
    expect(within(found).getByTestId("cancelled-note").textContent).toBe(said);
    expect(ticket.split("\n")).toContain(`State: ${said}`);
    expect(ticket).not.toContain("State: Created");
  });

  it("says a ticket copied while offline comes from the desk's copy, as of when", async () => {
    const asOf = 1_700_000_100_000;
    const checks: StatusChecks = {
      gateways: [],
      storage: { state: "ok", detail: null },
      store: { url: "postgres://desk_1@db.shop.example/paydesk", reachable: false, read_only: true, as_of: asOf, schema_mismatch: null },
    };
    mockBackend({ statusChecks: () => checks });
    const user = userEvent.setup();
    render(<App />);
    await waitFor(() => expect(screen.getByTestId("shared-store").dataset.reachable).toBe("false"));
    const { ticket } = await copyTicket(user);
    expect(ticket.split("\n")[0]).toBe(`Offline: these details are this desk's copy of the shared history, as of ${formatTime(asOf)}`);
    expect(ticket.split("\n")[1]).toBe("Order number: DEMO-1001");
    await act(() => i18n.changeLanguage("zh-CN"));
    const { ticket: zh } = await copyTicket(user);
    expect(zh.split("\n")[0]).toBe(`离线：以下详情来自此收银台保存的共享记录副本，截至 ${formatTime(asOf)}`);
  });

  it("says nothing of a copy while the shared store answers", async () => {
    mockBackend({
      statusChecks: () => ({
        gateways: [],
        storage: { state: "ok", detail: null },
        store: { url: "postgres://desk_1@db.shop.example/paydesk", reachable: true, read_only: true, as_of: 1_700_000_100_000, schema_mismatch: null },
      }),
    });
    const user = userEvent.setup();
    render(<App />);
    await waitFor(() => expect(screen.getByTestId("shared-store").dataset.reachable).toBe("true"));
    const { ticket } = await copyTicket(user);
    expect(ticket.split("\n")[0]).toBe("Order number: DEMO-1001");
    expect(ticket).not.toContain("Offline");
  });
});
