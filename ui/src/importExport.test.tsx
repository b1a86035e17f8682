// Importing and exporting orders through the system's file dialogs, which the back end opens:
// the window only asks, shows the file chosen or the path saved to, and words what went wrong.
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { emit } from "@tauri-apps/api/event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import i18n from "./i18n";
import { render, failureWords } from "./test-render";
import { mockBackend, resetBackend } from "./test-backend";
import type { ChosenFile, ImportSummary } from "./types";

afterEach(resetBackend);

type User = ReturnType<typeof userEvent.setup>;

const ordersCsv: ChosenFile = { name: "orders.csv", path: "/home/cashier/orders.csv", bytes: 2_400_000, format: "csv" };

async function openImport(user: User) {
  await user.click(await screen.findByTestId("open-import"));
  return screen.findByTestId("import-dialog");
}

const chosenText = (dialog: HTMLElement) => within(dialog).getByTestId("import-chosen").textContent;
const formatShown = (dialog: HTMLElement) => (within(dialog).getByTestId("import-format") as HTMLSelectElement).value;
const importButton = (dialog: HTMLElement) => within(dialog).getByTestId("import-start") as HTMLButtonElement;

describe("import", () => {
  it("imports a file chosen in the system's picker with Ctrl+I: its name and size, the progress, then each rejected row", async () => {
    let finish: (s: ImportSummary) => void = () => {};
    const backend = mockBackend({ onChoose: () => ordersCsv, onImport: () => new Promise<ImportSummary>((resolve) => (finish = resolve)) });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    await user.keyboard("{Control>}i{/Control}");
    const dialog = await screen.findByTestId("import-dialog");
    // The picker is one key away: its button has the focus.
    expect(document.activeElement).toBe(within(dialog).getByTestId("import-choose"));
    expect(chosenText(dialog)).toBe("No file chosen");
    expect(importButton(dialog).disabled).toBe(true);

    await user.keyboard("{Enter}");
    await waitFor(() => expect(chosenText(dialog)).toBe("orders.csv (2.3 MB)"));
    expect(backend.calls.find((c) => c.cmd === "choose_import_file")!.args).toEqual({ title: "Choose a CSV or JSON file of orders to import" });
    expect(formatShown(dialog)).toBe("csv");
    await user.click(importButton(dialog));

    const progress = await within(dialog).findByTestId("import-progress");
    await waitFor(() => expect(backend.calls.some((c) => c.cmd === "import_chosen_file")).toBe(true));
    // No file's text crosses IPC: the back end reads the file it remembers.
    expect(backend.calls.find((c) => c.cmd === "import_chosen_file")!.args).toEqual({ format: "csv", profile: null });
    await act(async () => {
      await emit("import-progress", { rows_read: 2, imported: 1, rejected: 1 });
    });
    expect(progress.textContent).toContain("2 rows read · 1 imported · 1 rejected");
    // Without a total the bar claims no share.
    expect(within(progress).getByRole("progressbar").hasAttribute("value")).toBe(false);

    const before = backend.calls.filter((c) => c.cmd === "query_orders").length;
    await act(async () =>
      finish({
        rows: 3,
        imported: 1,
        rejected_count: 2,
        rejected: [
          {
            line: 3,
            order_no: "A-2",
            reason: 'the amount "12.345" has more than 2 decimal places for CNY',
            problem: { field: { kind: "amount" }, rule: { kind: "too_precise", value: '"12.345"', digits: 2, currency: "CNY" } },
          },
          {
            line: 4,
            order_no: "A-3",
            reason: 'the gateway profile "nowhere" is unknown',
            problem: { field: { kind: "profile" }, rule: { kind: "unknown", value: '"nowhere"', known: [] } },
          },
        ],
      }),
    );
    const report = await within(dialog).findByTestId("import-report");
    expect(within(report).getByTestId("import-summary").textContent).toBe("Imported 1 of 3 rows. 2 rows were not imported; nothing else changed:");
    const rows = within(report).getAllByRole("row").slice(1).map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent));
    expect(rows).toEqual([
      ["3", "A-2", 'The amount "12.345" has more than 2 decimal places for CNY'],
      ["4", "A-3", 'The gateway profile "nowhere" is unknown'],
    ]);
    // The list asks the backend again for the new orders.
    await waitFor(() => expect(backend.calls.filter((c) => c.cmd === "query_orders").length).toBeGreaterThan(before));
    await user.click(within(report).getByTestId("import-close"));
    expect(screen.queryByTestId("import-dialog")).toBeNull();
  });

  it("takes the format from the file's name, still changeable, sends the chosen profile, and words a refused file", async () => {
    const backend = mockBackend({
      onChoose: () => ({ name: "orders.json", path: "/tmp/orders.json", bytes: 900, format: "json" }),
      onImport: () => Promise.reject({ kind: "refused", message: 'the CSV has no "amount" column' }),
    });
    const user = userEvent.setup();
    render(<App />);
    const dialog = await openImport(user);
    await user.click(within(dialog).getByTestId("import-choose"));
    await waitFor(() => expect(chosenText(dialog)).toBe("orders.json (900 B)"));
    expect(formatShown(dialog)).toBe("json");
    await user.selectOptions(within(dialog).getByTestId("import-format"), "csv");
    await user.selectOptions(within(dialog).getByTestId("import-profile"), "sandbox-sensecore");
    await user.click(importButton(dialog));
    expect(failureWords(await within(dialog).findByTestId("import-error"))).toBe('Nothing was imported: the CSV has no "amount" column');
    // What failed and why, for support, with the back end's kind.
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    await user.click(within(within(dialog).getByTestId("import-error")).getByRole("button", { name: "Copy details" }));
    expect(writeText).toHaveBeenCalledWith('Nothing was imported: the CSV has no "amount" column');
    expect(backend.calls.find((c) => c.cmd === "import_chosen_file")!.args).toEqual({ format: "csv", profile: "sandbox-sensecore" });
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("import-dialog")).toBeNull();
  });

  it("changes nothing when the picker is cancelled, and words a picker that could not open", async () => {
    const answers: (ChosenFile | null | "fail")[] = [null, { ...ordersCsv, name: "orders.txt", format: null }, null, "fail"];
    const backend = mockBackend({
      onChoose: () => {
        const next = answers.shift();
        return next === "fail" ? Promise.reject({ kind: "unavailable", message: "no file dialog on this desktop" }) : next!;
      },
      onImport: () => ({ rows: 0, imported: 0, rejected_count: 0, rejected: [] }),
    });
    const user = userEvent.setup();
    render(<App />);
    const dialog = await openImport(user);
    const choose = within(dialog).getByTestId("import-choose");
    const picked = () => backend.calls.filter((c) => c.cmd === "choose_import_file").length;

    // Cancelled before any file: still none, nothing to import.
    await user.click(choose);
    await waitFor(() => expect(picked()).toBe(1));
    await waitFor(() => expect((choose as HTMLButtonElement).disabled).toBe(false));
    expect(chosenText(dialog)).toBe("No file chosen");
    expect(importButton(dialog).disabled).toBe(true);

    // A name that says no format keeps the one set.
    await user.selectOptions(within(dialog).getByTestId("import-format"), "json");
    await user.click(choose);
    await waitFor(() => expect(chosenText(dialog)).toBe("orders.txt (2.3 MB)"));
    expect(formatShown(dialog)).toBe("json");

    // Cancelled again: the file chosen before stays chosen.
    await user.click(choose);
    await waitFor(() => expect(picked()).toBe(3));
    await waitFor(() => expect((choose as HTMLButtonElement).disabled).toBe(false));
    expect(chosenText(dialog)).toBe("orders.txt (2.3 MB)");
    expect(formatShown(dialog)).toBe("json");
    expect(importButton(dialog).disabled).toBe(false);

    await user.click(choose);
    expect(failureWords(await within(dialog).findByTestId("import-choose-error"))).toBe("no file dialog on this desktop");
    expect(chosenText(dialog)).toBe("orders.txt (2.3 MB)");
    expect(backend.calls.some((c) => c.cmd === "import_chosen_file")).toBe(false);
  });

  it("titles the picker in the window's language", async () => {
    await i18n.changeLanguage("zh-CN");
    const backend = mockBackend({ onChoose: () => ordersCsv });
    const user = userEvent.setup();
    render(<App />);
    const dialog = await openImport(user);
    await user.click(within(dialog).getByTestId("import-choose"));
    await waitFor(() => expect(chosenText(dialog)).toBe("orders.csv（2.3 MB）"));
    expect(backend.calls.find((c) => c.cmd === "choose_import_file")!.args).toEqual({ title: "选择要导入订单的 CSV 或 JSON 文件" });
  });
});

