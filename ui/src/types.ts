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
