// The orders list as pages of the back end's: the table asks only for the pages near what it
// shows, each one a query of its own, so three million orders cost what a screenful does.
import { keepPreviousData, useQuery, useQueryClient, type Query } from "@tanstack/react-query";
import { useEffect } from "react";
import type { OrderPage, OrderView } from "../types";
import type { OrderListing, OrderPageKey } from "./keys";
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
  return { total: query.data ?? null, error: query.error };
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
 * The most pages the drawn rows can span. A number fixed in advance, because each page is a
 * hook of its own (see useOrderRows). Four hold the rows drawn in a window up to 9,000 px tall,
 * taller than any screen (an 8K screen on its side is 7,680 px).
 */
export const DRAWN_PAGES = 4;

/** The pages rows `first` to `last` are on. */
function pagesOf(first: number, last: number): number[] {
  const pages: number[] = [];
  for (let p = Math.floor(Math.max(0, first) / PAGE_SIZE); p <= Math.floor(Math.max(0, last) / PAGE_SIZE); p++) pages.push(p);
  return pages;
}

/**
 * Page `page` of `listing`, showing while it is on its way the same page of the listing this
 * hook showed before: a new search keeps its last rows on screen until its own are in, rather
 * than drawing rows of "loading" for a frame and its results a frame later.
 */
function pageShownInPlace(listing: OrderListing, page: number) {
  return {
    ...orderPageQuery(listing, page),
    placeholderData: (previous: OrderPage | undefined, previousQuery: Query<OrderPage, Error, OrderPage, OrderPageKey> | undefined) =>
      previousQuery?.queryKey[2] === page ? previous : undefined,
  };
}

/**
 * The rows `first` to `last` of `listing` (of `total`), and the next page asked for ahead once
 * they come within half a page of it, so scrolling on rarely meets rows still loading.
 *
 * Each drawn page is a `useQuery` of its own, in a fixed number of places, rather than one
 * `useQueries` over however many there are: `useQueries` takes a new set of pages in an effect
 * after the table is drawn and draws the table again, while a `useQuery` given a page it has
 * cached shows it in the same drawing, so a search's results are drawn once.
 */
export function useOrderRows(listing: OrderListing, total: number | null, first: number, last: number) {
  const queryClient = useQueryClient();
  const drawn = total === null ? [0] : pagesOf(first, Math.min(total - 1, last)).slice(0, DRAWN_PAGES);
  const at = (slot: number) => pageShownInPlace(listing, drawn[slot] ?? drawn[0] ?? 0);
  const results = [useQuery(at(0)), useQuery(at(1)), useQuery(at(2)), useQuery(at(3))];

  const ahead = total === null ? [] : pagesOf(first - PAGE_SIZE / 2, Math.min(total - 1, last + PAGE_SIZE / 2)).filter((p) => !drawn.includes(p));
  const aheadKey = ahead.join();
  useEffect(() => {
    for (const page of ahead) void queryClient.prefetchQuery(orderPageQuery(listing, page));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- aheadKey is ahead as a value
  }, [queryClient, listing, aheadKey]);

  const rowAt = (index: number): OrderView | undefined => {
    const slot = drawn.indexOf(Math.floor(index / PAGE_SIZE));
    return slot < 0 ? undefined : results[slot]?.data?.rows[index % PAGE_SIZE];
  };
  return { rowAt, error: results.find((r) => r.error)?.error ?? null };
}
