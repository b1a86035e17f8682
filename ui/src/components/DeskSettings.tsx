import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useSaveDeskNames } from "../queries/mutations";
import { useDeskNames } from "../queries/reads";
import type { Actor } from "../types";
import { formatActor } from "../words";
import { FailureNote } from "./FailureNote";

/** Settings' "This desk": the names every payment, event and decision is recorded under. */
export function DeskSettings({ autoFocus }: { autoFocus?: boolean }) {
  const names = useDeskNames().data;
  // Until the back end has said (or when it could not start) there is nothing to edit.
  if (!names) return null;
  return <DeskForm current={names} autoFocus={autoFocus} />;
}

function DeskForm({ current, autoFocus }: { current: Actor; autoFocus?: boolean }) {
  const { t } = useTranslation();
  const [desk, setDesk] = useState(current.desk);
  const [operator, setOperator] = useState(current.operator);
  const save = useSaveDeskNames();

  /** A new edit replaces the last save's outcome. */
  function edited(set: (value: string) => void, value: string) {
    set(value);
    if (!save.isIdle && !save.isPending) save.reset();
  }

  return (
    <section className="desk-settings" aria-labelledby="desk-title">
      <h2 id="desk-title">{t("desk.title")}</h2>
      <p className="hint" id="desk-help">
        {t("desk.help")}
      </p>
      <form
        data-testid="desk-form"
        aria-describedby="desk-help"
        onSubmit={(e) => {
          e.preventDefault();
          // The back end names a blank one after its default: show what is now in force.
          save.mutate(
            { desk, operator },
            {
              onSuccess: (saved) => {
                setDesk(saved.desk);
                setOperator(saved.operator);
              },
            },
          );
        }}
      >
        <label className="field">
          {t("desk.desk")}
          <input data-testid="desk-name" autoComplete="off" autoFocus={autoFocus} value={desk} onChange={(e) => edited(setDesk, e.target.value)} />
        </label>
        <label className="field">
          {t("desk.operator")}
          <input data-testid="operator-name" autoComplete="off" value={operator} onChange={(e) => edited(setOperator, e.target.value)} />
        </label>
        {save.error && <FailureNote error={save.error} testId="desk-error" />}
        {save.data && (
          <p className="ok" role="status" data-testid="desk-saved">
            {t("desk.saved", { who: formatActor(save.data) })}
          </p>
        )}
        <button type="submit" className="primary" data-testid="save-desk" disabled={save.isPending}>
          {t("common.save")}
        </button>
      </form>
    </section>
  );
}
