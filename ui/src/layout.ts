// The orders table's columns: how wide each is and which give way first as the list narrows.
// (CSS container queries could hide cells, but WebKitGTK does not lay a fixed-layout table out
// again when they do: OrdersTable measures its box and asks here.)

/**
 * Column widths in px (cell padding included). Wide enough for a 27-digit order number, the
 * longest state badge in either language, a profile name with its SANDBOX badge (a long name is
 * cut, the badge never) and a time in either language's format. The subject takes whatever is
 * left, at least SUBJECT_MIN.
 */
export const COLUMN_WIDTHS = {
  order_no: 248,
  amount: 104,
  profile: 210,
  channel: 110,
  state: 122,
  updated_at: 132,
} as const;
export type FixedColumn = keyof typeof COLUMN_WIDTHS;

export const SUBJECT_MIN = 120;

/** Below its full width the order number is cut, down to this (its title holds it whole);
 * amount and state keep theirs. */
export const ORDER_NO_MIN = 110;

/** With room to spare (a wide window), the profile column grows to show a long name whole, up
 * to this, once the subject has SUBJECT_ROOMY. */
export const PROFILE_ROOMY = 320;
export const SUBJECT_ROOMY = 320;

/** The order in which columns give way as the list narrows: UX.md's column order, from the end. */
const GIVE_WAY = ["subject", "updated_at", "channel", "profile"] as const;

/**
 * Which columns fit a table `width` px wide. Order number, amount and state always show;
 * the others are left out, least important first, rather than make the list scroll sideways.
 */
export function visibleColumns(width: number): Set<string> {
  const shown = new Set<string>([...Object.keys(COLUMN_WIDTHS), "subject"]);
  const need = () => [...shown].reduce((sum, c) => sum + (c === "subject" ? SUBJECT_MIN : COLUMN_WIDTHS[c as FixedColumn]), 0);
  for (const column of GIVE_WAY) {
    if (need() <= width) break;
    shown.delete(column);
  }
  return shown;
}

/**
 * The width of each fixed column shown in a table `width` px wide (the subject, when shown,
 * takes the rest). Where even the three that always show do not fit, the order number gives up
 * what they lack, down to ORDER_NO_MIN: amount and state stay whole in the narrowest window.
 * Where there is room to spare, the profile's name shows whole.
 */
export function columnWidths(width: number): Partial<Record<FixedColumn, number>> {
  const shown = visibleColumns(width);
  const widths: Partial<Record<FixedColumn, number>> = {};
  for (const c of Object.keys(COLUMN_WIDTHS) as FixedColumn[]) if (shown.has(c)) widths[c] = COLUMN_WIDTHS[c];
  const need = Object.values(widths).reduce((sum, w) => sum + w, 0);
  // In steps of 10px: a window being resized makes a new table (OrdersTable) every step, not
  // every pixel.
  const step = (px: number) => Math.floor(px / 10) * 10;
  if (need > width) widths.order_no = Math.max(ORDER_NO_MIN, step(COLUMN_WIDTHS.order_no - (need - width)));
  const spare = width - need - SUBJECT_ROOMY;
  if (shown.has("subject") && spare > 0) widths.profile = Math.min(PROFILE_ROOMY, step(COLUMN_WIDTHS.profile + spare));
  return widths;
}
