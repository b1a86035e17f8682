import { act, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { emit } from "@tauri-apps/api/event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { render } from "./test-render";
import { mockBackend, order, resetBackend } from "./test-backend";
import type { Change, OrderPage, OrderQuery } from "./types";

afterEach(resetBackend);

/** How often the orders list has been drawn: the real list, counted. */
const listDrawn = vi.hoisted(() => ({ count: 0 }));
vi.mock("./components/OrdersTable", async (original) => {
  const real = await original<typeof import("./components/OrdersTable")>();
  return {
    ...real,
    OrdersTable: (props: Parameters<typeof real.OrdersTable>[0]) => {
      listDrawn.count += 1;
      return real.OrdersTable(props);
    },
  };
});

/** How often the status bar has been drawn: it shows nothing a search changes. */
const statusDrawn = vi.hoisted(() => ({ count: 0 }));
vi.mock("./components/StatusBar", async (original) => {
  const real = await original<typeof import("./components/StatusBar")>();
  return {
    ...real,
    StatusBar: (props: Parameters<typeof real.StatusBar>[0]) => {
      statusDrawn.count += 1;
      return real.StatusBar(props);
    },
  };
});

/** A page of `total` made-up orders numbered `prefix`0000000 on. */
function pageOf(prefix: string, total: number, q: OrderQuery): OrderPage {
  const rows = Array.from({ length: Math.max(0, Math.min(q.limit, total - q.offset)) }, (_, i) => ({
    ...order,
    id: q.offset + i + 1,
    order_no: `${prefix}${String(q.offset + i).padStart(7, "0")}`,
  }));
  return { total, offset: q.offset, rows };
}

const row = (index: number) => document.querySelector<HTMLElement>(`tr[data-order-no][data-index="${index}"]`);

describe("a search in the orders list", () => {
  it("keeps the last rows until its results are in: the table is drawn once, with the results", async () => {
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    const searches: OrderQuery[] = [];
    mockBackend({
      total: 1_000,
      onQueryOrders: (q) => {
        if (!q.text) return;
        searches.push(q);
        return held.then(() => pageOf("HIT-", 50, q));
      },
    });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("ORD-0000000");
    await user.type(screen.getByTestId("global-search"), "ORD-00001");
    await waitFor(() => expect(searches.length).toBeGreaterThan(0));
    expect(document.querySelector(".loading-row")).toBeNull();
    expect(screen.getByText("ORD-0000000")).toBeTruthy();
    listDrawn.count = 0;
    release();
    await screen.findByText("HIT-0000000");
    expect(screen.getByTestId("order-count").textContent).toBe("50 orders");
    expect(document.querySelector(".loading-row")).toBeNull();
    expect(listDrawn.count).toBe(1);
  });

  it("draws only the search box while a key is typed, and the list once typing pauses", async () => {
    mockBackend({ total: 1_000, onQueryOrders: (q) => (q.text ? pageOf("HIT-", 50, q) : undefined) });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("ORD-0000000");
    await user.click(screen.getByTestId("global-search"));
    listDrawn.count = 0;
    await user.keyboard("H");
    expect(listDrawn.count).toBe(0);
    await user.keyboard("IT");
    await screen.findByText("HIT-0000000");
    expect(listDrawn.count).toBeGreaterThan(0);
  });

  it("draws the list and its count, not the window around them", async () => {
    mockBackend({ total: 1_000, onQueryOrders: (q) => (q.text ? pageOf("HIT-", 50, q) : undefined) });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("ORD-0000000");
    await user.click(screen.getByTestId("global-search"));
    statusDrawn.count = 0;
    await user.keyboard("HIT");
    await screen.findByText("HIT-0000000");
    expect(screen.getByTestId("order-count").textContent).toBe("50 orders");
    expect(statusDrawn.count).toBe(0);
  });

  it("shows the last search asked, whichever answer comes first", async () => {
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    mockBackend({
      total: 1_000,
      onQueryOrders: (q) => {
        if (q.text === "HIT") return held.then(() => pageOf("HIT-", 50, q));
        if (q.text === "HITS") return pageOf("HITS-", 20, q);
      },
    });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("ORD-0000000");
    await user.type(screen.getByTestId("global-search"), "HIT");
    await new Promise((r) => setTimeout(r, 300));
    await user.keyboard("S");
    await screen.findByText("HITS-0000000");
    await act(async () => release());
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.getByText("HITS-0000000")).toBeTruthy();
    expect(screen.getByTestId("order-count").textContent).toBe("20 orders");
  });

  it("writes its results into the rows already drawn rather than drawing new ones", async () => {
    mockBackend({ total: 1_000, onQueryOrders: (q) => (q.text ? pageOf("HIT-", 50, q) : undefined) });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("ORD-0000000");
    const first = row(0);
    await user.type(screen.getByTestId("global-search"), "HIT");
    await screen.findByText("HIT-0000000");
    expect(row(0)).toBe(first);
    expect(row(0)!.dataset.orderNo).toBe("HIT-0000000");
  });

  it("keeps the focus on its order when the list moves under it", async () => {
    let newest = false;
    mockBackend({
      total: 1_000,
      // After the change, a new order is first and every other one a row further down.
      onQueryOrders: (q) => {
        if (!newest || q.text) return;
        const page = pageOf("ORD-", 1_000, { ...q, offset: Math.max(0, q.offset - 1) });
        return q.offset === 0 ? { total: 1_001, offset: 0, rows: [{ ...order, id: 9_999, order_no: "NEW-0000001" }, ...page.rows].slice(0, q.limit) } : { ...page, total: 1_001, offset: q.offset };
      },
    });
    render(<App />);
    await screen.findByText("ORD-0000002");
    act(() => row(2)!.focus());
    expect(document.activeElement).toBe(row(2));
    newest = true;
    await act(() => emit("change", { kind: "orders", order_nos: ["NEW-0000001"] } satisfies Change));
    await screen.findByText("NEW-0000001");
    expect((document.activeElement as HTMLElement).dataset.orderNo).toBe("ORD-0000002");
    expect(document.activeElement).toBe(row(3));
  });
});
