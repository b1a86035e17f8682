import { describe, expect, it } from "vitest";
import { en } from "./locales/en";
import { zhCN } from "./locales/zh-CN";
import { languageFor } from "./i18n";
import { dateInputToMs, dayStart, formatMinute, formatMoney, formatTime, formatWhen, hintKey, knownZone, localDate, sharedSchemaIsNewer, stateKey, weekStart } from "./words";

describe("words", () => {
  it("prints the backend's exact amount with the currency symbol", () => {
    expect(formatMoney("12.30", "CNY")).toBe("¥12.30");
    expect(formatMoney("0.05", "INR")).toBe("₹0.05");
    expect(formatMoney("1.00", "XTS")).toBe("XTS 1.00");
    // Yen and yuan never share a sign: ¥1230 would read as yuan.
    expect(formatMoney("1230", "JPY")).toBe("JP¥1230");
  });

  it("says what the person should do next, and why a payment waits for one", () => {
    expect(hintKey("pending")).toBe("hint.pending");
    expect(hintKey("pending", { statusQuery: false })).toBe("hint.pendingUnasked");
    expect(hintKey("needs_review", { errorCode: "ANSWER_LOST" })).toBe("hint.needs_review");
    expect(hintKey("needs_review", { errorCode: "AMOUNT_MISMATCH" })).toBe("hint.amountMismatch");
    expect(hintKey("needs_review", { errorCode: "ANSWER_FOR_ANOTHER_PAYMENT" })).toBe("hint.anotherPayment");
    expect(hintKey("needs_review", { errorCode: "ANSWER_IN_OTHER_MODE" })).toBe("hint.otherMode");
    expect(hintKey("succeeded", { errorCode: "AMOUNT_MISMATCH" })).toBe("hint.succeeded");
    expect(hintKey(null)).toBe("hint.created");
    // Nothing to scan: the words say where the customer pays, and whether it settles itself.
    expect(hintKey("pending", { hasCode: false })).toBe("hint.pendingNoCode");
    expect(hintKey("pending", { hasCode: false, statusQuery: false })).toBe("hint.pendingUnaskedNoCode");
    expect(hintKey("succeeded", { hasCode: false })).toBe("hint.succeeded");
    // A payout's words where money goes out; what needs a person reads the same.
    expect(hintKey("succeeded", { paysOut: true })).toBe("hint.succeededOut");
    expect(hintKey(null, { paysOut: true })).toBe("hint.createdOut");
    expect(hintKey("pending", { paysOut: true, hasCode: false })).toBe("hint.pendingOut");
    expect(hintKey("pending", { statusQuery: false, paysOut: true })).toBe("hint.pendingUnasked");
    expect(hintKey("needs_review", { paysOut: true })).toBe("hint.needs_review");
    expect(stateKey("succeeded", true)).toBe("stateOut.succeeded");
    expect(stateKey("succeeded")).toBe("state.succeeded");
    expect(stateKey("needs_review", true)).toBe("state.needs_review");
  });

  it("names every state and channel as UX.md does, in both languages", () => {
    expect(en.state).toEqual({
      created: "Created",
      submitting: "Submitting",
      pending: "Pending",
      succeeded: "Paid",
      failed: "Failed",
      unknown: "Unknown",
      needs_review: "Needs review",
    });
    expect(zhCN.state).toEqual({
      created: "已创建",
      submitting: "提交中",
      pending: "支付中",
      succeeded: "支付成功",
      failed: "支付失败",
      unknown: "结果未知",
      needs_review: "待人工处理",
    });
    expect(zhCN.channel).toMatchObject({
      balance: "余额",
      alipay: "支付宝",
      wechat: "微信支付",
      credit: "信控支付",
      unionpay: "银联",
      voucher: "代金券",
      coupon: "优惠券",
      bank: "银行转账",
    });
    expect(en.channel).toMatchObject({ wechat: "WeChat Pay", bank: "Bank transfer", credit: "Credit" });
    expect(zhCN.term).toMatchObject({ orderNo: "订单号", amount: "金额", gateway: "网关", channel: "渠道", checkStatus: "核对状态" });
  });

  it("gives both languages the same keys", () => {
    const keys = (o: object, prefix = ""): string[] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === "object" ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
    expect(keys(zhCN).sort()).toEqual(keys(en).sort());
  });

  it("follows the system locale", () => {
    expect(languageFor("zh-CN")).toBe("zh-CN");
    expect(languageFor("zh-Hans-SG")).toBe("zh-CN");
    expect(languageFor("en-GB")).toBe("en");
    expect(languageFor(undefined)).toBe("en");
  });

  it("turns dates into local midnights without touching money", () => {
    expect(dateInputToMs("2026-11-21")).toBe(new Date(2026, 10, 21).getTime());
    expect(dateInputToMs("2026-11-21", 1)).toBe(new Date(2026, 10, 22).getTime());
    expect(dateInputToMs("")).toBeNull();
    expect(weekStart(new Date(2026, 10, 22, 15))).toBe(new Date(2026, 10, 16).getTime());
  });

  it("counts today and this week on the merchant's calendar where its time zone is set", () => {
    // 01:30 UTC on Monday 7 December is already 09:30 in Shanghai, still Sunday in New York.
    const now = new Date(Date.UTC(2026, 11, 7, 1, 30));
    expect(dayStart(now, "Asia/Shanghai")).toBe(Date.UTC(2026, 11, 6, 16));
    expect(weekStart(now, "Asia/Shanghai")).toBe(Date.UTC(2026, 11, 6, 16));
    expect(localDate(now.getTime(), "Asia/Shanghai")).toBe("2026-12-07");
    expect(dayStart(now, "America/New_York")).toBe(Date.UTC(2026, 11, 6, 5));
    expect(weekStart(now, "America/New_York")).toBe(Date.UTC(2026, 10, 30, 5));
    expect(localDate(now.getTime(), "America/New_York")).toBe("2026-12-06");
    // The day clocks go forward in New York: its midnight is still at UTC−5.
    expect(dayStart(new Date(Date.UTC(2026, 2, 8, 20)), "America/New_York")).toBe(Date.UTC(2026, 2, 8, 5));
    // Kathmandu is UTC+5:45.
    expect(dayStart(now, "Asia/Kathmandu")).toBe(Date.UTC(2026, 11, 6, 18, 15));
    // A day typed into a filter is the merchant's day too, the day after a month's end included.
    expect(dateInputToMs("2026-12-07", 0, "Asia/Shanghai")).toBe(Date.UTC(2026, 11, 6, 16));
    expect(dateInputToMs("2026-12-31", 1, "Asia/Shanghai")).toBe(Date.UTC(2026, 11, 31, 16));
    // A name this browser does not know (a system that names none) is this computer's calendar.
    expect(knownZone("local")).toBeUndefined();
    expect(knownZone("")).toBeUndefined();
    expect(knownZone("Asia/Shanghai")).toBe("Asia/Shanghai");
  });
});

