import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "./App";
import { render } from "./test-render";
import i18n from "./i18n";
import { mockBackend, resetBackend, shiftOf, SYSTEM_TIME_ZONE } from "./test-backend";
import type { CurrencyTotals, DailyTotal, DayComparison, MoneyCompared, Outcomes, TakingsRow } from "./types";
import { dateInputToMs, dayStart, localDate, weekStart } from "./words";

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

  it("counts today and this week from midnight on the merchant's calendar, not this computer's", async () => {
    // Kiritimati (UTC+14) is a day ahead of most computers: its midnight is another instant.
    const zone = "Pacific/Kiritimati";
    const backend = mockBackend({ takings: [paidBalance], merchant: { name: "", address: "", time_zone: zone } });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole("link", { name: /Dashboard/ }));
    await screen.findByTestId("period-Today");
    const now = new Date();
    const asked = () => backend.calls.filter((c) => c.cmd === "takings").map((c) => c.args.sinceMs);
    await waitFor(() => expect(asked()).toEqual(expect.arrayContaining([dayStart(now, zone), weekStart(now, zone)])));
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
    // Today on the merchant's calendar (the computer's zone, as the back end reports it).
    const date = localDate(Date.now(), SYSTEM_TIME_ZONE);
    await waitFor(() =>
      expect(asked()).toMatchObject({ state: "succeeded", channel: "balance", from_ms: dateInputToMs(date, 0, SYSTEM_TIME_ZONE), to_ms: dateInputToMs(date, 1, SYSTEM_TIME_ZONE) }),
    );

    await user.click(await screen.findByRole("link", { name: /Dashboard/ }));
    await user.click(within(await screen.findByTestId("daily-in-CNY")).getByRole("button", { name: /2026-12-04/ }));
    await waitFor(() => expect(asked()).toMatchObject({ state: "succeeded", channel: null, from_ms: dateInputToMs("2026-12-04", 0, SYSTEM_TIME_ZONE), to_ms: dateInputToMs("2026-12-04", 1, SYSTEM_TIME_ZONE) }));
  });
});

const tally = (count: number, amount_minor: number) => ({
  count,
  amount_minor,
  amount: `${Math.floor(amount_minor / 100)}.${String(amount_minor % 100).padStart(2, "0")}`,
});
const earlier = (byThisTime: ReturnType<typeof tally>, whole: ReturnType<typeof tally>) => ({ by_this_time: byThisTime, whole_day: whole });
const outcomes = (succeeded: number, failed: number, open: number): Outcomes => ({ succeeded, failed, open });

/** Yuan taken in and rupees paid out: ¥13.00 today against ¥10.00 yesterday by this time and
 * ¥26.00 the same day last week; 5 payouts today, none before. */
const money: MoneyCompared[] = [
  { currency: "CNY", pays_out: false, today: tally(2, 1300), yesterday: earlier(tally(1, 1000), tally(3, 6500)), last_week: earlier(tally(2, 2600), tally(2, 2600)) },
  { currency: "INR", pays_out: true, today: tally(1, 50000), yesterday: earlier(tally(0, 0), tally(0, 0)), last_week: earlier(tally(0, 0), tally(0, 0)) },
];

const compared: Partial<DayComparison> = {
  money,
  gateways: [
    { name: "sensecore", today: outcomes(199, 1, 2), yesterday: outcomes(3, 1, 0), last_week: outcomes(0, 0, 0) },
    { name: "yian", today: outcomes(0, 0, 1), yesterday: outcomes(0, 2, 0), last_week: outcomes(5, 0, 0) },
  ],
  channels: [{ name: "alipay", today: outcomes(199, 1, 3), yesterday: outcomes(3, 3, 0), last_week: outcomes(5, 0, 0) }],
  failures: [
    { gateway: "sensecore", code: "FAILED_PRECONDITION", message: "balance is not enough", today: 4, yesterday: 1, last_week: 0 },
    { gateway: "yian", code: "channel_error", message: "渠道错误", today: 1, yesterday: 2, last_week: 9 },
    { gateway: "yian", code: "NOT_SENT", message: "the gateway could not be reached; nothing was sent (connection refused)", today: 1, yesterday: 0, last_week: 0 },
    { gateway: "debit", code: null, message: null, today: 0, yesterday: 1, last_week: 0 },
  ],
};

const shiftTotals: CurrencyTotals[] = [
  { currency: "CNY", taken_in: { amount: "170.34", amount_minor: 17034 }, paid_out: { amount: "0.00", amount_minor: 0 }, deducted: { amount: "0.00", amount_minor: 0 }, lines: [] },
];

const cells = (row: HTMLElement) => [...row.querySelectorAll("th, td")].map((c) => c.textContent);

async function openDashboard() {
  const user = userEvent.setup();
  render(<App />);
  await user.click(await screen.findByRole("link", { name: /Dashboard/ }));
  return { user, manager: await screen.findByTestId("manager-day") };
}

