// The plain-text block Settings → About copies for a support ticket: what build this is, where
// it keeps its data and what the status bar last found. It is built only from the app's own
// facts (never an order, a payment or a profile's settings), so no customer's data can reach
// it, and any password a server address might carry is taken out before it is copied.
import type { Activity, AppInfo, StatusChecks } from "./types";

export interface DiagnosticsInput {
  info: AppInfo;
  /** The status bar's checks, when they have been asked. */
  checks: StatusChecks | undefined;
  /** The status bar's count of payments waiting, when it has been asked. */
  activity: Activity | undefined;
  /** The window's language, and the system's. */
  language: string;
  systemLanguage: string;
  userAgent: string;
  now: Date;
}

/** A URL's password (user:password@, or a password= parameter) replaced, wherever one appears
 * in `text`: the back end says its addresses hold none, and this keeps it so in what is copied. */
export function withoutPasswords(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*):[^/\s]*@/gi, "$1:***@")
    .replace(/([?&;]\s*(?:password|passwd|pwd)=)[^&;\s)]*/gi, "$1***");
}

/** Where the history is kept: this desk's own SQLite file, or a shared PostgreSQL server. */
export function storeKind(checks: StatusChecks | undefined): "sqlite" | "postgres" | null {
  if (!checks) return null;
  return checks.store.url ? "postgres" : "sqlite";
}

function storeLine(checks: StatusChecks | undefined): string {
  const kind = storeKind(checks);
  if (!checks || !kind) return "not checked yet";
  if (kind === "sqlite") return "sqlite (this desk's own file, in the data directory)";
  const s = checks.store;
  const state = [s.reachable ? "reachable" : "offline", s.read_only ? "read only" : "writable"];
  if (s.as_of !== null) state.push(`local copy as of ${new Date(s.as_of).toISOString()}`);
  return `postgres (shared: ${s.url}; ${state.join(", ")})`;
}

/** The block itself. Its labels stay in English whatever the window's language, so whoever
 * reads the ticket reads every desk's the same way; the language is one of its lines. */
export function diagnosticsText(d: DiagnosticsInput): string {
  const lines = [
    "paydesk diagnostics",
    `Version: ${d.info.version}`,
    `Commit: ${d.info.commit}`,
    `System: ${d.userAgent}`,
    `Language: ${d.language} (system: ${d.systemLanguage})`,
    `Data set: ${d.info.data_set}${d.info.sandbox_url ? " (built-in sandbox running)" : ""}`,
    `Store: ${storeLine(d.checks)}`,
    `Data directory: ${d.info.data_dir}`,
  ];
  if (d.checks) {
    const storage = d.checks.storage;
    lines.push(`Data directory check: ${storage.state}${storage.detail ? ` (${storage.detail})` : ""}`);
    if (d.checks.gateways.length === 0) lines.push("Gateways: none");
    for (const g of d.checks.gateways) {
      lines.push(`Gateway ${g.profile}${g.is_sandbox ? " (sandbox)" : ""}: ${g.reachable ? "reachable" : "not reachable"} (${g.detail})`);
    }
  } else {
    lines.push("Status checks: not asked yet");
  }
  if (d.activity) {
    const a = d.activity;
    lines.push(`Payments: ${a.in_flight} being checked, ${a.unasked} cannot be checked, ${a.needs_review} need a person`);
  }
  if (d.info.startup_error) lines.push(`Startup error: ${d.info.startup_error}`);
  lines.push(`Copied at: ${d.now.toISOString()}`);
  return withoutPasswords(lines.join("\n"));
}
