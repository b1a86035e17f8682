import { hashKey } from "@tanstack/react-query";
import { flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import type { KeyboardEvent, MouseEvent, ReactNode } from "react";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useReportError } from "../hooks/useErrorBanner";
import { useListing, type OrderFilterState } from "../hooks/useOrderFilters";
import { useOrderRows, useOrderTotal } from "../queries/orderPages";
import { narrowed } from "../queries/paging";
import { usePaysOut } from "../queries/reads";
import { rowWindow, scrollTopToShow } from "../rowWindow";
import { findShortcut, LIST_KEYS } from "../shortcuts";
import type { OrderView } from "../types";
import { COLUMN_WIDTHS, columnWidths, visibleColumns, type FixedColumn } from "../layout";
import { orderCells, orderColumns } from "./orderColumns";
import { OrderRow } from "./OrderRow";

/** The table itself holds no rows: they are drawn from the pages (OrderRow), it keeps the columns. */
const NO_ROWS: OrderView[] = [];

/** Whether the first rows have reached the page since it loaded: the start-up bench reads the
 * mark (src-tauri/bench/src/startup.rs). */
let firstRowsMarked = false;

interface Props {
  /** What the list shows: the filters, the sort and the settled search (which draws the list
   * again, not the view around it). */
  filters: OrderFilterState;
  selected: string | null;
  onSelect: (order: OrderView) => void;
  onError: (error: unknown) => void;
  /** What an empty list shows besides its sentence when no filter narrows it: the actions
   * that fill it. */
  emptyActions?: ReactNode;
  /** The sentence of an empty list no filter narrows, when not the plain one. */
  emptyWords?: string;
}