describe("the manager's day", () => {
  it("compares today with yesterday and the same day last week, each currency and direction apart", async () => {
    const backend = mockBackend({ takings: [paidBalance], dayCompared: compared });
    const { manager } = await openDashboard();
    const asked = backend.calls.find((c) => c.cmd === "manager_day")!.args;
    expect(typeof asked.nowMs).toBe("number");

    const yuan = within(manager).getByTestId("money-in-CNY");
    const rows = within(yuan).getAllByRole("row").slice(1);
    expect(rows.map((r) => r.getAttribute("data-day"))).toEqual(["today", "yesterday", "last-week"]);
    expect(cells(rows[1]!)).toEqual([expect.stringMatching(/^Yesterday · \d{4}-\d{2}-\d{2}$/), "¥10.001 payment", "¥65.00"]);
    expect(cells(rows[2]!)[1]).toBe("¥26.002 payments");
    // Today against each earlier day by this time: 30% more, 50% less.
    expect(within(rows[0]!).getByTestId("againstYesterday").textContent).toBe("30% more than yesterday by this time");
    expect(within(rows[0]!).getByTestId("againstLastWeek").textContent).toBe("50% less than the same day last week by this time");
    // Rupees paid out are their own table; with nothing before, no change is claimed.
    const payouts = within(manager).getByTestId("money-out-INR");
    expect(within(manager).getByRole("table", { name: "Paid out · INR" })).toBe(payouts);
    expect(within(payouts).getAllByRole("row")[1]!.textContent).toContain("₹500.00");
    expect(within(payouts).queryByTestId("againstYesterday")).toBeNull();
  });

  it("shows each gateway's and channel's success rate and the gateways' own failure codes and words, in either language", async () => {
    mockBackend({ takings: [paidBalance], dayCompared: compared });
    const { manager } = await openDashboard();
    const gateways = within(manager).getByTestId("rates-by-gateway");
    const row = (table: HTMLElement, name: string) => table.querySelector(`tr[data-name="${name}"]`) as HTMLElement;
    // 199 of 200: never rounded up to a rate without failures.
    expect(cells(row(gateways, "sensecore"))).toEqual(["SenseCore", "99%199 of 2002 open", "75%3 of 4", "—none settled"]);
    expect(cells(row(gateways, "yian"))).toEqual(["Yian (益安)", "—none settled1 open", "0%0 of 2", "100%5 of 5"]);
    expect(cells(row(within(manager).getByTestId("rates-by-channel"), "alipay"))[0]).toBe("Alipay");

    const failures = within(manager).getByTestId("failure-reasons");
    const reasons = within(failures).getAllByRole("row").slice(1);
    expect(reasons.map(cells)).toEqual([
      ["SenseCore", "FAILED_PRECONDITION", "balance is not enough", "4", "1", "0"],
      ["Yian (益安)", "channel_error", "渠道错误", "1", "2", "9"],
      // paydesk's own code in the person's words, what it recorded beside them.
      ["Yian (益安)", "NOT_SENT", "Could not reach Yian (益安): nothing was sent" + "paydesk's own · the gateway could not be reached; nothing was sent (connection refused)", "1", "0", "0"],
      ["BharatPay debit", "no code", "—", "0", "1", "0"],
    ]);

    await act(() => i18n.changeLanguage("zh-CN"));
    expect(within(manager).getByRole("heading", { name: "主要失败原因" })).toBeTruthy();
    expect(cells(row(gateways, "sensecore")).slice(1, 2)).toEqual(["99%200 笔中成功 199 笔2 笔进行中"]);
    expect(cells(reasons[2]!)[2]).toContain("无法连接 益安：未发送任何请求");
    expect(within(within(manager).getByTestId("money-in-CNY")).getByTestId("againstYesterday").textContent).toBe("比昨天同一时刻多 30%");
  });

  it("shows this desk's open shift so far and opens the Shift view; none open, it says so", async () => {
    mockBackend({ takings: [paidBalance], shifts: [shiftOf(4, { opened_by: "alice" })], shiftTotals, sandboxLeftOut: 2 });
    const { user, manager } = await openDashboard();
    const shift = within(manager).getByTestId("manager-shift");
    expect(shift.textContent).toContain("Shift 4, open since");
    expect(cells(within(shift).getAllByRole("row")[1]!)).toEqual(["CNY", "¥170.34", "¥0.00"]);
    expect(shift.textContent).toContain("2 payments on sandbox profiles are not money");
    await user.click(within(shift).getByTestId("open-shift-view"));
    expect(await screen.findByTestId("shift-view")).toBeTruthy();
  });

  it("says so when no shift is open and nothing was paid", async () => {
    mockBackend({ takings: [paidBalance] });
    const { manager } = await openDashboard();
    expect(within(manager).getByTestId("manager-shift").textContent).toContain("No shift is open at this desk.");
    expect(within(manager).getByTestId("day-money").textContent).toContain("Nothing paid today, yesterday or the same day last week.");
    expect(within(manager).getByTestId("failure-reasons").textContent).toContain("No payment failed");
  });

  it("opens a day's paid orders in the Orders view, filtered", async () => {
    const backend = mockBackend({ takings: [paidBalance], dayCompared: compared });
    const { user, manager } = await openDashboard();
    const yesterday = within(within(manager).getByTestId("money-in-CNY")).getByRole("button", { name: /Yesterday/ });
    const date = /\d{4}-\d{2}-\d{2}/.exec(yesterday.textContent!)![0];
    await user.click(yesterday);
    await waitFor(() => expect(screen.getByTestId("order-count")).toBeTruthy());
    const asked = () => backend.calls.filter((c) => c.cmd === "query_orders").at(-1)!.args.query as Record<string, unknown>;
    await waitFor(() => expect(asked()).toMatchObject({ state: "succeeded", channel: null, from_ms: dateInputToMs(date, 0, SYSTEM_TIME_ZONE), to_ms: dateInputToMs(date, 1, SYSTEM_TIME_ZONE) }));
  });
});
