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

/** Commands started before anything asked for them (`preload`), each waiting for its first caller. */
const preloaded = new Map<string, Promise<unknown>>();
const callKey = (cmd: string, args: Record<string, unknown> = {}) => `${cmd} ${JSON.stringify(args)}`;

/**
 * Starts a command now, as the page's script starts and before React has drawn anything, so
 * its answer is on the way by the time the first screen asks for it. The first call of the
 * same command with the same arguments takes it over; later calls go to the back end.
 */
export function preload(cmd: string, args: Record<string, unknown> = {}) {
  const answer = invoke(cmd, args);
  // Whoever takes it over sees a refusal; until then it is not an unhandled one.
  answer.catch(() => {});
  preloaded.set(callKey(cmd, args), answer);
}

function call<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
  const key = callKey(cmd, args);
  const early = preloaded.get(key);
  if (early) {
    preloaded.delete(key);
    return early as Promise<T>;
  }
  return invoke<T>(cmd, args);
}

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
  appInfo: () => call<AppInfo>("app_info"),
  listProfiles: () => invoke<ProfileView[]>("list_profiles"),
  listGateways: () => invoke<GatewayInfo[]>("list_gateways"),
  queryOrders: (query: OrderQuery) => call<OrderPage>("query_orders", { query }),
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
