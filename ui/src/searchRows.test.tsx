import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "./App";
import { render } from "./test-render";
import { mockBackend, resetBackend } from "./test-backend";
import type { OrderQuery } from "./types";

afterEach(resetBackend);

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
        return held;
      },
    });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("ORD-0000000");
    await user.type(screen.getByTestId("global-search"), "ORD-00001");
    await waitFor(() => expect(searches.length).toBeGreaterThan(0));
    expect(document.querySelector(".loading-row")).toBeNull();
    expect(screen.getByText("ORD-0000000")).toBeTruthy();
    release();
    await waitFor(() => expect(screen.getByTestId("order-count").textContent).toBe("1,000 orders"));
    expect(document.querySelector(".loading-row")).toBeNull();
  });
});
