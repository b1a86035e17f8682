// One definition per read: its key and the command that answers it, shared by the hooks that
// show it, the prefetch before the first render and the reads a click makes (fetchQuery).
import { keepPreviousData, queryOptions, skipToken, useQuery } from "@tanstack/react-query";
import { useCallback } from "react";
import { api } from "../api";
import type { AuditQuery, LookupInput, PayInput } from "../types";
import { keys, type OrderListing } from "./keys";
import { pageQuery } from "./paging";
import { knownZone } from "../words";

export const appInfoQuery = () => queryOptions({ queryKey: keys.appInfo(), queryFn: api.appInfo });

export const profilesQuery = () => queryOptions({ queryKey: keys.profiles(), queryFn: api.listProfiles });

export const gatewaysQuery = () => queryOptions({ queryKey: keys.gateways(), queryFn: api.listGateways });

export const secretsQuery = (profile: string) =>
  queryOptions({ queryKey: keys.secrets(profile), queryFn: () => api.secretStatus(profile) });

export const deskNamesQuery = () => queryOptions({ queryKey: keys.deskNames(), queryFn: api.deskNames });

export const desksQuery = () => queryOptions({ queryKey: keys.desks(), queryFn: api.listDesks });

export const statusChecksQuery = () => queryOptions({ queryKey: keys.statusChecks(), queryFn: api.statusChecks });

/** Whether this desk may only read the shared history (a support agent's login), as the status
 * bar last learnt it (not asked again here), or until it has, as the desk opened. The window
 * then hides paying and editing; the back end refuses them all the same. */
export function useReadOnly(): boolean {
  const checks = useQuery({ ...statusChecksQuery(), enabled: false });
  const info = useQuery(appInfoQuery());
  return checks.data?.store.read_only ?? info.data?.read_only ?? false;
}

/** Until when the desk's copy of the shared history is complete (unix ms) while the shared
 * store is out of reach and the desk shows that copy, as the status bar last learnt it (not
 * asked again here); null while the store answers, and on a desk on its own. */
export function useOfflineCopyAsOf(): number | null {
  const checks = useQuery({ ...statusChecksQuery(), enabled: false });
  const store = checks.data?.store;
  return store && !store.reachable ? store.as_of : null;
}

export const activityQuery = () => queryOptions({ queryKey: keys.activity(), queryFn: api.activity });

export const takingsQuery = (sinceMs: number) =>
  queryOptions({ queryKey: keys.takings(sinceMs), queryFn: () => api.takings(sinceMs) });

/** The last `days` days' totals, asked again when the day changes (keyed by today's start). */
export const dailyTotalsQuery = (days: number, todayMs: number) =>
  queryOptions({ queryKey: keys.dailyTotals(days, todayMs), queryFn: () => api.dailyTotals(days, Date.now()) });

/** The manager's day compared, asked again when the day changes (keyed by today's start) and,
 * as "by this time" moves on, each minute the dashboard is open. */
export const managerDayQuery = (todayMs: number) =>
  queryOptions({ queryKey: keys.managerDay(todayMs), queryFn: () => api.managerDay(Date.now()), refetchInterval: 60_000 });

export const orderPageQuery = (listing: OrderListing, page: number) =>
  queryOptions({ queryKey: keys.orderPage(listing, page), queryFn: () => api.queryOrders(pageQuery(listing, page)) });

/** An order's detail; with no order, nothing is asked. */
export const orderDetailQuery = (orderNo: string | null) =>
  queryOptions({ queryKey: keys.orderDetail(orderNo), queryFn: orderNo === null ? skipToken : () => api.orderDetail(orderNo) });

/** The orders a reference was recorded for; with no reference, nothing is asked. */
export const lookupQuery = (input: LookupInput | null) =>
  queryOptions({
    queryKey: keys.lookup(input),
    queryFn:
      input === null ? skipToken : "reference" in input ? () => api.lookup(input.reference) : () => api.lookupAmount(input.amount, input.sinceMs, input.untilMs),
  });

/** The audit trail's entries `query` asks for, newest first. */
export const auditQuery = (query: AuditQuery) => queryOptions({ queryKey: keys.audit(query), queryFn: () => api.auditTrail(query) });

/** This desk's open shift, or null. */
export const currentShiftQuery = () => queryOptions({ queryKey: keys.currentShift(), queryFn: api.currentShift });
/** This desk's shifts (every desk's with `allDesks`), newest first. */
export const shiftListQuery = (allDesks: boolean) => queryOptions({ queryKey: keys.shiftList(allDesks), queryFn: () => api.listShifts(allDesks) });
/** A shift's report; `null`: the open shift's, else the desk's last. */
export const shiftReportQuery = (shiftId: number | null) =>
  queryOptions({ queryKey: keys.shiftReport(shiftId), queryFn: () => api.shiftReport(shiftId) });
/** What every desk took on a day of the merchant's calendar; `null`: today. */
export const dayReportQuery = (date: string | null) => queryOptions({ queryKey: keys.dayReport(date), queryFn: () => api.dayReport(date) });
/** The merchant's settings and the time zone its days follow. */
export const merchantQuery = () => queryOptions({ queryKey: keys.merchant(), queryFn: api.merchantSettings });
/** A price for exactly this input (none without one); never reused once its dialog has closed. */
export const quoteQuery = (input: PayInput | null) =>
  queryOptions({ queryKey: keys.quote(input), queryFn: input ? () => api.quote(input) : skipToken, gcTime: 0 });

export function useAppInfo() {
  return useQuery(appInfoQuery());
}

/** The gateway profiles, asked for once the back end is known to have started. */
export function useProfiles() {
  const info = useAppInfo().data;
  return useQuery({ ...profilesQuery(), enabled: info !== undefined && !info.startup_error });
}

/** Whether an order of the profile named is a payout (its gateway pays money out). */
export function usePaysOut(): (profile: string) => boolean {
  const profiles = useProfiles().data;
  return useCallback(
    (profile: string) => profiles?.find((p) => p.name === profile)?.capabilities?.pays_out ?? false,
    [profiles],
  );
}

/** Who is at this desk, asked for once the back end is known to have started. */
export function useDeskNames() {
  const info = useAppInfo().data;
  return useQuery({ ...deskNamesQuery(), enabled: info !== undefined && !info.startup_error });
}

/** The merchant's time zone, where one is set and this browser knows it: the calendar the
 * days of the window's filters and totals are counted on (else this computer's). */
export function useMerchantZone(): string | undefined {
  return knownZone(useMerchant().data?.time_zone);
}

/** The merchant's settings, asked for once the back end is known to have started. */
export function useMerchant() {
  const info = useAppInfo().data;
  return useQuery({ ...merchantQuery(), enabled: info !== undefined && !info.startup_error });
}

/** The desks the orders list can be narrowed to, asked for once the back end has started. */
export function useDesks() {
  const info = useAppInfo().data;
  return useQuery({ ...desksQuery(), enabled: info !== undefined && !info.startup_error });
}

/** The selected order's detail. Choosing another keeps this one shown until the other is in. */
export function useOrderDetail(orderNo: string | null) {
  const query = useQuery({ ...orderDetailQuery(orderNo), placeholderData: keepPreviousData });
  return { detail: orderNo === null ? undefined : query.data, error: query.error };
}
