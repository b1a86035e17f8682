import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api";
import { keys } from "../queries/keys";
import { useListing, type OrderFilterState } from "../hooks/useOrderFilters";
import { useOrderTotal } from "../queries/orderPages";
import type { FileFormat, SavedExport } from "../types";
import { Modal } from "./Modal";
import { formatCount } from "../words";
import { FailureNote } from "./FailureNote";

// Kept where it has always been exported from, for the views that still build a file in the page.
export { download } from "./download";

interface Props {
  /** The list as it is narrowed: every order it holds is exported, oldest last. */
  filters: OrderFilterState;
  onClose: () => void;
}

/**
 * Exporting the orders the list shows. The back end writes the file and opens the system's
 * save dialog itself, so the dialog can say the very path the file was saved to.
 */
export function ExportDialog({ filters, onClose }: Props) {
  const listing = useListing(filters);
  const { t, i18n } = useTranslation();
  const { total } = useOrderTotal(listing);
  const queryClient = useQueryClient();
  const [format, setFormat] = useState<FileFormat>("csv");
  // The last file saved: a later save dialog cancelled leaves its word in place.
  const [saved, setSaved] = useState<SavedExport | null>(null);
  // A mutation for its one-off run and state, though it changes no order: a read of every match.
  const exported = useMutation({
    // Every match, not a page: the export ignores offset and limit.
    mutationFn: () =>
      api.exportOrdersToFile({ ...listing, sort: "created", descending: true, offset: 0, limit: 0 }, format, t("export.saveTitle")),
    onSuccess: (file) => {
      // Null: the person cancelled the save dialog, and nothing was written.
      if (!file) return;
      setSaved(file);
      // The audit trail has the export (its file, rows and filters).
      void queryClient.invalidateQueries({ queryKey: keys.audits() });
    },
  });
  const busy = exported.isPending;
  const startRef = useRef<HTMLButtonElement>(null);

  useEffect(() => startRef.current?.focus(), []);

  return (
    <Modal labelledBy="export-title" describedBy="export-matches" testId="export-dialog" canClose={!busy} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy) exported.mutate();
        }}
      >
        <header>
          <h2 id="export-title">{t("export.title")}</h2>
        </header>
        <p id="export-matches" data-testid="export-matches">
          {total === null ? t("common.loading") : t("export.matches", { count: total, n: formatCount(total, i18n.language) })}
        </p>
        <fieldset className="choice">
          <legend>{t("import.format")}</legend>
          {(["csv", "json"] as const).map((f) => (
            <label key={f}>
              <input type="radio" name="export-format" value={f} checked={format === f} data-testid={`export-${f}`} onChange={() => setFormat(f)} />{" "}
              {t(`export.${f}`)}
            </label>
          ))}
        </fieldset>
        <p className="hint">{t("export.help")}</p>
        <p className="hint">{t("export.where")}</p>
        {saved && !exported.error && (
          <p className="ok saved-path" role="status" data-testid="export-saved">
            {t("export.saved", { count: saved.rows, n: formatCount(saved.rows, i18n.language), path: saved.path })}
          </p>
        )}
        {exported.error && <FailureNote error={exported.error} testId="export-error" />}
        <footer>
          <button type="submit" className="primary" ref={startRef} disabled={busy || total === 0} data-testid="export-start">
            {busy ? t("export.exporting") : t("export.start")}
          </button>
          <button type="button" onClick={onClose}>
            {saved ? t("common.close") : t("common.cancel")}
          </button>
        </footer>
      </form>
    </Modal>
  );
}
