// The window's writes. Each one marks stale exactly what it changed, in the words of the change
// the back end would announce for it (changes.ts), and keeps any fresh answer it got back.
import { useMutation, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api } from "../api";
import type { Actor, AppInfo, DataSet, FileFormat, Lang, Merchant, OrderDetail, PayInput, SecretState, Shift } from "../types";
import { invalidateFor } from "./changes";
import { keys } from "./keys";

/** An attempt's new state straight into its order's detail, and the lists marked stale. */
function attemptSettled(queryClient: QueryClient, detail: OrderDetail, attemptId: number) {
  queryClient.setQueryData(keys.orderDetail(detail.order.order_no), detail);
  void invalidateFor(queryClient, { kind: "attempts", order_nos: [detail.order.order_no], attempt_ids: [attemptId] });
}

export function usePay() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: PayInput) => api.pay(input),
    // A refused payment may still have left an attempt behind (sent, its answer lost).
    onSettled: (report, _error, input) =>
      void invalidateFor(queryClient, { kind: "attempts", order_nos: [input.orderNo], attempt_ids: report ? [report.attempt_id] : [] }),
  });
}

export function useCheckStatus() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (attemptId: number) => api.checkStatus(attemptId),
    onSuccess: (detail, attemptId) => attemptSettled(queryClient, detail, attemptId),
  });
}

export function useResolveReview(attemptId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ decision, note, codeUnusable }: { decision: "succeeded" | "failed"; note: string; codeUnusable: boolean }) =>
      api.resolveReview(attemptId, decision, note, codeUnusable),
    onSuccess: (detail) => attemptSettled(queryClient, detail, attemptId),
  });
}

export function useAddOrder() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: api.addOrder,
    onSuccess: (order) => void invalidateFor(queryClient, { kind: "orders", order_nos: [order.order_no] }),
  });
}

export function useEditOrder() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: api.editOrder,
    onSuccess: (order) => void invalidateFor(queryClient, { kind: "orders", order_nos: [order.order_no] }),
  });
}

export function useCancelOrder(orderNo: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (note: string | null) => api.cancelOrder(orderNo, note),
    onSuccess: () => void invalidateFor(queryClient, { kind: "orders", order_nos: [orderNo] }),
  });
}

export function useImportOrders() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ format, profile }: { format: FileFormat; profile: string | null }) => api.importChosenFile(format, profile),
    // Only new orders: no order already here changes.
    onSuccess: () => void invalidateFor(queryClient, { kind: "orders", order_nos: [] }),
  });
}

export function useSaveProfile() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: api.saveProfile,
    onSuccess: (profile) => void invalidateFor(queryClient, { kind: "profiles", names: [profile.name] }),
  });
}

/** What `save_profile` takes: a profile as the form has it. */
export type ProfileInput = Parameters<typeof api.saveProfile>[0];

/** The other data set is open: its app state in place of the last one's, and everything the
 * window holds from the last one marked stale (the back end says so too, a moment later). */
function dataSetSwitched(queryClient: QueryClient, info: AppInfo) {
  queryClient.setQueryData(keys.appInfo(), info);
  // The last set's checks say nothing of this one (whether it may only read, above all):
  // forgotten, so that the new app state speaks until they come back.
  void queryClient.resetQueries({ queryKey: keys.statusChecks() });
  void invalidateFor(queryClient, { kind: "everything" });
}

/** Opens the demo or the live data in place of the other; both are kept as they are. */
export function useSwitchDataSet() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (set: DataSet) => api.switchDataSet(set),
    onSuccess: (info) => dataSetSwitched(queryClient, info),
  });
}

/** A real gateway's profile the demo refused: the live data is opened and the profile added
 * there, as a new one (the demo's profile of that name stays in the demo). */
export function useAddProfileInLive() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: ProfileInput) => {
      dataSetSwitched(queryClient, await api.switchDataSet("live"));
      return api.saveProfile({ ...input, create: true });
    },
    onSuccess: (profile) => void invalidateFor(queryClient, { kind: "profiles", names: [profile.name] }),
  });
}

