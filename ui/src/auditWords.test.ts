import { describe, expect, it } from "vitest";
import i18n from "./i18n";
import { auditSummary, type AuditContext } from "./components/auditWords";
import type { AuditEntry } from "./types";

describe("the audit trail's words", () => {
  it("says an export's days on the merchant's calendar, as its filters counted them", async () => {
    await i18n.changeLanguage("en");
    // From midnight on 7 December to midnight on the 8th, in Shanghai.
    const exported = {
      action: "orders_exported",
      subject: "orders.csv",
      detail: { rows: 3, filters: { from_ms: Date.UTC(2026, 11, 6, 16), to_ms: Date.UTC(2026, 11, 7, 16) } },
    } as unknown as AuditEntry;
    const ctx: AuditContext = { t: i18n.t, exponent: () => 2, currencyOf: () => undefined, timeZone: "Asia/Shanghai" };
    const said = auditSummary(exported, ctx);
    expect(said).toContain("2026-12-07");
    expect(said).not.toContain("2026-12-06");
  });
});
