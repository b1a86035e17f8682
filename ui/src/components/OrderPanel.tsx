import { useState } from "react";
import { useTranslation } from "react-i18next";
import { FailureNote } from "./FailureNote";
import { useCheckStatus, useResolveReview, useRevealPersonalData } from "../queries/mutations";
import { useReadOnly } from "../queries/reads";
import { ariaKeys, GLOBAL_KEYS, shortcut } from "../shortcuts";
import type { AttemptDetail, AttemptEvent, OrderDetail, OrderView } from "../types";
import { describeEvent, isGatewayAnswer } from "../timeline";
import { formatActor, formatMoney, formatTime, hintKey, STATE_ICON, writtenByAnother } from "../words";
import { CopyButton } from "./CopyButton";
import { gatewayName } from "../names";
import { QrCode } from "./QrCode";
import { AttemptCharges, CancelOrderForm, OrderChanges } from "./OrderStory";
import { CancelledBadge, SandboxBadge, StateBadge } from "./StateBadge";

/** An order can be paid, edited or cancelled unless it is cancelled, an attempt is live or
 * it is already paid. */
export function canPay(detail: OrderDetail): boolean {
  return detail.order.cancelled_at === null && detail.attempts.every((a) => a.state === "failed");
}

/** An order has a receipt once its latest payment succeeded. */
export function hasReceipt(detail: OrderDetail): boolean {
  return detail.attempts.at(-1)?.state === "succeeded";
}

/** Asking is worth a button when the gateway answers, or to hand an unknown attempt to a person. */
function canCheck(a: AttemptDetail, statusQuery: boolean) {
  return (a.state === "pending" && statusQuery) || a.state === "unknown";
}

interface Props {
  detail: OrderDetail;
  onPay?: () => void;
  /** Opens the order's terms for a change (only while it is unpaid). */
  onEdit?: () => void;
  onClose?: () => void;
  /** The Lookup view shows copy buttons next to every reference. */
  copyable?: boolean;
  /** Whether the order's gateway can be asked about a payment (its capabilities). */
  statusQuery?: boolean;
  /** Whether the order's gateway pays money out: a payout, worded as one. */
  paysOut?: boolean;
  /** Opens the audit trail narrowed to this order. */
  onHistory?: () => void;
  /** Issues the order's receipt (offered once its latest payment succeeded). */
  onReceipt?: () => void;
}

