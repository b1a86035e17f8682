import type { AttemptState } from "../types";
import { STATE_ICON, STATE_LABEL } from "../words";

/** Colour, icon and word together: never colour alone. */
export function StateBadge({ state }: { state: AttemptState | null }) {
  const s = state ?? "created";
  return (
    <span className={`badge state-${s}`} data-state={s}>
      <span aria-hidden="true">{STATE_ICON[s]}</span> {STATE_LABEL[s]}
    </span>
  );
}

export function SandboxBadge() {
  return (
    <span className="badge sandbox" title="Built-in sandbox: no real money moves">
      SANDBOX
    </span>
  );
}
