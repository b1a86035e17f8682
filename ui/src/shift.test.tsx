// Shifts (交班) in the window: opening one, closing it over the payments still open (each
// acknowledged), handing over, the report's money in and out, its CSV and print, the past
// shifts, the status bar's line, and a desk that may only read.
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { emit } from "@tauri-apps/api/event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import i18n from "./i18n";
import { render, failureWords } from "./test-render";
import { DEFAULT_DESK_NAMES, mockBackend, resetBackend, shiftOf, type OpenPayment } from "./test-backend";
import type { Amount, Change, CurrencyTotals, Lang, Paper, PaperOf } from "./types";
import { formatMinute, formatTime } from "./words";

afterEach(resetBackend);

const amount = (text: string, minor: number): Amount => ({ amount: text, amount_minor: minor });
const payment = (attempt_id: number, order_no: string, state: OpenPayment["state"], charged: Amount): OpenPayment => ({
  attempt_id,
  order_no,
  state,
  charged,
  currency: "CNY",
  sandbox: false,
});

/** What a shift took: yuan in (one voucher deducted), rupees paid out. */
const TOTALS: CurrencyTotals[] = [
  {
    currency: "CNY",
    taken_in: amount("24.68", 2468),
    paid_out: amount("0.00", 0),
    deducted: amount("10.00", 1000),
    lines: [
      { direction: "in", gateway: "sensecore", channel: "alipay", state: "succeeded", count: 2, charged: amount("24.68", 2468), split: null },
      { direction: "in", gateway: "yian", channel: "wechat", state: "failed", count: 1, charged: amount("5.00", 500), split: null },
    ],
  },
  {
    currency: "INR",
    taken_in: amount("0.00", 0),
    paid_out: amount("900.00", 90000),
    deducted: amount("0.00", 0),
    lines: [
      { direction: "out", gateway: "debit", channel: "bank", state: "succeeded", count: 1, charged: amount("900.00", 90000), split: null },
      { direction: "out", gateway: "debit", channel: "bank", state: "pending", count: 1, charged: amount("100.00", 10000), split: null },
    ],
  },
];

async function openShiftView(user: ReturnType<typeof userEvent.setup>) {
  await screen.findByText("DEMO-1001");
  await user.keyboard("{Control>}7{/Control}");
  return screen.findByTestId("shift-view");
}

const cells = (row: Element) => [...row.children].map((cell) => cell.textContent);
const called = (backend: ReturnType<typeof mockBackend>, cmd: string) => backend.calls.filter((c) => c.cmd === cmd).map((c) => c.args);

