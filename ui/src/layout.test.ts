import { describe, expect, it } from "vitest";
import { COLUMN_WIDTHS, visibleColumns } from "./components/orderColumns";

const sorted = (s: Set<string>) => [...s].sort();

describe("the orders table's columns", () => {
  it("shows every column in a 1280px window and the essentials beside the detail panel", () => {
    // The list's box at 1280×800: 1056px alone, 696px with the detail panel open.
    expect(visibleColumns(1056).size).toBe(7);
    expect(sorted(visibleColumns(696))).toEqual(["amount", "order_no", "profile", "state"]);
    expect(sorted(visibleColumns(400))).toEqual(["amount", "order_no", "state"]);
  });

  it("gives way from the end of UX.md's column order, and what it shows always fits", () => {
    const widthOf = (c: string) => (c === "subject" ? 130 : COLUMN_WIDTHS[c as keyof typeof COLUMN_WIDTHS]);
    let previous = 0;
    for (let width = 300; width <= 2000; width += 7) {
      const shown = visibleColumns(width);
      expect(shown.has("order_no") && shown.has("amount") && shown.has("state")).toBe(true);
      if (shown.has("subject")) expect(shown.has("updated_at")).toBe(true);
      if (shown.has("updated_at")) expect(shown.has("channel")).toBe(true);
      if (shown.has("channel")) expect(shown.has("profile")).toBe(true);
      const need = [...shown].reduce((sum, c) => sum + widthOf(c), 0);
      if (shown.size > 3) expect(need).toBeLessThanOrEqual(width);
      expect(shown.size).toBeGreaterThanOrEqual(previous);
      previous = shown.size;
    }
  });
});
