import type { SortingState } from "@tanstack/react-table";
import { useMemo, useState } from "react";
import type { OrderListing } from "../queries/keys";
import type { OrderFilters } from "../queries/paging";
import type { AttemptState, Channel, OrderSort } from "../types";
import { dateInputToMs } from "../words";

/** What the orders list is narrowed to and sorted by: the search box, the filters, the sort. */
export function useOrderFilters() {
  // The search the list is narrowed by: what the search box held once typing paused (TopBar
  // keeps the box's own text, so a keystroke draws only the box).
  const [text, setText] = useState("");
  const [state, setState] = useState<AttemptState | "">("");
  const [channel, setChannel] = useState<Channel | "">("");
  const [profile, setProfile] = useState("");
  const [desk, setDesk] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [sorting, setSorting] = useState<SortingState>([]);

  const filters: OrderFilters = useMemo(
    () => ({
      text: text || null,
      state: state || null,
      channel: channel || null,
      profile: profile || null,
      desk: desk || null,
      from_ms: dateInputToMs(from),
      to_ms: dateInputToMs(to, 1),
    }),
    [text, state, channel, profile, desk, from, to],
  );
  const listing: OrderListing = useMemo(
    () => ({
      ...filters,
      sort: (sorting[0]?.id as OrderSort | undefined) ?? "created",
      descending: sorting[0] ? sorting[0].desc : true,
    }),
    [filters, sorting],
  );

  return {
    /** Narrows the list to `reference` now (the search box's text, trimmed). */
    searchNow: setText,
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
    filters,
    listing,
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
