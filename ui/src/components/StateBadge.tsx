import { useTranslation } from "react-i18next";
import type { AttemptState } from "../types";
import { STATE_ICON, stateKey } from "../words";

/** Colour, icon and word together: never colour alone. A payout's state is worded as one. */
export function StateBadge({ state, paysOut = false }: { state: AttemptState | null; paysOut?: boolean }) {
  const { t } = useTranslation();
  const s = state ?? "created";
  return (
    <span className={`badge state-${s}`} data-state={s}>
      <span aria-hidden="true">{STATE_ICON[s]}</span> {t(stateKey(s, paysOut))}
    </span>
  );
}

export function SandboxBadge() {
  const { t } = useTranslation();
  return (
    <span className="badge sandbox" title={t("sandboxBadgeTitle")}>
      {t("term.sandbox")}
    </span>
  );
}

/** An order cancelled before it was paid: kept, never payable. */
export function CancelledBadge() {
  const { t } = useTranslation();
  return (
    <span className="badge state-cancelled" data-state="cancelled">
      <span aria-hidden="true">⊘</span> {t("orderChange.cancelled")}
    </span>
  );
}
