import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "./App";
import { render } from "./test-render";
import { mockBackend, resetBackend } from "./test-backend";
import type { DailyTotal, TakingsRow } from "./types";
import { localDate } from "./words";

afterEach(resetBackend);

const day = (date: string, currency: string, minor: number, pays_out = false): DailyTotal => ({
  day: date,
  day_start_ms: 0,
  pays_out,
  currency,
  count: 1,
  amount_minor: minor,
  amount: `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, "0")}`,
});

const paidBalance: TakingsRow = { pays_out: false, channel: "balance", state: "succeeded", currency: "CNY", count: 2, amount_minor: 2468, amount: "24.68" };

describe("the dashboard", () => {
  it("shows each day's totals per currency and direction, each on its own scale", async () => {
    mockBackend({
      takings: [paidBalance],
      daily: [day("2026-12-04", "CNY", 4000), day("2026-12-05", "CNY", 1000), day("2026-12-05", "INR", 500), day("2026-12-05", "INR", 90000, true)],
    });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole("link", { name: /Dashboard/ }));
    const cny = await screen.findByTestId("daily-in-CNY");
    const widths = (table: HTMLElement) => within(table).getAllByRole("row").map((r) => r.querySelector("rect.bar-paid")!.getAttribute("width"));
    expect(widths(cny)).toEqual(["100", "25"]);
    expect(widths(screen.getByTestId("daily-in-INR"))).toEqual(["100"]);
    expect(screen.getByTestId("daily-out-INR").textContent).toContain("₹900.00");
  });

  it("opens the orders a bar counts in the Orders view, filtered", async () => {
    const backend = mockBackend({ takings: [paidBalance], daily: [day("2026-12-04", "CNY", 4000)] });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole("link", { name: /Dashboard/ }));
    const today = await screen.findByTestId("period-Today");
    await user.click(within(within(today).getByTestId("paid-in")).getByRole("button", { name: /Balance/ }));
    await waitFor(() => expect(screen.getByTestId("order-count")).toBeTruthy());
    const asked = () => backend.calls.filter((c) => c.cmd === "query_orders").at(-1)!.args.query as Record<string, unknown>;
    const midnight = new Date(localDate(Date.now()) + "T00:00:00").getTime();
    await waitFor(() => expect(asked()).toMatchObject({ state: "succeeded", channel: "balance", from_ms: midnight, to_ms: midnight + 86_400_000 }));

    await user.click(await screen.findByRole("link", { name: /Dashboard/ }));
    await user.click(within(await screen.findByTestId("daily-in-CNY")).getByRole("button", { name: /2026-12-04/ }));
    await waitFor(() => expect(asked()).toMatchObject({ state: "succeeded", channel: null, from_ms: new Date(2026, 11, 4).getTime(), to_ms: new Date(2026, 11, 5).getTime() }));
  });
});
