// The window's one cache of the back end's state.
import { QueryClient } from "@tanstack/react-query";
import { FIRST_LISTING } from "./paging";
import { appInfoQuery, orderPageQuery } from "./reads";

export function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // An answer stays right until the back end says what changed (useBackendChanges) or a
        // mutation here changed it; the status bar's checks poll on their own.
        staleTime: Infinity,
        // The back end is in this process: a refused command is refused again at once, and
        // neither going offline nor the window's focus says anything about it.
        retry: false,
        networkMode: "always",
        refetchOnWindowFocus: false,
        refetchOnReconnect: false,
      },
      mutations: { networkMode: "always" },
    },
  });
}

/**
 * The first screen's data, asked for before React draws anything: the app's state and the
 * first page of orders, at once rather than one after the other. Unless the back end is known
 * not to have started, the orders need not wait for the app's state.
 */
export function prefetchFirstScreen(queryClient: QueryClient) {
  void queryClient.prefetchQuery(appInfoQuery());
  // The start-up bench reads when it came (src-tauri/bench/src/startup.rs).
  void queryClient.prefetchQuery(orderPageQuery(FIRST_LISTING, 0)).then(() => performance.mark("paydesk:first-page"));
}
