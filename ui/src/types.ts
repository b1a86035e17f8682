// The IPC shapes. Those the back end sends or takes are generated from its Rust types into
// ./ipc (see src-tauri/desktop/ipc_bindings.rs: a test fails when they drift); this file
// re-exports them and adds the few shapes that exist only on this side.

export type { AttemptState } from "./ipc/AttemptState";
export type { Channel } from "./ipc/Channel";
export type { AppInfo } from "./ipc/AppInfo";
export type { DataSet } from "./ipc/DataSet";
export type { OrderView } from "./ipc/OrderView";
export type { Capabilities } from "./ipc/Capabilities";
export type { ProfileView } from "./ipc/ProfileView";
export type { ErrorReport } from "./ipc/ErrorReport";
export type { AttemptEvent } from "./ipc/AttemptEvent";
export type { AttemptDetail } from "./ipc/AttemptDetail";
export type { OrderDetail } from "./ipc/OrderDetail";
export type { PaymentReport } from "./ipc/PaymentReport";
export type { DeductionLine } from "./ipc/DeductionLine";
export type { OrderAttribute } from "./ipc/OrderAttribute";
export type { OrderChange } from "./ipc/OrderChange";
export type { OrderTerms } from "./ipc/OrderTerms";
export type { Cancelled } from "./ipc/Cancelled";
export type { IpcError } from "./ipc/IpcError";
export type { OrderSort } from "./ipc/OrderSort";
export type { OrderQuery } from "./ipc/OrderQuery";
export type { OrderPage } from "./ipc/OrderPage";
export type { LookupHit } from "./ipc/LookupHit";
export type { Quote } from "./ipc/Quote";
export type { TakingsRow } from "./ipc/TakingsRow";
export type { Credentials } from "./ipc/Credentials";
export type { SettingSpec } from "./ipc/SettingSpec";
export type { DailyTotal } from "./ipc/DailyTotal";
export type { ManagerDay } from "./ipc/ManagerDay";
export type { DayComparison } from "./ipc/DayComparison";
export type { ComparedDays } from "./ipc/ComparedDays";
export type { MoneyCompared } from "./ipc/MoneyCompared";
export type { Tally } from "./ipc/Tally";
export type { Outcomes } from "./ipc/Outcomes";
export type { RateCompared } from "./ipc/RateCompared";
export type { FailureReason } from "./ipc/FailureReason";
export type { Activity } from "./ipc/Activity";
export type { GatewayReach } from "./ipc/GatewayReach";
export type { StorageStatus } from "./ipc/StorageStatus";
export type { StatusChecks } from "./ipc/StatusChecks";
export type { GatewayInfo } from "./ipc/GatewayInfo";
export type { SecretState } from "./ipc/SecretState";
export type { ConnectionReport } from "./ipc/ConnectionReport";
export type { ImportProgress } from "./ipc/ImportProgress";
export type { RowError } from "./ipc/RowError";
export type { ImportSummary } from "./ipc/ImportSummary";
export type { ExportFile } from "./ipc/ExportFile";
export type { ChosenFile } from "./ipc/ChosenFile";
export type { SavedExport } from "./ipc/SavedExport";
export type { Change } from "./ipc/Change";
export type { Actor } from "./ipc/Actor";
export type { AuditAction } from "./ipc/AuditAction";
export type { AuditEntry } from "./ipc/AuditEntry";
export type { AuditQuery } from "./ipc/AuditQuery";
export type { DeductionInput as Deduction } from "./ipc/DeductionInput";
export type { Shift } from "./ipc/Shift";
export type { ShiftReport } from "./ipc/ShiftReport";
export type { CurrencyTotals } from "./ipc/CurrencyTotals";
export type { TotalLine } from "./ipc/TotalLine";
export type { NamedAttempt } from "./ipc/NamedAttempt";
export type { OpenAttemptRef } from "./ipc/OpenAttemptRef";
export type { Amount } from "./ipc/Amount";
export type { Direction } from "./ipc/Direction";
export type { Paper } from "./ipc/Paper";
export type { Block } from "./ipc/Block";
export type { PaperOf } from "./ipc/PaperOf";
export type { SavedFile } from "./ipc/SavedFile";
export type { Lang } from "./ipc/Lang";
export type { DayReport } from "./ipc/DayReport";
export type { Totals } from "./ipc/Totals";
export type { Merchant } from "./ipc/Merchant";
export type { MerchantView } from "./ipc/MerchantView";

import type { Channel } from "./ipc/Channel";
import type { DeductionInput } from "./ipc/DeductionInput";
import type { RefundInput } from "./ipc/RefundInput";
export type { RefundInput } from "./ipc/RefundInput";
import type { LookupHit } from "./ipc/LookupHit";

/** Which reference a lookup matched. */
export type LookupMatch = LookupHit["matched"];

/** What the pay dialog hands to `pay_order` and `quote` (camelCase: Tauri's argument names). */
export interface PayInput {
  orderNo: string;
  channel: Channel;
  deductions: DeductionInput[];
  coupon: string | null;
  creditAmount: string | null;
  /** Subscriptions the payment replaces, each with its refund (TOP). */
  subscriptionRefunds: RefundInput[];
  /** The order's revision the dialog shows: the back end refuses a price or a payment for an
   * order changed since, so what is charged is what is on the screen. */
  revision: number;
}

export type FileFormat = "csv" | "json";

/** What support looks up: a reference (or part of one), or an amount within a time range. */
export type LookupInput = { reference: string } | { amount: string; sinceMs: number | null; untilMs: number | null };
