// Typed wrappers over the app's IPC commands: the only place the UI talks to the backend.
import { invoke } from "@tauri-apps/api/core";
import type {
  Activity,
  AppInfo,
  ConnectionReport,
  ExportFile,
  FileFormat,
  ImportSummary,
  GatewayInfo,
  IpcError,
  LookupHit,
  OrderDetail,
  OrderPage,
  OrderQuery,
  OrderView,
  PayInput,
  PaymentReport,
  ProfileView,
  Quote,
  SecretState,
  StatusChecks,
  TakingsRow,
} from "./types";

function payArgs(p: PayInput) {
  return {
    orderNo: p.orderNo,
    channel: p.channel,
    deductions: p.deductions,
    coupon: p.coupon,
    creditAmount: p.creditAmount,
  };
}

export const api = {
  appInfo: () => invoke<AppInfo>("app_info"),
  listProfiles: () => invoke<ProfileView[]>("list_profiles"),
  listGateways: () => invoke<GatewayInfo[]>("list_gateways"),
  queryOrders: (query: OrderQuery) => invoke<OrderPage>("query_orders", { query }),
  lookup: (reference: string) => invoke<LookupHit[]>("lookup", { reference }),
  orderDetail: (orderNo: string) => invoke<OrderDetail>("order_detail", { orderNo }),
  quote: (input: PayInput) => invoke<Quote>("quote", payArgs(input)),
  pay: (input: PayInput) => invoke<PaymentReport>("pay_order", payArgs(input)),
  addOrder: (o: { profile: string; orderNo: string; amount: string; currency: string; subject: string }) =>
    invoke<OrderView>("add_order", o),
  checkStatus: (attemptId: number) => invoke<OrderDetail>("check_status", { attemptId }),
  resolveReview: (attemptId: number, decision: "succeeded" | "failed", note: string) =>
    invoke<OrderDetail>("resolve_review", { attemptId, decision, note }),
  takings: (sinceMs: number) => invoke<TakingsRow[]>("takings", { sinceMs }),
  activity: () => invoke<Activity>("activity"),
  statusChecks: () => invoke<StatusChecks>("status_checks"),
  saveProfile: (p: { name: string; gateway: string; baseUrl: string; settings: Record<string, string>; create: boolean }) =>
    invoke<ProfileView>("save_profile", p),
  removeProfile: (profile: string) => invoke<void>("remove_profile", { profile }),
  secretStatus: (profile: string) => invoke<SecretState[]>("secret_status", { profile }),
  /** The value goes to the OS keyring; nothing sends it back. */
  setSecret: (profile: string, key: string, value: string) =>
    invoke<SecretState[]>("set_secret", { profile, key, value }),
  deleteSecret: (profile: string, key: string) => invoke<SecretState[]>("delete_secret", { profile, key }),
  testConnection: (profile: string) => invoke<ConnectionReport>("test_connection", { profile }),
  /** The file's text, read in the page; progress arrives as `import-progress` events. */
  importOrders: (content: string, format: FileFormat, profile: string | null) =>
    invoke<ImportSummary>("import_orders", { content, format, profile }),
  exportOrders: (query: Partial<OrderQuery>, format: FileFormat) => invoke<ExportFile>("export_orders", { query, format }),
};

/** Any rejection from IPC as a readable message. */
export function errorMessage(e: unknown): string {
  if (typeof e === "string") return e;
  if (e && typeof e === "object" && "message" in e) return String((e as IpcError).message);
  return "Unexpected error";
}

export function errorKind(e: unknown): string | null {
  return e && typeof e === "object" && "kind" in e ? String((e as IpcError).kind) : null;
}
