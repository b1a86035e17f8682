// What each kind of change makes stale. The back end's `change` events and this window's own
// mutations both come through here, so a view is refreshed the same way whoever changed it.
import type { QueryClient, QueryKey } from "@tanstack/react-query";
import type { Change } from "../types";
import { keys } from "./keys";

/** Everything that counts or lists orders: a new or changed order may show in any of them; the
 * audit trail, which has an entry for each change; and the shifts, whose reports count payments. */
const ORDER_LISTS: QueryKey[] = [keys.orderPages(), keys.lookups(), keys.dashboard(), keys.desks(), keys.audits(), keys.shifts()];

function staleAfter(change: Exclude<Change, { kind: "everything" }>): QueryKey[] {
  switch (change.kind) {
    case "profiles":
      // The status checks dial each profile's gateway; the audit trail has the change's entry.
      return [keys.profiles(), keys.gateways(), keys.statusChecks(), keys.audits(), ...change.names.map((name) => keys.secrets(name))];
    case "orders":
      return [...ORDER_LISTS, ...change.order_nos.map((orderNo) => keys.orderDetail(orderNo))];
    case "attempts":
      // Not the status checks: they dial gateways and probe the disk, which no payment changes
      // (the counts of open payments are the dashboard's activity).
      return [...ORDER_LISTS, ...change.order_nos.map((orderNo) => keys.orderDetail(orderNo))];
  }
}

/** Marks what `change` touched stale; whatever of it is on screen is asked for again. */
export async function invalidateFor(queryClient: QueryClient, change: Change): Promise<void> {
  if (change.kind === "everything") return queryClient.invalidateQueries();
  await Promise.all(staleAfter(change).map((queryKey) => queryClient.invalidateQueries({ queryKey })));
}
