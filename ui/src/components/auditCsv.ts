// The audit trail's entries as the view shows them, as a CSV file for a spreadsheet: one row an
// entry with its time, who, the action (its name and in words), the subject, the detail in words
// and as written. Like the orders' export, a cell a spreadsheet would run as a formula is
// written behind a ' (whoever wrote its text: order numbers, subjects, notes, file names).
import type { AuditEntry, ExportFile } from "../types";
import { auditSummary, entryActionName, type AuditContext } from "./auditWords";

const HEADER = ["id", "time", "desk", "operator", "action", "what", "subject", "summary", "detail"];

/** A cell a spreadsheet takes as text, quoted where CSV needs it. */
export function csvCell(text: string): string {
  const inert = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(inert) ? `"${inert.replaceAll('"', '""')}"` : inert;
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, "0");

/** A time as RFC 3339 on this computer's clock, to the second: 2026-11-21T09:05:07+08:00. */
export function localTimestamp(ms: number): string {
  const d = new Date(ms);
  const offset = -d.getTimezoneOffset();
  const zone = `${offset < 0 ? "-" : "+"}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${zone}`;
}

/** The entries as CSV text, newest first as given, with a byte order mark so spreadsheets read
 * Chinese words as UTF-8. */
export function auditCsv(entries: AuditEntry[], ctx: AuditContext): string {
  const rows = entries.map((e) => [
    String(e.id),
    localTimestamp(e.at),
    e.desk,
    e.operator,
    e.recorded_as,
    entryActionName(e, ctx.t),
    e.subject,
    auditSummary(e, ctx),
    JSON.stringify(e.detail),
  ]);
  return csvText([HEADER, ...rows]);
}

/** When a file was made, for its name: 20261121-090507 on this computer's clock. */
export function fileStamp(now: Date): string {
  return `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
}

/** Rows of cells as CSV text, with a byte order mark so spreadsheets read Chinese words as
 * UTF-8; every cell through csvCell. */
export function csvText(rows: string[][]): string {
  return `\u{feff}${rows.map((cells) => cells.map(csvCell).join(",")).join("\r\n")}\r\n`;
}

/** The file to download, named for when it was made: paydesk-audit-20261121-090507.csv. */
export function auditFile(entries: AuditEntry[], ctx: AuditContext, now: Date = new Date()): ExportFile {
  return { file_name: `paydesk-audit-${fileStamp(now)}.csv`, media_type: "text/csv", rows: entries.length, content: auditCsv(entries, ctx) };
}