export function OrderPanel({ detail, onPay, onEdit, onClose, copyable, statusQuery = true, paysOut = false, onHistory, onReceipt }: Props) {
  const { t } = useTranslation();
  const [cancelling, setCancelling] = useState(false);
  // A support agent's desk looks payments up; paying, asking and deciding are the desks'.
  const readOnly = useReadOnly();
  const { order, attempts } = detail;
  const latest = attempts[attempts.length - 1];
  // Issuing a receipt is recorded: a desk that may only read issues none.
  const receipt = onReceipt !== undefined && hasReceipt(detail);
  return (
    <aside className="panel" aria-label={t("detail.label", { orderNo: order.order_no })} data-testid="order-panel">
      <header>
        <h2 className="mono">{order.order_no}</h2>
        {order.is_sandbox && <SandboxBadge />}
        <span className="spacer" />
        {onClose && (
          <button type="button" className="small" aria-label={t("detail.close")} onClick={onClose}>
            ✕
          </button>
        )}
      </header>
      <dl className="facts">
        <dt>{t("term.amount")}</dt>
        <dd className="num amount">{formatMoney(order.amount, order.currency)}</dd>
        <dt>{t("term.subject")}</dt>
        <dd>{order.subject || t("common.none")}</dd>
        <dt>{t("term.gateway")}</dt>
        <dd>
          {gatewayName(order.gateway, t)} · {order.profile}
        </dd>
        <dt>{t("term.created")}</dt>
        <dd>{formatTime(order.created_at)}</dd>
        <dt>{t("term.state")}</dt>
        {order.cancelled_at !== null ? (
          <dd data-testid="order-state">
            <CancelledBadge />
            <div className="hint" data-testid="cancelled-note">
              {t("orderChange.cancelledHint", { time: formatTime(order.cancelled_at) })}
              {order.cancel_note && <> — {order.cancel_note}</>}
            </div>
          </dd>
        ) : (
          <dd data-testid="order-state">
            <StateBadge state={order.state} paysOut={paysOut} />
            {/* "Ready to pay" and "open to resolve" are not this desk's to say when it may only read. */}
            {!(readOnly && order.state === null) && (
              <div className="hint" data-testid="state-hint">
                {readOnly && order.state === "needs_review"
                  ? t("hint.needsReviewElsewhere")
                  : t(hintKey(order.state, { statusQuery, paysOut, hasCode: Boolean(latest?.pay_url) }))}
              </div>
            )}
          </dd>
        )}
      </dl>
      {onHistory && (
        <p className="history-link">
          <button type="button" className="link" data-testid="order-audit" onClick={onHistory}>
            {t("audit.orderHistory")}
          </button>
        </p>
      )}
      {((onPay && !readOnly) || receipt) && order.cancelled_at === null && (
        <div className="actions">
          {onPay && !readOnly && (
            <button type="button" className="primary" data-testid="open-pay" disabled={!canPay(detail)} onClick={onPay}>
              {t(paysOut ? "detail.payOut" : "detail.pay")}
            </button>
          )}
          {receipt && (
            <button type="button" data-testid="open-receipt" aria-keyshortcuts={ariaKeys(shortcut(GLOBAL_KEYS, "receipt"))} onClick={onReceipt}>
              {t("paper.receipt.action")}
            </button>
          )}
          {onEdit && canPay(detail) && !readOnly && (
            <button type="button" data-testid="edit-order" onClick={onEdit}>
              {t("orderChange.edit")}
            </button>
          )}
          {canPay(detail) && !cancelling && !readOnly && (
            <button type="button" data-testid="cancel-order" onClick={() => setCancelling(true)}>
              {t("orderChange.cancel")}
            </button>
          )}
        </div>
      )}
      {cancelling && canPay(detail) && <CancelOrderForm orderNo={order.order_no} onDone={() => setCancelling(false)} />}
      {readOnly && (
        <p className="hint" role="note" data-testid="read-only-note">
          {t("detail.readOnly")}
        </p>
      )}
      <OrderChanges changes={detail.changes} order={order} />
      <h3>{t("detail.attempts")}</h3>
      {attempts.length === 0 && <p className="empty">{t("detail.noAttempts")}</p>}
      <ol className="attempts">
        {[...attempts].reverse().map((a) => (
          <AttemptItem
            key={a.id}
            attempt={a}
            order={order}
            copyable={copyable}
            statusQuery={statusQuery}
            paysOut={paysOut}
            readOnly={readOnly}
          />
        ))}
      </ol>
      {latest && (
        <p className="idem">
          {t("detail.latestKey")}: <span className="mono">{latest.idempotency_key}</span>
        </p>
      )}
    </aside>
  );
}

function Ref({ label, value, copyable }: { label: string; value: string; copyable?: boolean }) {
  return (
    <div className="ref">
      {label}: <span className="mono">{value}</span> {copyable && <CopyButton text={value} label={`${label}: ${value}`} />}
    </div>
  );
}

