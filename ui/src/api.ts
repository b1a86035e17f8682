// Typed wrappers over the app's IPC commands and events, the only place the UI talks to the
// back end. Names, arguments and results come from ipc/commands.ts, generated from the Rust.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import i18n from "./i18n";
import { invalidSentence } from "./invalid";
import { en } from "./locales/en";
import { channelName, gatewayName, isChannel, settingWithKey } from "./names";
import { formatMinute, formatTime, sharedSchemaIsNewer } from "./words";
import type { AttemptState } from "./ipc/AttemptState";
import type { ErrorKind } from "./ipc/ErrorKind";
import type { Commands, Events } from "./ipc/commands";
import type { Language } from "./ipc/Language";
import type { Actor, AuditQuery, DataSet, FileFormat, IpcError, Lang, Merchant, OrderQuery, Paper, PaperOf, PayInput } from "./types";

/** Calls a command by its name with the arguments the Rust declares (ipc/commands.ts). */
function call<K extends keyof Commands>(
  command: K,
  ...args: Commands[K]["args"] extends Record<string, never> ? [] : [Commands[K]["args"]]
): Promise<Commands[K]["returns"]> {
  return invoke<Commands[K]["returns"]>(command, args[0]);
}

/** Listens to an event the back end sends, with its payload's type; resolves to the unlisten. */
export function listenTo<K extends keyof Events>(event: K, handler: (payload: Events[K]) => void): Promise<() => void> {
  return listen<Events[K]>(event, (e) => handler(e.payload));
}

function payArgs(p: PayInput) {
  return {
    orderNo: p.orderNo,
    channel: p.channel,
    deductions: p.deductions,
    coupon: p.coupon,
    creditAmount: p.creditAmount,
    subscriptionRefunds: p.subscriptionRefunds,
    revision: p.revision,
  };
}

