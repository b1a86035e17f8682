// What an audit trail entry says, in the person's language: its action's name and its detail
// as one line ("Amount: ¥12.34 → ¥10.00", "note: wrong till", "3 rows, 1 refused"). The detail
// is whatever the back end wrote for that action; a field it lacks is left out, never guessed.
import type { TFunction } from "i18next";
import { channelName, gatewayName } from "../names";
import type { AttemptState, AuditAction, AuditEntry, OrderTerms } from "../types";
import { formatMoney, localDate, minorToDecimal, STATES } from "../words";
import { editedTerms } from "./OrderStory";

/** Every action, in the order the filter offers them (a new action fails the type check); a
 * newer paydesk's, unknown here, is never offered. */
const ACTIONS: Record<Exclude<AuditAction, "unrecognized">, true> = {
  order_added: true,
  order_edited: true,
  order_cancelled: true,
  payment_started: true,
  payment_resent: true,
  status_settled: true,
  person_decided: true,
  profile_added: true,
  profile_changed: true,
  profile_removed: true,
  secret_set: true,
  secret_deleted: true,
  orders_imported: true,
  orders_exported: true,
  personal_data_revealed: true,
  shift_opened: true,
  shift_closed: true,
  merchant_changed: true,
  receipt_issued: true,
  receipt_reprinted: true,
};
export const AUDIT_ACTIONS = Object.keys(ACTIONS) as Exclude<AuditAction, "unrecognized">[];

/** What the words of an entry depend on besides the entry. */
export interface AuditContext {
  t: TFunction;
  /** Digits after the point in `currency` (the back end's list of currencies). */
  exponent: (currency: string) => number;
  /** An order's currency where the entries at hand say it (the order's `order_added`). */
  currencyOf: (orderNo: string) => string | undefined;
  /** The merchant's time zone: the calendar an export's days were filtered on. */
  timeZone?: string;
}

/** An action's name in words. */
export function actionName(action: Exclude<AuditAction, "unrecognized">, t: TFunction): string {
  return t(`audit.actions.${action}`);
}

