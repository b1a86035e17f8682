import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "./App";
import { render, failureWords } from "./test-render";
import { attempt, DEFAULT_DESK_NAMES, mockBackend, resetBackend } from "./test-backend";
import type { IpcError } from "./types";

afterEach(resetBackend);

async function openDeskSettings(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByRole("button", { name: "Desk and operator: 前台 1 · alice" }));
  return screen.findByTestId("desk-form");
}

describe("who is at the desk", () => {
  it("is named in the header as the back end gives it, and the names open in Settings to change", async () => {
    mockBackend({ deskNames: { desk: "前台 1", operator: "alice" } });
    const user = userEvent.setup();
    render(<App />);
    expect((await screen.findByTestId("desk-names")).textContent).toBe("前台 1 · alice");
    const form = await openDeskSettings(user);
    const desk = within(form).getByLabelText("Desk") as HTMLInputElement;
    expect(desk.value).toBe("前台 1");
    expect((within(form).getByLabelText("Operator") as HTMLInputElement).value).toBe("alice");
    expect(document.activeElement).toBe(desk);
    expect(screen.getByText(/Every payment records these names/)).toBeTruthy();
  });

  it("saves new names from Settings: the header follows, a blank one goes back to its default, no order is asked again", async () => {
    const backend = mockBackend({ deskNames: { desk: "前台 1", operator: "alice" }, attempts: [attempt("succeeded")] });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    await screen.findByTestId("order-panel");
    const form = await openDeskSettings(user);
    const ordersAsked = () => backend.calls.filter((c) => c.cmd === "order_detail" || c.cmd === "query_orders").length;
    const asked = ordersAsked();
    await user.clear(within(form).getByLabelText("Desk"));
    await user.type(within(form).getByLabelText("Desk"), "前台 2");
    await user.clear(within(form).getByLabelText("Operator"));
    await user.click(within(form).getByRole("button", { name: "Save" }));

    expect((await within(form).findByTestId("desk-saved")).textContent).toBe(`Saved. Payments from now on record 前台 2 · ${DEFAULT_DESK_NAMES.operator}.`);
    expect(backend.calls.find((c) => c.cmd === "save_desk_names")!.args).toEqual({ desk: "前台 2", operator: "" });
    expect((within(form).getByLabelText("Operator") as HTMLInputElement).value).toBe(DEFAULT_DESK_NAMES.operator);
    await waitFor(() => expect(screen.getByTestId("desk-names").textContent).toBe(`前台 2 · ${DEFAULT_DESK_NAMES.operator}`));
    // What is recorded keeps the names it was written with.
    expect(ordersAsked()).toBe(asked);
  });

  it("shows the back end's words when it refuses a name, and keeps the names in force", async () => {
    const reason = 'the desk\'s name must be 1 to 64 characters with no control characters, not "a\\nb"';
    const refusal: IpcError = { kind: "refused", code: "refused", message: reason, params: { reason } };
    mockBackend({ deskNames: { desk: "前台 1", operator: "alice" }, onSaveDeskNames: () => Promise.reject(refusal) });
    const user = userEvent.setup();
    render(<App />);
    const form = await openDeskSettings(user);
    await user.type(within(form).getByLabelText("Desk"), "!");
    await user.click(within(form).getByRole("button", { name: "Save" }));
    expect(failureWords(await within(form).findByRole("alert"))).toBe(reason);
    expect(screen.getByTestId("desk-names").textContent).toBe("前台 1 · alice");
  });
});

describe("an order's detail", () => {
  it("names who started each attempt, and who else wrote to it", async () => {
    // On a shared store, through the database role her desk logs in as.
    const byAlice = { desk: "前台 1", operator: "alice", db_role: "desk_1" };
    const started = attempt("succeeded", {
      ...byAlice,
      events: [
        { attempt_id: 7, state: "pending", detail: null, at: 1_700_000_000_000, ...byAlice, personal_data_hidden: false },
        { attempt_id: 7, state: "succeeded", detail: "the gateway says paid", at: 1_700_000_060_000, desk: "前台 2", operator: "bob", db_role: "desk_2", personal_data_hidden: false },
      ],
    });
    const beforeDesksWereNamed = attempt("failed", {
      id: 6,
      desk: "",
      operator: "",
      db_role: null,
      events: [{ attempt_id: 6, state: "failed", detail: null, at: 1_690_000_000_000, desk: "", operator: "", db_role: null, personal_data_hidden: false }],
    });
    mockBackend({ attempts: [beforeDesksWereNamed, started] });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    const [latest, earlier] = await screen.findAllByTestId("attempt");
    expect(within(latest!).getByTestId("attempt-actor").textContent).toBe("Started by 前台 1 · alice · database role desk_1");
    expect(within(latest!).getAllByTestId("event-actor").map((e) => e.textContent)).toEqual([" (recorded by 前台 2 · bob)"]);
    expect(within(earlier!).queryByTestId("attempt-actor")).toBeNull();
    expect(within(earlier!).queryByTestId("event-actor")).toBeNull();
  });

  it("narrows the orders list to the desk that took the latest payment, once more than one desk has", async () => {
    const backend = mockBackend({ desks: ["前台 1", "前台 2"] });
    const user = userEvent.setup();
    render(<App />);
    await user.selectOptions(await screen.findByTestId("filter-desk"), "前台 2");
    await waitFor(() => {
      const asked = backend.calls.filter((c) => c.cmd === "query_orders").map((c) => (c.args.query as { desk?: string | null }).desk);
      expect(asked.at(-1)).toBe("前台 2");
    });
  });

  it("offers no desk filter while one desk has taken every payment", async () => {
    mockBackend({ desks: ["前台 1"] });
    render(<App />);
    await screen.findByText("DEMO-1001");
    expect(screen.queryByTestId("filter-desk")).toBeNull();
  });
});
