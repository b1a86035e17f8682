// Typed wrappers over the app's IPC commands: the only place the UI talks to the backend.
import { invoke } from "@tauri-apps/api/core";
import type {
  AppInfo,
  Channel,
  IpcError,
  OrderDetail,
  OrderView,
  PaymentReport,
  ProfileView,
} from "./types";

export const api = {
  appInfo: () => invoke<AppInfo>("app_info"),
  listOrders: () => invoke<OrderView[]>("list_orders"),
  listProfiles: () => invoke<ProfileView[]>("list_profiles"),
  orderDetail: (orderNo: string) => invoke<OrderDetail>("order_detail", { orderNo }),
  payOrder: (orderNo: string, channel: Channel) =>
    invoke<PaymentReport>("pay_order", { orderNo, channel, deductions: [] }),
};

/** Any rejection from IPC as a readable message. */
export function errorMessage(e: unknown): string {
  if (typeof e === "string") return e;
  if (e && typeof e === "object" && "message" in e) return String((e as IpcError).message);
  return "Unexpected error";
}