/** An entry's action in words: a newer paydesk's, unknown here, by the name it was recorded as. */
export function entryActionName(entry: Pick<AuditEntry, "action" | "recorded_as">, t: TFunction): string {
  return entry.action === "unrecognized" ? t("audit.unrecognized", { name: entry.recorded_as }) : actionName(entry.action, t);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const numberOf = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const textOf = (v: unknown): string | null => (typeof v === "string" ? v : null);
const isState = (v: unknown): v is AttemptState => typeof v === "string" && (STATES as string[]).includes(v);

function stateWord(state: unknown, t: TFunction): string | null {
  if (isState(state)) return t(`state.${state}`);
  return textOf(state);
}

function termsOf(v: unknown): OrderTerms | null {
  if (!isRecord(v)) return null;
  const amount = numberOf(v.amount_minor);
  const subject = textOf(v.subject);
  if (amount === null || subject === null) return null;
  const attributes = isRecord(v.attributes) ? Object.fromEntries(Object.entries(v.attributes).map(([k, x]) => [k, String(x)])) : {};
  return { amount_minor: amount, subject, attributes };
}

/** A profile as `profile_changed` writes it: [base_url, settings]. */
function profileOf(v: unknown): { baseUrl: string; settings: Record<string, unknown> } | null {
  if (!Array.isArray(v) || typeof v[0] !== "string") return null;
  return { baseUrl: v[0], settings: isRecord(v[1]) ? v[1] : {} };
}

function settingsText(settings: Record<string, unknown>, ctx: AuditContext): string {
  return Object.entries(settings)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(ctx.t("audit.says.list"));
}

/** Minor units in their currency (`1234`, CNY → `¥12.34`), never through a float. */
function money(minor: number, currency: string, ctx: AuditContext): string {
  return formatMoney(minorToDecimal(minor, ctx.exponent(currency)), currency);
}

function attempt(d: Record<string, unknown>, ctx: AuditContext): string | null {
  const id = numberOf(d.attempt_id);
  return id === null ? null : ctx.t("audit.says.attempt", { id });
}

function note(d: Record<string, unknown>, ctx: AuditContext): string {
  const text = textOf(d.note)?.trim();
  return text ? ctx.t("audit.says.note", { note: text }) : ctx.t("audit.says.noNote");
}

/** An export's filters (an order query): the ones that narrowed it, in words. */
function filtersText(v: unknown, ctx: AuditContext): string {
  const { t } = ctx;
  if (!isRecord(v)) return t("audit.says.noFilters");
  const parts: string[] = [];
  const text = textOf(v.text);
  if (text) parts.push(`“${text}”`);
  const state = stateWord(v.state, t);
  if (state) parts.push(`${t("term.state")}: ${state}`);
  const channel = textOf(v.channel);
  if (channel) parts.push(`${t("term.channel")}: ${channelName(channel, t)}`);
  const profile = textOf(v.profile);
  if (profile) parts.push(`${t("term.profile")}: ${profile}`);
  const desk = textOf(v.desk);
  if (desk) parts.push(`${t("desk.desk")}: ${desk}`);
  const from = numberOf(v.from_ms);
  if (from !== null) parts.push(`${t("orders.from")} ${localDate(from, ctx.timeZone)}`);
  // The end is the start of the day after the last one.
  const to = numberOf(v.to_ms);
  if (to !== null) parts.push(`${t("orders.to")} ${localDate(to - 1, ctx.timeZone)}`);
  return parts.length ? t("audit.says.filters", { filters: parts.join(t("audit.says.list")) }) : t("audit.says.noFilters");
}

/** The parts of an entry's line, by its action. */
function parts(entry: AuditEntry, ctx: AuditContext): (string | null)[] {
  const { t } = ctx;
  const d = entry.detail;
  switch (entry.action) {
    case "order_added": {
      const minor = numberOf(d.amount_minor);
      const currency = textOf(d.currency);
      const subject = textOf(d.subject);
      return [minor === null ? null : currency ? money(minor, currency, ctx) : String(minor), subject ? `“${subject}”` : null];
    }
    case "order_edited": {
      const before = termsOf(d.before);
      const after = termsOf(d.after);
      if (!before || !after) return [];
      const currency = ctx.currencyOf(entry.subject);
      // Without the order's currency the amounts stay the minor units they were written in.
      const amount = currency ? t("term.amount") : t("audit.says.minorUnits", { what: t("term.amount") });
      const asMoney = (minor: number) => (currency ? money(minor, currency, ctx) : String(minor));
      return editedTerms(before, after, asMoney, { amount, subject: t("term.subject") });
    }
    case "order_cancelled":
      return [note(d, ctx)];
    case "payment_started":
    case "payment_resent":
    case "status_settled": {
      const channel = textOf(d.channel);
      return [attempt(d, ctx), channel && channelName(channel, t), stateWord(d.state, t)];
    }
    case "person_decided":
      return [attempt(d, ctx), stateWord(d.decision, t), note(d, ctx)];
    case "profile_added": {
      const gateway = textOf(d.gateway);
      const settings = isRecord(d.settings) && Object.keys(d.settings).length ? d.settings : null;
      return [
        gateway && gatewayName(gateway, t),
        textOf(d.base_url),
        settings && t("audit.says.settings", { settings: settingsText(settings, ctx) }),
        d.sandbox === true ? t("term.sandbox") : null,
      ];
    }
    case "profile_changed": {
      const before = profileOf(d.before);
      const after = profileOf(d.after);
      if (!before || !after) return [];
      const lines: string[] = [];
      if (before.baseUrl !== after.baseUrl) lines.push(`${t("gateways.baseUrl")}: ${before.baseUrl} → ${after.baseUrl}`);
      const names = new Set([...Object.keys(before.settings), ...Object.keys(after.settings)]);
      for (const name of [...names].sort()) {
        const was = before.settings[name];
        const now = after.settings[name];
        if (was !== now) lines.push(`${name}: ${was === undefined ? "—" : String(was)} → ${now === undefined ? "—" : String(now)}`);
      }
      return lines;
    }
    case "secret_set":
    case "secret_deleted": {
      const key = textOf(d.key);
      return [key && t("audit.says.key", { key })];
    }
    case "orders_imported": {
      const rows = numberOf(d.rows);
      const imported = numberOf(d.imported);
      const refused = numberOf(d.rejected);
      const counts: string[] = [];
      if (rows !== null) counts.push(t("audit.says.rows", { count: rows }));
      if (imported !== null) counts.push(t("audit.says.imported", { count: imported }));
      if (refused !== null) counts.push(t("audit.says.refused", { count: refused }));
      return [counts.join(t("audit.says.list")) || null];
    }
    case "orders_exported": {
      const rows = numberOf(d.rows);
      return [rows === null ? null : t("audit.says.orders", { count: rows }), filtersText(d.filters, ctx)];
    }
    case "personal_data_revealed":
      return [attempt(d, ctx)];
    case "profile_removed":
      return [];
    case "merchant_changed":
      return [];
    case "receipt_issued":
    case "receipt_reprinted":
      return [attempt(d, ctx)];
    case "unrecognized":
      return [];
    case "shift_opened": {
      const id = numberOf(d.shift_id);
      return [id === null ? null : t("audit.says.shift", { id })];
    }
    case "shift_closed": {
      const id = numberOf(d.shift_id);
      const acknowledged = Array.isArray(d.acknowledged) ? d.acknowledged.map(numberOf).filter((n): n is number => n !== null) : null;
      return [
        id === null ? null : t("audit.says.shift", { id }),
        acknowledged === null
          ? null
          : acknowledged.length
            ? t("audit.says.acknowledged", { ids: acknowledged.map((a) => t("audit.says.attempt", { id: a })).join(t("audit.says.list")) })
            : t("audit.says.noneOpen"),
      ];
    }
  }
}

/** An entry's detail as one line in words; "" when it says nothing beyond its subject. A detail
 * no words cover (another shape, or an action of a newer paydesk) is shown as written. */
export function auditSummary(entry: AuditEntry, ctx: AuditContext): string {
  const said = (parts(entry, ctx) ?? []).filter((p): p is string => Boolean(p));
  if (said.length) return said.join(ctx.t("audit.says.separator"));
  return Object.keys(entry.detail).length ? JSON.stringify(entry.detail) : "";
}

/** Each order's currency, as its `order_added` entry among `entries` says it. */
export function currenciesOf(entries: AuditEntry[]): Map<string, string> {
  const currencies = new Map<string, string>();
  for (const e of entries) {
    const currency = textOf(e.detail.currency);
    if (e.action === "order_added" && currency) currencies.set(e.subject, currency);
  }
  return currencies;
}
