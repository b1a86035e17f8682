// A shift's report lines as a CSV file for a spreadsheet: one row a line (direction, gateway,
// channel and state of a currency), its count and what it came to, exact as the back end wrote
// it, and the part of it paid on credit where its payments split (empty where none did), as
// the command line's `shift report --csv` writes them. Ids stay ids (sensecore, alipay, succeeded) so the file reads the same in any language;
// a cell a spreadsheet would run as a formula is written behind a ', as the audit trail's is.
import type { ExportFile, ShiftReport } from "../types";
import { csvText, fileStamp } from "./auditCsv";

const HEADER = ["shift_id", "currency", "direction", "gateway", "channel", "state", "count", "charged", "charged_minor", "credit", "credit_minor"];

/** The report's lines as CSV text, currency by currency as the report lists them. */
export function shiftCsv(report: ShiftReport): string {
  const rows = report.currencies.flatMap((c) =>
    c.lines.map((l) => [
      String(report.shift.id),
      c.currency,
      l.direction,
      l.gateway,
      l.channel,
      l.state,
      String(l.count),
      l.charged.amount,
      String(l.charged.amount_minor),
      l.split?.credit.amount ?? "",
      l.split ? String(l.split.credit.amount_minor) : "",
    ]),
  );
  return csvText([HEADER, ...rows]);
}

/** How many lines the report has, over every currency. */
export function lineCount(report: ShiftReport): number {
  return report.currencies.reduce((n, c) => n + c.lines.length, 0);
}

/** The file to download: paydesk-shift-12-20261121-090507.csv. */
export function shiftFile(report: ShiftReport, now: Date = new Date()): ExportFile {
  return {
    file_name: `paydesk-shift-${report.shift.id}-${fileStamp(now)}.csv`,
    media_type: "text/csv",
    rows: lineCount(report),
    content: shiftCsv(report),
  };
}
