// The keyboard: the pay dialog's keys, the order Tab takes through dialogs' actions, and the
// shortcut sheet.
import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "./App";
import i18n from "./i18n";
import { findShortcut, SHEET, type Chord, type Shortcut } from "./shortcuts";
import { render } from "./test-render";
import { mockBackend, quoteFor, resetBackend, type Options } from "./test-backend";

afterEach(resetBackend);

type User = ReturnType<typeof userEvent.setup>;

/** The dialog's own actions, in the order Tab reaches them. */
function footerButtons(dialog: HTMLElement): HTMLButtonElement[] {
  return [...within(dialog).getAllByRole("button")].filter((b) => b.closest("footer")) as HTMLButtonElement[];
}

/** Its action comes first and Cancel after it; Tab from the action goes to Cancel. */
async function expectActionThenCancel(user: User, dialog: HTMLElement, action: string) {
  const buttons = footerButtons(dialog);
  expect(buttons.map((b) => b.textContent)).toEqual([expect.stringMatching(action), "Cancel"]);
  const [first, cancel] = buttons as [HTMLButtonElement, HTMLButtonElement];
  expect(first.className).toMatch(/primary|danger/);
  await waitFor(() => expect(first.disabled).toBe(false));
  first.focus();
  await user.tab();
  expect(document.activeElement).toBe(cancel);
}

describe("dialogs' actions", () => {
  it("come before Cancel in every dialog, so Tab reaches the action first", async () => {
    mockBackend({ onChoose: () => ({ name: "a.csv", path: "/tmp/a.csv", bytes: 16, format: "csv" }), onExport: () => null });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    await user.click(await screen.findByTestId("open-pay"));
    await expectActionThenCancel(user, await screen.findByTestId("pay-dialog"), "^Confirm ¥12.34$");
    await user.keyboard("{Escape}");

    await user.click(screen.getByTestId("new-order"));
    await expectActionThenCancel(user, await screen.findByTestId("new-order-dialog"), "^Add order$");
    await user.keyboard("{Escape}");

    await user.click(screen.getByTestId("open-import"));
    const importing = await screen.findByTestId("import-dialog");
    await user.click(within(importing).getByTestId("import-choose"));
    await expectActionThenCancel(user, importing, "^Import$");
    await user.keyboard("{Escape}");

    await user.click(screen.getByTestId("open-export"));
    await expectActionThenCancel(user, await screen.findByTestId("export-dialog"), "^Save…$");
    await user.keyboard("{Escape}");

    await user.click(screen.getByRole("link", { name: /Gateways/ }));
    await user.click(await screen.findByTestId("remove-profile"));
    const removing = await screen.findByTestId("remove-dialog");
    // It opens on Cancel: Enter keeps the profile.
    expect(document.activeElement).toBe(within(removing).getByRole("button", { name: "Cancel" }));
    await expectActionThenCancel(user, removing, "^Remove$");
    await user.keyboard("{Escape}");

    await user.click(screen.getByTestId("add-profile"));
    const form = await screen.findByTestId("profile-form");
    expect(footerButtons(form).map((b) => b.textContent)).toEqual(["Save", "Cancel"]);
  });
});

async function openPay(user: User) {
  if (!screen.queryByTestId("order-panel")) await user.click(await screen.findByText("DEMO-1001"));
  await user.click(await screen.findByTestId("open-pay"));
  const dialog = await screen.findByTestId("pay-dialog");
  // Confirm takes the focus once the backend's quote is in.
  await waitFor(() => expect(document.activeElement).toBe(within(dialog).getByTestId("confirm-pay")));
  return dialog;
}

function chosen(dialog: HTMLElement) {
  return within(dialog).getByRole("radio", { checked: true });
}

function pays(backend: { calls: { cmd: string; args: Record<string, unknown> }[] }) {
  return backend.calls.filter((c) => c.cmd === "pay_order");
}

