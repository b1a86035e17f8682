// The orders list's paging: which back-end page holds which rows.
import type { OrderQuery } from "../types";
import type { OrderListing } from "./keys";

/** Rows per back-end page: the table asks only for the pages it is showing. */
export const PAGE_SIZE = 100;

export type OrderFilters = Omit<OrderListing, "sort" | "descending">;

/** Every order: the list's filters before anyone chooses one. */
const NO_FILTERS: OrderFilters = { text: null, state: null, channel: null, profile: null, desk: null, from_ms: null, to_ms: null };

/** The list the window opens on: every order, newest first. */
export const FIRST_LISTING: OrderListing = { ...NO_FILTERS, sort: "created", descending: true };

/** Whether the search or a filter leaves orders out of `listing`. */
export function narrowed(listing: OrderListing): boolean {
  return (Object.keys(NO_FILTERS) as (keyof OrderFilters)[]).some((filter) => {
    const value = listing[filter];
    return value !== null && value !== undefined && value !== "";
  });
}

/** The back-end page `page` of `listing`. */
export function pageQuery(listing: OrderListing, page: number): OrderQuery {
  return { ...listing, offset: page * PAGE_SIZE, limit: PAGE_SIZE };
}
