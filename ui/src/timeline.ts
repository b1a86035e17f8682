// An attempt's timeline as sentences a person reads ("Sent to 益安 — ch_… created, waiting for
// the customer to scan", "Asked 益安: paid", "Decided paid by alice at Desk 1: …"), built from
// what the attempt and each event carry. Pure: the words come from `t`, in either language.
//
// The back end writes each event's detail in English or as the gateway's raw answer; the
// patterns below are the details it writes (src-tauri/core/src/settling.rs, engine.rs,
// reconcile.rs, store/journal/reviews.rs). A detail they do not match is kept as it is, one
// click away, beside the state's word.
import type { TFunction } from "i18next";
import { gatewayName } from "./names";
import type { AttemptDetail, AttemptEvent, AttemptState } from "./types";
import { stateKey } from "./words";

export interface EventWords {
  /** The event as one sentence. */
  text: string;
  /** What the sentence does not say and a person may want: the gateway's raw answer, the
   * transport's own words, or a detail there are no words for. Shown one click away. */
  raw: string | null;
  /** Whether the sentence names who wrote the event (a person's decision). */
  namesWriter: boolean;
}

export interface TimelineOf {
  /** The order's gateway id (sensecore, yian, top, partner, debit). */
  gateway: string;
  /** Whether the gateway pays money out: a payout's words. */
  paysOut: boolean;
}

// What the back end writes (see the files above), most specific first.
const DECIDED = /^resolved by a person: ([\s\S]*)$/;
const RESENT = /^resent under the same idempotency key \((\d+) of at most (\d+)\)$/;
const INTERRUPTED = "the sender stopped before recording the answer";
const CALLBACK = /^reported by the gateway's callback(?:: ([\s\S]*))?$/;
const CALLBACK_REPORT = /^the gateway's callback reports this payment (succeeded|failed)(?:, but it is recorded as (succeeded|failed)|: ([\s\S]*))?$/;
const LAST_ERROR = /^([\s\S]*?); last error: ([\s\S]*)$/;
const CONTRADICTION = /^the gateway acknowledged this payment(?: as (\S+))? and now reports no such payment \(([\s\S]*)\)$/;
const MISMATCH = /^the gateway reports ([\s\S]+) for this payment, but (\S+) was asked$/;
const PRICE = /^a price of (\S+) \((\S+) charged after its own deduction of (\S+)\)$/;
const DEDUCTED = /^(\S+) charged after its own deduction of (\S+)$/;
const RESEND_REFUSED = /^the gateway refused the payment sent again under its idempotency key \(([\s\S]*)\); the first request may have paid$/;
const TOO_MANY = /^sent again (\d+) times without an answer that settles it$/;
const SETTLES_NOTHING = /^the gateway's answer settles nothing either way \(([\s\S]*)\); a person decides$/;
const REVIEW_WHY: Record<string, "cannotAsk" | "unaskedWaiting" | "neverSettled" | "stillWaiting"> = {
  "the gateway has neither a status query nor an idempotency key": "cannotAsk",
  "still waiting for the payer, and the gateway has no status query": "unaskedWaiting",
  "the gateway's status query never settled the payment": "neverSettled",
  "the gateway's status query still reported the payment as waiting": "stillWaiting",
};
/** A gateway's error as the back end records it: `CODE: message`. */
const ERROR = /^(\S+): ([\s\S]*)$/;

function gatewayError(text: string | null | undefined): { code: string; message: string } | null {
  const m = text ? ERROR.exec(text) : null;
  return m ? { code: m[1]!, message: m[2]! } : null;
}