export function OrdersTable({ filters, selected, onSelect, onError, emptyActions, emptyWords }: Props) {
  const listing = useListing(filters);
  const { sorting, setSorting: onSortingChange } = filters;
  const { t } = useTranslation();
  const scrollRef = useRef<HTMLDivElement>(null);
  // The row the arrow keys moved to, focused (and selected) once it is drawn and loaded.
  const pendingFocus = useRef<{ index: number; select: boolean } | null>(null);
  // The box's width decides the columns and their widths (layout.ts).
  const [boxWidth, setBoxWidth] = useState<number | null>(null);
  // Its height, sticky header and scroll position decide which rows are drawn (rowWindow.ts).
  const [size, setSize] = useState({ height: 0, header: 0 });
  const observer = useRef<ResizeObserver | null>(null);
  const setScrollBox = useCallback((box: HTMLDivElement | null) => {
    scrollRef.current = box;
    observer.current?.disconnect();
    observer.current = null;
    if (!box) return;
    const measure = () => {
      setBoxWidth(box.clientWidth);
      // No taller than the window: unstyled (WebKitGTK may run this before the stylesheet has
      // come), the box grows with the rows' sizer, and rows drawn for all of it would be all of them.
      const height = Math.min(box.clientHeight, window.innerHeight);
      const next = { height, header: box.querySelector("thead")?.offsetHeight ?? 0 };
      setSize((s) => (s.height === next.height && s.header === next.header ? s : next));
    };
    measure();
    if (typeof ResizeObserver === "undefined") return;
    observer.current = new ResizeObserver(measure);
    observer.current.observe(box);
  }, []);

  // While a new listing's first page is on its way, the last one's count and rows stay
  // (useOrderTotal, useOrderRows).
  const { total, error: totalError } = useOrderTotal(listing);

  // A new listing starts from the top: a scroll position belongs to the listing it was made in.
  const listingKey = hashKey([listing]);
  const [scroll, setScroll] = useState({ top: 0, listing: listingKey });
  const top = scroll.listing === listingKey ? scroll.top : 0;
  const scrolledTo = useCallback(
    (to: number) => setScroll((s) => (s.top === to && s.listing === listingKey ? s : { top: to, listing: listingKey })),
    [listingKey],
  );
  // Where the box was last scrolled to, whichever listing it showed: a box already at the top
  // is not asked to scroll, which would lay the new rows out there and then (a forced layout).
  const boxTop = useRef(0);
  const onScroll = useCallback(() => {
    boxTop.current = scrollRef.current?.scrollTop ?? 0;
    scrolledTo(boxTop.current);
  }, [scrolledTo]);
  useLayoutEffect(() => {
    if (boxTop.current !== 0) scrollRef.current?.scrollTo({ top: 0 });
    pendingFocus.current = null;
  }, [listingKey]);

  const rowsView = Math.max(0, size.height - size.header);
  const win = rowWindow(total ?? 0, top, rowsView);
  const { rowAt, error: rowsError } = useOrderRows(listing, total, win.start, Math.max(win.start, win.end - 1));
  useReportError(totalError ?? rowsError, onError);

  const indexes = Array.from({ length: win.end - win.start }, (_, k) => win.start + k);

  const paysOut = usePaysOut();
  const cells = useMemo(() => orderCells(t, paysOut), [t, paysOut]);
  const columns = useMemo(() => orderColumns(t, cells), [t, cells]);

  const shown = useMemo(() => (boxWidth ? visibleColumns(boxWidth) : null), [boxWidth]);
  const widths: Partial<Record<FixedColumn, number>> = useMemo(() => (boxWidth ? columnWidths(boxWidth) : COLUMN_WIDTHS), [boxWidth]);
  const columnVisibility = useMemo(
    () => Object.fromEntries(columns.map((c) => [c.id!, shown ? shown.has(c.id!) : true])),
    [columns, shown],
  );

  const table = useReactTable({
    data: NO_ROWS,
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
    onSortingChange,
  });
  const shownIds = table.getVisibleLeafColumns().map((c) => c.id);
  const shownKey = shownIds.join();
  // The same array while the same columns show, so that rows need not be drawn again.
  // eslint-disable-next-line react-hooks/exhaustive-deps -- shownKey is shownIds as a value
  const shownCells = useMemo(() => cells.filter((c) => shownIds.includes(c.id)), [cells, shownKey]);
  const today = new Date().toDateString();
  // The widths too: the order number narrows in the narrowest windows, the profile widens in wide ones.
  const tableKey = `${shownKey}:${widths.order_no ?? ""}:${widths.profile ?? ""}`;

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
  const anyRow = indexes.some((i) => rowAt(i) !== undefined);
  useLayoutEffect(() => {
    if (anyRow && !firstRowsMarked) {
      firstRowsMarked = true;
      performance.mark("paydesk:rows");
    }
  }, [anyRow]);

  // Rows are keyed by their place in the list, so that a new search rewrites the rows in place
  // rather than replacing every one (half the work, and no new elements to style). The order in
  // a focused row may then change under the focus: the focus follows its order while it is
  // drawn, as it would if each row were its order's own element, and is let go if not.
  const focusedOrder = useRef<string | null>(null);
  useLayoutEffect(() => {
    const box = scrollRef.current;
    const active = document.activeElement;
    const orderNo = focusedOrder.current;
    if (!box || !(active instanceof HTMLElement) || orderNo === null || !box.contains(active)) return;
    const shown = active.closest<HTMLElement>("tr[data-order-no]");
    if (!shown || shown.dataset.orderNo === orderNo) return;
    const row = Array.from(box.querySelectorAll<HTMLElement>("tr[data-order-no]")).find((tr) => tr.dataset.orderNo === orderNo);
    if (row) row.focus({ preventScroll: true });
    else active.blur();
  });

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
    const showing = scrollTopToShow(total, index, box.scrollTop, Math.max(0, box.clientHeight - size.header));
    if (showing !== box.scrollTop) box.scrollTop = showing;
    pendingFocus.current = { index, select };
    const now = box.scrollTop;
    boxTop.current = now;
    if (now !== top) scrolledTo(now);
    else focusPending();
  }

  /** The row an event happened in, and its order once loaded. */
  const rowOf = (e: MouseEvent | KeyboardEvent) => {
    const tr = (e.target as HTMLElement).closest<HTMLElement>("tr[data-order-no]");
    const index = tr ? Number(tr.dataset.index) : NaN;
    const order = Number.isNaN(index) ? undefined : rowAt(index);
    return order ? { index, order } : null;
  };

  // The header changes with the columns, the sort and the words, not with the rows: a search
  // draws the rows alone.
  const headerGroups = table.getHeaderGroups();
  const head = useMemo(
    () => (
      <thead>
        {headerGroups.map((g) => (
          <tr key={g.id}>
            {g.headers.map((h) => {
              const numeric = (h.column.columnDef.meta as { numeric?: boolean } | undefined)?.numeric;
              const sorted = sorting.find((s) => s.id === h.column.id);
              const dir = sorted ? (sorted.desc ? "desc" : "asc") : false;
              const label = flexRender(h.column.columnDef.header, h.getContext());
              return (
                <th
                  key={h.id}
                  scope="col"
                  data-col={h.column.id}
                  ref={(el) => {
                    const width = widths[h.column.id as FixedColumn];
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
    ),
    [headerGroups, sorting, widths, t],
  );

  if (total === 0) {
    if (narrowed(listing)) return <p className="empty">{t("orders.emptyFiltered")}</p>;
    return (
      <div className="empty" data-testid="orders-empty">
        <p>{emptyWords ?? t("orders.empty")}</p>
        {emptyActions}
      </div>
    );
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
        {head}
        <tbody
          onFocus={(e) => {
            const { index, orderNo } = (e.target as HTMLElement).dataset;
            focusedRow.current = index === undefined ? null : Number(index);
            focusedOrder.current = orderNo ?? null;
          }}
          onBlur={(e) => {
            // Focus moved on to something else; a row taken out of the page moves it nowhere.
            if (e.relatedTarget) focusedRow.current = null;
          }}
          onClick={(e) => {
            const row = rowOf(e);
            if (row) onSelect(row.order);
          }}
          onKeyDown={(e) => {
            const row = rowOf(e);
            const hit = row && findShortcut(LIST_KEYS, e);
            if (!row || !hit) return;
            e.preventDefault();
            if (hit.id === "open") onSelect(row.order);
            else focusRow(hit.id === "next" ? row.index + 1 : row.index - 1);
          }}
        >
          {padTop > 0 && (
            <tr aria-hidden="true" className="spacer-row">
              <td colSpan={span} ref={(el) => void (el && (el.style.height = `${padTop}px`))} />
            </tr>
          )}
          {indexes.map((index) => {
            const order = rowAt(index);
            if (!order) {
              return (
                <tr key={`loading-${index}`} className="loading-row" data-index={index} aria-rowindex={index + 2}>
                  <td colSpan={span}>{t("orders.loadingRow")}</td>
                </tr>
              );
            }
            return <OrderRow key={index} order={order} index={index} selected={order.order_no === selected} cells={shownCells} today={today} />;
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
      <div className="table-sizer" aria-hidden="true" ref={(el) => void (el && (el.style.height = `${size.header + win.bodyHeight}px`))} />
    </div>
  );
}
