import type { ExportFile } from "../types";

/** Hands a file made in the page (the audit trail's or a shift's CSV) to the person as a
 * download: no file system access needed. Orders are exported by the back end instead. */
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
