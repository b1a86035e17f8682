// The audit trail in the window: the Audit view's entries in words, its filters, its CSV, an
// order's "History of this order", and the personal data that is shown only once it is recorded.
import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { emit } from "@tauri-apps/api/event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { localTimestamp } from "./components/auditCsv";
import i18n from "./i18n";
import { render } from "./test-render";
import { attempt, mockBackend, resetBackend, SYSTEM_TIME_ZONE } from "./test-backend";
import type { AuditEntry, AuditQuery, Change } from "./types";
import { dateInputToMs, formatTime } from "./words";

afterEach(resetBackend);

const at = (s: number) => 1_700_000_000_000 + s * 1000;
const by = { desk: "Desk 1", operator: "alice" };
const entry = (id: number, action: AuditEntry["action"], subject: string, detail: Record<string, unknown>, who = by): AuditEntry => ({
  id,
  at: at(id * 60),
  ...who,
  action,
  recorded_as: action,
  subject,
  detail,
});
const terms = (amount_minor: number) => ({ amount_minor, subject: "Cloud GPU hours", attributes: {} });

/** One entry of most kinds, newest first as the back end answers. */
const TRAIL: AuditEntry[] = [
  entry(9, "personal_data_revealed", "DEMO-1001", { attempt_id: 7 }, { desk: "Desk 2", operator: "bob" }),
  entry(8, "person_decided", "DEMO-1001", { attempt_id: 7, decision: "succeeded", note: "receipt shown" }),
  entry(7, "payment_started", "DEMO-1001", { attempt_id: 7, channel: "alipay", state: "submitting" }),
  entry(6, "orders_imported", "orders.csv", { rows: 3, imported: 2, rejected: 1 }),
  entry(5, "secret_set", "sandbox-sensecore", { key: "token" }),
  entry(4, "profile_changed", "sandbox-sensecore", { before: ["http://a.example", { mode: "test" }], after: ["http://b.example", { mode: "test" }] }),
  entry(3, "order_cancelled", "DEMO-1002", { note: "wrong till" }),
  entry(2, "order_edited", "DEMO-1001", { before: terms(1234), after: terms(1000) }),
  entry(1, "order_added", "DEMO-1001", { amount_minor: 1234, currency: "CNY", subject: "Cloud GPU hours" }),
];

/** Each row of the table: its cells' text. */
function rows(table: HTMLElement): string[][] {
  return [...table.querySelectorAll("tbody tr")].map((tr) => [...tr.children].map((td) => td.textContent ?? ""));
}

async function openAudit(user: ReturnType<typeof userEvent.setup>) {
  await screen.findByText("DEMO-1001");
  await user.keyboard("{Control>}6{/Control}");
  return screen.findByTestId("audit-view");
}

const auditCalls = (backend: ReturnType<typeof mockBackend>) =>
  backend.calls.filter((c) => c.cmd === "audit_trail").map((c) => (c.args as { query: AuditQuery }).query);