function AttemptItem({
  attempt: a,
  order,
  copyable,
  statusQuery,
  paysOut,
  readOnly,
}: {
  attempt: AttemptDetail;
  order: OrderView;
  copyable?: boolean;
  statusQuery: boolean;
  paysOut: boolean;
  readOnly: boolean;
}) {
  const { t } = useTranslation();
  const check = useCheckStatus();
  const startedBy = formatActor(a);
  // Nothing asks its gateway about it: a person decides it, at once.
  const unasked = a.state === "pending" && !statusQuery;

  return (
    <li data-testid="attempt" data-state={a.state}>
      <div className="attempt-head">
        <StateBadge state={a.state} paysOut={paysOut} /> {t(`channel.${a.channel}`)} ·{" "}
        <span className="num">{formatMoney(a.amount, order.currency)}</span>
      </div>
      <AttemptCharges attempt={a} order={order} />
      <div className="hint">{t(hintKey(a.state, { statusQuery, errorCode: a.error?.code, paysOut, hasCode: a.pay_url !== null }))}</div>
      {/* The code stays at hand after the pay dialog is closed: shown again, to be scanned. */}
      {a.pay_url && a.state === "pending" && (
        <figure className="qr-box small">
          <QrCode text={a.pay_url} alt={t("pay.qrAlt")} testId="attempt-qr" size={160} />
        </figure>
      )}
      {startedBy && (
        <div className="hint" data-testid="attempt-actor">
          {t("detail.startedBy", { who: startedBy })}
          {a.db_role && <span data-testid="attempt-role"> · {t("detail.viaRole", { role: a.db_role })}</span>}
        </div>
      )}
      {a.gateway_ref && <Ref label={t("term.gatewayRef")} value={a.gateway_ref} copyable={copyable} />}
      {a.customer_ref && <Ref label={t("term.customerRef")} value={a.customer_ref} copyable={copyable} />}
      {a.pay_url && <Ref label={t("term.payUrl")} value={a.pay_url} copyable={copyable} />}
      {copyable && <Ref label={t("term.idempotencyKey")} value={a.idempotency_key} copyable />}
      {a.error && (
        <div className="error" role="note">
          {t("detail.error")}: {a.error.code}: {a.error.message}
        </div>
      )}
      {a.checks > 0 && statusQuery && <div className="hint">{t("detail.checks", { count: a.checks })}</div>}
      {canCheck(a, statusQuery) && !readOnly && (
        <button type="button" className="small" data-testid="check-status" disabled={check.isPending} onClick={() => check.mutate(a.id)}>
          {check.isPending ? t("detail.checking") : t("detail.checkNow")}
        </button>
      )}
      {check.error && <FailureNote error={check.error} testId="check-failure" />}
      {a.contested && (
        <div className="warning" role="status" data-testid="contested">
          <div>{t("detail.contested")}</div>
          <blockquote className="evidence">{a.contested}</blockquote>
        </div>
      )}
      {a.payable_until !== null && a.may_still_be_paid && (
        <div className="hint" data-testid="payable-until">
          {t("detail.payableUntil", { time: formatTime(a.payable_until) })}
        </div>
      )}
      {(a.state === "needs_review" || a.contested || unasked) && !readOnly && (
        <ResolveForm attemptId={a.id} unasked={unasked} mayStillBePaid={a.may_still_be_paid} payableUntil={a.payable_until} paysOut={paysOut} />
      )}
      <ul className="timeline events" aria-label={t("lookup.timeline")}>
        {a.events.map((e, i) => {
          const words = describeEvent(t, a, i, { gateway: order.gateway, paysOut });
          return (
            <li key={i} data-testid="event" data-state={e.state}>
              <span className={`event-icon state-${e.state}`} aria-hidden="true">
                {STATE_ICON[e.state]}
              </span>{" "}
              <time>{formatTime(e.at)}</time> <span className="event-text" data-testid="event-text">{words.text}</span>
              {!words.namesWriter && writtenByAnother(e, a) && (
                <span data-testid="event-actor">{t("detail.recordedBy", { who: formatActor(e) })}</span>
              )}
              {words.raw && (
                <EventDetail
                  text={words.raw}
                  hidden={e.personal_data_hidden}
                  attemptId={a.id}
                  whole={(events) => describeEvent(t, { ...a, events }, i, { gateway: order.gateway, paysOut }).raw}
                />
              )}
            </li>
          );
        })}
      </ul>
    </li>
  );
}

/** What an event's sentence leaves out (the gateway's raw answer, or a detail there are no
 * words for), one click away. The back end hides the customer's personal data in it (`hidden`)
 * and sends it only once the audit trail has recorded that a person asked: if that fails, it
 * stays hidden. `whole` finds this detail among the attempt's events as sent then. */
