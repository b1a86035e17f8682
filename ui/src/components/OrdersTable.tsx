import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable, type SortingState } from "@tanstack/react-table";
import { useTranslation } from "react-i18next";
import { api, errorMessage } from "../api";
import { rowWindow, scrollTopToShow } from "../rowWindow";
import type { OrderQuery, OrderSort, OrderView } from "../types";
import { formatMoney, formatTime, formatWhen } from "../words";
import { SandboxBadge, StateBadge } from "./StateBadge";

/** Rows per backend page: the table asks only for the pages it is showing. */
export const PAGE_SIZE = 100;

export type OrderFilters = Omit<OrderQuery, "offset" | "limit" | "sort" | "descending">;

/** Every order: the list's filters before anyone chooses one. */
export const NO_FILTERS: OrderFilters = { text: null, state: null, channel: null, profile: null, from_ms: null, to_ms: null };

/** The backend page `page` of the list filtered by `filters`, in that order. */
export function pageQuery(filters: OrderFilters, sort: OrderSort, descending: boolean, page: number): OrderQuery {
  return { ...filters, sort, descending, offset: page * PAGE_SIZE, limit: PAGE_SIZE };
}

/** The first page the window shows: every order, newest first. */
export const FIRST_PAGE = pageQuery(NO_FILTERS, "created", true, 0);

/**
 * Column widths in px (cell padding included). Wide enough for a 27-digit order number, the
 * longest state badge in either language and a profile name with its SANDBOX badge (a long
 * name is cut, the badge never). The subject takes whatever is left, at least SUBJECT_MIN.
 */
export const COLUMN_WIDTHS = {
  order_no: 248,
  amount: 104,
  profile: 210,
  channel: 110,
  state: 122,
  updated_at: 120,
} as const;
const SUBJECT_MIN = 130;
/** The order in which columns give way as the list narrows: UX.md's column order, from the end. */
const GIVE_WAY = ["subject", "updated_at", "channel", "profile"] as const;

/**
 * Which columns fit a table `width` px wide. Order number, amount and state always show;
 * the others are left out, least important first, rather than make the list scroll sideways.
 */