describe("export", () => {
  const savedPath = "/home/cashier/Documents/till/paydesk-orders-20261121-101500.json";

  it("exports what the list is filtered to with Ctrl+E, and says the path it was saved to, in either language", async () => {
    const backend = mockBackend({ onExport: () => ({ path: savedPath, rows: 1 }) });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    await user.selectOptions(screen.getByTestId("filter-state"), "pending");
    await user.keyboard("{Control>}e{/Control}");
    const dialog = await screen.findByTestId("export-dialog");
    expect(within(dialog).getByTestId("export-matches").textContent).toBe("1 order matches the list's filters and search.");
    await user.click(within(dialog).getByTestId("export-json"));
    await user.click(within(dialog).getByTestId("export-start"));
    const saved = await within(dialog).findByTestId("export-saved");
    expect(saved.textContent).toBe(`1 order saved to ${savedPath}`);
    const call = backend.calls.find((c) => c.cmd === "export_orders_to_file")!;
    expect(call.args).toMatchObject({ format: "json", title: "Save the exported orders", query: { state: "pending", sort: "created", descending: true } });
    expect(within(dialog).getByRole("button", { name: "Close" })).toBeTruthy();
    await act(async () => {
      await i18n.changeLanguage("zh-CN");
    });
    expect(saved.textContent).toBe(`1 个订单已保存到 ${savedPath}`);
  });

  it("does nothing when the save dialog is cancelled", async () => {
    const answers = [{ path: savedPath, rows: 3 }, null];
    const backend = mockBackend({ onExport: () => answers.shift()! });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("open-export"));
    const dialog = await screen.findByTestId("export-dialog");
    const start = within(dialog).getByTestId("export-start") as HTMLButtonElement;
    await user.click(start);
    expect((await within(dialog).findByTestId("export-saved")).textContent).toBe(`3 orders saved to ${savedPath}`);
    // Cancelled: the last save's word stays, and nothing else is said.
    await user.click(start);
    await waitFor(() => expect(backend.calls.filter((c) => c.cmd === "export_orders_to_file").length).toBe(2));
    await waitFor(() => expect(start.disabled).toBe(false));
    expect(within(dialog).getByTestId("export-saved").textContent).toBe(`3 orders saved to ${savedPath}`);
    expect(within(dialog).queryByTestId("export-error")).toBeNull();
    expect(screen.getByTestId("export-dialog")).toBe(dialog);
  });

  it("says nothing was saved when the save dialog is cancelled first", async () => {
    mockBackend({ onExport: () => null });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("open-export"));
    const dialog = await screen.findByTestId("export-dialog");
    const start = within(dialog).getByTestId("export-start") as HTMLButtonElement;
    await user.click(start);
    await waitFor(() => expect(start.textContent).toBe("Save…"));
    expect(within(dialog).queryByTestId("export-saved")).toBeNull();
    expect(within(dialog).queryByTestId("export-error")).toBeNull();
    expect(within(dialog).getByRole("button", { name: "Cancel" })).toBeTruthy();
  });

  it("says why an export was refused", async () => {
    mockBackend({ onExport: () => Promise.reject({ kind: "refused", message: "more than 200000 orders match: narrow the filters" }) });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("open-export"));
    const dialog = await screen.findByTestId("export-dialog");
    await user.click(within(dialog).getByTestId("export-start"));
    expect(failureWords(await within(dialog).findByTestId("export-error"))).toBe("more than 200000 orders match: narrow the filters");
  });
});
