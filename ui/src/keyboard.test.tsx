// The keyboard in the window's dialogs: the order Tab takes through their actions.
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "./App";
import { render } from "./test-render";
import { mockBackend, resetBackend } from "./test-backend";

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
    mockBackend({ onExport: () => ({ file_name: "x.csv", media_type: "text/csv", rows: 0, content: "" }) });
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
    await user.upload(within(importing).getByTestId("import-file"), new File(["order_no,amount\n"], "a.csv", { type: "text/csv" }));
    await expectActionThenCancel(user, importing, "^Import$");
    await user.keyboard("{Escape}");

    await user.click(screen.getByTestId("open-export"));
    await expectActionThenCancel(user, await screen.findByTestId("export-dialog"), "^Export$");
    await user.keyboard("{Escape}");

    await user.click(screen.getByRole("link", { name: /Gateways/ }));
    await user.click(await screen.findByTestId("remove-profile"));
    await expectActionThenCancel(user, await screen.findByTestId("remove-dialog"), "^Remove$");
    await user.keyboard("{Escape}");

    await user.click(screen.getByTestId("add-profile"));
    const form = await screen.findByTestId("profile-form");
    expect(footerButtons(form).map((b) => b.textContent)).toEqual(["Save", "Cancel"]);
  });
});
