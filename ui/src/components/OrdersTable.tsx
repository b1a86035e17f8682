import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable, type SortingState } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useTranslation } from "react-i18next";
import { api, errorMessage } from "../api";
import type { OrderQuery, OrderSort, OrderView } from "../types";
import { formatMoney, formatTime } from "../words";
import { SandboxBadge, StateBadge } from "./StateBadge";

/** Rows per backend page: the table asks only for the pages it is showing. */
export const PAGE_SIZE = 100;
// 32px rows keep a million of them under the browsers' ~33.5M px limit on an element's height.
const ROW_HEIGHT = 32;

export type OrderFilters = Omit<OrderQuery, "offset" | "limit" | "sort" | "descending">;

interface Props {
  filters: OrderFilters;
  /** Changes whenever orders may have changed (a payment, the reconciler). */
  refreshToken: number;
  selected: string | null;
  onSelect: (order: OrderView) => void;
  onTotal?: (total: number) => void;
  onError: (message: string) => void;
}

const column = createColumnHelper<OrderView>();

export function OrdersTable({ filters, refreshToken, selected, onSelect, onTotal, onError }: Props) {
  const { t } = useTranslation();
  const [sorting, setSorting] = useState<SortingState>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [pages, setPages] = useState<Map<number, OrderView[]>>(new Map());
  const scrollRef = useRef<HTMLDivElement>(null);
  const inFlight = useRef(new Set<string>());

  const sort: OrderSort = (sorting[0]?.id as OrderSort | undefined) ?? "created";
  const descending = sorting[0] ? sorting[0].desc : true;
  const queryKey = JSON.stringify({ filters, sort, descending });

  // eslint-disable-next-line react-hooks/incompatible-library -- read afresh on every render, never memoized
  const virtualizer = useVirtualizer({
    count: total ?? 0,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,

  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  const fetchPage = useCallback(
    (page: number, key: string, replace: boolean) => {
      const tag = `${key}#${page}`;
      if (inFlight.current.has(tag)) return;
      inFlight.current.add(tag);
      const query: OrderQuery = { ...filters, sort, descending, offset: page * PAGE_SIZE, limit: PAGE_SIZE };
      api
        .queryOrders(query)
        .then((result) => {
          if (keyRef.current !== key) return;
          setTotal(result.total);
          setPages((old) => {
            const next = replace ? new Map<number, OrderView[]>() : new Map(old);
            next.set(page, result.rows);
            return next;
          });
        })
        .catch((e) => onError(errorMessage(e)))
        .finally(() => inFlight.current.delete(tag));
    },
    [filters, sort, descending, onError],
  );

  // A new query starts from the top; a refresh reloads what is on screen in place, so the
  // list never loses its scroll position.
  const keyRef = useRef(queryKey);
  useEffect(() => {
    const changed = keyRef.current !== queryKey;
    keyRef.current = queryKey;
    if (changed) {
      scrollRef.current?.scrollTo({ top: 0 });
      setPages(new Map());
    }
    const firstPage = changed ? 0 : Math.floor(first / PAGE_SIZE);
    const lastPage = changed ? 0 : Math.floor(last / PAGE_SIZE);
    for (let p = firstPage; p <= lastPage; p++) fetchPage(p, queryKey, changed && p === firstPage);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only on a new query or a refresh
  }, [queryKey, refreshToken]);

  useEffect(() => {
    if (total === null) return;
    for (let p = Math.floor(first / PAGE_SIZE); p <= Math.floor(last / PAGE_SIZE); p++) {
      if (!pages.has(p)) fetchPage(p, queryKey, false);
    }
  }, [first, last, pages, total, queryKey, fetchPage]);

  useEffect(() => {
    if (total !== null) onTotal?.(total);
  }, [total, onTotal]);

  const rowAt = (index: number) => pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  const visible = items.map((i) => rowAt(i.index)).filter((r): r is OrderView => r !== undefined);

  const columns = useMemo(
    () => [
      column.accessor("order_no", {
        id: "order_no",
        header: () => t("term.orderNo"),
        cell: (c) => <span className="mono">{c.getValue()}</span>,
        enableSorting: true,
      }),
      column.accessor("amount", {
        id: "amount",
        header: () => t("term.amount"),
        cell: (c) => formatMoney(c.getValue(), c.row.original.currency),
        meta: { numeric: true },
        enableSorting: true,
      }),
      column.accessor("profile", {
        id: "profile",
        header: () => t("term.gateway"),
        cell: (c) => (
          <>
            {c.getValue()} {c.row.original.is_sandbox && <SandboxBadge />}
          </>
        ),
        enableSorting: false,
      }),
      column.accessor("channel", {
        id: "channel",
        header: () => t("term.channel"),
        cell: (c) => (c.getValue() ? t(`channel.${c.getValue()}`) : t("common.none")),
        enableSorting: false,
      }),
      column.accessor("state", {
        id: "state",
        header: () => t("term.state"),
        cell: (c) => <StateBadge state={c.getValue()} />,
        enableSorting: false,
      }),
      column.accessor("updated_at", {
        id: "updated_at",
        header: () => t("term.lastUpdate"),
        cell: (c) => formatTime(c.getValue()),
        enableSorting: false,
      }),
      column.accessor("subject", {
        id: "subject",
        header: () => t("term.subject"),
        cell: (c) => c.getValue(),
        enableSorting: false,
      }),
    ],
    [t],
  );

  const table = useReactTable({
    data: visible,
    columns,
    getRowId: (o) => o.order_no,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    // Paging is the backend's and the data is a window onto it: a new window is not a new
    // table whose state should be reset (resetting it re-renders, which makes a new window).
    manualPagination: true,
    autoResetAll: false,
    enableSortingRemoval: true,
    sortDescFirst: false,
    state: { sorting },
    onSortingChange: setSorting,
  });
  const rowById = new Map(table.getRowModel().rows.map((r) => [r.id, r]));

  function focusRow(index: number) {
    if (total === null || index < 0 || index >= total) return;
    virtualizer.scrollToIndex(index);
    requestAnimationFrame(() => {
      scrollRef.current?.querySelector<HTMLElement>(`tr[data-index="${index}"]`)?.focus();
    });
    const order = rowAt(index);
    if (order) onSelect(order);
  }

  if (total === 0) {
    const filtered = Object.values(filters).some((v) => v !== null && v !== undefined && v !== "");
    return <p className="empty">{filtered ? t("orders.emptyFiltered") : t("orders.empty")}</p>;
  }

  const padTop = items[0]?.start ?? 0;
  const padBottom = virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0);

  return (
    <div className="table-scroll" ref={scrollRef} data-testid="orders-scroll">
      <table className="orders" aria-label={t("orders.title")} aria-rowcount={(total ?? 0) + 1}>
        <thead>
          {table.getHeaderGroups().map((g) => (
            <tr key={g.id}>
              {g.headers.map((h) => {
                const numeric = (h.column.columnDef.meta as { numeric?: boolean } | undefined)?.numeric;
                const dir = h.column.getIsSorted();
                const label = flexRender(h.column.columnDef.header, h.getContext());
                return (
                  <th
                    key={h.id}
                    scope="col"
                    className={numeric ? "num" : undefined}
                    aria-sort={dir === "asc" ? "ascending" : dir === "desc" ? "descending" : undefined}
                  >
                    {h.column.getCanSort() ? (
                      <button
                        type="button"
                        className="sort"
                        data-sort={h.id}
                        aria-label={t("orders.sortBy", { column: String(h.column.id === "amount" ? t("term.amount") : t("term.orderNo")) })}
                        onClick={h.column.getToggleSortingHandler()}
                      >
                        {label} <span aria-hidden="true">{dir === "asc" ? "▲" : dir === "desc" ? "▼" : "↕"}</span>
                      </button>
                    ) : (
                      label
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {padTop > 0 && (
            <tr aria-hidden="true" className="spacer-row">
              <td colSpan={columns.length} ref={(el) => void (el && (el.style.height = `${padTop}px`))} />
            </tr>
          )}
          {items.map((item) => {
            const order = rowAt(item.index);
            const row = order ? rowById.get(order.order_no) : undefined;
            if (!order || !row) {
              return (
                <tr key={`loading-${item.index}`} className="loading-row" data-index={item.index} aria-rowindex={item.index + 2}>
                  <td colSpan={columns.length}>{t("orders.loadingRow")}</td>
                </tr>
              );
            }
            const isSelected = order.order_no === selected;
            return (
              <tr
                key={order.order_no}
                data-order-no={order.order_no}
                data-index={item.index}
                aria-rowindex={item.index + 2}
                className={isSelected ? "selected" : undefined}
                aria-selected={isSelected}
                tabIndex={0}
                onClick={() => onSelect(order)}
                onKeyDown={(e) => {
                  if (e.key === "Enter" || e.key === " ") {
                    e.preventDefault();
                    onSelect(order);
                  } else if (e.key === "ArrowDown") {
                    e.preventDefault();
                    focusRow(item.index + 1);
                  } else if (e.key === "ArrowUp") {
                    e.preventDefault();
                    focusRow(item.index - 1);
                  }
                }}
              >
                {row.getVisibleCells().map((cell) => {
                  const numeric = (cell.column.columnDef.meta as { numeric?: boolean } | undefined)?.numeric;
                  return (
                    <td key={cell.id} className={numeric ? "num" : undefined} data-col={cell.column.id}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  );
                })}
              </tr>
            );
          })}
          {padBottom > 0 && (
            <tr aria-hidden="true" className="spacer-row">
              <td colSpan={columns.length} ref={(el) => void (el && (el.style.height = `${padBottom}px`))} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
