// The orders list as pages of the back end's: the table asks only for the pages near what it
// shows, each one a query of its own, so three million orders cost what a screenful does.
import { keepPreviousData, useQueries, useQuery } from "@tanstack/react-query";
import type { OrderView } from "../types";
import type { OrderListing } from "./keys";
import { PAGE_SIZE } from "./paging";
import { orderPageQuery } from "./reads";

/**
 * How many orders `listing` holds, from its first page. While a new listing's first page is
 * on its way, the last listing's count stays rather than the list collapsing and growing back.
 */
export function useOrderTotal(listing: OrderListing, enabled = true) {
  const query = useQuery({
    ...orderPageQuery(listing, 0),
    enabled,
    select: (page) => page.total,
    placeholderData: keepPreviousData,
  });
  // `current`: the count is `listing`'s own, not the last listing's kept while it loads.
  return { total: query.data ?? null, error: query.error, current: !query.isPlaceholderData };
}

/**
 * Whether a first page of `listing` (or, while it is on its way, of the listing before it) is
 * in. Unlike the total it changes once, so what waits for it is not drawn again per search.
 */
export function useFirstPageIn(listing: OrderListing, enabled = true) {
  const query = useQuery({
    ...orderPageQuery(listing, 0),
    enabled,
    select: () => true,
    placeholderData: keepPreviousData,
  });
  return query.data === true;
}

/**
 * The rows `first` to `last` of `listing` (of `total`): the pages they are on, and the next
 * one once they come within half a page of it, so scrolling on rarely meets rows still loading.
 */
export function useOrderRows(listing: OrderListing, total: number | null, first: number, last: number) {
  const pages: number[] = [];
  if (total === null) pages.push(0);
  else {
    const from = Math.max(0, first - PAGE_SIZE / 2);
    const to = Math.min(total - 1, last + PAGE_SIZE / 2);
    for (let p = Math.floor(from / PAGE_SIZE); p <= Math.floor(to / PAGE_SIZE); p++) pages.push(p);
  }
  const results = useQueries({ queries: pages.map((page) => orderPageQuery(listing, page)) });
  const rowAt = (index: number): OrderView | undefined => {
    const at = pages.indexOf(Math.floor(index / PAGE_SIZE));
    return at < 0 ? undefined : results[at]?.data?.rows[index % PAGE_SIZE];
  };
  return { rowAt, error: results.find((r) => r.error)?.error ?? null };
}