describe("the audit trail", () => {
  it("lists who did what, newest first, each detail in words, in both languages", async () => {
    mockBackend({ audit: TRAIL });
    const user = userEvent.setup();
    render(<App />);
    const view = await openAudit(user);
    expect(screen.getByRole("link", { name: /Audit trail/ }).getAttribute("aria-current")).toBe("page");
    const table = await within(view).findByTestId("audit-table");
    expect([...table.querySelectorAll("tr[data-audit-id]")].map((tr) => tr.getAttribute("data-audit-id"))).toEqual(["9", "8", "7", "6", "5", "4", "3", "2", "1"]);
    expect(rows(table)[0]).toEqual([formatTime(at(540)), "Desk 2 · bob", "Customer's personal data shown", "DEMO-1001", "attempt 7"]);
    expect(rows(table).map(([, , what, subject, said]) => [what, subject, said])).toEqual([
      ["Customer's personal data shown", "DEMO-1001", "attempt 7"],
      ["Decided by a person", "DEMO-1001", "attempt 7; Paid; note: receipt shown"],
      ["Payment started", "DEMO-1001", "attempt 7; Alipay; Submitting"],
      ["Orders imported", "orders.csv", "3 rows, 2 imported, 1 refused"],
      ["Secret set", "sandbox-sensecore", "key: token"],
      ["Gateway profile changed", "sandbox-sensecore", "Base URL: http://a.example → http://b.example"],
      ["Order cancelled", "DEMO-1002", "note: wrong till"],
      // The edit says no currency: the order's own entry does.
      ["Order changed", "DEMO-1001", "Amount: ¥12.34 → ¥10.00"],
      ["Order added", "DEMO-1001", "¥12.34; “Cloud GPU hours”"],
    ]);
    expect(within(view).getByTestId("audit-count").textContent).toBe("9 entries");

    await act(() => i18n.changeLanguage("zh-CN"));
    expect(within(view).getByRole("heading", { level: 1 }).textContent).toBe("操作记录");
    expect(rows(table)[0]!.slice(1)).toEqual(["Desk 2 · bob", "显示顾客个人信息", "DEMO-1001", "支付尝试 7"]);
    expect(rows(table)[0]![0]).toBe(formatTime(at(540), "zh-CN"));
    expect(rows(table).map(([, , what, , said]) => [what, said])).toEqual([
      ["显示顾客个人信息", "支付尝试 7"],
      ["人工判定", "支付尝试 7；支付成功；备注：receipt shown"],
      ["发起支付", "支付尝试 7；支付宝；提交中"],
      ["导入订单", "共 3 行，导入 2 行，拒绝 1 行"],
      ["设置密钥", "密钥：token"],
      ["修改网关配置", "网关地址: http://a.example → http://b.example"],
      ["取消订单", "备注：wrong till"],
      ["修改订单", "金额: ¥12.34 → ¥10.00"],
      ["新增订单", "¥12.34；“Cloud GPU hours”"],
    ]);
  });

  it("shows an action a newer paydesk recorded by its name and detail, and never offers it as a filter", async () => {
    const newer: AuditEntry = { ...entry(10, "unrecognized", "DEMO-1001", { amount_minor: 100 }), recorded_as: "refund_issued" };
    mockBackend({ audit: [newer, ...TRAIL] });
    const user = userEvent.setup();
    render(<App />);
    const view = await openAudit(user);
    const table = await within(view).findByTestId("audit-table");
    expect(rows(table)[0]!.slice(2)).toEqual(["refund_issued (recorded by a newer paydesk)", "DEMO-1001", '{"amount_minor":100}']);
    expect(rows(table)).toHaveLength(10);
    const offered = [...within(view).getByTestId("audit-action-filter").querySelectorAll("option")].map((o) => o.value);
    expect(offered).not.toContain("unrecognized");
  });

  it("asks the back end for what the filters say, and shows an edit's amounts as written when its currency is not at hand", async () => {
    const backend = mockBackend({ audit: TRAIL });
    const user = userEvent.setup();
    render(<App />);
    const view = await openAudit(user);
    await within(view).findByTestId("audit-table");
    expect(auditCalls(backend)).toEqual([{ action: null, subject: null, since_ms: null, until_ms: null, limit: 500 }]);

    await user.selectOptions(within(view).getByTestId("audit-action-filter"), "order_edited");
    await user.type(within(view).getByTestId("audit-subject-filter"), "DEMO-1001");
    fireEvent.change(within(view).getByTestId("audit-since"), { target: { value: "2023-11-14" } });
    fireEvent.change(within(view).getByTestId("audit-until"), { target: { value: "2023-11-15" } });
    const last = { action: "order_edited", subject: "DEMO-1001", since_ms: dateInputToMs("2023-11-14", 0, SYSTEM_TIME_ZONE), until_ms: dateInputToMs("2023-11-15", 1, SYSTEM_TIME_ZONE), limit: 500 };
    await waitFor(() => expect(auditCalls(backend).at(-1)).toEqual(last));
    // The subject is asked for whole, once typed, never a character at a time.
    expect(auditCalls(backend).filter((q) => q.subject !== null && q.subject !== "DEMO-1001")).toEqual([]);
    const table = within(view).getByTestId("audit-table");
    await waitFor(() => expect(rows(table)).toHaveLength(1));
    expect(rows(table)[0]!.slice(2)).toEqual(["Order changed", "DEMO-1001", "Amount (minor units): 1234 → 1000"]);
  });

  it("exports the entries shown as CSV, a cell a spreadsheet would run written behind a '", async () => {
    const created: Blob[] = [];
    Object.assign(URL, { createObjectURL: vi.fn((blob: Blob) => (created.push(blob), "blob:paydesk/audit")), revokeObjectURL: vi.fn() });
    const clicked: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });
    const trail = [
      entry(3, "order_added", '=HYPERLINK("http://evil.example")', { amount_minor: -500, currency: "CNY", subject: "@SUM(A1)" }, { desk: "+Desk", operator: "-alice" }),
      entry(2, "secret_set", "\tshop", { key: "token" }, { desk: "Desk 1", operator: "\rbob" }),
      entry(1, "order_cancelled", "DEMO-1001", { note: "wrong, till" }),
    ];
    mockBackend({ audit: trail });
    const user = userEvent.setup();
    render(<App />);
    const view = await openAudit(user);
    await within(view).findByTestId("audit-table");
    await user.click(within(view).getByTestId("audit-export"));
    expect(clicked).toHaveLength(1);
    expect(clicked[0]).toMatch(/^paydesk-audit-\d{8}-\d{6}\.csv$/);
    expect(within(view).getByTestId("audit-saved").textContent).toBe(`Saved ${clicked[0]} (3 entries) to your Downloads folder.`);
    const bytes = await new Promise<Uint8Array>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
      reader.readAsArrayBuffer(created[0]!);
    });
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes.slice(3)).split("\r\n");
    expect(lines[0]).toBe("id,time,desk,operator,action,what,subject,summary,detail");
    expect(lines[1]).toBe(
      [
        "3",
        localTimestamp(at(180)),
        "'+Desk",
        "'-alice",
        "order_added",
        "Order added",
        `"'=HYPERLINK(""http://evil.example"")"`,
        "¥-5.00; “@SUM(A1)”",
        `"{""amount_minor"":-500,""currency"":""CNY"",""subject"":""@SUM(A1)""}"`,
      ].join(","),
    );
    // A cell is quoted where it needs to be: a tab or CR in front is kept behind the '.
    expect(lines[2]).toBe(`2,${localTimestamp(at(120))},Desk 1,"'\rbob",secret_set,Secret set,'\tshop,key: token,"{""key"":""token""}"`);
    expect(lines[3]).toBe(`1,${localTimestamp(at(60))},Desk 1,alice,order_cancelled,Order cancelled,DEMO-1001,"note: wrong, till","{""note"":""wrong, till""}"`);
    expect(lines[4]).toBe("");
    expect(created[0]!.type).toBe("text/csv;charset=utf-8");
    click.mockRestore();
  });

  it("asks again when the back end says orders, payments or profiles changed", async () => {
    const trail = [...TRAIL];
    const backend = mockBackend({ audit: trail });
    const user = userEvent.setup();
    render(<App />);
    const view = await openAudit(user);
    const table = await within(view).findByTestId("audit-table");
    trail.unshift(entry(10, "order_cancelled", "DEMO-1001", { note: "customer left" }));
    const before = auditCalls(backend).length;
    await act(() => emit("change", { kind: "orders", order_nos: ["DEMO-1001"] } satisfies Change));
    await waitFor(() => expect(table.querySelector("tbody tr")?.getAttribute("data-audit-id")).toBe("10"));
    expect(auditCalls(backend).length).toBe(before + 1);
  });

  it("opens from an order's detail narrowed to that order", async () => {
    const backend = mockBackend({ audit: TRAIL });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    const panel = await screen.findByTestId("order-panel");
    await user.click(within(panel).getByTestId("order-audit"));
    const view = await screen.findByTestId("audit-view");
    expect((within(view).getByTestId("audit-subject-filter") as HTMLInputElement).value).toBe("DEMO-1001");
    const table = await within(view).findByTestId("audit-table");
    expect(auditCalls(backend)).toEqual([{ action: null, subject: "DEMO-1001", since_ms: null, until_ms: null, limit: 500 }]);
    expect(rows(table).every(([, , , subject]) => subject === "DEMO-1001")).toBe(true);
    expect(rows(table)).toHaveLength(5);
    // The view's own key opens it unnarrowed.
    await user.keyboard("{Control>}1{/Control}{Control>}6{/Control}");
    await waitFor(() => expect((screen.getByTestId("audit-subject-filter") as HTMLInputElement).value).toBe(""));
  });
});

