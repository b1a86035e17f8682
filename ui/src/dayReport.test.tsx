// The end of the day (日结) in the Shift view: what every desk took on a day of the merchant's
// calendar, its figures exactly as the back end wrote them, each desk, each shift (its report a
// click away), what was paid outside any shift, the payments still open, and the day's page
// printed and saved as PDF.
import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import i18n from "./i18n";
import { render, failureWords } from "./test-render";
import { mockBackend, resetBackend, shiftOf } from "./test-backend";
import type { Amount, CurrencyTotals, DayReport, Lang, Paper, PaperOf, Totals } from "./types";

afterEach(resetBackend);

const amount = (text: string, minor: number): Amount => ({ amount: text, amount_minor: minor });

/** Figures a float would spoil: the largest integer a double holds exactly, in cents, and a cent. */
const CNY: CurrencyTotals = {
  currency: "CNY",
  taken_in: amount("90071992547409.91", 9007199254740991),
  paid_out: amount("0.01", 1),
  deducted: amount("10.10", 1010),
  lines: [{ direction: "in", gateway: "yian", channel: "alipay", state: "succeeded", count: 3, charged: amount("90071992547409.91", 9007199254740991), split: null }],
};
const INR: CurrencyTotals = {
  currency: "INR",
  taken_in: amount("0.00", 0),
  paid_out: amount("900.00", 90000),
  deducted: amount("0.00", 0),
  lines: [{ direction: "out", gateway: "debit", channel: "bank", state: "succeeded", count: 1, charged: amount("900.00", 90000), split: null }],
};
const totals = (attempts: number, currencies: CurrencyTotals[], sandbox_left_out = 0): Totals => ({ attempts, currencies, sandbox_left_out });

function dayOf(date: string | null): DayReport {
  const day = date ?? "2026-12-05";
  return {
    day: { date: day, since_ms: 1_700_000_000_000, until_ms: 1_700_086_400_000 },
    time_zone: "Asia/Shanghai",
    totals: totals(6, [CNY, INR], 2),
    desks: [
      { desk: "前台 1", totals: totals(5, [CNY]) },
      { desk: "前台 2", totals: totals(1, [INR]) },
    ],
    shifts: [
      { shift: shiftOf(3, { desk: "前台 1", opened_by: "lin", closed_at: 1_700_000_600_000, closed_by: "lin" }), totals: totals(4, [CNY]) },
      { shift: shiftOf(4, { desk: "前台 1", opened_by: "alice" }), totals: totals(0, []) },
    ],
    outside_shifts: totals(1, [INR]),
    open: [{ attempt_id: 9, order_no: "ORD-9", state: "unknown", charged: amount("12.34", 1234), currency: "CNY", acknowledged: false, sandbox: false }],
  };
}

const called = (backend: ReturnType<typeof mockBackend>, cmd: string) => backend.calls.filter((c) => c.cmd === cmd).map((c) => c.args);
const cells = (table: Element) => [...table.querySelectorAll("tbody tr")].map((tr) => [...tr.children].map((td) => td.textContent));

async function openDayReport(user: ReturnType<typeof userEvent.setup>) {
  await screen.findByText("DEMO-1001");
  await user.keyboard("{Control>}7{/Control}");
  const section = await screen.findByTestId("day-report");
  await within(section).findByTestId("day-of");
  return section;
}