export const api = {
  appInfo: () => call("app_info"),
  /** Closes the data set the window shows and opens the other one in its place (the choice is
   * remembered); the answer is the app's state on the other one. */
  switchDataSet: (set: DataSet) => call("switch_data_set", { set }),
  listProfiles: () => call("list_profiles"),
  listGateways: () => call("list_gateways"),
  queryOrders: (query: OrderQuery) => call("query_orders", { query }),
  lookup: (reference: string) => call("lookup", { reference }),
  /** The orders of an amount a customer quotes, added in [sinceMs, untilMs). */
  lookupAmount: (amount: string, sinceMs: number | null, untilMs: number | null) => call("lookup_amount", { amount, sinceMs, untilMs }),
  orderDetail: (orderNo: string) => call("order_detail", { orderNo }),
  quote: (input: PayInput) => call("quote", payArgs(input)),
  pay: (input: PayInput) => call("pay_order", payArgs(input)),
  addOrder: (o: {
    profile: string;
    orderNo: string;
    amount: string;
    currency: string;
    subject: string;
    attributes: Record<string, string>;
  }) => call("add_order", o),
  /** New terms for an unpaid order, as the person saw it at `revision`. */
  editOrder: (o: { orderNo: string; revision: number; amount: string; subject: string; attributes: Record<string, string> }) =>
    call("edit_order", o),
  cancelOrder: (orderNo: string, note: string | null) => call("cancel_order", { orderNo, note }),
  checkStatus: (attemptId: number) => call("check_status", { attemptId }),
  resolveReview: (attemptId: number, decision: "succeeded" | "failed", note: string, codeUnusable: boolean) =>
    call("resolve_review", { attemptId, decision, note, codeUnusable }),
  takings: (sinceMs: number) => call("takings", { sinceMs }),
  /** What was paid each of the last `days` days on this window's calendar. */
  dailyTotals: (days: number, nowMs: number) => call("daily_totals", { days, nowMs }),
  /** The manager's dashboard at `nowMs`: today against yesterday and the same day last week on
   * this window's calendar, and this desk's open shift so far. */
  managerDay: (nowMs: number) => call("manager_day", { nowMs }),
  activity: () => call("activity"),
  /** The language the back end words its desktop notifications in: this window's. */
  setLanguage: (language: Language) => call("set_language", { language }),
  listDesks: () => call("list_desks"),
  statusChecks: () => call("status_checks"),
  saveProfile: (p: { name: string; gateway: string; baseUrl: string; settings: Record<string, string>; create: boolean }) =>
    call("save_profile", p),
  removeProfile: (profile: string) => call("remove_profile", { profile }),
  secretStatus: (profile: string) => call("secret_status", { profile }),
  /** The value goes to the OS keyring; nothing sends it back. */
  setSecret: (profile: string, key: string, value: string) => call("set_secret", { profile, key, value }),
  deleteSecret: (profile: string, key: string) => call("delete_secret", { profile, key }),
  testConnection: (profile: string) => call("test_connection", { profile }),
  /** Opens the system's file picker (the back end's, titled `title`) for a CSV or JSON file;
   * null when the person cancels. The back end keeps the file chosen for importChosenFile. */
  chooseImportFile: (title: string) => call("choose_import_file", { title }),
  /** Imports the file last chosen, which the back end reads itself, however large: only the
   * report crosses IPC; progress arrives as `import-progress` events. */
  importChosenFile: (format: FileFormat, profile: string | null) => call("import_chosen_file", { format, profile }),
  /** Writes every match of `query` where the person chooses in the system's save dialog
   * (titled `title`); null when they cancel it. */
  exportOrdersToFile: (query: OrderQuery, format: FileFormat, title: string) => call("export_orders_to_file", { query, format, title }),
  deskNames: () => call("desk_names"),
  /** A blank name goes back to its default (the host name, the OS user). */
  saveDeskNames: (names: Actor) => call("save_desk_names", names),
  /** The audit trail's entries the query asks for, newest first (at most 10 000). */
  auditTrail: (query: AuditQuery) => call("audit_trail", { query }),
  /** Records that the person is shown the customer's personal data in an attempt's raw answers. */
  personalDataRevealed: (attemptId: number) => call("personal_data_revealed", { attemptId }),
  /** This desk's open shift (交班), or null. */
  currentShift: () => call("current_shift"),
  openShift: (operator: string | null) => call("open_shift", { operator }),
  /** Closes this desk's shift; `acknowledged`: the open payments the operator acknowledged. */
  closeShift: (acknowledged: number[]) => call("close_shift", { acknowledged }),
  listShifts: (allDesks: boolean) => call("list_shifts", { allDesks }),
  /** A shift's report; `null`: the open shift's, else the desk's last. */
  shiftReport: (shiftId: number | null) => call("shift_report", { shiftId }),
  /** A report's page to show and print, worded in `lang`. */
  paper: (of: PaperOf, lang: Lang) => call("paper", { of, lang }),
  /** Issues a receipt of the order's payment, worded in `lang`: the store records it, so every
   * later one of the same payment is a copy, and the answer says so. */
  issueReceipt: (orderNo: string, lang: Lang) => call("issue_receipt", { orderNo, lang }),
  /** The page as PDF, saved where the person chooses in the system's save dialog (null: cancelled). */
  savePaperPdf: (paper: Paper, title: string) => call("save_paper_pdf", { paper, title }),
  /** What every desk took on a day of the merchant's calendar; `null`: today. */
  dayReport: (date: string | null) => call("day_report", { date }),
  merchantSettings: () => call("merchant_settings"),
  setMerchantSettings: (settings: Merchant) => call("set_merchant_settings", { settings }),
};

function isIpcError(e: unknown): e is IpcError {
  return !!e && typeof e === "object" && "code" in e && "kind" in e && "message" in e;
}

/** A rejection as the problem `code`, with its parameters; null when it is another. */
export function problemWith<C extends IpcError["code"]>(e: unknown, code: C): Extract<IpcError, { code: C }> | null {
  return isIpcError(e) && e.code === code ? (e as Extract<IpcError, { code: C }>) : null;
}

/** What "Copy details" copies for support: the words shown, and the back end's own kind, code
 * and (English) message, whatever the window's language. */
export function errorDetails(e: unknown): string {
  if (isIpcError(e)) return `${errorMessage(e)}\n${e.kind} / ${e.code}: ${e.message}`;
  return errorMessage(e);
}