export function visibleColumns(width: number): Set<string> {
  const shown = new Set<string>([...Object.keys(COLUMN_WIDTHS), "subject"]);
  const need = () =>
    [...shown].reduce((sum, c) => sum + (c === "subject" ? SUBJECT_MIN : COLUMN_WIDTHS[c as keyof typeof COLUMN_WIDTHS]), 0);
  for (const column of GIVE_WAY) {
    if (need() <= width) break;
    shown.delete(column);
  }
  return shown;
}

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
  // The row the arrow keys moved to, focused (and selected) once it is drawn and loaded.
  const pendingFocus = useRef<{ index: number; select: boolean } | null>(null);
  // The box's width decides the columns. (CSS container queries could hide cells, but
  // WebKitGTK does not lay a fixed-layout table out again when they do.)
  const [boxWidth, setBoxWidth] = useState<number | null>(null);
  // Its height, scroll position and sticky header decide which rows are drawn (rowWindow.ts).
  const [view, setView] = useState({ top: 0, height: 0, header: 0 });
  const observer = useRef<ResizeObserver | null>(null);
  const setScrollBox = useCallback((box: HTMLDivElement | null) => {
    scrollRef.current = box;
    observer.current?.disconnect();
    observer.current = null;
    if (!box) return;
    const measure = () => {
      setBoxWidth(box.clientWidth);
      const next = { top: box.scrollTop, height: box.clientHeight, header: box.querySelector("thead")?.offsetHeight ?? 0 };
      setView((v) => (v.top === next.top && v.height === next.height && v.header === next.header ? v : next));
    };
    measure();
    if (typeof ResizeObserver === "undefined") return;
    observer.current = new ResizeObserver(measure);
    observer.current.observe(box);
  }, []);
  const onScroll = useCallback(() => {
    const top = scrollRef.current?.scrollTop ?? 0;
    setView((v) => (v.top === top ? v : { ...v, top }));
  }, []);

  const sort: OrderSort = (sorting[0]?.id as OrderSort | undefined) ?? "created";
  const descending = sorting[0] ? sorting[0].desc : true;
  const queryKey = JSON.stringify({ filters, sort, descending });

  const rowsView = Math.max(0, view.height - view.header);
  const win = rowWindow(total ?? 0, view.top, rowsView);
  const first = win.start;
  const last = Math.max(win.start, win.end - 1);

  const fetchPage = useCallback(
    (page: number, key: string, replace: boolean) => {
      const tag = `${key}#${page}`;
      if (inFlight.current.has(tag)) return;
      inFlight.current.add(tag);
      const query = pageQuery(filters, sort, descending, page);
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
      setView((v) => (v.top === 0 ? v : { ...v, top: 0 }));
      setPages(new Map());
      pendingFocus.current = null;
    }
    const firstPage = changed ? 0 : Math.floor(first / PAGE_SIZE);
    const lastPage = changed ? 0 : Math.floor(last / PAGE_SIZE);
    for (let p = firstPage; p <= lastPage; p++) fetchPage(p, queryKey, changed && p === firstPage);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only on a new query or a refresh
  }, [queryKey, refreshToken]);

  useEffect(() => {
    if (total === null) return;
    // The pages drawn, and the next one once the rows drawn come within half a page of it,
    // so scrolling on rarely meets rows still loading.
    const from = Math.max(0, first - PAGE_SIZE / 2);
    const to = Math.min(total - 1, last + PAGE_SIZE / 2);
    for (let p = Math.floor(from / PAGE_SIZE); p <= Math.floor(to / PAGE_SIZE); p++) {
      if (!pages.has(p)) fetchPage(p, queryKey, false);
    }
  }, [first, last, pages, total, queryKey, fetchPage]);

  useEffect(() => {
    if (total !== null) onTotal?.(total);
  }, [total, onTotal]);

  const rowAt = (index: number) => pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  const indexes = Array.from({ length: win.end - win.start }, (_, k) => win.start + k);
  const visible = indexes.map(rowAt).filter((r): r is OrderView => r !== undefined);

  const columns = useMemo(
    () => [
      column.accessor("order_no", {
        id: "order_no",
        header: () => t("term.orderNo"),
        cell: (c) => (
          <span className="mono" title={c.getValue()}>
            {c.getValue()}
          </span>
        ),
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
        // The badge stays whole; a long profile name gives way first.
        cell: (c) => (
          <span className="cell-flex">
            <span className="clip" title={c.getValue()}>
              {c.getValue()}
            </span>
            {c.row.original.is_sandbox && <SandboxBadge />}
          </span>
        ),
        enableSorting: false,
      }),
      column.accessor("channel", {
        id: "channel",
        header: () => t("term.channel"),
        cell: (c) => {
          const channel = c.getValue();
          return channel ? t(`channel.${channel}`) : t("common.none");
        },
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
        cell: (c) => <time title={formatTime(c.getValue())}>{formatWhen(c.getValue())}</time>,
        enableSorting: false,
      }),
      column.accessor("subject", {
        id: "subject",
        header: () => t("term.subject"),
        cell: (c) => <span title={c.getValue()}>{c.getValue()}</span>,
        enableSorting: false,
      }),
    ],
    [t],
  );

  const shown = useMemo(() => (boxWidth ? visibleColumns(boxWidth) : null), [boxWidth]);
  const columnVisibility = useMemo(
    () => Object.fromEntries(columns.map((c) => [c.id!, shown ? shown.has(c.id!) : true])),
    [columns, shown],
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
    state: { sorting, columnVisibility },
    onSortingChange: setSorting,
  });
  const rowById = new Map(table.getRowModel().rows.map((r) => [r.id, r]));
  const tableKey = table.getVisibleLeafColumns().map((c) => c.id).join();

  const focusPending = () => {
    const pending = pendingFocus.current;
    if (pending === null) return;
    const tr = scrollRef.current?.querySelector<HTMLElement>(`tr[data-order-no][data-index="${pending.index}"]`);
    const order = rowAt(pending.index);
    if (!tr || !order) return;
    pendingFocus.current = null;
    // Already scrolled into view: the browser's own scrolling would not know the sticky header.
    tr.focus({ preventScroll: true });
    if (pending.select) onSelect(order);
  };
  useEffect(focusPending);

  // Opening the detail panel narrows the list and makes a new table (see below): the row that
  // had the focus gets it back, so the arrow keys go on from where they were.
  const focusedRow = useRef<number | null>(null);
  const tableKeyRef = useRef(tableKey);
  useLayoutEffect(() => {
    const changed = tableKeyRef.current !== tableKey;
    tableKeyRef.current = tableKey;
    const index = focusedRow.current;
    if (!changed || index === null || pendingFocus.current !== null) return;
    if (document.activeElement && document.activeElement !== document.body) return;
    focusRow(index, false);
  });

  /** Scrolls row `index` into view, then focuses it and, unless `select` is false, selects it. */
  function focusRow(index: number, select = true) {
    const box = scrollRef.current;
    if (total === null || index < 0 || index >= total || !box) return;
    const top = scrollTopToShow(total, index, box.scrollTop, Math.max(0, box.clientHeight - view.header));
    if (top !== box.scrollTop) box.scrollTop = top;
    pendingFocus.current = { index, select };
    const now = box.scrollTop;
    if (now !== view.top) setView((v) => (v.top === now ? v : { ...v, top: now }));
    else focusPending();
  }

  if (total === 0) {
    const filtered = Object.values(filters).some((v) => v !== null && v !== undefined && v !== "");
    return <p className="empty">{filtered ? t("orders.emptyFiltered") : t("orders.empty")}</p>;
  }

  const span = table.getVisibleLeafColumns().length;
  const { padTop, padBottom } = win;

  return (
    <div className="table-scroll" ref={setScrollBox} onScroll={onScroll} data-testid="orders-scroll">
      {/* A new set of columns is a new table element: WebKitGTK keeps a fixed-layout table's
          old width when columns are removed from it. */}
      <table
        key={tableKey}
        className="orders"
        aria-label={t("orders.title")}
        aria-rowcount={(total ?? 0) + 1}
      >
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
                    data-col={h.column.id}
                    ref={(el) => {
                      const width = COLUMN_WIDTHS[h.column.id as keyof typeof COLUMN_WIDTHS];
                      if (el && width) el.style.width = `${width}px`;
                    }}
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
        <tbody
          onFocus={(e) => {
            const index = (e.target as HTMLElement).dataset.index;
            focusedRow.current = index === undefined ? null : Number(index);
          }}
          onBlur={(e) => {
            // Focus moved on to something else; a row taken out of the page moves it nowhere.
            if (e.relatedTarget) focusedRow.current = null;
          }}
        >
          {padTop > 0 && (
            <tr aria-hidden="true" className="spacer-row">
              <td colSpan={span} ref={(el) => void (el && (el.style.height = `${padTop}px`))} />
            </tr>
          )}
          {indexes.map((index) => {
            const order = rowAt(index);
            const row = order ? rowById.get(order.order_no) : undefined;
            if (!order || !row) {
              return (
                <tr key={`loading-${index}`} className="loading-row" data-index={index} aria-rowindex={index + 2}>
                  <td colSpan={span}>{t("orders.loadingRow")}</td>
                </tr>
              );
            }
            const isSelected = order.order_no === selected;
            return (
              <tr
                key={order.order_no}
                data-order-no={order.order_no}
                data-index={index}
                aria-rowindex={index + 2}
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
                    focusRow(index + 1);
                  } else if (e.key === "ArrowUp") {
                    e.preventDefault();
                    focusRow(index - 1);
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
              <td colSpan={span} ref={(el) => void (el && (el.style.height = `${padBottom}px`))} />
            </tr>
          )}
        </tbody>
      </table>
      {/* As tall as every row, whatever is drawn: the scroll range never depends on rows that are
          being replaced (Chromium lays the page out when a focused row is taken away). */}
      <div className="table-sizer" aria-hidden="true" ref={(el) => void (el && (el.style.height = `${view.header + win.bodyHeight}px`))} />
    </div>
  );
}