describe("the end of the day", () => {
  it("shows today's figures exactly as the back end gave them: all desks, each desk, each shift, outside any shift, still open", async () => {
    const backend = mockBackend({ dayReport: dayOf, shifts: [shiftOf(3, { desk: "前台 1", closed_at: 1_700_000_600_000 }), shiftOf(4, { desk: "前台 1" })] });
    const user = userEvent.setup();
    render(<App />);
    const section = await openDayReport(user);
    // Today, as the back end reckons it on the merchant's calendar.
    expect(called(backend, "day_report")).toEqual([{ date: null }]);
    expect((within(section).getByTestId("day-date") as HTMLInputElement).value).toBe("2026-12-05");
    expect(within(section).getByTestId("day-of").textContent).toBe("2026-12-05 on the merchant's calendar (Asia/Shanghai)");

    const all = within(section).getByTestId("day-totals");
    expect(within(all).getByRole("heading", { level: 3 }).textContent).toBe("All desks · 6 payments");
    const cny = all.querySelector('[data-currency="CNY"]')!;
    expect(within(cny as HTMLElement).getByTestId("taken-in").textContent).toBe("Taken in¥90071992547409.91");
    expect(within(cny as HTMLElement).getByTestId("paid-out").textContent).toBe("Paid out¥0.01");
    expect(within(cny as HTMLElement).getByTestId("deducted").textContent).toBe("Deducted (vouchers and coupons)¥10.10");
    const inr = all.querySelector('[data-currency="INR"]')!;
    expect(within(inr as HTMLElement).getByTestId("paid-out").textContent).toBe("Paid out₹900.00");
    expect(within(all).getByTestId("day-sandbox-left-out").textContent).toBe("2 payments on sandbox profiles are not money and are left out.");

    const desks = within(section).getByTestId("day-desks");
    expect(cells(within(desks).getByRole("table", { name: "Desk 前台 1" }))).toEqual([["CNY", "¥90071992547409.91", "¥0.01", "¥10.10"]]);
    expect(cells(within(desks).getByRole("table", { name: "Desk 前台 2" }))).toEqual([["INR", "₹0.00", "₹900.00", "₹0.00"]]);

    const shifts = within(section).getByTestId("day-shifts");
    const closed = shifts.querySelector('[data-shift-id="3"]') as HTMLElement;
    expect(within(closed).getByRole("heading", { level: 4 }).textContent).toBe("Shift 3 · 前台 1 · 4 payments");
    expect(closed.querySelector(".shift-when")!.textContent).toContain("Closed");
    const open = shifts.querySelector('[data-shift-id="4"]') as HTMLElement;
    expect(open.querySelector(".shift-when")!.textContent).toContain("Still open");
    expect(within(open).getByText("Nothing taken.")).toBeTruthy();

    const outside = within(section).getByTestId("day-outside");
    expect(within(outside).getByRole("heading", { level: 3 }).textContent).toBe("Outside any shift · 1 payment");
    expect(cells(within(outside).getByRole("table"))).toEqual([["INR", "₹0.00", "₹900.00", "₹0.00"]]);

    const still = within(section).getByTestId("day-open");
    expect(still.querySelector('[data-attempt-id="9"]')!.textContent).toBe("ORD-9 ? Unknown ¥12.34");

    // A shift's report, a click away.
    await user.click(within(closed).getByRole("button", { name: "Report of shift 3" }));
    const dialog = await screen.findByTestId("past-shift-dialog");
    expect(within(dialog).getByRole("heading", { level: 2 }).textContent).toBe("Report of shift 3");
  });

  it("shows the day chosen, and words a refused date in the person's language", async () => {
    const backend = mockBackend({
      dayReport: (date) => {
        if (date === "1900-01-01") throw { kind: "refused", message: "no such day", code: "invalid", params: { field: { kind: "date" }, rule: { kind: "not_date", value: '"1900-01-01"' } } };
        return dayOf(date);
      },
    });
    const user = userEvent.setup();
    render(<App />);
    const section = await openDayReport(user);
    fireEvent.change(within(section).getByTestId("day-date"), { target: { value: "2026-12-01" } });
    await waitFor(() => expect(within(section).getByTestId("day-of").textContent).toBe("2026-12-01 on the merchant's calendar (Asia/Shanghai)"));
    expect(called(backend, "day_report")).toEqual([{ date: null }, { date: "2026-12-01" }]);
    await act(() => i18n.changeLanguage("zh-CN"));
    fireEvent.change(within(section).getByTestId("day-date"), { target: { value: "1900-01-01" } });
    expect(failureWords(await within(section).findByTestId("day-error"))).toBe('日期 "1900-01-01" 不是日期（格式如 2026-12-31）。');
    expect(within(section).getByRole("heading", { level: 2 }).textContent).toBe("日结");
  });

  it("prints and saves the day's page as the back end writes it, in the window's language", async () => {
    const page = (of: PaperOf, lang: Lang): Paper => ({
      title: `Day report ${of.kind === "day" ? of.date : ""}`,
      size: "a4",
      blocks: [{ kind: "heading", text: `${lang} ${of.kind === "day" ? of.date : ""}` }],
    });
    const backend = mockBackend({ dayReport: dayOf, reportPaper: page });
    Object.assign(URL, { createObjectURL: vi.fn(() => "blob:paydesk/day"), revokeObjectURL: vi.fn() });
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    const sheets: (string | null)[] = [];
    const print = vi.spyOn(window, "print").mockImplementation(() => {
      sheets.push(document.querySelector(".print-sheet [data-testid='day-report-print']")?.textContent ?? null);
    });
    const user = userEvent.setup();
    render(<App />);
    const section = await openDayReport(user);
    await user.click(within(section).getByTestId("print-day-report"));
    await waitFor(() => expect(print).toHaveBeenCalledTimes(1));
    expect(sheets).toEqual(["en 2026-12-05"]);
    await act(async () => {
      window.dispatchEvent(new Event("afterprint"));
    });
    await user.click(within(section).getByTestId("pdf-day-report"));
    expect((await within(section).findByTestId("day-report-pdf-saved")).textContent).toBe("Saved to /home/cashier/Downloads/Day_report_2026-12-05.pdf");
    // The day shown, not "today" again: past midnight it would be another day.
    expect(called(backend, "paper")).toEqual([
      { of: { kind: "day", date: "2026-12-05" }, lang: "en" },
      { of: { kind: "day", date: "2026-12-05" }, lang: "en" },
    ]);
    expect(called(backend, "save_paper_pdf")).toEqual([{ paper: page({ kind: "day", date: "2026-12-05" }, "en"), title: "Save the page as PDF" }]);
    click.mockRestore();
    print.mockRestore();
  });
});
