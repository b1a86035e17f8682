// Which rows of a long list of fixed-height rows are in view, computed from the scroll position
// alone: nothing is kept per row, so a million orders cost what twenty do.

/** Every row of the orders table is this tall (styles.css). */
export const ROW_HEIGHT = 32;
/**
 * The tallest the rows' box is ever made. Browsers keep layout positions in 1/64 px in a
 * 32-bit integer, so an element cannot be taller than about 33.5M px (2^25). Up to a million
 * 32px rows the box is their true height; beyond that the scroll position is scaled, so the
 * scroll bar still reaches the last row.
 */
export const MAX_BODY_HEIGHT = 32_000_000;
/**
 * Rows rendered beyond each edge of the view, so a wheel step does not show blank space. Every
 * row is work before the first screen: 12 rather than 6 cost ~30 ms more script in chromium.
 */
export const OVERSCAN = 6;

export interface RowWindow {
  /** The first row rendered and one past the last. */
  start: number;
  end: number;
  /** Height of the space above the first rendered row and below the last one, px. */
  padTop: number;
  padBottom: number;
  /** The rows' box: the rows' true height, at most MAX_BODY_HEIGHT. */
  bodyHeight: number;
}

/** The rows' box height for `total` rows. */
export function bodyHeight(total: number): number {
  return Math.min(total * ROW_HEIGHT, MAX_BODY_HEIGHT);
}

/**
 * How far into the rows (px, in rows of their true height) the top of the view is, for the
 * box's scroll position `scrollTop` and a view `view` px tall (the box less its sticky
 * header). The same thing while the rows fit; scaled so both ends meet when they do not.
 */
export function rowOffset(total: number, scrollTop: number, view: number): number {
  const full = total * ROW_HEIGHT;
  const body = bodyHeight(total);
  const top = Math.max(0, Math.min(scrollTop, Math.max(0, body - view)));
  if (full <= body || body <= view) return top;
  return (top * (full - view)) / (body - view);
}

/** The scroll position that puts the rows' offset `offset` at the top of the view. */
export function scrollTopFor(total: number, offset: number, view: number): number {
  const full = total * ROW_HEIGHT;
  const body = bodyHeight(total);
  const clamped = Math.max(0, Math.min(offset, Math.max(0, full - view)));
  if (full <= body || body <= view) return clamped;
  return (clamped * (body - view)) / (full - view);
}

/** The rows to render for a scroll position, with `overscan` more at each end. */
export function rowWindow(total: number, scrollTop: number, view: number, overscan = OVERSCAN): RowWindow {
  const body = bodyHeight(total);
  if (total <= 0) return { start: 0, end: 0, padTop: 0, padBottom: 0, bodyHeight: 0 };
  const offset = rowOffset(total, scrollTop, view);
  const first = Math.min(total - 1, Math.floor(offset / ROW_HEIGHT));
  const last = Math.min(total - 1, Math.floor((offset + Math.max(view, ROW_HEIGHT) - 1) / ROW_HEIGHT));
  // Where the box's scroll position actually is (the same as `offset` unless scaled): row
  // `first` is drawn where the view shows it.
  const top = Math.max(0, Math.min(scrollTop, Math.max(0, body - view)));
  let start = Math.max(0, first - overscan);
  let end = Math.min(total, last + 1 + overscan);
  let padTop = top - (offset - start * ROW_HEIGHT);
  // Scaled, near either end: fewer rows beyond the view rather than rows outside the box,
  // and the rows moved by less than a row where even those would not fit.
  if (padTop < 0) {
    start = Math.min(first, start + Math.ceil(-padTop / ROW_HEIGHT));
    padTop = Math.max(0, top - (offset - start * ROW_HEIGHT));
  }
  if (padTop + (end - start) * ROW_HEIGHT > body) {
    end = Math.max(last + 1, start + Math.floor((body - padTop) / ROW_HEIGHT));
    padTop = Math.min(padTop, body - (end - start) * ROW_HEIGHT);
  }
  const padBottom = Math.max(0, body - padTop - (end - start) * ROW_HEIGHT);
  return { start, end, padTop, padBottom, bodyHeight: body };
}

/**
 * The scroll position that shows row `index` whole, moving as little as possible: `current`
 * if it is already in view.
 */
export function scrollTopToShow(total: number, index: number, current: number, view: number): number {
  const offset = rowOffset(total, current, view);
  const rowTop = index * ROW_HEIGHT;
  if (rowTop < offset) return Math.floor(scrollTopFor(total, rowTop, view));
  if (rowTop + ROW_HEIGHT > offset + view) return Math.ceil(scrollTopFor(total, rowTop + ROW_HEIGHT - view, view));
  return current;
}
