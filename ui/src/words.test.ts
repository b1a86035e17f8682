import { describe, expect, it } from "vitest";
import { formatMoney, STATE_LABEL } from "./words";

describe("words", () => {
  it("prints the backend's exact amount with the currency symbol", () => {
    expect(formatMoney("12.30", "CNY")).toBe("¥12.30");
    expect(formatMoney("0.05", "INR")).toBe("₹0.05");
    expect(formatMoney("1.00", "XTS")).toBe("XTS 1.00");
  });

  it("names every state as UX.md does", () => {
    expect(STATE_LABEL.succeeded).toBe("Paid");
    expect(STATE_LABEL.needs_review).toBe("Needs review");
  });
});
