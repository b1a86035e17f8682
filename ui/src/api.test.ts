import { afterEach, describe, expect, it } from "vitest";
import i18n from "./i18n";
import { errorKind, errorMessage } from "./api";
import type { IpcError } from "./types";

const notAwaiting: IpcError = {
  kind: "refused",
  message: "attempt 7 is pending, not waiting for review",
  code: "not_awaiting_review",
  params: { attempt_id: 7, state: "pending" },
};

describe("errorMessage", () => {
  afterEach(() => i18n.changeLanguage("en"));

  it("words a problem's code with its parameters in the person's language", async () => {
    const missing: IpcError = {
      kind: "not_found",
      message: 'no order "O-1"',
      code: "no_such_order",
      params: { order_no: "O-1" },
    };
    await i18n.changeLanguage("zh-CN");
    expect(errorMessage(missing)).toBe("没有订单 O-1。");
    expect(errorMessage(notAwaiting)).toBe("支付尝试 7 当前为“支付中”，不在等待人工处理。");
    await i18n.changeLanguage("en");
    expect(errorMessage(missing)).toBe("No order O-1.");
    expect(errorMessage(notAwaiting)).toBe("Attempt 7 is Pending, not waiting for review.");
  });

  it("names a channel in its own words and keeps a refusal's reason", async () => {
    await i18n.changeLanguage("zh-CN");
    const notOffered: IpcError = {
      kind: "refused",
      message: "sensecore does not offer the bank channel",
      code: "channel_not_offered",
      params: { gateway: "sensecore", channel: "bank" },
    };
    expect(errorMessage(notOffered)).toBe("sensecore 不支持银行转账。");
    const refused: IpcError = {
      kind: "refused",
      message: "the voucher of 3.00 has no id",
      code: "refused",
      params: { reason: "the voucher of 3.00 has no id" },
    };
    expect(errorMessage(refused)).toBe("the voucher of 3.00 has no id");
    expect(errorKind(refused)).toBe("refused");
  });

  it("falls back on whatever a rejection says when it is not the back end's error", () => {
    expect(errorMessage("plain words")).toBe("plain words");
    expect(errorMessage(new Error("broken pipe"))).toBe("broken pipe");
    expect(errorMessage(42)).toBe("Unexpected error.");
    expect(errorKind(new Error("x"))).toBeNull();
  });
});
