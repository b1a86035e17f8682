import { useTranslation } from "react-i18next";
import type { AttemptState } from "../types";
import { STATE_ICON } from "../words";

/** Colour, icon and word together: never colour alone. */
export function StateBadge({ state }: { state: AttemptState | null }) {
  const { t } = useTranslation();
  const s = state ?? "created";
  return (
    <span className={`badge state-${s}`} data-state={s}>
      <span aria-hidden="true">{STATE_ICON[s]}</span> {t(`state.${s}`)}
    </span>
  );
}

export function SandboxBadge() {
  const { t } = useTranslation();
  return (
    <span className="badge sandbox" title={t("sandboxBadgeTitle")}>
      SANDBOX
    </span>
  );
}
