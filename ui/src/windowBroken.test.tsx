import { act, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import i18n from "./i18n";
import { render } from "./test-render";

function Broken(): never {
  throw new Error("a row without its order");
}

describe("a screen that cannot be drawn", () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    await act(() => i18n.changeLanguage("en"));
  });

  it("says so instead of leaving the window blank, with what happened and the way back", async () => {
    // React reports the throw on the console as well; the window is what is checked here.
    vi.spyOn(console, "error").mockImplementation(() => {});
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    render(<Broken />);
    const shown = screen.getByRole("alert");
    expect(within(shown).getByRole("heading", { level: 1 }).textContent).toBe("This screen could not be drawn.");
    expect(shown.textContent).toContain("nothing was lost");
    expect(shown.textContent).toContain("a row without its order");
    expect(within(shown).getByRole("button", { name: "Reload the window" })).toBeTruthy();
    within(shown).getByRole("button", { name: "Copy details" }).click();
    expect(writeText).toHaveBeenCalledWith(expect.stringMatching(/^Error: a row without its order\n.*Broken/s));
  });

  it("says it in the window's language", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    await act(() => i18n.changeLanguage("zh-CN"));
    render(<Broken />);
    const shown = screen.getByRole("alert");
    expect(within(shown).getByRole("heading", { level: 1 }).textContent).toBe("无法显示此页面。");
    expect(within(shown).getByRole("button", { name: "重新载入窗口" })).toBeTruthy();
  });
});
