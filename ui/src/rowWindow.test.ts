import { describe, expect, it } from "vitest";
import { bodyHeight, MAX_BODY_HEIGHT, OVERSCAN, ROW_HEIGHT, rowOffset, rowWindow, scrollTopFor, scrollTopToShow } from "./rowWindow";

const VIEW = 568; // 600px box less a 32px sticky header

describe("the rows drawn for a scroll position", () => {
  it("are the rows in view and a few either side, whatever the number of rows", () => {
    for (const total of [30, 1_000, 1_000_000]) {
      const top = rowWindow(total, 0, VIEW);
      expect(top.start).toBe(0);
      expect(top.end).toBe(Math.min(total, Math.ceil(VIEW / ROW_HEIGHT) + OVERSCAN));
      expect(top.padTop).toBe(0);
      expect(top.padTop + (top.end - top.start) * ROW_HEIGHT + top.padBottom).toBe(bodyHeight(total));
    }
    const middle = rowWindow(1_000_000, 320_000, VIEW);
    expect(middle.start).toBe(10_000 - OVERSCAN);
    expect(middle.end - middle.start).toBeLessThanOrEqual(Math.ceil(VIEW / ROW_HEIGHT) + 1 + 2 * OVERSCAN);
    expect(middle.padTop).toBe(middle.start * ROW_HEIGHT);
  });

  it("end with the last row at the bottom of a million", () => {
    const total = 1_000_000;
    const w = rowWindow(total, bodyHeight(total) - VIEW, VIEW);
    expect(w.end).toBe(total);
    expect(w.padBottom).toBe(0);
    expect(w.padTop + (w.end - w.start) * ROW_HEIGHT).toBe(bodyHeight(total));
  });

  it("beyond what a browser can lay out, scale the scroll position so both ends are reached", () => {
    const total = 5_000_000;
    expect(bodyHeight(total)).toBe(MAX_BODY_HEIGHT);
    const bottom = bodyHeight(total) - VIEW;
    const end = rowWindow(total, bottom, VIEW);
    expect(end.end).toBe(total);
    expect(end.padTop + (end.end - end.start) * ROW_HEIGHT).toBe(MAX_BODY_HEIGHT);
    expect(rowOffset(total, bottom, VIEW)).toBe(total * ROW_HEIGHT - VIEW);
    for (const top of [0, 1, 1_000, 12_345_678, bottom / 2, bottom - 1, bottom]) {
      const w = rowWindow(total, top, VIEW);
      const offset = rowOffset(total, top, VIEW);
      const first = Math.floor(offset / ROW_HEIGHT);
      // The view is covered by drawn rows, nothing spills out of the box, and the row at the
      // view's top is the one the offset names: exactly, but for the last few px of scrolling
      // at either end, where the rows move with the scroll bar rather than out of the box.
      expect(w.padTop).toBeLessThanOrEqual(top);
      expect(w.padTop + (w.end - w.start) * ROW_HEIGHT).toBeGreaterThanOrEqual(top + VIEW);
      if (top >= OVERSCAN * ROW_HEIGHT && top <= bottom - OVERSCAN * ROW_HEIGHT) {
        expect(w.padTop + (first - w.start) * ROW_HEIGHT).toBeCloseTo(top - (offset - first * ROW_HEIGHT), 6);
      } else {
        expect(Math.abs(w.start + Math.floor((top - w.padTop) / ROW_HEIGHT) - first)).toBeLessThanOrEqual(OVERSCAN);
      }
      expect(w.padTop).toBeGreaterThanOrEqual(0);
      expect(w.padBottom).toBeGreaterThanOrEqual(0);
      expect(w.padTop + (w.end - w.start) * ROW_HEIGHT + w.padBottom).toBeCloseTo(MAX_BODY_HEIGHT, 6);
    }
  });

  it("scroll no further than needed to show a row whole, scaled or not", () => {
    for (const total of [1_000, 1_000_000, 5_000_000]) {
      for (const index of [0, 1, 17, 18, 19, 500, total - 2, total - 1]) {
        for (const current of [0, scrollTopFor(total, (total / 2) * ROW_HEIGHT, VIEW), bodyHeight(total) - VIEW]) {
          const top = scrollTopToShow(total, index, current, VIEW);
          const offset = rowOffset(total, top, VIEW);
          expect(index * ROW_HEIGHT).toBeGreaterThanOrEqual(offset - 1e-6);
          expect((index + 1) * ROW_HEIGHT).toBeLessThanOrEqual(offset + VIEW + 1e-6);
          if (index * ROW_HEIGHT >= rowOffset(total, current, VIEW) && (index + 1) * ROW_HEIGHT <= rowOffset(total, current, VIEW) + VIEW) {
            expect(top).toBe(current);
          }
        }
      }
    }
  });

  it("are none for no rows", () => {
    expect(rowWindow(0, 0, VIEW)).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0, bodyHeight: 0 });
  });
});
