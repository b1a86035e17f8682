// Printed pages in the window: a page shown block by block as the PDF lays it out, its Print
// (the page alone on paper, only ever from a click) and Save as PDF (the same page's bytes as a
// download), and an order's receipt: issued once per opening, a copy or a specimen said so.
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { StrictMode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { PaperView } from "./components/PaperView";
import { ReceiptDialog } from "./components/ReceiptDialog";
import i18n from "./i18n";
import { render, failureWords } from "./test-render";
import { attempt, mockBackend, receiptPaper, resetBackend } from "./test-backend";
import type { OrderView, Paper } from "./types";

afterEach(resetBackend);

const called = (backend: ReturnType<typeof mockBackend>, cmd: string) => backend.calls.filter((c) => c.cmd === cmd).map((c) => c.args);

/** A page with one block of each kind, in the order a report has them. */
const EVERY_BLOCK: Paper = {
  title: "Day report 2026-12-05",
  size: "a4",
  blocks: [
    { kind: "heading", text: "益安便利店" },
    { kind: "text", text: "上海市南京东路 1 号\n200001" },
    { kind: "banner", text: "SPECIMEN: a sandbox payment, not money" },
    { kind: "field", label: "Time zone", value: "Asia/Shanghai" },
    { kind: "rule" },
    {
      kind: "table",
      columns: ["Currency", "Taken in", "Count"],
      numeric: [false, true, true],
      rows: [
        ["CNY", "1234567.89", "12"],
        ["INR", "0.05", "1"],
      ],
    },
    { kind: "qr", text: "DEMO-1001" },
  ],
};

describe("a page shown as it prints", () => {
  it("renders each block in the page's order, a table's numeric columns right-aligned", () => {
    render(<PaperView paper={EVERY_BLOCK} />);
    const page = screen.getByTestId("paper");
    expect(page.getAttribute("aria-label")).toBe("Page to print: Day report 2026-12-05");
    expect(page.classList.contains("paper-a4")).toBe(true);
    expect([...page.children].map((el) => el.tagName.toLowerCase() + (el.className ? `.${el.className}` : ""))).toEqual([
      "h3.paper-heading",
      "p.paper-text",
      "p.paper-banner",
      "dl.paper-field",
      "hr.paper-rule",
      "table.paper-table",
      "figure.paper-qr",
    ]);
    expect(within(page).getByRole("heading", { level: 3 }).textContent).toBe("益安便利店");
    // An address keeps its lines (white-space: pre-line).
    expect(page.querySelector(".paper-text")!.textContent).toBe("上海市南京东路 1 号\n200001");
    expect(within(page).getByRole("note").textContent).toBe("SPECIMEN: a sandbox payment, not money");
    expect(page.querySelector(".paper-field dt")!.textContent).toBe("Time zone");
    expect(page.querySelector(".paper-field dd")!.textContent).toBe("Asia/Shanghai");
    // The figures exactly as the page gave them; the numeric columns (and only they) end on the right.
    const table = within(page).getByRole("table");
    const row = (r: Element) => [...r.children].map((cell) => [cell.textContent, cell.classList.contains("num")]);
    const rows = table.querySelectorAll("tr");
    expect(row(rows[0]!)).toEqual([["Currency", false], ["Taken in", true], ["Count", true]]);
    expect(row(rows[1]!)).toEqual([["CNY", false], ["1234567.89", true], ["12", true]]);
    expect(row(rows[2]!)).toEqual([["INR", false], ["0.05", true], ["1", true]]);
    const qr = within(page).getByRole("img");
    expect(qr.getAttribute("alt")).toBe("QR code of DEMO-1001");
    expect(qr.getAttribute("src")).toMatch(/^data:image\/svg\+xml/);
  });

  it("lays a receipt out on a till roll", () => {
    render(<PaperView paper={receiptPaper(0, false, "en")} />);
    expect(screen.getByTestId("paper").classList.contains("paper-roll80")).toBe(true);
  });
});

/** The order of the fake back end (a sandbox one), once paid. */
async function paidOrder(backend: ReturnType<typeof mockBackend>): Promise<OrderView> {
  backend.paid = true;
  backend.attempts = [attempt("succeeded")];
  return { ...backend.order, state: "succeeded" };
}

describe("an order's receipt", () => {
  it("is offered to a desk that may only read (a support agent hands a customer a copy), which pays nothing", async () => {
    const backend = mockBackend({
      statusChecks: () => ({
        gateways: [],
        storage: { state: "ok", detail: null },
        store: { url: "postgres://agent_1@db.shop.example/paydesk", reachable: true, read_only: true, as_of: null, schema_mismatch: null },
      }),
    });
    await paidOrder(backend);
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    const panel = await screen.findByTestId("order-panel");
    await within(panel).findByTestId("read-only-note");
    const open = await within(panel).findByTestId("open-receipt");
    expect(within(panel).queryByTestId("open-pay")).toBeNull();
    expect(within(panel).queryByTestId("edit-order")).toBeNull();
    expect(within(panel).queryByTestId("cancel-order")).toBeNull();
    await user.click(open);
    await within(await screen.findByTestId("receipt-dialog")).findByTestId("receipt-paper");
    expect(called(backend, "issue_receipt")).toHaveLength(1);
    await user.keyboard("{Escape}");
    await user.keyboard("p");
    await within(await screen.findByTestId("receipt-dialog")).findByTestId("receipt-paper");
    expect(called(backend, "issue_receipt")).toHaveLength(2);
  });

  it("is issued once as the dialog opens, in the window's language, and says it is a sandbox payment's specimen", async () => {
    const backend = mockBackend();
    const order = await paidOrder(backend);
    const print = vi.spyOn(window, "print").mockImplementation(() => {});
    // Under StrictMode (effects may run twice) and across a change of language: one receipt.
    render(
      <StrictMode>
        <ReceiptDialog order={order} onClose={() => {}} />
      </StrictMode>,
    );
    const dialog = await screen.findByTestId("receipt-dialog");
    const page = await within(dialog).findByTestId("receipt-paper");
    expect(called(backend, "issue_receipt")).toEqual([{ orderNo: "DEMO-1001", lang: "en" }]);
    expect(within(page).getAllByRole("note").map((n) => n.textContent)).toEqual(["SPECIMEN: a sandbox payment, not money"]);
    const marks = within(dialog).getByTestId("receipt-marks");
    expect(marks.textContent).toBe(
      "A specimen: this payment went to a sandbox and is not money, so its receipt says SPECIMEN.The first receipt of this payment.",
    );
    // Print is at hand for Enter, and nothing printed by itself.
    await waitFor(() => expect(document.activeElement).toBe(within(dialog).getByTestId("print-receipt")));
    await act(() => i18n.changeLanguage("zh-CN"));
    expect(within(dialog).getByRole("heading", { level: 2 }).textContent).toBe("订单 DEMO-1001 的小票");
    expect(called(backend, "issue_receipt")).toHaveLength(1);
    expect(print).not.toHaveBeenCalled();
    print.mockRestore();
  });

  it("says it is a copy when the payment's receipt was issued before", async () => {
    const backend = mockBackend();
    const order = await paidOrder(backend);
    backend.receipts = 1;
    await act(() => i18n.changeLanguage("zh-CN"));
    render(<ReceiptDialog order={{ ...order, is_sandbox: false }} onClose={() => {}} />);
    const dialog = await screen.findByTestId("receipt-dialog");
    await within(dialog).findByTestId("receipt-paper");
    expect(called(backend, "issue_receipt")).toEqual([{ orderNo: "DEMO-1001", lang: "zh-CN" }]);
    expect(within(dialog).getByTestId("receipt-marks").dataset.copy).toBe("true");
    expect(within(dialog).getByTestId("receipt-marks").textContent).toContain("副本：该笔支付此前已开具过小票");
  });

  it("saves the receipt shown as PDF where the save dialog says, without issuing another; a cancelled dialog says nothing", async () => {
    const answers: (string | null)[] = [null, "/home/lin/receipts/DEMO-1001.pdf"];
    const titles: string[] = [];
    const backend = mockBackend({
      onPaperPdf: (_paper, title) => {
        titles.push(title);
        const path = answers.shift() ?? null;
        return path === null ? null : { path };
      },
    });
    const order = await paidOrder(backend);
    const user = userEvent.setup();
    render(<ReceiptDialog order={order} onClose={() => {}} />);
    const dialog = await screen.findByTestId("receipt-dialog");
    await within(dialog).findByTestId("receipt-paper");
    await user.click(within(dialog).getByTestId("pdf-receipt"));
    await waitFor(() => expect(called(backend, "save_paper_pdf")).toHaveLength(1));
    expect(within(dialog).queryByTestId("receipt-pdf-saved")).toBeNull();
    await user.click(within(dialog).getByTestId("pdf-receipt"));
    expect((await within(dialog).findByTestId("receipt-pdf-saved")).textContent).toBe("Saved to /home/lin/receipts/DEMO-1001.pdf");
    // The page shown is the page written: the same receipt, not another one.
    expect(called(backend, "save_paper_pdf")[1]).toEqual({ paper: receiptPaper(0, true, "en"), title: "Save the page as PDF" });
    expect(titles).toEqual(["Save the page as PDF", "Save the page as PDF"]);
    expect(called(backend, "issue_receipt")).toHaveLength(1);
  });

  it("prints the receipt alone when Print is pressed, and the sheet is gone after", async () => {
    const backend = mockBackend();
    const order = await paidOrder(backend);
    const user = userEvent.setup();
    const seen: (string | null)[] = [];
    const print = vi.spyOn(window, "print").mockImplementation(() => {
      seen.push(document.querySelector("body.printing-report > .print-sheet [data-testid='receipt-print']")?.textContent ?? null);
    });
    render(<ReceiptDialog order={order} onClose={() => {}} />);
    const dialog = await screen.findByTestId("receipt-dialog");
    await within(dialog).findByTestId("receipt-paper");
    await user.click(within(dialog).getByTestId("print-receipt"));
    expect(print).toHaveBeenCalledTimes(1);
    expect(seen[0]).toContain("DEMO-1001");
    expect(seen[0]).toContain("SPECIMEN");
    expect(document.querySelector(".print-sheet button")).toBeNull();
    await act(async () => {
      window.dispatchEvent(new Event("afterprint"));
    });
    expect(document.querySelector(".print-sheet")).toBeNull();
    expect(called(backend, "issue_receipt")).toHaveLength(1);
    print.mockRestore();
  });

  it("words an unpaid order's refusal like every other, with nothing to print", async () => {
    const backend = mockBackend();
    render(<ReceiptDialog order={backend.order} onClose={() => {}} />);
    const dialog = await screen.findByTestId("receipt-dialog");
    expect(failureWords(await within(dialog).findByTestId("receipt-error"))).toBe("Order DEMO-1001 is not paid, so it has no receipt.");
    expect(within(dialog).queryByTestId("print-receipt")).toBeNull();
    expect(within(dialog).queryByTestId("pdf-receipt")).toBeNull();
  });

  it("is offered on a paid order's detail and by its key (P), and listed on the shortcut sheet", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    const panel = await screen.findByTestId("order-panel");
    // Not before it is paid.
    expect(within(panel).queryByTestId("open-receipt")).toBeNull();
    await user.keyboard("p");
    expect(screen.queryByTestId("receipt-dialog")).toBeNull();
    await paidOrder(backend);
    await act(async () => {
      const { emit } = await import("@tauri-apps/api/event");
      await emit("change", { kind: "attempts", order_nos: ["DEMO-1001"], attempt_ids: [7] });
    });
    const open = await within(panel).findByTestId("open-receipt");
    expect(open.getAttribute("aria-keyshortcuts")).toBe("P");
    await user.click(open);
    const dialog = await screen.findByTestId("receipt-dialog");
    await within(dialog).findByTestId("receipt-paper");
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("receipt-dialog")).toBeNull());
    expect(document.activeElement).toBe(open);
    await user.keyboard("p");
    await within(await screen.findByTestId("receipt-dialog")).findByTestId("receipt-paper");
    // Each opening issues one: the second is a copy.
    expect(called(backend, "issue_receipt")).toHaveLength(2);
    expect(screen.getByTestId("receipt-marks").dataset.copy).toBe("true");
    await user.keyboard("{Escape}");
    await user.keyboard("?");
    const sheet = await screen.findByTestId("shortcut-sheet");
    expect(within(sheet).getByText("Receipt of the selected order, once it is paid")).toBeTruthy();
  });
});