describe("a customer's personal data", () => {
  const answer = JSON.stringify({ third_order_no: "DEMO-1001", order_receieve_name: "刘德华", order_receieve_phone: "18578229023" });
  const hidden = JSON.stringify({ third_order_no: "DEMO-1001", order_receieve_name: "•••", order_receieve_phone: "•••" });
  // As the back end sends it: hidden in the order's detail, whole once the trail has it.
  const withAnswer = () => {
    const pending = attempt("pending");
    pending.events = [{ ...pending.events[0]!, detail: hidden, personal_data_hidden: true }];
    return [pending];
  };
  const revealed = () => [{ ...attempt("pending").events[0]!, detail: answer }];

  it("is shown only once the audit trail has recorded who is shown it, and each time again", async () => {
    let record!: () => void;
    const backend = mockBackend({ attempts: withAnswer(), revealed: revealed(), onReveal: () => new Promise<void>((resolve) => (record = resolve)) });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    const detail = await screen.findByTestId("event-detail");
    const reveal = within(detail).getByTestId("reveal-personal");
    await user.click(reveal);
    expect(backend.calls.filter((c) => c.cmd === "personal_data_revealed").map((c) => c.args)).toEqual([{ attemptId: 7 }]);
    // Asked, not yet recorded: still hidden.
    expect(detail.textContent).not.toMatch(/刘德华|18578229023/);
    await act(async () => record());
    await waitFor(() => expect(detail.textContent).toMatch(/刘德华/));
    expect(detail.textContent).toMatch(/18578229023/);
    // Hiding it records nothing; showing it again is recorded again.
    await user.click(reveal);
    expect(detail.textContent).not.toMatch(/刘德华/);
    await user.click(reveal);
    await act(async () => record());
    await waitFor(() => expect(detail.textContent).toMatch(/刘德华/));
    expect(backend.calls.filter((c) => c.cmd === "personal_data_revealed")).toHaveLength(2);
  });

  it("stays hidden, and says why, when the audit trail cannot record it", async () => {
    mockBackend({
      attempts: withAnswer(),
      revealed: revealed(),
      onReveal: () => Promise.reject({ kind: "internal", code: "internal", params: { reason: "the audit trail is not writable" }, message: "audit: read-only" }),
    });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    const detail = await screen.findByTestId("event-detail");
    await user.click(within(detail).getByTestId("reveal-personal"));
    const error = await within(detail).findByTestId("reveal-error");
    expect(error.getAttribute("role")).toBe("alert");
    expect(error.textContent).toMatch(/the audit trail is not writable/);
    expect(detail.textContent).not.toMatch(/刘德华|18578229023/);
    expect(within(detail).getByTestId("reveal-personal").getAttribute("aria-pressed")).toBe("false");
  });
});
