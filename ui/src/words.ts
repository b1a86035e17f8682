// Formatting that is the same in every language. The words themselves live in locales/.
import type { en } from "./locales/en";
import type { Actor, AttemptState } from "./types";

export const STATE_ICON: Record<AttemptState, string> = {
  created: "○",
  submitting: "↻",
  pending: "◔",
  succeeded: "✓",
  failed: "✕",
  unknown: "?",
  needs_review: "!",
};

/** A payout's states that are worded as a payout (UX.md: payout, 付款 / 出款). */
const PAYOUT_HINTS = ["created", "pending", "succeeded", "failed", "unknown"] as const;

/** What the words of a state depend on besides the state. */
export interface HintOf {
  /** Whether the gateway can be asked about the payment (its capabilities). */
  statusQuery?: boolean;
  /** The gateway's error code, where it gave one. */
  errorCode?: string;
  /** Whether the gateway pays money out. */
  paysOut?: boolean;
  /** Whether the customer was given a code to pay with (a pay URL); unknown counts as given. */
  hasCode?: boolean;
}

/**
 * The locale key of what a state means for the person. A pending payment on a gateway without
 * a status query never changes by itself, so it must not promise that it will; one without a
 * code has nothing to scan, so it says where the customer pays instead. On a gateway that pays
 * out, money leaves the merchant: the words say so.
 */
export function hintKey(
  state: AttemptState | null,
  { statusQuery = true, errorCode, paysOut = false, hasCode = true }: HintOf = {},
): `hint.${keyof typeof en.hint}` {
  if (state === "pending" && !paysOut && !hasCode) return statusQuery ? "hint.pendingNoCode" : "hint.pendingUnaskedNoCode";
  if (state === "pending" && !statusQuery) return "hint.pendingUnasked";
  if (state === "needs_review" && errorCode === "AMOUNT_MISMATCH") return "hint.amountMismatch";
  const s = state ?? "created";
  if (paysOut && (PAYOUT_HINTS as readonly string[]).includes(s)) return `hint.${s as (typeof PAYOUT_HINTS)[number]}Out`;
  return `hint.${s}`;
}

/** The locale key of a state's name: a payout's own words where they differ. */
export function stateKey(state: AttemptState, paysOut = false): `state.${AttemptState}` | `stateOut.${keyof typeof en.stateOut}` {
  if (paysOut && (state === "pending" || state === "succeeded" || state === "failed")) return `stateOut.${state}`;
  return `state.${state}`;
}

/** "前台 1 · alice": who wrote something. Empty names (written before desks were named) are
 * left out, so a record from then names nobody: "". */
export function formatActor({ desk, operator }: Actor): string {
  return [desk, operator].filter(Boolean).join(" · ");
}

/** Whether `event` was written by someone other than who started its attempt: a status check
 * from another desk, a person's decision. Worth naming only then. */
export function writtenByAnother(event: Actor, attempt: Actor): boolean {
  return formatActor(event) !== "" && (event.desk !== attempt.desk || event.operator !== attempt.operator);
}

export const STATES: AttemptState[] = [
  "created",
  "submitting",
  "pending",
  "succeeded",
  "failed",
  "unknown",
  "needs_review",
];

const SYMBOLS: Record<string, string> = { CNY: "¥", JPY: "¥", INR: "₹", USD: "$", EUR: "€", HKD: "HK$" };

/** Formats the backend's exact decimal string; never parses it into a float. */
export function formatMoney(amount: string, currency: string): string {
  return `${SYMBOLS[currency] ?? `${currency} `}${amount}`;
}

/** Minor units as the decimal the backend would write (`1230`, 2 → `"12.30"`): integer digits
 * moved, never a float. */
export function minorToDecimal(minor: number, exponent: number): string {
  const digits = String(Math.abs(minor)).padStart(exponent + 1, "0");
  const whole = exponent ? `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}` : digits;
  return minor < 0 ? `-${whole}` : whole;
}

export function formatTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * A time as short as it can be without being ambiguous: the time alone today, the date and
 * minute this year, the date before that. Tables show this; the full time is in its title.
 */
export function formatWhen(ms: number, now: Date = new Date()): string {
  const full = formatTime(ms);
  const d = new Date(ms);
  if (d.getFullYear() !== now.getFullYear()) return full.slice(0, 10);
  if (d.getMonth() === now.getMonth() && d.getDate() === now.getDate()) return full.slice(11);
  return full.slice(5, 16);
}

/** To the minute: "09:41" today, "2026-12-04 17:05" before (how old the desk's copy of the
 * shared history is). */
export function formatMinute(ms: number, now: Date = new Date()): string {
  const full = formatTime(ms);
  const d = new Date(ms);
  const today = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  return today ? full.slice(11, 16) : full.slice(0, 16);
}

/** A file size for people: "812 KB", "12.4 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Local midnight of the given day, and of the Monday of its week (unix ms). */
export function dayStart(now: Date): number {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
}

export function weekStart(now: Date): number {
  const back = (now.getDay() + 6) % 7;
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() - back).getTime();
}

/** A time's day on this computer's calendar, as an <input type="date"> writes it. */
export function localDate(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** "2026-11-21" from an <input type="date"> as local midnight (unix ms), or null. */
export function dateInputToMs(value: string, plusDays = 0): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays).getTime();
}
