import { describe, expect, it } from "vitest";
import { COLUMN_WIDTHS, columnWidths, ORDER_NO_MIN, PROFILE_ROOMY, SUBJECT_MIN, SUBJECT_ROOMY, visibleColumns } from "./layout";

const sorted = (s: Set<string>) => [...s].sort();

describe("the orders table's columns", () => {
  it("shows every column in a 1280px window and the essentials beside the detail panel", () => {
    // The list's box at 1280×800: 1056px alone (less a scroll bar's width where it takes room),
    // 696px with the detail panel open.
    expect(visibleColumns(1056).size).toBe(7);
    expect(visibleColumns(1046).size).toBe(7);
    expect(sorted(visibleColumns(696))).toEqual(["amount", "order_no", "profile", "state"]);
    expect(sorted(visibleColumns(400))).toEqual(["amount", "order_no", "state"]);
  });

  it("gives way from the end of UX.md's column order, and what it shows always fits", () => {
    const widthOf = (c: string) => (c === "subject" ? SUBJECT_MIN : COLUMN_WIDTHS[c as keyof typeof COLUMN_WIDTHS]);
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

  it("keeps amount and state whole in the narrowest window, cutting the order number instead", () => {
    // 900×560 with the detail panel open: the list's box is about 416px.
    expect(columnWidths(416)).toEqual({ order_no: 190, amount: 104, state: 122 });
    expect(columnWidths(200)).toEqual({ order_no: ORDER_NO_MIN, amount: 104, state: 122 });
    expect(columnWidths(1056)).toEqual(COLUMN_WIDTHS);
    for (let width = 336; width <= 2000; width += 5) {
      const total = Object.values(columnWidths(width)).reduce((sum, w) => sum + w, 0);
      expect(total).toBeLessThanOrEqual(width);
    }
  });

  it("gives a wide window's room to the profile's name, once the subject has plenty", () => {
    // 1920×1080: about 1696px alone, 1336px beside the detail panel.
    expect(columnWidths(1696).profile).toBe(PROFILE_ROOMY);
    expect(columnWidths(1336).profile).toBe(1336 - SUBJECT_ROOMY - (926 - COLUMN_WIDTHS.profile));
    for (let width = 1056; width <= 2600; width += 9) {
      const total = Object.values(columnWidths(width)).reduce((sum, w) => sum + w, 0);
      expect(width - total).toBeGreaterThanOrEqual(Math.min(SUBJECT_ROOMY, width - 926));
    }
  });
});
