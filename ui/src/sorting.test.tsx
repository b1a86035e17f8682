import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "./App";
import { render } from "./test-render";
import { mockBackend, resetBackend } from "./test-backend";
import type { OrderQuery } from "./types";

afterEach(resetBackend);

describe("sorting the orders list", () => {
  it("asks for the column's order and says so in its header, each click turning it over", async () => {
    const backend = mockBackend({ total: 1_000 });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("ORD-0000000");
    const header = () => document.querySelector<HTMLElement>('th[data-col="amount"]')!;
    const lastAsked = () => backend.calls.filter((c) => c.cmd === "query_orders").map((c) => c.args.query as OrderQuery).at(-1)!;
    expect(header().getAttribute("aria-sort")).toBeNull();

    await user.click(header().querySelector("button")!);
    await waitFor(() => expect(header().getAttribute("aria-sort")).toBe("ascending"));
    expect(header().textContent).toContain("▲");
    expect(lastAsked()).toMatchObject({ sort: "amount", descending: false });

    await user.click(header().querySelector("button")!);
    await waitFor(() => expect(header().getAttribute("aria-sort")).toBe("descending"));
    expect(header().textContent).toContain("▼");
    expect(lastAsked()).toMatchObject({ sort: "amount", descending: true });
    expect(document.querySelector('th[data-col="order_no"]')!.getAttribute("aria-sort")).toBeNull();
  });
});
