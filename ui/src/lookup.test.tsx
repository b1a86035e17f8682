import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "./App";
import { render } from "./test-render";
import { mockBackend, resetBackend, SYSTEM_TIME_ZONE } from "./test-backend";
import { dateInputToMs } from "./words";

afterEach(resetBackend);

describe("support's lookup", () => {
  it("finds orders by an amount within days, each with its state and amount", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    await user.keyboard("{Control>}2{/Control}");
    await user.type(await screen.findByTestId("lookup-amount"), "12.34");
    await user.type(screen.getByTestId("lookup-from"), "2026-12-01");
    await user.type(screen.getByTestId("lookup-to"), "2026-12-05");
    await user.click(screen.getByTestId("lookup-amount-go"));
    const hits = await screen.findAllByTestId("lookup-hit");
    expect(hits).toHaveLength(2);
    expect(within(hits[0]!).getByText("Created")).toBeTruthy();
    expect(within(hits[0]!).getByText("¥12.34")).toBeTruthy();
    // A sandbox's orders wear the badge wherever they appear, a support agent's list too.
    expect(within(hits[0]!).getByText("SANDBOX")).toBeTruthy();
    expect(within(hits[1]!).getByText("Cancelled")).toBeTruthy();
    const asked = backend.calls.find((c) => c.cmd === "lookup_amount")!.args;
    // The merchant's days: from the first day's midnight to the midnight after the last.
    expect(asked).toEqual({
      amount: "12.34",
      sinceMs: dateInputToMs("2026-12-01", 0, SYSTEM_TIME_ZONE),
      untilMs: dateInputToMs("2026-12-05", 1, SYSTEM_TIME_ZONE),
    });
    await user.click(within(hits[0]!).getByRole("button", { name: "DEMO-1001" }));
    await waitFor(() => expect(screen.getByTestId("lookup-detail")).toBeTruthy());
  });

  it("says so when no order has that amount", async () => {
    mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    await user.keyboard("{Control>}2{/Control}");
    await user.type(await screen.findByTestId("lookup-amount"), "1.00");
    await user.click(screen.getByTestId("lookup-amount-go"));
    expect((await screen.findByText(/Nothing recorded here matches 1.00/)).textContent).toContain("1.00");
  });
});