/** Any rejection from IPC in the person's language: the problem's code worded with its
 * parameters (states and channels in their own words), the back end's message otherwise. */
export function errorMessage(e: unknown): string {
  if (typeof e === "string") return e;
  if (isIpcError(e)) {
    const params: Record<string, unknown> = "params" in e ? { ...e.params } : {};
    if (typeof params.state === "string") params.state = i18n.t(`state.${params.state as AttemptState}`);
    if (typeof params.channel === "string" && isChannel(params.channel)) params.channel = i18n.t(`channel.${params.channel}`);
    if (typeof params.gateway === "string") params.gateway = gatewayName(params.gateway);
    if (typeof params.offered === "string") params.offered = params.offered.split(",").map((c) => channelName(c.trim())).join(", ");
    if (e.code === "shared_store_offline" && e.params.as_of !== null) params.time = formatMinute(e.params.as_of);
    const unfit = e.code === "shared_store_offline" ? e.params.schema_mismatch : null;
    if (unfit) Object.assign(params, unfit);
    if (e.code === "still_payable") params.time = formatTime(e.params.until);
    // Why a sent payment's answer was not written, in the person's language where it has words.
    if (e.code === "sent_not_recorded" && e.params.because !== "other") {
      params.reason = i18n.t(`problem.sent_not_recorded_${e.params.because}` satisfies `problem.${keyof typeof en.problem}`);
    }
    if (e.code === "missing_setting") params.setting = settingWithKey(e.params.key);
    if (e.code === "no_secret") params.key = settingWithKey(e.params.key);
    if (e.code === "other_payment_of_order") params.decision = i18n.t(`state.${e.params.decision}`);
    if (e.code === "invalid") params.sentence = invalidSentence(e.params);
    if (e.code === "shift_open") params.time = formatTime(e.params.opened_at);
    // Each payment that keeps the shift open: its order and its state in words.
    if (e.code === "shift_has_open_attempts") {
      params.list = e.params.attempts.map((a) => `${a.order_no} (${i18n.t(`state.${a.state}`)})`).join(i18n.language.startsWith("zh") ? "、" : ", ");
    }
    // A voucher's, the credit part's or a refund's amount: that amount's own words inside.
    if (e.code === "voucher_amount" || e.code === "credit_amount" || e.code === "refund_amount") {
      params.why = errorMessage({ kind: e.kind, message: e.message, ...e.params.amount } as IpcError);
    }
    if (e.code === "order_not_payable") {
      const p = e.params;
      const parts = [
        p.expected_currency && i18n.t("problem.order_not_payable_currency", { currency: p.expected_currency }),
        p.missing.length > 0 && i18n.t("problem.order_not_payable_missing", { names: p.missing.join(", ") }),
        p.not_whole_number.length > 0 && i18n.t("problem.order_not_payable_not_whole", { names: p.not_whole_number.join(", ") }),
      ];
      params.details = parts.filter(Boolean).join(i18n.language.startsWith("zh") ? "；" : "; ");
    }
    // A code without words in en (and so in zh-CN, typed as the same shape) fails the type
    // check; the parameters are the ones the back end sent with that code.
    // Where the journal does not say which desk, the words that name none.
    // Where the desk has no copy of the shared history yet, the words that give no age.
    // Where the server answers with a schema this paydesk does not fit, who must update.
    const code =
      (e.code === "payment_in_progress" || e.code === "being_settled") && !e.params.desk
        ? (`${e.code}_unnamed` as const)
        : unfit
          ? sharedSchemaIsNewer(unfit)
            ? ("shared_store_unfit_newer" as const)
            : ("shared_store_unfit_older" as const)
          : e.code === "shared_store_offline" && e.params.as_of === null
            ? ("shared_store_offline_no_copy" as const)
            : e.code;
    const key = `problem.${code}` satisfies `problem.${keyof typeof en.problem}`;
    return String(i18n.t(key, params as never));
  }
  if (e && typeof e === "object" && "message" in e) return String((e as { message: unknown }).message);
  return i18n.t("problem.unexpected");
}

export function errorKind(e: unknown): ErrorKind | null {
  return isIpcError(e) ? e.kind : null;
}
