// Formatting: money the same in every language, times in the language's own order. The words
// themselves live in locales/.
import i18n from "./i18n";
import type { en } from "./locales/en";
import type { Actor, AttemptState } from "./types";
import type { SchemaMismatch } from "./ipc/SchemaMismatch";

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
  if (state === "needs_review" && errorCode === "ANSWER_FOR_ANOTHER_PAYMENT") return "hint.anotherPayment";
  if (state === "needs_review" && errorCode === "ANSWER_IN_OTHER_MODE") return "hint.otherMode";
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

// As paydesk-gateways' `Currency::symbol` writes them (papers, the command line): yen and yuan
// never share a sign.
const SYMBOLS: Record<string, string> = { CNY: "¥", JPY: "JP¥", INR: "₹", USD: "$", EUR: "€", HKD: "HK$" };

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

/** The parts of a time each format shows: the same precision in every language, each in the
 * order and with the separators of the person's (2026/11/21 09:05:07, 11/21/2026, 09:05:07 AM). */
const PARTS = {
  full: { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" },
  time: { hour: "2-digit", minute: "2-digit", second: "2-digit" },
  dayMinute: { month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" },
  date: { year: "numeric", month: "2-digit", day: "2-digit" },
  dateMinute: { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" },
  minute: { hour: "2-digit", minute: "2-digit" },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

const formats = new Map<string, Intl.DateTimeFormat>();

/** `ms` in `parts`, as `language` writes it (formatters kept: a table formats every row). */
function format(ms: number, parts: keyof typeof PARTS, language: string): string {
  const key = `${language} ${parts}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(language, PARTS[parts]);
    formats.set(key, f);
  }
  return f.format(ms);
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** A time to the second, as the window's language writes it. */
export function formatTime(ms: number, language: string = i18n.language): string {
  return format(ms, "full", language);
}

/**
 * A time as short as it can be without being ambiguous: the time alone today, the date and
 * minute this year, the date before that. Tables show this; the full time is in its title.
 */
export function formatWhen(ms: number, now: Date = new Date(), language: string = i18n.language): string {
  const d = new Date(ms);
  if (d.getFullYear() !== now.getFullYear()) return format(ms, "date", language);
  if (sameDay(d, now)) return format(ms, "time", language);
  return format(ms, "dayMinute", language);
}

/** To the minute: "09:41" today, "2026/12/04 17:05" before (how old the desk's copy of the
 * shared history is). */
export function formatMinute(ms: number, now: Date = new Date(), language: string = i18n.language): string {
  return format(ms, sameDay(new Date(ms), now) ? "minute" : "dateMinute", language);
}

const counters = new Map<string, Intl.NumberFormat>();
/** A count as `language` writes it ("1,000,000"; its formatter kept: the list's count is
 * written again with every search). */
export function formatCount(n: number, language: string = i18n.language): string {
  let f = counters.get(language);
  if (!f) {
    f = new Intl.NumberFormat(language);
    counters.set(language, f);
  }
  return f.format(n);
}

/** A file size for people: "812 KB", "12.4 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** A calendar day: year, month (1–12), day. */
type Ymd = [number, number, number];

/** The wall clock `ms` shows in `timeZone`, read as if it were UTC (unix ms). */
function wallClock(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(ms);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"), part("second"));
}

/** The day `ms` falls on: in `timeZone` (the merchant's), else on this computer's calendar. */
function dayOf(ms: number, timeZone?: string): Ymd {
  const d = timeZone ? new Date(wallClock(ms, timeZone)) : new Date(ms);
  return timeZone ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()] : [d.getFullYear(), d.getMonth() + 1, d.getDate()];
}

/** When the day begins (unix ms): its midnight in `timeZone`, else this computer's. Found from
 * that midnight read as UTC, less the zone's offset there (asked twice: a change of offset
 * near midnight moves it). */
function midnight([y, m, d]: Ymd, timeZone?: string): number {
  if (!timeZone) return new Date(y, m - 1, d).getTime();
  const wanted = Date.UTC(y, m - 1, d);
  let at = wanted;
  for (let i = 0; i < 2; i++) at -= wallClock(at, timeZone) - wanted;
  return at;
}

/** Midnight of the given day, and of the Monday of its week (unix ms), on the merchant's
 * calendar (`timeZone`) where one is set, else this computer's. */
export function dayStart(now: Date, timeZone?: string): number {
  return midnight(dayOf(now.getTime(), timeZone), timeZone);
}

export function weekStart(now: Date, timeZone?: string): number {
  const [y, m, d] = dayOf(now.getTime(), timeZone);
  const back = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
  const monday = new Date(Date.UTC(y, m - 1, d - back));
  return midnight([monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate()], timeZone);
}

/** A time's day as an <input type="date"> writes it: on the merchant's calendar (`timeZone`)
 * where one is set, else this computer's. */
export function localDate(ms: number, timeZone?: string): string {
  const [y, m, d] = dayOf(ms, timeZone);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${y}-${pad(m)}-${pad(d)}`;
}

/** "2026-11-21" from an <input type="date"> as that day's midnight (unix ms), or null: on the
 * merchant's calendar (`timeZone`) where one is set, else this computer's. */
export function dateInputToMs(value: string, plusDays = 0, timeZone?: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  // Through UTC, which rolls a day past the month's end over as the calendar does.
  const day = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays));
  return midnight([day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()], timeZone);
}

/** Whether `timeZone` is one this browser knows (the back end may send a name it does not). */
export function knownZone(timeZone: string | null | undefined): string | undefined {
  if (!timeZone) return undefined;
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return timeZone;
  } catch {
    return undefined;
  }
}

/** Whether a shared store this paydesk does not fit is ahead of it (a newer paydesk brought its
 * schema forward: this desk must be updated) rather than behind (its owner must connect once). */
export function sharedSchemaIsNewer(unfit: SchemaMismatch): boolean {
  return unfit.applied > unfit.supported;
}
