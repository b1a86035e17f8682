import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, errorMessage } from "../api";
import { keys } from "../queries/keys";
import type { OrderFilters } from "../queries/paging";
import type { ExportFile, FileFormat } from "../types";
import { Modal } from "./Modal";

interface Props {
  filters: OrderFilters;
  /** How many orders the list shows for these filters. */
  total: number | null;
  onClose: () => void;
}

/** Hands the backend's file to the person as a download (no file system access needed). */
export function download(file: ExportFile) {
  saveBlob(new Blob([file.content], { type: `${file.media_type};charset=utf-8` }), file.file_name);
}

/** Hands `blob` over as a download named `fileName` (to the Downloads folder). */
export function saveBlob(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The download has its own reference to the data once started.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function ExportDialog({ filters, total, onClose }: Props) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [format, setFormat] = useState<FileFormat>("csv");
  // A mutation for its one-off run and state, though it changes no order: a read of every match.
  const exported = useMutation({
    // Every match, not a page: the export ignores offset and limit.
    mutationFn: () => api.exportOrders({ ...filters, sort: "created", descending: true, offset: 0, limit: 0 }, format),
    onSuccess: (file) => {
      download(file);
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
        <p id="export-matches" data-testid="export-matches">{total === null ? t("common.loading") : t("export.matches", { count: total })}</p>
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
        {exported.data && (
          <p className="ok" role="status" data-testid="export-saved">
            {t("export.saved", { file: exported.data.file_name, count: exported.data.rows })}
          </p>
        )}
        {exported.error && (
          <p className="error" role="alert" data-testid="export-error">
            {errorMessage(exported.error)}
          </p>
        )}
        <footer>
          <button type="submit" className="primary" ref={startRef} disabled={busy || total === 0} data-testid="export-start">
            {busy ? t("export.exporting") : t("export.start")}
          </button>
          <button type="button" onClick={onClose}>
            {exported.data ? t("common.close") : t("common.cancel")}
          </button>
        </footer>
      </form>
    </Modal>
  );
}