describe("the pay dialog's keys", () => {
  it("offer the channels as one radio group: one Tab stop, the arrows move the choice and the focus", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    const dialog = await openPay(user);
    const group = within(dialog).getByRole("radiogroup", { name: "Channel" });
    const radios = within(group).getAllByRole("radio");
    expect(radios.map((r) => [r.textContent, r.getAttribute("aria-keyshortcuts"), r.tabIndex])).toEqual([
      ["◎Balance1", "1", 0],
      ["✎Credit2", "2", -1],
      ["支Alipay3", "3", -1],
    ]);
    // Back from Confirm past Add voucher: the channels are one stop.
    await user.keyboard("{Shift>}{Tab}{Tab}{/Shift}");
    expect(document.activeElement).toBe(radios[0]);
    const walk: string[] = [];
    for (const key of ["ArrowRight", "ArrowDown", "ArrowRight", "ArrowLeft", "ArrowUp"]) {
      await user.keyboard(`{${key}}`);
      expect(document.activeElement).toBe(chosen(dialog));
      walk.push(chosen(dialog).textContent!.slice(1, -1));
    }
    // Round the end and back: a radio group wraps.
    expect(walk).toEqual(["Credit", "Alipay", "Balance", "Alipay", "Credit"]);
    expect(radios.map((r) => r.tabIndex)).toEqual([-1, 0, -1]);
    await user.keyboard("{Enter}");
    await screen.findByTestId("pay-result");
    expect(pays(backend).map((c) => c.args.channel)).toEqual(["credit"]);
  });

  it("move the choice with the arrows from Confirm too, the focus staying on Confirm", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    const dialog = await openPay(user);
    const confirm = within(dialog).getByTestId("confirm-pay");
    await waitFor(() => expect(document.activeElement).toBe(confirm));
    await user.keyboard("{ArrowDown}");
    expect(chosen(dialog).textContent).toContain("Credit");
    await user.keyboard("{ArrowUp}{ArrowUp}");
    expect(chosen(dialog).textContent).toContain("Alipay");
    expect(document.activeElement).toBe(confirm);
    await user.keyboard("{Enter}");
    await screen.findByTestId("pay-result");
    expect(pays(backend).map((c) => c.args.channel)).toEqual(["alipay"]);
  });

  it("choose the n-th channel with 1…9 from anywhere but a text field, where the digit is typed", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    const dialog = await openPay(user);
    const confirm = within(dialog).getByTestId("confirm-pay");
    await user.keyboard("3");
    expect(chosen(dialog).textContent).toContain("Alipay");
    // The focus stays on Confirm: Enter pays with the channel just chosen.
    expect(document.activeElement).toBe(confirm);
    await user.keyboard("9");
    expect(chosen(dialog).textContent).toContain("Alipay");
    await user.click(within(dialog).getByTestId("add-voucher"));
    await user.type(within(dialog).getByTestId("voucher-id-0"), "v-2");
    expect((within(dialog).getByTestId("voucher-id-0") as HTMLInputElement).value).toBe("v-2");
    expect(chosen(dialog).textContent).toContain("Alipay");
    await user.type(within(dialog).getByTestId("voucher-amount-0"), "10");
    await waitFor(() => expect(within(dialog).getByTestId("charge-amount").textContent).toBe("¥2.34"));
    // Enter in a text field confirms too.
    await user.keyboard("{Enter}");
    await screen.findByTestId("pay-result");
    expect(pays(backend).map((c) => c.args)).toEqual([expect.objectContaining({ channel: "alipay", deductions: [{ id: "v-2", amount: "10" }] })]);
  });

  it("confirm with Enter from the dialog itself; on another button Enter presses that button", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    let dialog = await openPay(user);
    within(dialog).getByTestId("add-voucher").focus();
    await user.keyboard("{Enter}");
    expect(within(dialog).getByTestId("voucher-id-0")).toBeTruthy();
    within(dialog).getByRole("button", { name: "Cancel" }).focus();
    await user.keyboard("{Enter}");
    expect(screen.queryByTestId("pay-dialog")).toBeNull();
    expect(pays(backend)).toHaveLength(0);

    dialog = await openPay(user);
    dialog.focus();
    await user.keyboard("{Enter}");
    await screen.findByTestId("pay-result");
    expect(pays(backend)).toHaveLength(1);
  });

  it("confirm nothing while Confirm cannot be pressed", async () => {
    const offline: Options["statusChecks"] = () => ({
      gateways: [],
      storage: { state: "ok", detail: null },
      store: { url: "postgres://desk_1@db.shop.example/paydesk", reachable: false, read_only: false, as_of: null, schema_mismatch: null },
    });
    const backend = mockBackend({ statusChecks: offline });
    const user = userEvent.setup();
    render(<App />);
    await waitFor(() => expect(screen.getByTestId("shared-store").getAttribute("data-reachable")).toBe("false"));
    await user.click(await screen.findByText("DEMO-1001"));
    await user.click(await screen.findByTestId("open-pay"));
    const dialog = await screen.findByTestId("pay-dialog");
    await waitFor(() => expect(within(dialog).getByTestId("charge-amount").textContent).toBe("¥12.34"));
    expect((within(dialog).getByTestId("confirm-pay") as HTMLButtonElement).disabled).toBe(true);
    await user.click(within(dialog).getByTestId("add-voucher"));
    await user.click(within(dialog).getByTestId("voucher-id-0"));
    await user.keyboard("{Enter}");
    dialog.focus();
    await user.keyboard("{Enter}");
    expect(pays(backend)).toHaveLength(0);
    expect(screen.getByTestId("pay-dialog")).toBeTruthy();
  });

  it("send one payment however often Enter is pressed, and none while one is in flight", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    const dialog = await openPay(user);
    // Hold the payment in flight.
    const held: string[] = [];
    mockIPC((cmd) => (held.push(cmd), cmd === "pay_order" ? new Promise(() => {}) : cmd === "quote" ? quoteFor({}) : null), { shouldMockEvents: true });
    const radio = chosen(dialog);
    act(() => radio.focus());
    // A held Enter (the scanner's, that opened the dialog) repeats: a repeat pays nothing.
    fireEvent.keyDown(radio, { key: "Enter", repeat: true });
    await act(() => new Promise((resolve) => setTimeout(resolve, 10)));
    expect(held.filter((c) => c === "pay_order")).toHaveLength(0);
    expect(screen.queryByTestId("pay-progress")).toBeNull();
    // Two presses before React re-renders: the second finds the first under way.
    act(() => {
      fireEvent.keyDown(radio, { key: "Enter" });
      fireEvent.keyDown(radio, { key: "Enter" });
    });
    expect(await screen.findByTestId("pay-progress")).toBeTruthy();
    dialog.focus();
    await user.keyboard("{Enter}2{Enter}");
    expect(held.filter((c) => c === "pay_order")).toHaveLength(1);
    expect(pays(backend)).toHaveLength(0);
  });
});