describe("times in the window's language", () => {
  const now = new Date(2026, 10, 21, 18, 30, 0);
  const today = new Date(2026, 10, 21, 9, 5, 7).getTime();
  const thisYear = new Date(2026, 1, 3, 19, 5, 7).getTime();
  const lastYear = new Date(2025, 10, 21, 9, 5, 7).getTime();
  // Some ICU versions write a narrow no-break space before AM/PM.
  const plain = (s: string) => s.replace(/\s/g, " ");

  it.each([
    ["zh-CN", "2026/11/21 09:05:07", "09:05:07", "02/03 19:05", "2025/11/21", "09:05", "2026/02/03 19:05"],
    ["en", "11/21/2026, 09:05:07 AM", "09:05:07 AM", "02/03, 07:05 PM", "11/21/2025", "09:05 AM", "02/03/2026, 07:05 PM"],
  ])("%s: to the second, as short as unambiguous, and to the minute", (language, full, todayWhen, thisYearWhen, lastYearWhen, todayMinute, earlierMinute) => {
    expect(plain(formatTime(today, language))).toBe(full);
    expect(plain(formatWhen(today, now, language))).toBe(todayWhen);
    expect(plain(formatWhen(thisYear, now, language))).toBe(thisYearWhen);
    expect(plain(formatWhen(lastYear, now, language))).toBe(lastYearWhen);
    expect(plain(formatMinute(today, now, language))).toBe(todayMinute);
    expect(plain(formatMinute(thisYear, now, language))).toBe(earlierMinute);
  });

  it("follows the language the window is in", async () => {
    const i18n = (await import("./i18n")).default;
    await i18n.changeLanguage("zh-CN");
    expect(plain(formatTime(today))).toBe("2026/11/21 09:05:07");
    await i18n.changeLanguage("en");
    expect(plain(formatTime(today))).toBe("11/21/2026, 09:05:07 AM");
  });
});

describe("a shared store this paydesk does not fit", () => {
  it("is ahead of it when its schema is newer (this desk must update), behind when older (its owner must connect)", () => {
    expect(sharedSchemaIsNewer({ applied: 13, supported: 12 })).toBe(true);
    expect(sharedSchemaIsNewer({ applied: 11, supported: 12 })).toBe(false);
  });
});