function EventDetail({
  text,
  hidden,
  attemptId,
  whole,
}: {
  text: string;
  hidden: boolean;
  attemptId: number;
  whole: (events: AttemptEvent[]) => string | null;
}) {
  const { t } = useTranslation();
  const [reveal, setReveal] = useState(false);
  const recorded = useRevealPersonalData(attemptId);
  const body = reveal && recorded.data ? (whole(recorded.data) ?? text) : text;
  return (
    <>
      {" "}
      <details data-testid="event-detail">
        <summary>{t(isGatewayAnswer(text) ? "timeline.rawAnswer" : "timeline.rawDetail")}</summary>
        <pre>{body}</pre>
        {hidden && (
          <button
            type="button"
            className="small"
            data-testid="reveal-personal"
            aria-pressed={reveal}
            disabled={recorded.isPending}
            onClick={() => {
              if (reveal) {
                // Hidden again: the window keeps none of it.
                setReveal(false);
                recorded.reset();
              } else recorded.mutate(undefined, { onSuccess: () => setReveal(true) });
            }}
          >
            {t(reveal ? "detail.hidePersonal" : "detail.showPersonal")}
          </button>
        )}
        {recorded.error && !reveal && <FailureNote error={recorded.error} testId="reveal-error" />}
      </details>
    </>
  );
}

function ResolveForm({
  attemptId,
  unasked,
  mayStillBePaid,
  payableUntil,
  paysOut,
}: {
  attemptId: number;
  unasked: boolean;
  mayStillBePaid: boolean;
  payableUntil: number | null;
  /** A payout: the person's word is that it was not made and will not be. */
  paysOut: boolean;
}) {
  const { t } = useTranslation();
  // The back end holds the rule by the store's clock; this only keeps the choice from being
  // offered while the form is open.
  const [openedAt] = useState(() => Date.now());
  const stillPayable = payableUntil !== null && openedAt < payableUntil;
  const [decision, setDecision] = useState<"succeeded" | "failed" | null>(null);
  const [note, setNote] = useState("");
  const [codeUnusable, setCodeUnusable] = useState(false);
  const resolve = useResolveReview(attemptId);
  // "Not paid" while the customer may still pay would let a later payment go unrecorded.
  const needsWord = decision === "failed" && mayStillBePaid;
  // Once recorded, the form stays disabled until the new detail replaces it.
  const ready =
    decision !== null && note.trim().length > 0 && (!needsWord || codeUnusable) && !resolve.isPending && !resolve.isSuccess;

  return (
    <form
      className="resolve"
      data-testid="resolve-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (ready) resolve.mutate({ decision, note: note.trim(), codeUnusable: needsWord && codeUnusable });
      }}
    >
      <h4>{t("detail.resolveTitle")}</h4>
      <p className="hint">{t(unasked ? "detail.resolveUnasked" : "detail.resolveHelp")}</p>
      <fieldset>
        <legend>{t("detail.decision")}</legend>
        <label>
          <input type="radio" name={`decision-${attemptId}`} checked={decision === "succeeded"} onChange={() => setDecision("succeeded")} />{" "}
          {t("detail.decidedPaid")}
        </label>
        <label>
          <input
            type="radio"
            name={`decision-${attemptId}`}
            checked={decision === "failed"}
            disabled={stillPayable}
            onChange={() => setDecision("failed")}
          />{" "}
          {t("detail.decidedFailed")}
        </label>
      </fieldset>
      {stillPayable && (
        <p className="hint" data-testid="not-paid-after">
          {t("detail.notPaidAfter", { time: formatTime(payableUntil) })}
        </p>
      )}
      {needsWord && (
        <label className="confirm" data-testid="code-unusable">
          <input type="checkbox" checked={codeUnusable} onChange={(e) => setCodeUnusable(e.target.checked)} />{" "}
          {t(paysOut ? "detail.codeUnusableOut" : "detail.codeUnusable")}
          <span className="hint"> {t(paysOut ? "detail.codeUnusableWhyOut" : "detail.codeUnusableWhy")}</span>
        </label>
      )}
      <label className="field">
        {t("detail.note")}
        <textarea required value={note} onChange={(e) => setNote(e.target.value)} rows={2} />
      </label>
      {resolve.error && <FailureNote error={resolve.error} />}
      <button type="submit" className="primary" disabled={!ready}>
        {t("detail.resolve")}
      </button>
    </form>
  );
}
