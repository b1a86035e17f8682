import { useQueryClient } from "@tanstack/react-query";
import type { SortingState } from "@tanstack/react-table";
import { useMemo, useState, useSyncExternalStore } from "react";
import type { OrderListing } from "../queries/keys";
import { orderPageQuery, useMerchantZone } from "../queries/reads";
import type { OrderFilters } from "../queries/paging";
import type { AttemptState, Channel, OrderSort } from "../types";
import { dateInputToMs } from "../words";

/**
 * The search the list is narrowed by: what the search box held once typing paused (TopBar keeps
 * the box's own text, so a keystroke draws only the box). Held outside React's state, so that a
 * search draws what shows it (the list and its count, useListing) rather than the whole window.
 */
class SettledSearch {
  #text = "";
  #asked = 0;
  #listeners = new Set<() => void>();
  get = () => this.#text;
  /**
   * Narrows the list to `text` once `firstPage` (its first page, asked for) is in: until then
   * the list shows the last search's rows, and then it is drawn once, with the results. A later
   * search asked meanwhile wins, whichever answer comes first.
   */
  ask(text: string, firstPage: Promise<unknown>) {
    const asked = ++this.#asked;
    void firstPage.then(() => {
      if (asked !== this.#asked || text === this.#text) return;
      this.#text = text;
      for (const listener of this.#listeners) listener();
    });
  }
  subscribe = (listener: () => void) => {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  };
}

/** What the orders list is narrowed to and sorted by: the search box, the filters, the sort. */
export function useOrderFilters() {
  const queryClient = useQueryClient();
  const [search] = useState(() => new SettledSearch());
  const [state, setState] = useState<AttemptState | "">("");
  const [channel, setChannel] = useState<Channel | "">("");
  const [profile, setProfile] = useState("");
  const [desk, setDesk] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [sorting, setSorting] = useState<SortingState>([]);
  // The days typed are the merchant's, as the day report's and the dashboard's are.
  const zone = useMerchantZone();

  const filters: OrderFilters = useMemo(
    () => ({
      text: null,
      state: state || null,
      channel: channel || null,
      profile: profile || null,
      desk: desk || null,
      from_ms: dateInputToMs(from, 0, zone),
      to_ms: dateInputToMs(to, 1, zone),
    }),
    [state, channel, profile, desk, from, to, zone],
  );
  const narrowing: OrderListing = useMemo(
    () => ({
      ...filters,
      sort: (sorting[0]?.id as OrderSort | undefined) ?? "created",
      descending: sorting[0] ? sorting[0].desc : true,
    }),
    [filters, sorting],
  );

  return {
    /** Narrows the list to `text` (the search box's text, trimmed) as soon as its first page is in. */
    searchNow: (next: string) => search.ask(next, queryClient.prefetchQuery(orderPageQuery({ ...narrowing, text: next || null }, 0))),
    search,
    state,
    setState,
    channel,
    setChannel,
    profile,
    setProfile,
    desk,
    setDesk,
    from,
    setFrom,
    to,
    setTo,
    sorting,
    setSorting,
    /** The filters and sort without the search: what changes with a click, not a keystroke. */
    narrowing,
    /** Whether any filter (not the search) narrows the list. */
    filtered: Boolean(state || channel || profile || desk || from || to),
    clearFilters: () => {
      setState("");
      setChannel("");
      setProfile("");
      setDesk("");
      setFrom("");
      setTo("");
    },
  };
}

export type OrderFilterState = ReturnType<typeof useOrderFilters>;

/** The orders `filters` list, the settled search with them: whoever asks draws again with each search. */
export function useListing(filters: OrderFilterState): OrderListing {
  const { search, narrowing } = filters;
  const text = useSyncExternalStore(search.subscribe, search.get);
  return useMemo(() => (text ? { ...narrowing, text } : narrowing), [narrowing, text]);
}
