// Every key the window answers, in one table per place: the handlers find their key here and
// the shortcut sheet (?) lists the same entries, so what the sheet says is what the keys do.
import type { Resources } from "./locales/en";

/** The views in the order of their keys (Ctrl+1 … Ctrl+7): a new view takes the next key, so
 * every key keeps its meaning. */
export const VIEWS = ["orders", "lookup", "dashboard", "gateways", "settings", "audit", "shift"] as const;
export type View = (typeof VIEWS)[number];

/** The views in the navigation's order: the desk's day (orders, lookup, dashboard, shift)
 * before setting up and looking back (the window's layout). */
export const NAV_ORDER: readonly View[] = ["orders", "lookup", "dashboard", "shift", "gateways", "settings", "audit"];

/** One key, with Ctrl (or ⌘) or without. */
export interface Chord {
  /** KeyboardEvent.key, compared without case. */
  key: string;
  ctrl?: boolean;
  /** Also while typing in a text field (a key without Ctrl types there otherwise). */
  inText?: boolean;
  /** Also while a dialog is open. */
  inDialog?: boolean;
}

type Words = keyof Resources["shortcuts"];

export interface Shortcut<Id extends string = string> {
  id: Id;
  chords: readonly Chord[];
  /** What it does, in the sheet. */
  words: Words;
  /** The sheet shows the chords as a range (1 … 9) rather than one by one. */
  range?: boolean;
  /** The view it shows (Ctrl+1 … 7). */
  view?: View;
}

const DIGITS = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];

/** Anywhere in the window (App's useShortcuts; a dialog's Esc is Modal's). */
export const GLOBAL_KEYS = [
  { id: "search", chords: [{ key: "/" }, { key: "k", ctrl: true, inText: true, inDialog: true }], words: "search" },
  ...VIEWS.map((view, i) => ({ id: "view" as const, chords: [{ key: String(i + 1), ctrl: true, inText: true }], words: "view" as const, view })),
  { id: "new-order", chords: [{ key: "n", ctrl: true, inText: true }], words: "newOrder" },
  { id: "import", chords: [{ key: "i", ctrl: true, inText: true }], words: "import" },
  { id: "export", chords: [{ key: "e", ctrl: true, inText: true }], words: "export" },
  { id: "check", chords: [{ key: "r" }], words: "check" },
  { id: "receipt", chords: [{ key: "p" }], words: "receipt" },
  { id: "close", chords: [{ key: "Escape", inText: true }], words: "close" },
  { id: "help", chords: [{ key: "?" }], words: "help" },
] as const satisfies readonly Shortcut[];

/** In the search box (TopBar). */
export const SEARCH_KEYS = [
  { id: "open", chords: [{ key: "Enter", inText: true }], words: "searchOpen" },
  { id: "clear", chords: [{ key: "Escape", inText: true }], words: "searchClear" },
] as const satisfies readonly Shortcut[];

/** On a row of the orders list (OrdersTable). */
export const LIST_KEYS = [
  { id: "next", chords: [{ key: "ArrowDown" }], words: "listNext" },
  { id: "previous", chords: [{ key: "ArrowUp" }], words: "listPrevious" },
  { id: "open", chords: [{ key: "Enter" }, { key: " " }], words: "listOpen" },
] as const satisfies readonly Shortcut[];

/** In the pay dialog (PayDialog; Esc is Modal's). */
export const PAY_KEYS = [
  { id: "channel", chords: DIGITS.map((key) => ({ key })), words: "payChannel", range: true },
  { id: "next", chords: [{ key: "ArrowDown" }, { key: "ArrowRight" }], words: "payNext" },
  { id: "previous", chords: [{ key: "ArrowUp" }, { key: "ArrowLeft" }], words: "payPrevious" },
  { id: "confirm", chords: [{ key: "Enter", inText: true }], words: "payConfirm" },
  { id: "cancel", chords: [{ key: "Escape", inText: true }], words: "payCancel" },
] as const satisfies readonly Shortcut[];

/** The sheet's sections, in its order, each named by its heading's words. */
export const SHEET = [
  { title: "anywhere", keys: GLOBAL_KEYS },
  { title: "inSearch", keys: SEARCH_KEYS },
  { title: "inList", keys: LIST_KEYS },
  { title: "inPay", keys: PAY_KEYS },
] as const satisfies readonly { title: Words; keys: readonly Shortcut[] }[];

const TEXT_INPUTS = new Set(["text", "search", "email", "number", "password", "tel", "url", "date", "datetime-local", "month", "time", "week"]);

/** Whether a key pressed here would type (or choose, in a list box) rather than command. */
export function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
  return target instanceof HTMLInputElement && TEXT_INPUTS.has(target.type);
}

/** What a handler is given: a KeyboardEvent, native or React's. */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  target: EventTarget | null;
  nativeEvent?: { isComposing?: boolean };
  isComposing?: boolean;
  keyCode?: number;
}

function composing(e: KeyPress): boolean {
  // An input method (pinyin) uses Enter, digits and arrows itself while it composes.
  return Boolean(e.isComposing ?? e.nativeEvent?.isComposing) || e.keyCode === 229;
}

function fits(chord: Chord, e: KeyPress, typing: boolean, dialogOpen: boolean): boolean {
  const ctrl = e.ctrlKey || e.metaKey;
  if (e.altKey || ctrl !== Boolean(chord.ctrl)) return false;
  if (typing && !chord.inText) return false;
  if (dialogOpen && !chord.inDialog) return false;
  return e.key.toLowerCase() === chord.key.toLowerCase();
}

/** The entry of `table` that this key press calls, if any. `dialogOpen`: a dialog has the
 * keyboard (for the window's keys; a dialog's own table is asked without it). */
export function findShortcut<S extends Shortcut>(table: readonly S[], e: KeyPress, dialogOpen = false): S | undefined {
  if (composing(e)) return undefined;
  const typing = isTextField(e.target);
  return table.find((s) => s.chords.some((c) => fits(c, e, typing, dialogOpen)));
}

const NAMES: Record<string, string> = {
  escape: "Esc",
  enter: "Enter",
  " ": "Space",
  arrowup: "↑",
  arrowdown: "↓",
  arrowleft: "←",
  arrowright: "→",
};

/** A chord as the sheet and the buttons show it: Ctrl+K, /, Esc, ↑. */
export function chordLabel(chord: Chord): string {
  const name = NAMES[chord.key.toLowerCase()] ?? chord.key.toUpperCase();
  return chord.ctrl ? `Ctrl+${name}` : name;
}

/** The chords of an entry as the sheet shows them: each one, or a range's ends. */
export function chordLabels(s: Shortcut): string[] {
  const labels = s.chords.map(chordLabel);
  return s.range && labels.length > 2 ? [`${labels[0]} … ${labels.at(-1)}`] : labels;
}

/** An entry's keys for aria-keyshortcuts: "/ Control+K". */
export function ariaKeys(s: Shortcut): string {
  return s.chords
    .map((c) => {
      const name = c.key === " " ? "Space" : c.key.length === 1 ? c.key.toUpperCase() : c.key;
      return c.ctrl ? `Control+${name}` : name;
    })
    .join(" ");
}

/** The entry of a table by its id (the first, for the views' shared one). */
export function shortcut<S extends Shortcut>(table: readonly S[], id: S["id"]): S {
  return table.find((s) => s.id === id)!;
}
