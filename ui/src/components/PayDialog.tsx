import { useEffect, useRef, useState } from "react";
import { api, errorMessage } from "../api";
import type { Channel, OrderView, PaymentReport, ProfileView } from "../types";
import { CHANNEL_LABEL, STATE_HINT, formatMoney } from "../words";
import { SandboxBadge, StateBadge } from "./StateBadge";

interface Props {
  order: OrderView;
  profile: ProfileView | undefined;
  onClose: () => void;
  onPaid: (report: PaymentReport) => void;
}

type Phase =
  | { kind: "choose" }
  | { kind: "sending" }
  | { kind: "done"; report: PaymentReport }
  | { kind: "error"; message: string };

export function PayDialog({ order, profile, onClose, onPaid }: Props) {
  const channels = profile?.capabilities?.channels ?? [];
  const [channel, setChannel] = useState<Channel | null>(channels[0] ?? null);
  const [phase, setPhase] = useState<Phase>({ kind: "choose" });
  // A ref, not state: a second click in the same frame must see the first one.
  const submitted = useRef(false);
  const confirmRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    confirmRef.current?.focus();
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && phase.kind !== "sending") onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [phase.kind, onClose]);

  async function confirm() {
    if (!channel || submitted.current) return;
    submitted.current = true;
    setPhase({ kind: "sending" });
    try {
      const report = await api.payOrder(order.order_no, channel);
      setPhase({ kind: "done", report });
      onPaid(report);
    } catch (e) {
      setPhase({ kind: "error", message: errorMessage(e) });
    }
  }

  return (
    <div className="backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="pay-title" data-testid="pay-dialog">
        <header>
          <h2 id="pay-title">
            Pay <span className="mono">{order.order_no}</span>
          </h2>
          {order.is_sandbox && <SandboxBadge />}
        </header>
        <p className="subject">{order.subject}</p>
        {phase.kind === "choose" && (
          <>
            <fieldset className="channels">
              <legend>Channel</legend>
              {channels.length === 0 && <p className="error">This gateway offers no channel paydesk can use.</p>}
              {channels.map((c) => (
                <button
                  key={c}
                  type="button"
                  className={c === channel ? "channel chosen" : "channel"}
                  aria-pressed={c === channel}
                  data-channel={c}
                  onClick={() => setChannel(c)}
                >
                  {CHANNEL_LABEL[c]}
                </button>
              ))}
            </fieldset>
            <div className="total">
              <span>Amount to charge</span>
              <strong className="num" data-testid="charge-amount">
                {formatMoney(order.amount, order.currency)}
              </strong>
            </div>
            <footer>
              <button type="button" onClick={onClose}>
                Cancel
              </button>
              <button
                type="button"
                className="primary"
                ref={confirmRef}
                data-testid="confirm-pay"
                disabled={!channel}
                onClick={confirm}
              >
                Confirm {formatMoney(order.amount, order.currency)}
              </button>
            </footer>
          </>
        )}
        {phase.kind === "sending" && (
          <p className="progress" role="status" data-testid="pay-progress">
            <span className="spinner" aria-hidden="true" /> Sending to the gateway…
          </p>
        )}
        {phase.kind === "done" && (
          <div className="result" role="status" data-testid="pay-result" data-state={phase.report.state}>
            <StateBadge state={phase.report.state} />
            <p>{STATE_HINT[phase.report.state]}</p>
            {phase.report.error && (
              <p className="error">
                {phase.report.error.code}: {phase.report.error.message}
              </p>
            )}
            {phase.report.gateway_ref && (
              <p>
                Gateway reference: <span className="mono">{phase.report.gateway_ref}</span>
              </p>
            )}
            <footer>
              <button type="button" className="primary" data-testid="close-pay" onClick={onClose}>
                Close
              </button>
            </footer>
          </div>
        )}
        {phase.kind === "error" && (
          <div className="result" role="alert" data-testid="pay-error">
            <p className="error">{phase.message}</p>
            <footer>
              <button type="button" onClick={onClose}>
                Close
              </button>
            </footer>
          </div>
        )}
      </div>
    </div>
  );
}
