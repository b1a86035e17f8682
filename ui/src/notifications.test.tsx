// The Orders badge (payments that need a person) and the desktop notifications' part in the
// window: the language they are worded in, and what a click on one opens.
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { emit } from "@tauri-apps/api/event";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "./App";
import { ViewNav } from "./components/ViewNav";
import i18n from "./i18n";
import type { ShowOrders } from "./ipc/ShowOrders";
import { render } from "./test-render";
import { mockBackend, resetBackend } from "./test-backend";
import type { Activity, Change } from "./types";

afterEach(resetBackend);

function ordersLink() {
  return screen.getByRole("link", { name: /Orders|订单/ });
}

describe("the Orders badge", () => {
  it("counts the payments that need a person, in words for a screen reader", async () => {
    mockBackend({ activity: { in_flight: 3, unasked: 1, needs_review: 2 } });
    render(<App />);
    const badge = await screen.findByTestId("needs-person-count");
    expect(within(ordersLink()).getByTestId("needs-person-count")).toBe(badge);
    expect(badge.getAttribute("title")).toBe("2 need a person");
    expect(screen.getByRole("link", { name: "Orders 2 need a person" })).toBe(ordersLink());
  });

  it("shows nothing while nothing needs a person, and follows the back end's changes", async () => {
    const activity: Activity = { in_flight: 1, unasked: 0, needs_review: 0 };
    mockBackend({ activity });
    render(<App />);
    await screen.findByText("DEMO-1001");
    // Asked, and nothing to count: no badge.
    await waitFor(() => expect(screen.getByTestId("activity").textContent).toMatch(/Checking 1 payment/));
    expect(screen.queryByTestId("needs-person-count")).toBeNull();

    activity.needs_review = 1;
    await act(() => emit("change", { kind: "everything" } satisfies Change));
    await waitFor(() => expect(screen.getByTestId("needs-person-count").textContent).toMatch(/^1/));
    activity.needs_review = 0;
    await act(() => emit("change", { kind: "everything" } satisfies Change));
    await waitFor(() => expect(screen.queryByTestId("needs-person-count")).toBeNull());
  });

  it("says 99+ past 99 and is on the Orders entry alone, in either language", async () => {
    render(<ViewNav view="dashboard" onShow={() => {}} needsPerson={250} />);
    const badges = screen.getAllByTestId("needs-person-count");
    expect(badges).toHaveLength(1);
    expect(badges[0]!.firstElementChild!.textContent).toBe("99+");
    expect(badges[0]!.closest("a")!.getAttribute("data-view")).toBe("orders");
    await act(() => i18n.changeLanguage("zh-CN"));
    expect(badges[0]!.getAttribute("title")).toBe("250 笔待人工处理");
  });
});

describe("desktop notifications", () => {
  it("are worded in the window's language: told at start and at every change", async () => {
    const backend = mockBackend();
    render(<App />);
    await screen.findByText("DEMO-1001");
    const told = () => backend.calls.filter((c) => c.cmd === "set_language").map((c) => c.args.language);
    await waitFor(() => expect(told()).toEqual(["en"]));
    await act(() => i18n.changeLanguage("zh-CN"));
    await waitFor(() => expect(told()).toEqual(["en", "zh-CN"]));
  });

  it("open the order a clicked one named, from any view", async () => {
    mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    await user.click(screen.getByRole("link", { name: /Dashboard/ }));
    expect(screen.queryByTestId("order-panel")).toBeNull();
    await act(() => emit("show-orders", { kind: "order", order_no: "DEMO-1001" } satisfies ShowOrders));
    const panel = await screen.findByTestId("order-panel");
    expect(within(panel).getByRole("heading", { level: 2 }).textContent).toBe("DEMO-1001");
    expect(ordersLink().getAttribute("aria-current")).toBe("page");
  });

  it("open the orders a summary counted, narrowed to the state they are all in", async () => {
    mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    const state = screen.getByTestId("filter-state") as HTMLSelectElement;
    await user.selectOptions(state, "failed");
    await user.click(screen.getByRole("link", { name: /Lookup/ }));
    await act(() => emit("show-orders", { kind: "in_state", state: "needs_review" } satisfies ShowOrders));
    await waitFor(() => expect((screen.getByTestId("filter-state") as HTMLSelectElement).value).toBe("needs_review"));
    // A summary of mixed states shows the list with no filter left from before.
    await act(() => emit("show-orders", { kind: "list" } satisfies ShowOrders));
    await waitFor(() => expect((screen.getByTestId("filter-state") as HTMLSelectElement).value).toBe(""));
  });
});
