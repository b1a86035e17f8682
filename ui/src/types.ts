// The IPC shapes, mirroring paydesk-core's `report` and `domain` types (serde, snake_case).

export type AttemptState =
  | "created"
  | "submitting"
  | "pending"
  | "succeeded"
  | "failed"
  | "unknown"
  | "needs_review";

export type Channel =
  | "balance"
  | "alipay"
  | "wechat"
  | "credit"
  | "unionpay"
  | "frozen_account"
  | "remit_offline"
  | "remit_online"
  | "contract"
  | "bank";

export interface AppInfo {
  version: string;
  data_dir: string;
  sandbox_url: string | null;
  startup_error: string | null;
  /** The largest file an import takes, in bytes. */
  max_import_bytes?: number;
}

export interface OrderView {
  id: number;
  order_no: string;
  profile: string;
  gateway: string;
  is_sandbox: boolean;
  amount_minor: number;
  currency: string;
  /** Decimal string in the main unit, formatted by the backend ("12.30"). */
  amount: string;
  subject: string;
  attributes: Record<string, string>;
  state: AttemptState | null;
  channel: Channel | null;
  created_at: number;
  updated_at: number;
}

export interface Capabilities {
  channels: Channel[];
  vouchers: boolean;
  coupon: boolean;
  credit_split: boolean;
  status_query: boolean;
  idempotency_key: boolean;
  required_secrets: string[];
}

export interface ProfileView {
  name: string;
  gateway: string;
  base_url: string;
  is_sandbox: boolean;
  settings: Record<string, string>;
  capabilities: Capabilities | null;
}

export interface ErrorReport {
  code: string;
  message: string;
}

export interface AttemptEvent {
  attempt_id: number;
  state: AttemptState;
  detail: string | null;
  at: number;
}

export interface AttemptDetail {
  id: number;
  order_id: number;
  channel: Channel;
  state: AttemptState;
  idempotency_key: string;
  amount_minor: number;
  gateway_ref: string | null;
  pay_url: string | null;
  error_code: string | null;
  error_message: string | null;
  coupon: string | null;
  credit_minor: number | null;
  /** How often the reconciler asked the gateway about this attempt. */
  checks: number;
  created_at: number;
  updated_at: number;
  /** Decimal string in the main unit, formatted by the backend. */
  amount: string;
  error: ErrorReport | null;
  events: AttemptEvent[];
}

export interface OrderDetail {
  order: OrderView;
  attempts: AttemptDetail[];
}

export interface PaymentReport {
  order_no: string;
  state: AttemptState;
  attempt_id: number;
  channel: Channel;
  idempotency_key: string;
  gateway_ref: string | null;
  pay_url: string | null;
  error: ErrorReport | null;
}

export interface IpcError {
  kind: string;
  message: string;
}

export type OrderSort = "created" | "order_no" | "amount";

export interface OrderQuery {
  text?: string | null;
  state?: AttemptState | null;
  channel?: Channel | null;
  profile?: string | null;
  from_ms?: number | null;
  to_ms?: number | null;
  sort: OrderSort;
  descending: boolean;
  offset: number;
  limit: number;
}

export interface OrderPage {
  total: number;
  offset: number;
  rows: OrderView[];
}

export type LookupMatch = "order_no" | "gateway_ref" | "idempotency_key" | "pay_url" | "subject";

export interface LookupHit {
  order_no: string;
  matched: LookupMatch;
  value: string;
}

export interface Deduction {
  id: string;
  amount: string;
}

export interface PayInput {
  orderNo: string;
  channel: Channel;
  deductions: Deduction[];
  coupon: string | null;
  creditAmount: string | null;
}

/** Exact amounts computed by the backend; every string is a decimal in the order's currency. */
export interface Quote {
  currency: string;
  amount: string;
  amount_minor: number;
  deducted: string;
  deducted_minor: number;
  remaining: string;
  remaining_minor: number;
  credit: string | null;
  balance: string | null;
}

export interface TakingsRow {
  channel: Channel;
  state: AttemptState;
  currency: string;
  count: number;
  amount_minor: number;
  amount: string;
}

export interface Activity {
  /** Open attempts on gateways the reconciler can ask. */
  in_flight: number;
  /** Pending on a gateway without a status query: nothing settles them by itself. */
  unasked: number;
  needs_review: number;
}

export interface GatewayReach {
  profile: string;
  is_sandbox: boolean;
  reachable: boolean;
  detail: string;
}

export interface StorageStatus {
  state: "ok" | "checking" | "problem";
  detail: string | null;
}

export interface StatusChecks {
  gateways: GatewayReach[];
  storage: StorageStatus;
}

export interface GatewayInfo {
  id: string;
  capabilities: Capabilities;
}

export interface SecretState {
  key: string;
  set: boolean;
}

export interface ConnectionReport {
  reachable: boolean;
  detail: string;
  missing_secrets: string[];
}

export type FileFormat = "csv" | "json";

/** `import-progress`: counts so far, after each batch the backend writes. */
export interface ImportProgress {
  rows_read: number;
  imported: number;
  rejected: number;
}

export interface RowError {
  /** The file's line (CSV) or the 1-based element (JSON). */
  line: number;
  order_no: string | null;
  reason: string;
}

export interface ImportSummary {
  rows: number;
  imported: number;
  rejected_count: number;
  /** The first rejected rows; `rejected_count` counts them all. */
  rejected: RowError[];
}

export interface ExportFile {
  file_name: string;
  media_type: string;
  rows: number;
  content: string;
}