describe("the shortcut sheet", () => {
  it("opens with ? (not while typing), lists every key the window answers in its language, and closes with Esc", async () => {
    mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    await user.click(screen.getByTestId("global-search"));
    await user.keyboard("?");
    expect((screen.getByTestId("global-search") as HTMLInputElement).value).toBe("?");
    expect(screen.queryByRole("dialog")).toBeNull();
    await user.keyboard("{Escape}");
    expect(document.activeElement).toBe(document.body);
    await user.keyboard("?");
    const sheet = await screen.findByRole("dialog", { name: "Keyboard shortcuts" });
    const rows = (section: string) =>
      [...sheet.querySelectorAll(`table[data-section="${section}"] tbody tr`)].map((tr) =>
        [...tr.children].map((cell) => cell.textContent),
      );
    expect(rows("anywhere")).toEqual([
      ["/ or Ctrl+K", "Search any reference"],
      ["Ctrl+1", "Show Orders"],
      ["Ctrl+2", "Show Lookup"],
      ["Ctrl+3", "Show Dashboard"],
      ["Ctrl+4", "Show Gateways"],
      ["Ctrl+5", "Show Settings"],
      ["Ctrl+6", "Show Audit trail"],
      ["Ctrl+7", "Show Shift"],
      ["Ctrl+N", "New order"],
      ["Ctrl+I", "Import orders"],
      ["Ctrl+E", "Export the orders the list shows"],
      ["R", "Check status of the selected order"],
      ["P", "Receipt of the selected order, once it is paid"],
      ["Esc", "Close the dialog, or the order's detail"],
      ["?", "This list of shortcuts"],
    ]);
    expect(rows("inPay").map(([keys]) => keys)).toEqual(["1 … 9", "↓ or →", "↑ or ←", "Enter", "Esc"]);
    expect(rows("inSearch").map(([keys]) => keys)).toEqual(["Enter", "Esc"]);
    expect(rows("inList").map(([keys]) => keys)).toEqual(["↓", "↑", "Enter or Space"]);
    await act(async () => {
      await i18n.changeLanguage("zh-CN");
    });
    expect(within(sheet).getByRole("heading").textContent).toBe("键盘快捷键");
    expect(rows("anywhere")[1]).toEqual(["Ctrl+1", "切换到订单"]);
    expect(rows("anywhere")[6]).toEqual(["Ctrl+6", "切换到操作记录"]);
    expect(rows("anywhere")[7]).toEqual(["Ctrl+7", "切换到班次"]);
    expect(rows("inPay")[0]).toEqual(["1 … 9", "选择对应编号的渠道"]);
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("opens from the top bar's ? button too, and gives the focus back to it", async () => {
    mockBackend();
    const user = userEvent.setup();
    render(<App />);
    const open = await screen.findByRole("button", { name: "Keyboard shortcuts" });
    expect(open.getAttribute("aria-keyshortcuts")).toBe("?");
    await user.click(open);
    const sheet = await screen.findByTestId("shortcut-sheet");
    expect(document.activeElement).toBe(within(sheet).getByTestId("close-shortcuts"));
    await user.keyboard("{Enter}");
    expect(screen.queryByTestId("shortcut-sheet")).toBeNull();
    expect(document.activeElement).toBe(open);
  });

  it("lists only keys their handlers answer: each chord finds its own entry, none shadowed by another", () => {
    const row = document.createElement("tr");
    const press = (c: Chord) => ({ key: c.key, ctrlKey: Boolean(c.ctrl), metaKey: false, altKey: false, target: row });
    for (const section of SHEET) {
      const table: readonly Shortcut[] = section.keys;
      for (const entry of table) {
        for (const chord of entry.chords) expect(findShortcut(table, press(chord))).toBe(entry);
      }
    }
  });
});
