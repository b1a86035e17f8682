// Settings → About: the build and where its data is kept, and the diagnostics it copies for a
// support request, which carry no secret and no customer's data.
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "./App";
import i18n from "./i18n";
import { render } from "./test-render";
import { attempt, mockBackend, resetBackend } from "./test-backend";
import type { StatusChecks } from "./types";

afterEach(resetBackend);

type User = ReturnType<typeof userEvent.setup>;

/** A desk on a shared server whose saved address (wrongly) carries its password. */
const PASSWORD = "hunter2-S3cret";
const sharedChecks = (): StatusChecks => ({
  gateways: [{ profile: "sandbox-sensecore", is_sandbox: true, reachable: false, detail: "connection refused" }],
  storage: { state: "ok", detail: null },
  store: { url: `postgres://desk_1:${PASSWORD}@db.shop.example/paydesk?sslmode=verify-full&password=${PASSWORD}`, reachable: true, read_only: false, as_of: null, schema_mismatch: null },
});

async function openAbout(user: User) {
  await user.click(await screen.findByRole("link", { name: /Settings/ }));
  return screen.findByTestId("about");
}

describe("About", () => {
  it("shows the version, commit, data directory, data set and this desk's own file", async () => {
    mockBackend();
    const user = userEvent.setup();
    render(<App />);
    const about = await openAbout(user);
    expect(within(about).getByRole("heading", { name: "About paydesk" })).toBeTruthy();
    expect(within(about).getByTestId("about-version").textContent).toBe("0.1.0");
    expect(within(about).getByTestId("about-commit").textContent).toBe("0123456789");
    expect(within(about).getByTestId("about-data-dir").textContent).toBe("/tmp/pd");
    expect(within(about).getByTestId("about-data-set").textContent).toBe("Demo");
    await waitFor(() => expect(within(about).getByTestId("about-store").textContent).toBe("This desk's own file (SQLite), in the data directory"));
    await act(async () => {
      await i18n.changeLanguage("zh-CN");
    });
    expect(within(about).getByRole("heading", { name: "关于 paydesk" })).toBeTruthy();
    expect(within(about).getByTestId("about-store").textContent).toBe("本收银台自己的文件（SQLite），位于数据目录中");
  });

  it("names the shared server without its password", async () => {
    mockBackend({ statusChecks: sharedChecks });
    const user = userEvent.setup();
    render(<App />);
    const about = await openAbout(user);
    const store = within(about).getByTestId("about-store");
    await waitFor(() => expect(store.dataset.kind).toBe("postgres"));
    expect(store.textContent).toBe("The shared PostgreSQL server postgres://desk_1:***@db.shop.example/paydesk?sslmode=verify-full&password=***");
  });

  it("copies diagnostics with the build, system, language, data and checks, but no secret and no customer's data", async () => {
    const customer = { ref: "cust-13800138000", email: "buyer@example.com" };
    mockBackend({
      statusChecks: sharedChecks,
      attempts: [
        attempt("succeeded", {
          customer_ref: customer.ref,
          events: [{ attempt_id: 7, state: "succeeded", detail: JSON.stringify({ buyer: customer.email }), at: 1_700_000_000_000, desk: "Desk 1", operator: "alice", db_role: null, personal_data_hidden: false }],
        }),
      ],
    });
    const user = userEvent.setup();
    render(<App />);
    // The order and its payment's customer are in the window before the copy is made.
    await user.click(await screen.findByText("DEMO-1001"));
    await screen.findByTestId("order-panel");
    const about = await openAbout(user);
    await waitFor(() => expect(within(about).getByTestId("about-store").dataset.kind).toBe("postgres"));
    await user.click(within(about).getByTestId("copy-diagnostics"));
    await waitFor(() => expect(within(about).getByTestId("diagnostics-copied").textContent).toBe("Copied"));
    const text = await navigator.clipboard.readText();

    expect(text).toContain("Version: 0.1.0\nCommit: 0123456789\n");
    expect(text).toContain(`System: ${navigator.userAgent}\n`);
    expect(text).toContain("Language: en (system: ");
    expect(text).toContain("Data set: demo (built-in sandbox running)\n");
    expect(text).toContain("Store: postgres (shared: postgres://desk_1:***@db.shop.example/paydesk?sslmode=verify-full&password=***; reachable, writable)\n");
    expect(text).toContain("Data directory: /tmp/pd\n");
    expect(text).toContain("Data directory check: ok\n");
    expect(text).toContain("Gateway sandbox-sensecore (sandbox): not reachable (connection refused)\n");
    for (const never of [PASSWORD, customer.ref, customer.email, "DEMO-1001", "Cloud GPU hours", "12.34"]) expect(text).not.toContain(never);
  });
});
