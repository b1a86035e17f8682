import { afterEach, describe, expect, it } from "vitest";
import i18n from "./i18n";
import { errorKind, errorMessage } from "./api";
import type { Invalid } from "./ipc/Invalid";
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

  it("says why a sent payment's answer was not written in the person's language, the store's own words where it has none", async () => {
    const sent = (because: "store_busy" | "other", reason: string): IpcError => ({
      kind: "in_progress",
      message: `the payment request of attempt 7 was sent to the gateway, but its answer could not be written to the history (${reason}); …`,
      code: "sent_not_recorded",
      params: { attempt_id: 7, reason, because },
    });
    const busy = sent("store_busy", "the database was busy and gave up waiting: canceling statement due to lock timeout");
    const other = sent("other", "the disk went away");
    await i18n.changeLanguage("zh-CN");
    expect(errorMessage(busy)).toBe(
      "支付请求已发往网关，但结果未能写入记录（数据库繁忙，等待超时）。顾客可能已被扣款：请勿为此订单另行收款。paydesk 可以写入后会立即向网关查询结果。",
    );
    expect(errorMessage(other)).toContain("（the disk went away）");
    await i18n.changeLanguage("en");
    expect(errorMessage(busy)).toContain("(the database was busy and gave up waiting)");
  });

  it("names a channel and a gateway in their own words and keeps a refusal's reason", async () => {
    await i18n.changeLanguage("zh-CN");
    const notOffered: IpcError = {
      kind: "refused",
      message: "sensecore does not offer the bank channel",
      code: "channel_not_offered",
      params: { gateway: "sensecore", channel: "bank" },
    };
    expect(errorMessage(notOffered)).toBe("SenseCore 不支持银行转账。");
    const refused: IpcError = {
      kind: "refused",
      message: "cannot listen for callbacks on 127.0.0.1:1: in use",
      code: "refused",
      params: { reason: "cannot listen for callbacks on 127.0.0.1:1: in use" },
    };
    expect(errorMessage(refused)).toBe("cannot listen for callbacks on 127.0.0.1:1: in use");
    expect(errorKind(refused)).toBe("refused");
  });

  it("words a refused value by its field and rule, in either language", async () => {
    const invalid = (field: Invalid["field"], rule: Invalid["rule"], message: string): IpcError => ({
      kind: "refused",
      message,
      code: "invalid",
      params: { field, rule },
    });
    const table: [IpcError, string, string][] = [
      [
        invalid({ kind: "subject" }, { kind: "too_long", max: 512 }, "the subject is longer than 512 characters"),
        "The subject is longer than 512 characters.",
        "商品超过 512 个字符。",
      ],
      [
        invalid({ kind: "setting", key: "api_version" }, { kind: "one_of", value: '"v3"', allowed: ["v1", "v2"] }, "setting api_version must be v1 or v2, not \"v3\""),
        'Setting API version (api_version) must be v1 or v2, not "v3".',
        '设置“接口版本 (api_version)”只能是 v1、v2，而不是 "v3"。',
      ],
      [
        invalid({ kind: "gateway" }, { kind: "unknown", value: '"nope"', known: ["yian"] }, 'the gateway "nope" is unknown; one of yian'),
        'The gateway "nope" is unknown; one of Yian (益安).',
        '网关 "nope" 不存在；可选：益安。',
      ],
      [
        invalid({ kind: "secret", name: "token" }, { kind: "control_characters" }, "the value of secret token contains control characters"),
        "Secret API token (token) contains control characters (a pasted line break?).",
        "密钥“接口令牌 (token)”含有控制字符（是否粘贴了换行？）。",
      ],
      [
        invalid({ kind: "amount" }, { kind: "too_large", max: "¥10000000000.00" }, "the amount is more than ¥10000000000.00"),
        "The amount is more than ¥10000000000.00.",
        "金额超过 ¥10000000000.00。",
      ],
      [
        invalid({ kind: "base_url" }, { kind: "gateway_test_environment" }, "the base URL is the gateway's own test environment"),
        "The base URL is the gateway's own test environment, where payments move no money; try payments on paydesk's built-in sandbox instead.",
        "网关地址指向网关自己的测试环境，其中的支付不涉及真实资金；试用支付请使用 paydesk 内置的沙箱。",
      ],
      [
        invalid({ kind: "amount" }, { kind: "too_large", max: null }, "the amount is too large"),
        "The amount is too large.",
        "金额过大。",
      ],
    ];
    for (const [error, english, chinese] of table) {
      await i18n.changeLanguage("en");
      expect(errorMessage(error)).toBe(english);
      await i18n.changeLanguage("zh-CN");
      expect(errorMessage(error)).toBe(chinese);
    }
  });

  it("names the desk and operator whose payment is under way, where the journal says", async () => {
    const atDesk: IpcError = {
      kind: "in_progress",
      message: 'a payment for order "O-1" is already in progress at desk-2 (lin)',
      code: "payment_in_progress",
      params: { order_no: "O-1", desk: "desk-2", operator: "lin" },
    };
    const unnamed: IpcError = { ...atDesk, params: { order_no: "O-1", desk: null, operator: null } };
    expect(errorMessage(atDesk)).toBe(
      "A payment for order O-1 is already in progress at desk-2 (lin): wait for its result, do not pay again.",
    );
    expect(errorMessage(unnamed)).toBe(
      "A payment for order O-1 is already in progress: wait for its result, do not pay again.",
    );
    const checking: IpcError = {
      kind: "in_progress",
      message: "attempt 7 is being settled at desk-2 right now; its result follows",
      code: "being_settled",
      params: { attempt_id: 7, desk: "desk-2" },
    };
    expect(errorMessage(checking)).toBe(
      "Attempt 7 is being checked with the gateway at desk-2 right now; its result will show here.",
    );
    expect(errorMessage({ ...checking, params: { attempt_id: 7, desk: null } })).toBe(
      "Attempt 7 is being checked with the gateway elsewhere right now; its result will show here.",
    );
    await i18n.changeLanguage("zh-CN");
    expect(errorMessage(atDesk)).toBe("订单 O-1 的支付正在收银台 desk-2（lin）进行中：请等待结果，不要重复支付。");
  });

  it("falls back on whatever a rejection says when it is not the back end's error", () => {
    expect(errorMessage("plain words")).toBe("plain words");
    expect(errorMessage(new Error("broken pipe"))).toBe("broken pipe");
    expect(errorMessage(42)).toBe("Unexpected error.");
    expect(errorKind(new Error("x"))).toBeNull();
  });
});