/** Whether a detail is a gateway's raw answer (its JSON), rather than words. */
export function isGatewayAnswer(text: string): boolean {
  return /^\s*[[{]/.test(text);
}

/**
 * The sentence of `attempt`'s event at `index`. Which request an answer belongs to is read from
 * the event before it: after `submitting` it answers what was sent, after `pending` or
 * `unknown` a status check (or a callback, which says so).
 */
export function describeEvent(t: TFunction, attempt: AttemptDetail, index: number, of: TimelineOf): EventWords {
  const event = attempt.events[index]!;
  const before = index > 0 ? attempt.events[index - 1]!.state : null;
  const gateway = gatewayName(of.gateway, t);
  const detail = event.detail;
  const said = (text: string, raw: string | null = null, namesWriter = false): EventWords => ({ text, raw, namesWriter });
  const stateWord = () => t(stateKey(event.state, of.paysOut));

  if (event.state === "created" && detail === null) {
    const who = whoWrote(t, attempt);
    return said(who ? t("timeline.started", { who }) : t("timeline.startedByNobody"));
  }
  if (event.state === "submitting") {
    if (detail === null) return said(t("timeline.sending", { gateway }));
    const m = RESENT.exec(detail);
    if (m) return said(t("timeline.resent", { gateway, n: Number(m[1]), max: Number(m[2]) }));
  }
  if (detail !== null) {
    const decided = DECIDED.exec(detail);
    if (decided && (event.state === "succeeded" || event.state === "failed")) {
      const key = `timeline.decided.${event.state}${of.paysOut ? "Out" : ""}` as const;
      return said(t(key, { who: whoWrote(t, event) || t("timeline.aPerson"), note: decided[1]! }), null, true);
    }
    if (detail === INTERRUPTED) return said(t("timeline.interrupted", { gateway }));
    const report = CALLBACK_REPORT.exec(detail);
    if (report) {
      const reported = outcomeWord(t, report[1] as "succeeded" | "failed", of.paysOut);
      if (report[2]) {
        return said(t("timeline.contested", { gateway, reported, recorded: outcomeWord(t, report[2] as "succeeded" | "failed", of.paysOut) }));
      }
      const why = report[3] ? reviewReason(t, report[3], attempt, gateway) : null;
      if (why) return said(t("timeline.evidenceWhy", { gateway, reported, why }));
      return said(t("timeline.evidence", { gateway, reported }), report[3] ?? null);
    }
  }
  if (event.state === "needs_review") {
    const callback = detail !== null ? CALLBACK.exec(detail) : null;
    const text = callback ? (callback[1] ?? null) : detail;
    const why = text !== null ? reviewReason(t, text, attempt, gateway) : null;
    const key = callback ? "timeline.reviewAfterCallback" : "timeline.review";
    if (why) return said(t(key, { gateway, why }));
    return said(t(callback ? "timeline.reviewAfterCallbackUnsaid" : "timeline.reviewUnsaid", { gateway }), text);
  }

  const callback = detail !== null && CALLBACK.test(detail);
  const lead = callback ? "callback" : before === "pending" || before === "unknown" ? "asked" : "sent";
  // What the sentence used of the detail; the rest stays one click away.
  const rest = callback ? null : detail;
  const withLead = (outcome: string, raw: string | null) => said(t(`timeline.lead.${lead}`, { gateway, outcome }), raw);
  const error = gatewayError(rest);

  switch (event.state) {
    case "succeeded": {
      const paid = t(of.paysOut ? "timeline.outcome.paidOut" : "timeline.outcome.paid");
      const outcome = lead === "sent" && attempt.gateway_ref ? t("timeline.outcome.withRef", { outcome: paid, ref: attempt.gateway_ref }) : paid;
      return withLead(outcome, rest);
    }
    case "pending": {
      const waiting = t(
        of.paysOut ? "timeline.outcome.waitingOut" : attempt.pay_url ? "timeline.outcome.waitingScan" : "timeline.outcome.waitingPay",
      );
      const outcome = lead === "sent" && attempt.gateway_ref ? t("timeline.outcome.createdThen", { ref: attempt.gateway_ref, then: waiting }) : waiting;
      return withLead(outcome, rest);
    }
    case "failed": {
      if (!error) return withLead(t(of.paysOut ? "timeline.outcome.failedOut" : "timeline.outcome.failed"), rest);
      if (lead === "sent" && error.code === "NOT_SENT") return said(t("timeline.notSent", { gateway }), rest);
      if (lead === "sent") return said(t("timeline.refused", { gateway, ...error }));
      const failed = t(of.paysOut ? "timeline.outcome.failedOut" : "timeline.outcome.failed");
      return withLead(t("timeline.outcome.because", { outcome: failed, ...error }), null);
    }
    case "unknown": {
      if (error?.code === "ANSWER_LOST") return said(t("timeline.answerLost", { gateway }), rest);
      if (error?.code === "RESEND_NOT_SENT") return said(t("timeline.resendNotSent", { gateway }), rest);
      return withLead(error ? t("timeline.outcome.unclear", error) : t("timeline.outcome.unknown"), error ? null : rest);
    }
    default:
      return said(stateWord(), detail);
  }
}

/** Why an attempt waits for a person, in words; null where the back end's words are not known. */
function reviewReason(t: TFunction, text: string, attempt: AttemptDetail, gateway: string): string | null {
  let why = text;
  let lastError = "";
  const last = LAST_ERROR.exec(text);
  if (last) {
    why = last[1]!;
    const error = gatewayError(last[2]);
    // "none: " when the attempt had no error.
    if (error && error.code !== "none") lastError = t("timeline.why.lastError", error);
  }
  const known = REVIEW_WHY[why];
  if (known === "neverSettled" || known === "stillWaiting") return t(`timeline.why.${known}`, { gateway, count: attempt.checks }) + lastError;
  if (known) return t(`timeline.why.${known}`, { gateway }) + lastError;
  const m = TOO_MANY.exec(why);
  if (m) return t("timeline.why.tooManyResends", { count: Number(m[1]) }) + lastError;
  if (last) return null;

  const contradiction = CONTRADICTION.exec(text);
  const said = contradiction ? gatewayError(contradiction[2]) : null;
  if (contradiction && said) {
    return contradiction[1]
      ? t("timeline.why.contradiction", { gateway, ref: contradiction[1], ...said })
      : t("timeline.why.contradictionNoRef", { gateway, ...said });
  }
  const mismatch = MISMATCH.exec(text);
  if (mismatch) {
    const reported = reportedAmount(t, mismatch[1]!);
    return reported ? t("timeline.why.amountMismatch", { gateway, reported, asked: mismatch[2]! }) : null;
  }
  const refused = RESEND_REFUSED.exec(text);
  const refusal = refused ? gatewayError(refused[1]) : null;
  if (refusal) return t("timeline.why.resendRefused", { gateway, ...refusal });
  const nothing = SETTLES_NOTHING.exec(text);
  const answer = nothing ? gatewayError(nothing[1]) : null;
  if (answer) return t("timeline.why.settlesNothing", { gateway, ...answer });
  return null;
}

/** The amount a gateway reported, as settling.rs words it: money, a price after the gateway's
 * own deduction, or another amount it did not name. */
function reportedAmount(t: TFunction, text: string): string | null {
  const price = PRICE.exec(text);
  if (price) return t("timeline.why.priceAfterDeduction", { price: price[1]!, paid: price[2]!, deducted: price[3]! });
  const deducted = DEDUCTED.exec(text);
  if (deducted) return t("timeline.why.chargedAfterDeduction", { paid: deducted[1]!, deducted: deducted[2]! });
  if (text === "another amount") return t("timeline.why.anotherAmount");
  return /^\S+$/.test(text) ? text : null;
}

/** What a callback reports a payment as, or what it is recorded as. */
function outcomeWord(t: TFunction, state: Extract<AttemptState, "succeeded" | "failed">, paysOut: boolean): string {
  return t(`timeline.reported.${state}${paysOut ? "Out" : ""}`);
}

/** "alice at Desk 1" (前台 1 的 alice): who wrote something, or "" for a record from before desks
 * were named. */
function whoWrote(t: TFunction, { desk, operator }: Pick<AttemptEvent, "desk" | "operator">): string {
  if (desk && operator) return t("timeline.who", { desk, operator });
  return desk || operator;
}
