import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import type { AttemptState } from "../types";
import { STATE_ICON, stateKey } from "../words";

// Each badge is a plain function of the words as well as a component: the orders table draws
// one per row and asks for the words once for all its rows.

/** Colour, icon and word together: never colour alone. A payout's state is worded as one. */
export function stateBadge(t: TFunction, state: AttemptState | null, paysOut = false) {
  const s = state ?? "created";
  return (
    <span className={`badge state-${s}`} data-state={s}>
      <span aria-hidden="true">{STATE_ICON[s]}</span> {t(stateKey(s, paysOut))}
    </span>
  );
}

export function StateBadge({ state, paysOut = false }: { state: AttemptState | null; paysOut?: boolean }) {
  return stateBadge(useTranslation().t, state, paysOut);
}

export function sandboxBadge(t: TFunction) {
  return (
    <span className="badge sandbox" title={t("sandboxBadgeTitle")}>
      {t("term.sandbox")}
    </span>
  );
}

export function SandboxBadge() {
  return sandboxBadge(useTranslation().t);
}

/** An order cancelled before it was paid: kept, never payable. */
export function cancelledBadge(t: TFunction) {
  return (
    <span className="badge state-cancelled" data-state="cancelled">
      <span aria-hidden="true">⊘</span> {t("orderChange.cancelled")}
    </span>
  );
}

export function CancelledBadge() {
  return cancelledBadge(useTranslation().t);
}
