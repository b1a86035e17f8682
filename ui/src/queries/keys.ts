// Every query's key, made here and nowhere else. A key starts with its tag: invalidating a tag
// reaches every query under it (all pages of every listing, every order's detail), and the
// rest of the key narrows it to one (one listing's page, one order's detail).
import type { AuditQuery, LookupInput, OrderQuery, PayInput } from "../types";

const Tag = {
  AppInfo: "app-info",
  Profiles: "profiles",
  Gateways: "gateways",
  Secrets: "secrets",
  StatusChecks: "status-checks",
  OrderPages: "order-pages",
  OrderDetail: "order-detail",
  Lookup: "lookup",
  /** The takings and the attempts the reconciler is working on: counts over every order. */
  Dashboard: "dashboard",
  Quote: "quote",
  /** Who every write is recorded as: this desk and its operator. */
  DeskNames: "desk-names",
  /** The desks that took orders' latest payments (the orders list's desk filter). */
  Desks: "desks",
  /** The audit trail: every change of orders, payments and profiles writes an entry. */
  Audit: "audit",
  /** This desk's shifts (交班): the open one, the list, each report. Any payment may change
   * the open shift's report (and a closed one's settled-after-close list). */
  Shift: "shift",
  Merchant: "merchant",
} as const;

/** What the orders list shows: its filters and order, without the paging. */
export type OrderListing = Omit<OrderQuery, "offset" | "limit">;

export const keys = {
  appInfo: () => [Tag.AppInfo] as const,
  profiles: () => [Tag.Profiles] as const,
  gateways: () => [Tag.Gateways] as const,
  secrets: (profile: string) => [Tag.Secrets, profile] as const,
  statusChecks: () => [Tag.StatusChecks] as const,
  orderPages: () => [Tag.OrderPages] as const,
  orderPage: (listing: OrderListing, page: number) => [Tag.OrderPages, listing, page] as const,
  orderDetail: (orderNo: string | null) => [Tag.OrderDetail, orderNo] as const,
  lookups: () => [Tag.Lookup] as const,
  lookup: (input: LookupInput | null) => [Tag.Lookup, input] as const,
  dashboard: () => [Tag.Dashboard] as const,
  takings: (sinceMs: number) => [Tag.Dashboard, "takings", sinceMs] as const,
  dailyTotals: (days: number, dayMs: number) => [Tag.Dashboard, "daily", days, dayMs] as const,
  activity: () => [Tag.Dashboard, "activity"] as const,
  /** The manager's day, which shows this desk's open shift too. */
  managerDays: () => [Tag.Dashboard, "manager-day"] as const,
  managerDay: (dayMs: number) => [Tag.Dashboard, "manager-day", dayMs] as const,
  quote: (input: PayInput | null) => [Tag.Quote, input] as const,
  deskNames: () => [Tag.DeskNames] as const,
  desks: () => [Tag.Desks] as const,
  audits: () => [Tag.Audit] as const,
  audit: (query: AuditQuery) => [Tag.Audit, query] as const,
  shifts: () => [Tag.Shift] as const,
  currentShift: () => [Tag.Shift, "current"] as const,
  shiftList: (allDesks: boolean) => [Tag.Shift, "list", allDesks] as const,
  /** A shift's report; `null`: the open shift's, else the desk's last. */
  shiftReport: (shiftId: number | null) => [Tag.Shift, "report", shiftId] as const,
  /** What every desk took on a day (`null`: today); under the shifts' tag, as every payment
   * may change it. */
  dayReport: (date: string | null) => [Tag.Shift, "day", date] as const,
  /** The merchant's name, address and time zone. */
  merchant: () => [Tag.Merchant] as const,
};

/** The query key of one page of the orders list. */
export type OrderPageKey = ReturnType<typeof keys.orderPage>;
