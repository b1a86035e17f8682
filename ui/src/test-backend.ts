// The console tests' stand-in for the back end: paydesk's commands over a single sandbox order,
// answered through Tauri's IPC mock, with every call recorded for the test to inspect.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import i18n from "./i18n";
import type { Problem } from "./ipc/Problem";
import type {
  Activity,
  Actor,
  AttemptDetail,
  AttemptEvent,
  AuditEntry,
  AuditQuery,
  Change,
  ChosenFile,
  ConnectionReport,
  DailyTotal,
  DayReport,
  Lang,
  Merchant,
  MerchantView,
  Paper,
  PaperOf,
  SavedFile,
  DataSet,
  DayComparison,
  GatewayInfo,
  ImportSummary,
  IpcError,
  LookupHit,
  CurrencyTotals,
  NamedAttempt,
  OrderChange,
  OrderDetail,
  OrderPage,
  OrderQuery,
  OrderView,
  PaymentReport,
  ProfileView,
  Quote,
  SavedExport,
  SecretState,
  Shift,
  ShiftReport,
  StatusChecks,
  TakingsRow,
} from "./types";

export const order: OrderView = {
  id: 1,
  order_no: "DEMO-1001",
  profile: "sandbox-sensecore",
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

/** What a payment of the whole order, nothing deducted, comes to. */
export const wholeAmount = {
  deductions: [],
  balance_amount: null,
  balance_amount_minor: null,
  credit_amount: null,
  credit_amount_minor: null,
  charged_amount: "12.34",
  charged_amount_minor: 1234,
  subscription_refunds: [],
};

export const profile: ProfileView = {
  name: "sandbox-sensecore",
  gateway: "sensecore",
  base_url: "http://127.0.0.1:1/sensecore",
  is_sandbox: true,
  settings: {},
  capabilities: {
    channels: ["balance", "credit", "alipay"],
    vouchers: true,
    coupon: false,
    credit_split: false,
    status_query: true,
    status_query_is_resend: false,
    idempotency_key: false,
    required_secrets: ["token"],
    optional_secrets: [],
    pays_out: false,
    subscription_refunds: false,
  },
  order_currency: null,
  order_attributes: [{ name: "resource_pack_id", required: false, positive_integer: false }],
};

export const paid: PaymentReport = {
  order_no: "DEMO-1001",
  state: "succeeded",
  attempt_id: 7,
  channel: "balance",
  idempotency_key: "k-1",
  gateway_ref: "DEMO-1001",
  customer_ref: null,
  pay_url: null,
  error: null,
  is_sandbox: true,
  ...wholeAmount,
};

export function attempt(state: AttemptDetail["state"], extra: Partial<AttemptDetail> = {}): AttemptDetail {
  return {
    id: 7,
    order_id: 1,
    channel: "alipay",
    state,
    idempotency_key: "k-1",
    amount_minor: 1234,
    gateway_ref: "ch_123",
    pay_url: null,
    error_code: null,
    error_message: null,
    coupon: null,
    credit_minor: null,
    checks: 0,
    resends: 0,
    contested: null,
    gateway_deduction_minor: null,
    payable_until: null,
    customer_ref: null,
    sent_at: 1_700_000_000_000,
    sender_timeout_ms: 30_000,
    desk: "Desk 1",
    operator: "alice",
    db_role: null,
    created_at: 1_700_000_000_000,
    updated_at: 1_700_000_000_000,
    amount: "12.34",
    error: null,
    may_still_be_paid: false,
    ...wholeAmount,
    events: [{ attempt_id: 7, state, detail: null, at: 1_700_000_000_000, desk: "Desk 1", operator: "alice", db_role: null, personal_data_hidden: false }],
    ...extra,
  };
}

export interface Options {
  startupError?: string;
  payResult?: PaymentReport;
  /** What pay_order rejects with instead of a result. */
  payError?: IpcError;
  /** The state the order's detail gives the new attempt after pay_order answers (a detail
   * read while the request was in flight says `submitting`). */
  detailAfterPay?: AttemptDetail["state"];
  total?: number;
  attempts?: AttemptDetail[];
  profile?: ProfileView;
  activity?: Activity;
  statusChecks?: () => StatusChecks | Promise<StatusChecks>;
  /** The desk may only read the shared history as it opened (app_info). */
  readOnly?: boolean;
  /** What the system's file picker comes back with (null: the person cancelled it). */
  onChoose?: (args: Record<string, unknown>) => ChosenFile | null | Promise<ChosenFile | null>;
  /** Imports the file last chosen (import_chosen_file). */
  onImport?: (args: Record<string, unknown>) => ImportSummary | Promise<ImportSummary>;
  /** Exports and saves where the person says (null: they cancelled the save dialog). */
  onExport?: (args: Record<string, unknown>) => SavedExport | null | Promise<SavedExport | null>;
  secrets?: SecretState[];
  deskNames?: Actor;
  /** The dashboard's totals (takings). */
  takings?: TakingsRow[];
  gateways?: GatewayInfo[];
  connection?: ConnectionReport;
  /** The dashboard's daily totals. */
  daily?: DailyTotal[];
  /** The manager's day compared (manager_day adds this desk's open shift's report). */
  dayCompared?: Partial<DayComparison>;
  /** The desks that took orders' latest payments (list_desks). */
  desks?: string[];
  /** Answers save_desk_names in place of the fake's own rule (a blank name is its default). */
  onSaveDeskNames?: (names: Actor) => Actor | Promise<Actor>;
  /** The data set the desk opens on: the demo (with its sandbox) unless told. */
  dataSet?: DataSet;
  /** The demo refuses a new profile whose base URL is not the sandbox's, as the back end does
   * (off by default: other tests save made-up gateways on the demo). */
  demoRefusesRealProfiles?: boolean;
  /** Runs before query_orders answers (a test may hold the answer back, or answer itself). */
  onQueryOrders?: (query: OrderQuery) => void | OrderPage | Promise<void | OrderPage>;
  /** Runs before switch_data_set answers (a test may hold the answer back, or refuse). */
  onSwitchDataSet?: (set: DataSet) => void | Promise<void>;
  /** The audit trail, newest first; audit_trail answers what its query narrows it to. */
  audit?: AuditEntry[];
  /** Runs before personal_data_revealed answers (a test may hold the answer back, or refuse). */
  onReveal?: (attemptId: number) => void | Promise<void>;
  /** What personal_data_revealed answers: the attempt's events with the customer's personal
   * data (by default, its events as the order's detail has them). */
  revealed?: AttemptEvent[];
  /** The shifts there are, of any desk (this desk is deskNames' desk). */
  shifts?: Shift[];
  /** The payments of this desk's open shift that have not settled. */
  openPayments?: OpenPayment[];
  /** What every shift's report counts, per currency. */
  shiftTotals?: CurrencyTotals[];
  /** Payments on sandbox profiles each report leaves out. */
  sandboxLeftOut?: number;
  /** Answers `paper` for a shift or a day (a receipt is the fake's own, below). */
  reportPaper?: (of: PaperOf, lang: Lang) => Paper;
  /** Answers save_paper_pdf (the page and the dialog's title) in place of a path in Downloads;
   * null is a cancelled save dialog. */
  onPaperPdf?: (paper: Paper, title: string) => SavedFile | null | Promise<SavedFile | null>;
  /** Answers day_report (the date asked, null for today). */
  dayReport?: (date: string | null) => DayReport;
  /** The merchant's settings as kept. */
  merchant?: Merchant;
  /** Runs before set_merchant_settings keeps the settings (a test may refuse them). */
  onSetMerchant?: (settings: Merchant) => void | Promise<void>;
}

/** A day nothing was paid on (today: 2026-12-05). */
export function quietDay(date: string | null): DayReport {
  const none = { attempts: 0, currencies: [], sandbox_left_out: 0 };
  return { day: { date: date ?? "2026-12-05", since_ms: 0, until_ms: 86_400_000 }, time_zone: SYSTEM_TIME_ZONE, totals: none, desks: [], shifts: [], outside_shifts: none, open: [] };
}

/** The time zone of the fake desk's computer. */
export const SYSTEM_TIME_ZONE = "Asia/Shanghai";

/** A receipt of DEMO-1001 as the back end writes it: after `earlier` receipts of the payment it
 * is a copy, and a sandbox payment's is a specimen. */
export function receiptPaper(earlier: number, sandbox: boolean, lang: Lang): Paper {
  const zh = lang === "zh-CN";
  const banners: Paper["blocks"] = [
    ...(sandbox ? [{ kind: "banner" as const, text: zh ? "样张：沙箱测试支付，非真实款项" : "SPECIMEN: a sandbox payment, not money" }] : []),
    ...(earlier > 0 ? [{ kind: "banner" as const, text: zh ? "副本" : "COPY" }] : []),
  ];
  return {
    title: `${zh ? "收款凭证" : "Receipt"} DEMO-1001`,
    size: "roll80",
    blocks: [
      { kind: "heading", text: "益安便利店" },
      { kind: "text", text: "上海市南京东路 1 号\n200001" },
      ...banners,
      { kind: "heading", text: zh ? "收款凭证" : "Receipt" },
      { kind: "field", label: zh ? "订单号" : "Order", value: "DEMO-1001" },
      { kind: "field", label: zh ? "实付" : "Paid", value: "CNY 12.34" },
      { kind: "rule" },
      { kind: "qr", text: "DEMO-1001" },
      { kind: "text", text: zh ? "打印于 2026-12-05 10:00，till-host" : "Printed 2026-12-05 10:00 at till-host" },
    ],
  };
}

/** A payment still open, as a report names it (acknowledged is the report's to say). */
export type OpenPayment = Omit<NamedAttempt, "acknowledged">;

/** The manager's day at `nowMs` as the back end compares it, with nothing paid unless told:
 * days on this computer's calendar (a fake's: 24 hours apart). */
export function dayCompared(nowMs: number, extra: Partial<DayComparison> = {}): DayComparison {
  const day = (daysBack: number) => {
    const start = new Date(nowMs);
    start.setHours(0, 0, 0, 0);
    start.setDate(start.getDate() - daysBack);
    const pad = (n: number) => String(n).padStart(2, "0");
    const date = `${start.getFullYear()}-${pad(start.getMonth() + 1)}-${pad(start.getDate())}`;
    return { date, start_ms: start.getTime(), end_ms: start.getTime() + 86_400_000 };
  };
  return { days: { today: day(0), yesterday: day(1), last_week: day(7), now_ms: nowMs }, money: [], gateways: [], channels: [], failures: [], ...extra };
}

/** A shift as the back end answers it. */
export function shiftOf(id: number, extra: Partial<Shift> = {}): Shift {
  return { id, desk: DEFAULT_DESK_NAMES.desk, opened_at: 1_700_000_000_000, opened_by: "lin", closed_at: null, closed_by: null, acknowledged: [], ...extra };
}

function refusal(problem: Problem, message = "refused"): Promise<never> {
  return Promise.reject({ kind: "refused", message, ...problem } as IpcError);
}

/** The entries of `trail` that `q` asks for, as the back end's audit_trail narrows them. */
function auditFor(trail: AuditEntry[], q: AuditQuery): AuditEntry[] {
  return trail
    .filter(
      (e) =>
        (q.action == null || e.action === q.action) &&
        (q.subject == null || e.subject === q.subject) &&
        (q.since_ms == null || e.at >= q.since_ms) &&
        (q.until_ms == null || e.at < q.until_ms),
    )
    .slice(0, q.limit ?? 10_000);
}

/** What a blank name goes back to: the fake machine's host name and OS user. */
export const DEFAULT_DESK_NAMES: Actor = { desk: "till-host", operator: "cashier" };

export interface Backend {
  calls: { cmd: string; args: Record<string, unknown> }[];
  paid: boolean;
  attempts: AttemptDetail[];
  deskNames: Actor;
  /** The order as edited or cancelled. */
  order: OrderView;
  changes: OrderChange[];
  savedProfiles: Record<string, unknown>[];
  /** The data set open now (switch_data_set changes it). */
  dataSet: DataSet;
  /** The live data's profiles (it starts with none, and no orders). */
  liveProfiles: ProfileView[];
  /** Every desk's shifts, oldest first (open_shift and close_shift change them). */
  shifts: Shift[];
  /** The payments of the open shift that have not settled (a test may add one meanwhile). */
  openPayments: OpenPayment[];
  /** How many receipts of the order's payment were issued. */
  receipts: number;
  /** The merchant's settings as kept (set_merchant_settings changes them). */
  merchant: Merchant;
}

/** A lookup's hit on `o`, as the backend words it. */
function hitOf(o: OrderView, matched: LookupHit["matched"], value: string): LookupHit {
  return { order_no: o.order_no, matched, value, state: o.state ?? "created", cancelled: o.cancelled_at !== null, amount: o.amount, currency: o.currency, updated_at: o.updated_at, profile: o.profile, is_sandbox: o.is_sandbox };
}

export function quoteFor(args: Record<string, unknown>): Quote {
  const deductions = (args.deductions as { id: string; amount: string }[]) ?? [];
  // The real quote is exact decimal arithmetic in the backend; this fake only answers the
  // cases the tests send.
  const deducted = deductions.length ? "10.00" : "0.00";
  return {
    currency: "CNY",
    amount: "12.34",
    amount_minor: 1234,
    deducted,
    deducted_minor: deductions.length ? 1000 : 0,
    remaining: deductions.length ? "2.34" : "12.34",
    remaining_minor: deductions.length ? 234 : 1234,
    credit: null,
    balance: null,
  };
}

export function mockBackend(options: Options = {}): Backend {
  const backend: Backend = {
    calls: [],
    paid: false,
    attempts: options.attempts ?? [],
    deskNames: options.deskNames ?? DEFAULT_DESK_NAMES,
    order,
    changes: [],
    savedProfiles: [],
    dataSet: options.dataSet ?? "demo",
    liveProfiles: [],
    shifts: options.shifts ?? [],
    openPayments: options.openPayments ?? [],
    receipts: 0,
    merchant: options.merchant ?? { name: "", address: "", time_zone: null },
  };
  const merchantView = (): MerchantView => ({
    settings: backend.merchant,
    time_zone: backend.merchant.time_zone ?? SYSTEM_TIME_ZONE,
    system_time_zone: SYSTEM_TIME_ZONE,
  });
  const openShift = () => backend.shifts.find((s) => s.desk === backend.deskNames.desk && s.closed_at === null) ?? null;
  const shiftReport = (shift: Shift): ShiftReport => ({
    shift,
    currencies: options.shiftTotals ?? [],
    // The open shift's open payments; a closed one's, those it was closed over.
    open: backend.openPayments
      .filter((a) => shift.closed_at === null || shift.acknowledged.includes(a.attempt_id))
      .map((a) => ({ ...a, acknowledged: shift.acknowledged.includes(a.attempt_id) })),
    settled_after_close: [],
    sandbox_left_out: options.sandboxLeftOut ?? 0,
  });
  const demo = () => backend.dataSet === "demo";
  // The built-in sandbox runs only for the demo.
  const appInfo = () => ({
    version: "0.1.0",
    commit: "0123456789",
    data_dir: "/tmp/pd",
    data_set: backend.dataSet,
    sandbox_url: demo() ? "http://127.0.0.1:1" : null,
    startup_error: options.startupError ?? null,
    currencies: [
      { code: "CNY", exponent: 2 },
      { code: "JPY", exponent: 0 },
    ],
    read_only: options.readOnly ?? false,
  });
  const saveDeskNames = ({ desk, operator }: Actor): Actor => ({
    desk: desk.trim() || DEFAULT_DESK_NAMES.desk,
    operator: operator.trim() || DEFAULT_DESK_NAMES.operator,
  });
  /** Whether a quote or payment names a revision of the order other than the one kept. */
  const changedSince = (args: Record<string, unknown>) => typeof args.revision === "number" && args.revision !== backend.order.revision;
  const orderChanged = () => ({
    kind: "refused",
    code: "order_changed",
    message: `order "${backend.order.order_no}" was changed meanwhile (at another desk or window); nothing was written or sent: look at it again`,
    params: { order_no: backend.order.order_no },
  });
  const current = (): OrderView =>
    backend.paid
      ? { ...backend.order, state: "succeeded", channel: "balance" }
      : { ...backend.order, state: backend.attempts.at(-1)?.state ?? null };
  /** A page of the orders: the demo's one order, or `options.total` made-up ones. */
  const orderPage = (q: OrderQuery) => {
    if (!demo()) return { total: 0, offset: q.offset, rows: [] };
    const total = options.total ?? 1;
    if (total === 1) return { total: 1, offset: 0, rows: q.offset === 0 ? [current()] : [] };
    const rows = Array.from({ length: Math.max(0, Math.min(q.limit, total - q.offset)) }, (_, i) => ({
      ...order,
      id: q.offset + i + 1,
      order_no: `ORD-${String(q.offset + i).padStart(7, "0")}`,
    }));
    return { total, offset: q.offset, rows };
  };
  mockIPC(
    (cmd, raw) => {
      const args = (raw ?? {}) as Record<string, unknown>;
      backend.calls.push({ cmd, args });
      switch (cmd) {
        case "app_info":
          return appInfo();
        case "switch_data_set":
          return Promise.resolve(options.onSwitchDataSet?.(args.set as DataSet)).then(() => {
            backend.dataSet = args.set as DataSet;
            return appInfo();
          });
        case "query_orders": {
          const q = args.query as OrderQuery;
          if (options.onQueryOrders) return Promise.resolve(options.onQueryOrders(q)).then((page) => page ?? orderPage(q));
          return orderPage(q);
        }        case "list_profiles":
          return demo() ? [options.profile ?? profile] : backend.liveProfiles;
        case "secret_status":
          if (!options.secrets) throw new Error("no secrets expected");
          return options.secrets;
        case "list_gateways":
          return options.gateways ?? [];
        case "test_connection":
          if (!options.connection) throw new Error("no connection test expected");
          return options.connection;
        case "save_profile": {
          if (demo() && options.demoRefusesRealProfiles && !(args.baseUrl as string).startsWith("http://127.0.0.1:1/")) {
            const refusal: IpcError = {
              kind: "refused",
              code: "real_profile_in_demo",
              params: { profile: args.name as string },
              message: "this is the demo, which holds only paydesk sandbox profiles",
            };
            return Promise.reject(refusal);
          }
          backend.savedProfiles.push(args);
          const saved: ProfileView = {
            ...profile,
            name: args.name as string,
            gateway: args.gateway as string,
            base_url: args.baseUrl as string,
            is_sandbox: demo(),
            settings: args.settings as Record<string, string>,
          };
          if (!demo()) backend.liveProfiles = [...backend.liveProfiles.filter((p) => p.name !== saved.name), saved];
          return saved;
        }
        case "takings":
          if (!options.takings) throw new Error("no takings expected");
          return options.takings;
        case "daily_totals":
          return options.daily ?? [];
        case "manager_day": {
          const open = openShift();
          return { compared: dayCompared(args.nowMs as number, options.dayCompared), open_shift: open && shiftReport(open) };
        }
        case "activity":
          // A new answer each time, as over IPC (a test may change the counts between asks).
          return { ...(options.activity ?? { in_flight: 0, unasked: 0, needs_review: 0 }) };
        case "set_language":
          return null;
        case "status_checks":
          return (
            options.statusChecks?.() ?? {
              gateways: demo() ? [{ profile: "sandbox-sensecore", is_sandbox: true, reachable: true, detail: "127.0.0.1:1" }] : [],
              storage: { state: "ok", detail: null },
              store: { url: null, reachable: true, read_only: false, as_of: null, schema_mismatch: null },
            }
          );
        case "lookup":
          // As the back end: the order number whole, else (with no exact match) a prefix of it.
          if (args.reference === current().order_no) return [hitOf(current(), "order_no", current().order_no)];
          return typeof args.reference === "string" && args.reference && current().order_no.startsWith(args.reference)
            ? [hitOf(current(), "order_no", current().order_no)]
            : [];
        case "lookup_amount":
          return args.amount === "12.34"
            ? [hitOf(current(), "amount", "12.34"), hitOf({ ...current(), order_no: "DEMO-1002", cancelled_at: 1 }, "amount", "12.34")]
            : [];
        case "order_detail": {
          const detail: OrderDetail = { order: current(), attempts: backend.attempts, changes: backend.changes };
          return detail;
        }
        case "quote":
          if (changedSince(args)) return Promise.reject(orderChanged());
          return quoteFor(args);
        case "pay_order": {
          // As the back end: an order edited since the dialog priced it is not paid.
          if (changedSince(args)) return Promise.reject(orderChanged());
          if (options.payError) return Promise.reject(options.payError);
          const report = options.payResult ?? paid;
          backend.paid = report.state === "succeeded";
          backend.attempts = [attempt(options.detailAfterPay ?? report.state, { id: report.attempt_id })];
          return report;
        }
        case "choose_import_file":
          if (!options.onChoose) throw new Error("no file picker expected");
          return options.onChoose(args);
        case "import_chosen_file":
          if (!options.onImport) throw new Error("no import expected");
          return options.onImport(args);
        case "export_orders_to_file":
          if (!options.onExport) throw new Error("no export expected");
          return options.onExport(args);
        case "desk_names":
          return backend.deskNames;
        case "list_desks":
          return options.desks ?? [];
        case "save_desk_names":
          return Promise.resolve((options.onSaveDeskNames ?? saveDeskNames)(args as Actor)).then((names) => (backend.deskNames = names));
        case "remove_profile":
          return null;
        case "edit_order": {
          const amount = args.amount as string;
          // The tests type two decimals: the minor units are the digits.
          const after = { amount_minor: Number(amount.replace(".", "")), subject: args.subject as string, attributes: args.attributes as Record<string, string> };
          backend.changes.push({ kind: "edited", at: 1_700_000_100_000, desk: "Desk 1", operator: "alice", before: { amount_minor: order.amount_minor, subject: order.subject, attributes: {} }, after });
          backend.order = { ...backend.order, amount, amount_minor: after.amount_minor, subject: after.subject, attributes: after.attributes, revision: backend.order.revision + 1 };
          return backend.order;
        }
        case "cancel_order":
          backend.order = { ...backend.order, cancelled_at: 1_700_000_200_000, cancel_note: (args.note as string | null) ?? null };
          backend.changes.push({ kind: "cancelled", at: 1_700_000_200_000, desk: "Desk 1", operator: "alice", note: backend.order.cancel_note });
          return { order: backend.order, cancelled_now: true };
        case "resolve_review":
          backend.attempts = [attempt(args.decision as "succeeded")];
          return { order: current(), attempts: backend.attempts, changes: backend.changes };
        case "audit_trail":
          return auditFor(options.audit ?? [], args.query as AuditQuery);
        case "personal_data_revealed":
          return Promise.resolve(options.onReveal?.(args.attemptId as number)).then(
            () => options.revealed ?? backend.attempts.find((a) => a.id === args.attemptId)?.events ?? [],
          );
        case "current_shift":
          return openShift();
        case "open_shift": {
          const open = openShift();
          if (open) return refusal({ code: "shift_open", params: { shift_id: open.id, opened_at: open.opened_at, opened_by: open.opened_by } });
          // As the back end: the operator named becomes the desk's, then the shift is theirs.
          const named = typeof args.operator === "string" ? args.operator.trim() : "";
          if (named) backend.deskNames = { ...backend.deskNames, operator: named };
          const shift = shiftOf(backend.shifts.length + 1, { desk: backend.deskNames.desk, opened_at: Date.now(), opened_by: backend.deskNames.operator });
          backend.shifts.push(shift);
          return shift;
        }
        case "close_shift": {
          const open = openShift();
          if (!open) return refusal({ code: "no_open_shift", params: { desk: backend.deskNames.desk } });
          const acknowledged = args.acknowledged as number[];
          const blocking = backend.openPayments.filter((a) => !acknowledged.includes(a.attempt_id));
          if (blocking.length) {
            const attempts = blocking.map(({ attempt_id, order_no, state, sandbox }) => ({ attempt_id, order_no, state, sandbox: sandbox ?? false }));
            return refusal({ code: "shift_has_open_attempts", params: { attempts } });
          }
          const closed: Shift = {
            ...open,
            closed_at: Date.now(),
            closed_by: backend.deskNames.operator,
            acknowledged: backend.openPayments.map((a) => a.attempt_id).filter((id) => acknowledged.includes(id)),
          };
          backend.shifts = backend.shifts.map((s) => (s.id === open.id ? closed : s));
          return shiftReport(closed);
        }
        case "list_shifts":
          return backend.shifts.filter((s) => args.allDesks || s.desk === backend.deskNames.desk).reverse();
        case "shift_report": {
          const id = (args.shiftId as number | null | undefined) ?? null;
          const mine = backend.shifts.filter((s) => s.desk === backend.deskNames.desk);
          const shift = id === null ? (openShift() ?? mine.at(-1)) : backend.shifts.find((s) => s.id === id);
          if (!shift) return id === null ? refusal({ code: "no_shift", params: { desk: backend.deskNames.desk } }) : refusal({ code: "no_such_shift", params: { shift_id: id } });
          return shiftReport(shift);
        }
        case "paper": {
          if (!options.reportPaper) throw new Error("no report page expected");
          return options.reportPaper(args.of as PaperOf, args.lang as Lang);
        }
        case "issue_receipt": {
          const orderNo = args.orderNo as string;
          // Issuing it: the store records each, and only a paid order has one.
          if (orderNo !== order.order_no || current().state !== "succeeded") return refusal({ code: "not_paid", params: { order_no: orderNo } });
          const earlier = backend.receipts++;
          return { paper: receiptPaper(earlier, order.is_sandbox, args.lang as Lang), copy: earlier > 0, specimen: order.is_sandbox };
        }
        case "save_paper_pdf": {
          const paper = args.paper as Paper;
          if (options.onPaperPdf) return options.onPaperPdf(paper, args.title as string);
          return { path: `/home/cashier/Downloads/${paper.title.replace(/[^A-Za-z0-9_-]/g, "_")}.pdf` };
        }
        case "day_report":
          // A refusal the test throws comes back as the command's rejection.
          return Promise.resolve((args.date as string | null | undefined) ?? null).then(options.dayReport ?? quietDay);
        case "merchant_settings":
          return merchantView();
        case "set_merchant_settings":
          return Promise.resolve(options.onSetMerchant?.(args.settings as Merchant)).then(() => {
            const settings = args.settings as Merchant;
            backend.merchant = { ...settings, time_zone: settings.time_zone || null };
            return merchantView();
          });
        default:
          throw new Error(`unexpected command ${cmd}`);
      }
    },
    { shouldMockEvents: true },
  );
  // The page-side half of the event plugin that a real webview injects; jsdom lacks it.
  const internals = (window as unknown as { __TAURI_EVENT_PLUGIN_INTERNALS__: Record<string, unknown> }).__TAURI_EVENT_PLUGIN_INTERNALS__;
  internals.unregisterListener ??= () => {};
  // The reconciler settles the attempts it names as waiting, then says so.
  const tauri = (window as unknown as { __TAURI_INTERNALS__: { invoke: (cmd: string, args: unknown, options: unknown) => Promise<unknown> } })
    .__TAURI_INTERNALS__;
  const invoke = tauri.invoke;
  tauri.invoke = (cmd, args, options) => {
    const sent = args as { event?: string; payload?: Change };
    if (cmd === "plugin:event|emit" && sent.event === "change" && sent.payload?.kind === "attempts") {
      const settled = sent.payload.attempt_ids;
      backend.paid = true;
      backend.attempts = backend.attempts.map((a) =>
        settled.includes(a.id) && (a.state === "pending" || a.state === "unknown") ? attempt("succeeded", { id: a.id }) : a,
      );
    }
    return invoke(cmd, args, options);
  };
  return backend;
}

/** Unmounts, then lets the (asynchronous) unlisten finish while the mocked event plugin is
 * still in place, and leaves the language and storage as a test finds them. */
export async function resetBackend() {
  const { cleanup } = await import("@testing-library/react");
  cleanup();
  await new Promise((resolve) => setTimeout(resolve, 0));
  clearMocks();
  await i18n.changeLanguage("en");
  localStorage.clear();
}
