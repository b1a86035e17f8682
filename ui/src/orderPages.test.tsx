import { QueryClientProvider } from "@tanstack/react-query";
import { renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { createQueryClient } from "./queries/client";
import { useOrderRows } from "./queries/orderPages";
import { FIRST_LISTING } from "./queries/paging";
import { mockBackend, resetBackend } from "./test-backend";
import type { OrderQuery } from "./types";

afterEach(resetBackend);

/** The rows `first` to `last` of a thousand orders: the offsets of the pages asked for. */
async function pagesAskedFor(first: number, last: number) {
  const backend = mockBackend({ total: 1_000 });
  const queryClient = createQueryClient();
  const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
  const { result } = renderHook(() => useOrderRows(FIRST_LISTING, 1_000, first, last), { wrapper });
  await waitFor(() => expect(result.current.rowAt(last)).toBeDefined());
  await waitFor(() => expect(queryClient.isFetching()).toBe(0));
  const offsets = backend.calls.filter((c) => c.cmd === "query_orders").map((c) => (c.args.query as OrderQuery).offset);
  return { offsets: [...new Set(offsets)].sort((a, b) => a - b), rowAt: result.current.rowAt };
}

describe("the orders list's pages", () => {
  it("are the pages the drawn rows are on", async () => {
    const { offsets, rowAt } = await pagesAskedFor(90, 120);
    expect(offsets).toEqual([0, 100]);
    expect(rowAt(90)?.id).toBe(91);
    expect(rowAt(120)?.id).toBe(121);
    expect(rowAt(250)).toBeUndefined();
  });

  it("and the next one, asked ahead once the rows come within half a page of it", async () => {
    expect((await pagesAskedFor(0, 30)).offsets).toEqual([0]);
    expect((await pagesAskedFor(40, 70)).offsets).toEqual([0, 100]);
    expect((await pagesAskedFor(120, 140)).offsets).toEqual([0, 100]);
    expect((await pagesAskedFor(160, 180)).offsets).toEqual([100, 200]);
  });
});