export function useRemoveProfile() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (profile: string) => api.removeProfile(profile),
    onSuccess: (_nothing, profile) => void invalidateFor(queryClient, { kind: "profiles", names: [profile] }),
  });
}

/** Stores or deletes one secret of `profile`; the answer is the profile's secrets as they now are. */
export function useSecret(profile: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ key, value }: { key: string; value: string | null }): Promise<SecretState[]> =>
      value === null ? api.deleteSecret(profile, key) : api.setSecret(profile, key, value),
    onSuccess: (states) => {
      queryClient.setQueryData(keys.secrets(profile), states);
      // The audit trail has the key that was set or deleted (never its value).
      void queryClient.invalidateQueries({ queryKey: keys.audits() });
    },
  });
}

/** An attempt's events with the customer's personal data in its raw answers: the back end
 * sends them once the audit trail has recorded that they are shown, so nothing is seen that
 * the trail lacks. */
export function useRevealPersonalData(attemptId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.personalDataRevealed(attemptId),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: keys.audits() }),
  });
}

/** Renames the desk and its operator. Only later writes carry the new names: what is already
 * recorded (every order's detail) keeps the names it was written with. */
export function useSaveDeskNames() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (names: Actor) => api.saveDeskNames(names),
    onSuccess: (names) => {
      queryClient.setQueryData(keys.deskNames(), names);
      void queryClient.invalidateQueries({ queryKey: keys.deskNames() });
    },
  });
}

/** A shift opened or closed here: the open shift as it now is, and every shift read (the list,
 * the reports) and the audit trail marked stale (the back end says so too, a moment later). */
function shiftChanged(queryClient: QueryClient, open: Shift | null) {
  queryClient.setQueryData(keys.currentShift(), open);
  void queryClient.invalidateQueries({ queryKey: keys.shifts() });
  void queryClient.invalidateQueries({ queryKey: keys.audits() });
  // The dashboard's manager part shows the open shift.
  void queryClient.invalidateQueries({ queryKey: keys.managerDays() });
}

/** Opens a shift at this desk (refused while one is open: `shift_open`) for `operator`, where
 * one is named: the desk's operator becomes them first, so the shift and every payment in it
 * are theirs, not the last operator's. */
export function useOpenShift() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (operator?: string) => api.openShift(operator?.trim() || null),
    onSuccess: (shift) => {
      shiftChanged(queryClient, shift);
      // The operator named is the desk's now.
      void queryClient.invalidateQueries({ queryKey: keys.deskNames() });
    },
    // Refused because another window opened one: that one is shown.
    onError: () => void queryClient.invalidateQueries({ queryKey: keys.shifts() }),
  });
}

/** Closes this desk's shift over the open payments the operator acknowledged; its report. */
export function useCloseShift() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (acknowledged: number[]) => api.closeShift(acknowledged),
    onSuccess: (report) => {
      shiftChanged(queryClient, null);
      queryClient.setQueryData(keys.shiftReport(report.shift.id), report);
    },
    // Refused over payments the report did not show yet: the report is read again.
    onError: () => void queryClient.invalidateQueries({ queryKey: keys.shifts() }),
  });
}

/** Issues a receipt of the order's payment in `lang`: the store records it, so every later one
 * of the same payment is a copy. The audit trail has the receipt. */
export function useIssueReceipt() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ orderNo, lang }: { orderNo: string; lang: Lang }) => api.issueReceipt(orderNo, lang),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: keys.audits() }),
  });
}

/** Keeps the merchant's name, address and time zone: the settings as kept, and the day
 * reports (whose days follow the zone) and the audit trail marked stale. A refusal changes
 * nothing. */
export function useSaveMerchant() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (settings: Merchant) => api.setMerchantSettings(settings),
    onSuccess: (view) => {
      queryClient.setQueryData(keys.merchant(), view);
      void queryClient.invalidateQueries({ queryKey: keys.shifts() });
      void queryClient.invalidateQueries({ queryKey: keys.audits() });
    },
  });
}