describe("shifts", () => {
  it("opens a shift from the Shift view (Ctrl+7, after Dashboard in the navigation), then shows it there and in the status bar", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    expect((await screen.findByTestId("shift-status")).textContent).toBe("No shift open");
    // The views keep their keys; the new one takes the next.
    const links = [...screen.getByRole("navigation").querySelectorAll("a")];
    expect(links.map((a) => [a.dataset.view, a.getAttribute("aria-keyshortcuts")])).toEqual([
      ["orders", "Control+1"],
      ["lookup", "Control+2"],
      ["dashboard", "Control+3"],
      ["shift", "Control+7"],
      ["gateways", "Control+4"],
      ["settings", "Control+5"],
      ["audit", "Control+6"],
    ]);
    expect(links[3]!.textContent).toBe("ShiftCtrl 7");

    const view = await openShiftView(user);
    expect(screen.getByRole("link", { name: /Shift/ }).getAttribute("aria-current")).toBe("page");
    expect((await within(view).findByTestId("shift-state")).textContent).toBe("No shift open");
    // The desk never had a shift: no report, and no error either.
    expect(within(view).queryByTestId("shift-report")).toBeNull();
    expect(within(view).queryByRole("alert")).toBeNull();
    expect(within(view).queryByTestId("close-shift")).toBeNull();

    // Opened for the operator the field names: the desk's own, untouched.
    expect((within(view).getByTestId("shift-operator") as HTMLInputElement).value).toBe(DEFAULT_DESK_NAMES.operator);
    await user.click(within(view).getByTestId("open-shift"));
    expect(called(backend, "open_shift")).toEqual([{ operator: DEFAULT_DESK_NAMES.operator }]);
    const shift = backend.shifts[0]!;
    await waitFor(() =>
      expect(within(view).getByTestId("shift-state").textContent).toBe(`Shift 1, open since ${formatTime(shift.opened_at)}, opened by ${DEFAULT_DESK_NAMES.operator}`),
    );
    expect(document.activeElement).toBe(within(view).getByTestId("shift-state"));
    expect(screen.getByTestId("shift-status").textContent).toBe(`Shift open since ${formatMinute(shift.opened_at)} (${DEFAULT_DESK_NAMES.operator})`);
    expect(within(view).queryByTestId("open-shift")).toBeNull();
    expect(within(view).getByTestId("close-shift").textContent).toBe("Hand over…");
    // Its running report, and the shift among the past ones.
    expect((await within(view).findByTestId("shift-report")).getAttribute("data-shift-id")).toBe("1");
    await waitFor(() => expect(within(view).getByTestId("past-shifts").querySelectorAll("tr[data-shift-id]")).toHaveLength(1));
  });

  it("says who opened the shift another window opened meanwhile, and shows that one", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    const view = await openShiftView(user);
    await within(view).findByTestId("open-shift");
    backend.shifts.push(shiftOf(4, { opened_at: 1_700_000_000_000, opened_by: "lin" }));
    await user.click(within(view).getByTestId("open-shift"));
    expect(failureWords(await within(view).findByTestId("open-shift-error"))).toBe(
      `Shift 4 is already open at this desk, opened ${formatTime(1_700_000_000_000)} by lin: close it (hand over) before opening another.`,
    );
    await waitFor(() => expect(within(view).getByTestId("shift-state").textContent).toMatch(/^Shift 4, open since/));
  });

  it("closes only once every payment still open is acknowledged, sends exactly those, then hands over to the next shift", async () => {
    const backend = mockBackend({
      shifts: [shiftOf(1)],
      openPayments: [payment(11, "DEMO-1001", "pending", amount("12.34", 1234))],
    });
    const user = userEvent.setup();
    render(<App />);
    const view = await openShiftView(user);
    await user.click(await within(view).findByTestId("close-shift"));
    const dialog = await screen.findByTestId("close-shift-dialog");
    expect(within(dialog).getByRole("heading", { level: 2 }).textContent).toBe("Hand over shift 1");
    const first = await within(dialog).findByTestId("ack-11");
    expect(first.closest("label")!.textContent).toBe("DEMO-1001 ◔ Pending ¥12.34");
    expect(document.activeElement).toBe(first);
    const confirm = within(dialog).getByTestId("confirm-close-shift") as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    expect(within(dialog).getByTestId("acknowledge-first").textContent).toBe("Acknowledge the open payment to close the shift.");
    // The report to be closed is shown; its open payments are the list above, not twice.
    expect(within(dialog).getByTestId("shift-report")).toBeTruthy();
    expect(within(dialog).queryByTestId("shift-open")).toBeNull();

    // Meanwhile another payment of the shift starts, which the dialog has not seen.
    backend.openPayments.push(payment(12, "DEMO-1002", "unknown", amount("8.00", 800)));
    await user.click(first);
    expect(confirm.disabled).toBe(false);
    await user.click(confirm);
    expect(called(backend, "close_shift")).toEqual([{ acknowledged: [11] }]);
    // Refused, naming it: it joins the list, and Confirm waits for it too.
    expect(failureWords(await within(dialog).findByTestId("close-shift-error"))).toBe(
      "Payments of this shift are still open: DEMO-1002 (Unknown). Acknowledge each one to close the shift; they stay named in its report.",
    );
    const second = await within(dialog).findByTestId("ack-12");
    expect(confirm.disabled).toBe(true);
    await waitFor(() => expect(second.closest("label")!.textContent).toBe("DEMO-1002 ? Unknown ¥8.00"));
    expect((within(dialog).getByTestId("ack-11") as HTMLInputElement).checked).toBe(true);
    await user.click(second);
    await user.click(confirm);
    expect(called(backend, "close_shift")).toEqual([{ acknowledged: [11] }, { acknowledged: [11, 12] }]);

    // The closed shift's report, its open payments marked acknowledged.
    await waitFor(() => expect(within(dialog).getByRole("heading", { level: 2 }).textContent).toBe("Shift 1 handed over"));
    const report = within(dialog).getByTestId("shift-report");
    const closedAt = backend.shifts[0]!.closed_at!;
    expect(report.querySelector(".shift-when")!.textContent).toBe(
      `Opened ${formatTime(1_700_000_000_000)} by lin · Closed ${formatTime(closedAt)} by ${DEFAULT_DESK_NAMES.operator}`,
    );
    const open = within(report).getByTestId("shift-open");
    expect([...open.querySelectorAll("li")].map((li) => li.textContent)).toEqual([
      "DEMO-1001 ◔ Pending ¥12.34 · ✓ acknowledged at the close",
      "DEMO-1002 ? Unknown ¥8.00 · ✓ acknowledged at the close",
    ]);
    await waitFor(() => expect(screen.getByTestId("shift-status").textContent).toBe("No shift open"));

    // Said as done, no longer as a step still to take.
    expect(within(dialog).getByText(/^The shift is closed and its report kept/)).toBeTruthy();
    expect(within(dialog).queryByText(/^Check the report, then close the shift/)).toBeNull();

    // Hand over: the next shift, one key away, for the operator who takes the desk (named
    // here, else the next shift and its payments would be the last operator's).
    const next = within(dialog).getByTestId("open-next-shift");
    expect(document.activeElement).toBe(next);
    const who = within(dialog).getByTestId("next-operator");
    expect((who as HTMLInputElement).value).toBe(DEFAULT_DESK_NAMES.operator);
    await user.clear(who);
    await user.type(who, "mei{Enter}");
    await waitFor(() => expect(screen.queryByTestId("close-shift-dialog")).toBeNull());
    expect(called(backend, "open_shift")).toEqual([{ operator: "mei" }]);
    await waitFor(() => expect(within(view).getByTestId("shift-state").textContent).toMatch(/^Shift 2, open since .* by mei$/));
    expect(screen.getByTestId("shift-status").textContent).toMatch(/^Shift open since /);
  });

  it("closes at once with no payment open, and words the refusal in 简体中文", async () => {
    const backend = mockBackend({ shifts: [shiftOf(1)] });
    const user = userEvent.setup();
    render(<App />);
    const view = await openShiftView(user);
    await user.click(await within(view).findByTestId("close-shift"));
    const dialog = await screen.findByTestId("close-shift-dialog");
    await within(dialog).findByText("Every payment of this shift has settled.");
    const confirm = within(dialog).getByTestId("confirm-close-shift") as HTMLButtonElement;
    expect(confirm.disabled).toBe(false);
    expect(document.activeElement).toBe(confirm);

    await act(() => i18n.changeLanguage("zh-CN"));
    backend.openPayments.push(payment(12, "DEMO-1002", "needs_review", amount("8.00", 800)));
    await user.click(confirm);
    expect(failureWords(await within(dialog).findByTestId("close-shift-error"))).toBe(
      "本班次仍有未结束的支付：DEMO-1002 (待人工处理)。逐笔确认后才能交班；它们会在交班报表中列出。",
    );
    expect(within(dialog).getByTestId("acknowledge-first").textContent).toBe("确认这 1 笔未结束的支付后才能交班。");
    expect(within(dialog).getByTestId("confirm-close-shift").textContent).toBe("交班");
    expect(screen.getByRole("link", { name: /班次/ }).getAttribute("aria-current")).toBe("page");
  });

  it("reports money taken in, paid out and deducted per currency, each line in words, and leaves sandbox payments out", async () => {
    mockBackend({ shifts: [shiftOf(1)], shiftTotals: TOTALS, sandboxLeftOut: 3 });
    const user = userEvent.setup();
    render(<App />);
    const view = await openShiftView(user);
    const report = await within(view).findByTestId("shift-report");
    const cny = report.querySelector<HTMLElement>('[data-currency="CNY"]')!;
    const inr = report.querySelector<HTMLElement>('[data-currency="INR"]')!;
    expect(within(cny).getByTestId("taken-in").textContent).toBe("Taken in¥24.68");
    expect(within(cny).getByTestId("deducted").textContent).toBe("Deducted (vouchers and coupons)¥10.00");
    expect(within(inr).getByTestId("paid-out").textContent).toBe("Paid out₹900.00");
    const lines = (el: HTMLElement) => [...el.querySelectorAll("tbody tr")].map(cells);
    expect(lines(cny)).toEqual([
      ["Taken in", "SenseCore", "Alipay", "✓ Paid", "2", "¥24.68"],
      ["Taken in", "Yian (益安)", "WeChat Pay", "✕ Failed", "1", "¥5.00"],
    ]);
    // A payout is worded as one.
    expect(lines(inr)).toEqual([
      ["Paid out", "BharatPay debit", "Bank transfer", "✓ Paid out", "1", "₹900.00"],
      ["Paid out", "BharatPay debit", "Bank transfer", "◔ Paying out", "1", "₹100.00"],
    ]);
    expect(within(report).getByTestId("sandbox-left-out").textContent).toBe("3 payments on sandbox profiles are not money and are left out.");

    await act(() => i18n.changeLanguage("zh-CN"));
    expect(within(cny).getByTestId("taken-in").textContent).toBe("收款¥24.68");
    expect(within(cny).getByTestId("deducted").textContent).toBe("抵扣（代金券和优惠券）¥10.00");
    expect(within(inr).getByTestId("paid-out").textContent).toBe("出款₹900.00");
    expect(lines(cny)[1]).toEqual(["收款", "益安", "微信支付", "✕ 支付失败", "1", "¥5.00"]);
    expect(lines(inr)).toEqual([
      ["出款", "BharatPay 代付", "银行转账", "✓ 已出款", "1", "₹900.00"],
      ["出款", "BharatPay 代付", "银行转账", "◔ 出款中", "1", "₹100.00"],
    ]);
    expect(within(report).getByTestId("sandbox-left-out").textContent).toBe("沙箱配置上的 3 笔支付不是真实资金，未计入。");
    expect(within(view).getByRole("heading", { level: 1 }).textContent).toBe("班次");
    expect(screen.getByTestId("shift-status").textContent).toBe(`班次进行中：${formatMinute(1_700_000_000_000, new Date(), "zh-CN")} 开班（lin）`);
  });

  it("marks a sandbox payment it names SANDBOX, never as money, in the report and when closing", async () => {
    const backend = mockBackend({
      shifts: [shiftOf(1)],
      openPayments: [payment(11, "DEMO-1001", "pending", amount("12.34", 1234)), { ...payment(12, "DEMO-1002", "unknown", amount("9.90", 990)), sandbox: true }],
    });
    const user = userEvent.setup();
    render(<App />);
    const view = await openShiftView(user);
    const open = await within(view).findByTestId("shift-open");
    const named = (within: Element) => [...within.querySelectorAll("li")].map((li) => li.textContent);
    expect(named(open)).toEqual(["DEMO-1001 ◔ Pending ¥12.34", "DEMO-1002 ? Unknown ¥9.90 SANDBOX"]);
    await user.click(within(view).getByTestId("close-shift"));
    const dialog = await screen.findByTestId("close-shift-dialog");
    await within(dialog).findByTestId("ack-12");
    expect(within(dialog).getByTestId("ack-12").closest("label")!.textContent).toBe("DEMO-1002 ? Unknown ¥9.90 SANDBOX");
    expect(within(dialog).getByTestId("ack-11").closest("label")!.textContent).toBe("DEMO-1001 ◔ Pending ¥12.34");

    // One the dialog has not seen, named only by the refused close: marked before its amount is read.
    backend.openPayments.push({ ...payment(13, "DEMO-1003", "unknown", amount("5.00", 500)), sandbox: true });
    await user.click(within(dialog).getByTestId("ack-11"));
    await user.click(within(dialog).getByTestId("ack-12"));
    await user.click(within(dialog).getByTestId("confirm-close-shift"));
    const third = await within(dialog).findByTestId("ack-13");
    expect(third.closest("label")!.textContent).toMatch(/^DEMO-1003 \? Unknown .* SANDBOX$/);
  });

  it("saves the lines as CSV, a cell a spreadsheet would run written behind a '", async () => {
    const created: Blob[] = [];
    Object.assign(URL, { createObjectURL: vi.fn((blob: Blob) => (created.push(blob), "blob:paydesk/shift")), revokeObjectURL: vi.fn() });
    const clicked: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });
    const hostile: CurrencyTotals = {
      currency: "CNY",
      taken_in: amount("1.00", 100),
      paid_out: amount("0.00", 0),
      deducted: amount("0.00", 0),
      lines: [
        { direction: "in", gateway: '=HYPERLINK("http://evil.example")', channel: "+alipay", state: "succeeded", count: 1, charged: amount("1.00", 100), split: null },
        { direction: "in", gateway: "@gw", channel: "-x,y", state: "failed", count: 2, charged: amount("0.50", 50), split: null },
        { direction: "in", gateway: "top", channel: "balance", state: "succeeded", count: 2, charged: amount("105.00", 10500), split: { balance: amount("75.00", 7500), credit: amount("30.00", 3000) } },
      ],
    };
    mockBackend({ shifts: [shiftOf(3)], shiftTotals: [hostile, TOTALS[1]!] });
    const user = userEvent.setup();
    render(<App />);
    const view = await openShiftView(user);
    const report = await within(view).findByTestId("shift-report");
    await user.click(within(view).getByTestId("shift-report-csv"));
    expect(clicked).toHaveLength(1);
    expect(clicked[0]).toMatch(/^paydesk-shift-3-\d{8}-\d{6}\.csv$/);
    expect(within(view).getByTestId("shift-report-saved").textContent).toBe(`Saved ${clicked[0]} (5 lines) to your Downloads folder.`);
    const bytes = await new Promise<Uint8Array>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
      reader.readAsArrayBuffer(created[0]!);
    });
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder().decode(bytes.slice(3)).split("\r\n")).toEqual([
      "shift_id,currency,direction,gateway,channel,state,count,charged,charged_minor,credit,credit_minor",
      `3,CNY,in,"'=HYPERLINK(""http://evil.example"")",'+alipay,succeeded,1,1.00,100,,`,
      `3,CNY,in,'@gw,"'-x,y",failed,2,0.50,50,,`,
      "3,CNY,in,top,balance,succeeded,2,105.00,10500,30.00,3000",
      "3,INR,out,debit,bank,succeeded,1,900.00,90000,,",
      "3,INR,out,debit,bank,pending,1,100.00,10000,,",
      "",
    ]);
    expect(created[0]!.type).toBe("text/csv;charset=utf-8");
    // On screen, the hostile text is only text.
    expect(within(report).getByText('=HYPERLINK("http://evil.example")')).toBeTruthy();
    // A line whose payments split between balance and credit says how much was each.
    const splits = within(report).getAllByTestId("line-split");
    expect(splits.map((s) => s.textContent)).toEqual(["Balance ¥75.00 · Credit ¥30.00"]);
    await act(() => i18n.changeLanguage("zh-CN"));
    expect(within(report).getByTestId("line-split").textContent).toBe("余额 ¥75.00 · 信控支付 ¥30.00");
    await act(() => i18n.changeLanguage("en"));
    click.mockRestore();
  });

  it("prints the shift's page alone, as the back end wrote it then, on a sheet of its own that is gone after printing", async () => {
    const page = (of: PaperOf, lang: Lang): Paper => ({
      title: `Shift report #${of.kind === "shift" ? of.shift_id : "?"}`,
      size: "a4",
      blocks: [
        { kind: "heading", text: lang === "en" ? "Shift report #1" : "交班报表 #1" },
        { kind: "table", columns: ["Currency", "Paid out"], numeric: [false, true], rows: [["INR", "900.00"]] },
      ],
    });
    const backend = mockBackend({ shifts: [shiftOf(1)], shiftTotals: TOTALS, reportPaper: page });
    const user = userEvent.setup();
    render(<App />);
    const view = await openShiftView(user);
    await within(view).findByTestId("shift-report");
    const seen: { printing: boolean; sheet: string | null }[] = [];
    const print = vi.spyOn(window, "print").mockImplementation(() => {
      seen.push({
        printing: document.body.classList.contains("printing-report"),
        sheet: document.querySelector("body > .print-sheet [data-testid='shift-report-print']")?.textContent ?? null,
      });
    });
    await user.click(within(view).getByTestId("print-shift-report"));
    await waitFor(() => expect(print).toHaveBeenCalledTimes(1));
    expect(called(backend, "paper")).toEqual([{ of: { kind: "shift", shift_id: 1 }, lang: "en" }]);
    expect(seen[0]!.printing).toBe(true);
    expect(seen[0]!.sheet).toBe("Shift report #1CurrencyPaid outINR900.00");
    // The sheet has the page, not the buttons around it.
    expect(document.querySelector(".print-sheet button")).toBeNull();
    await act(async () => {
      window.dispatchEvent(new Event("afterprint"));
    });
    expect(document.querySelector(".print-sheet")).toBeNull();
    expect(document.body.classList.contains("printing-report")).toBe(false);
    print.mockRestore();
  });

  it("saves the shift's page as PDF in the window's language", async () => {
    const page = (_of: PaperOf, lang: Lang): Paper => ({ title: "交班报表 #1", size: "a4", blocks: [{ kind: "heading", text: lang }] });
    const backend = mockBackend({ shifts: [shiftOf(1)], shiftTotals: TOTALS, reportPaper: page });
    Object.assign(URL, { createObjectURL: vi.fn(() => "blob:paydesk/shift"), revokeObjectURL: vi.fn() });
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    const user = userEvent.setup();
    await act(() => i18n.changeLanguage("zh-CN"));
    render(<App />);
    const view = await openShiftView(user);
    await within(view).findByTestId("shift-report");
    await user.click(within(view).getByTestId("pdf-shift-report"));
    expect((await within(view).findByTestId("shift-report-pdf-saved")).textContent).toBe("已保存到 /home/cashier/Downloads/______1.pdf");
    expect(called(backend, "paper")).toEqual([{ of: { kind: "shift", shift_id: 1 }, lang: "zh-CN" }]);
    expect(called(backend, "save_paper_pdf")).toEqual([{ paper: page({ kind: "shift", shift_id: 1 }, "zh-CN"), title: "将此页另存为 PDF" }]);
    click.mockRestore();
  });

  it("lists past shifts, this desk's or every desk's, each opening its report read-only", async () => {
    const backend = mockBackend({
      shifts: [
        shiftOf(1, { opened_at: 1_700_000_000_000, closed_at: 1_700_000_600_000, closed_by: "lin" }),
        shiftOf(2, { desk: "Desk 2", opened_by: "bob", opened_at: 1_700_000_100_000, closed_at: 1_700_000_700_000, closed_by: "bob" }),
        shiftOf(3, { opened_at: 1_700_001_000_000 }),
      ],
      shiftTotals: TOTALS,
    });
    const user = userEvent.setup();
    render(<App />);
    const view = await openShiftView(user);
    const table = await within(view).findByTestId("past-shifts");
    const ids = () => [...table.querySelectorAll("tr[data-shift-id]")].map((tr) => tr.getAttribute("data-shift-id"));
    expect(ids()).toEqual(["3", "1"]);
    expect(cells(table.querySelector('tr[data-shift-id="3"]')!).slice(0, 6)).toEqual(["3", "till-host", formatTime(1_700_001_000_000), "lin", "Open now", "—"]);
    expect(cells(table.querySelector('tr[data-shift-id="1"]')!).slice(0, 6)).toEqual([
      "1",
      "till-host",
      formatTime(1_700_000_000_000),
      "lin",
      formatTime(1_700_000_600_000),
      "lin",
    ]);
    await user.click(within(view).getByTestId("all-desks"));
    await waitFor(() => expect(ids()).toEqual(["3", "2", "1"]));
    expect(called(backend, "list_shifts")).toEqual([{ allDesks: false }, { allDesks: true }]);

    await user.click(within(table.querySelector<HTMLElement>('tr[data-shift-id="2"]')!).getByRole("button", { name: "Report of shift 2" }));
    const dialog = await screen.findByTestId("past-shift-dialog");
    const report = await within(dialog).findByTestId("shift-report");
    expect(report.getAttribute("data-shift-id")).toBe("2");
    expect(called(backend, "shift_report")).toContainEqual({ shiftId: 2 });
    expect(within(report).getByRole("heading", { level: 3 }).textContent).toBe("Shift 2 · Desk 2");
    // Read-only: nothing in it opens, closes or acknowledges.
    expect(within(dialog).queryByRole("checkbox")).toBeNull();
    expect(within(dialog).queryByTestId("confirm-close-shift")).toBeNull();
    expect(within(dialog).getAllByRole("button").map((b) => b.textContent)).toEqual(["Print", "Save as PDF", "Save CSV", "Close"]);
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("past-shift-dialog")).toBeNull();
  });

  it("shows a shift opened or closed elsewhere in the status bar once the back end says so", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    await waitFor(() => expect(screen.getByTestId("shift-status").textContent).toBe("No shift open"));
    backend.shifts.push(shiftOf(1, { opened_by: "lin", opened_at: 1_700_000_000_000 }));
    await act(() => emit("change", { kind: "everything" } satisfies Change));
    await waitFor(() => expect(screen.getByTestId("shift-status").textContent).toBe(`Shift open since ${formatMinute(1_700_000_000_000)} (lin)`));
    // A payment started or settled changes the shift's report: asked again.
    const asked = called(backend, "current_shift").length;
    await act(() => emit("change", { kind: "attempts", order_nos: ["DEMO-1001"], attempt_ids: [] } satisfies Change));
    await waitFor(() => expect(called(backend, "current_shift").length).toBe(asked + 1));
    // The status line opens the Shift view.
    await user.click(screen.getByTestId("shift-status"));
    expect(await screen.findByTestId("shift-view")).toBeTruthy();
  });

  it("words a shift's opening and closing in the audit trail, in both languages", async () => {
    const at = 1_700_000_000_000;
    mockBackend({
      audit: [
        { id: 3, at: at + 2, desk: "till-host", operator: "lin", action: "shift_closed", recorded_as: "shift_closed", subject: "till-host", detail: { shift_id: 2, acknowledged: [] } },
        { id: 2, at: at + 1, desk: "till-host", operator: "lin", action: "shift_closed", recorded_as: "shift_closed", subject: "till-host", detail: { shift_id: 1, acknowledged: [11, 12] } },
        { id: 1, at, desk: "till-host", operator: "lin", action: "shift_opened", recorded_as: "shift_opened", subject: "till-host", detail: { shift_id: 1 } },
      ],
    });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    await user.keyboard("{Control>}6{/Control}");
    const table = await screen.findByTestId("audit-table");
    const said = () => [...table.querySelectorAll("tbody tr")].map((tr) => cells(tr).slice(2));
    expect(said()).toEqual([
      ["Shift closed (handed over)", "till-host", "shift 2; no payment left open"],
      ["Shift closed (handed over)", "till-host", "shift 1; acknowledged as still open: attempt 11, attempt 12"],
      ["Shift opened", "till-host", "shift 1"],
    ]);
    await act(() => i18n.changeLanguage("zh-CN"));
    expect(said()).toEqual([
      ["交班", "till-host", "班次 2；没有未结束的支付"],
      ["交班", "till-host", "班次 1；确认未结束的支付：支付尝试 11，支付尝试 12"],
      ["开班", "till-host", "班次 1"],
    ]);
  });

  it("lets a desk that may only read see the shift and its report, but neither open nor close one", async () => {
    const backend = mockBackend({
      shifts: [shiftOf(1)],
      statusChecks: () => ({
        gateways: [],
        storage: { state: "ok", detail: null },
        store: { url: "postgres://agent_1@db.shop.example/paydesk", reachable: true, read_only: true, as_of: null, schema_mismatch: null },
      }),
    });
    const user = userEvent.setup();
    render(<App />);
    await waitFor(() => expect(screen.getByTestId("shared-store").getAttribute("data-read-only")).toBe("true"));
    const view = await openShiftView(user);
    await within(view).findByTestId("shift-report");
    expect(within(view).getByTestId("shift-read-only").textContent).toBe(
      "This desk may only read the shared history: shifts are opened and closed at the desks that may write.",
    );
    expect(within(view).queryByTestId("close-shift")).toBeNull();
    // Closed at a desk that may write: nothing to open here either.
    backend.shifts = [{ ...backend.shifts[0]!, closed_at: 1_700_000_600_000, closed_by: "lin" }];
    await act(() => emit("change", { kind: "everything" } satisfies Change));
    await waitFor(() => expect(within(view).getByTestId("shift-state").textContent).toBe("No shift open"));
    expect(within(view).queryByTestId("open-shift")).toBeNull();
    // The shift just closed is the desk's last: its report stays in view.
    expect((await within(view).findByTestId("shift-report")).getAttribute("data-shift-id")).toBe("1");
  });
});