describe("the back end's refusals in the person's language", () => {
  it("words an amount and an order its gateway could never take, in 简体中文 too", async () => {
    const notPayable = {
      kind: "refused",
      code: "order_not_payable",
      params: { profile: "pt", expected_currency: "CNY", currency: "INR", missing: ["user_id"], not_whole_number: ["address_id"] },
      message: "gateway profile \"pt\" cannot be paid for this order: …",
    };
    const tooPrecise = { kind: "refused", code: "amount_too_precise", params: { amount: "1.234", digits: 2, currency: "CNY" }, message: "…" };
    expect(errorMessage(notPayable)).toBe(
      "Gateway profile pt could never be paid for this order: its orders are in CNY; it needs user_id; address_id must be whole numbers above zero.",
    );
    expect(errorMessage(tooPrecise)).toBe("1.234 has more than 2 decimal places for CNY.");
    const voucher = { kind: "refused", code: "voucher_amount", params: { id: "v-1", amount: { code: "amount_not_positive", params: { amount: "0" } } }, message: "…" };
    expect(errorMessage(voucher)).toBe("Voucher v-1: The amount must be more than zero, not 0.");
    await i18n.changeLanguage("zh-CN");
    expect(errorMessage(voucher)).toBe("代金券 v-1：金额必须大于零，而不是 0。");
    expect(errorMessage(notPayable)).toBe("网关配置 pt 永远无法支付此订单：该配置的订单币种为 CNY；缺少 user_id；address_id 必须是大于零的整数。");
    expect(errorMessage(tooPrecise)).toBe("1.234 的小数位超过 CNY 的 2 位。");
    await i18n.changeLanguage("en");
  });
});
