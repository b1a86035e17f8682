// Every detail the back end writes into a timeline, as the sentence a person reads, in both
// languages; and what stays one click away.
import { describe, expect, it } from "vitest";
import i18n from "./i18n";
import { attempt } from "./test-backend";
import { describeEvent } from "./timeline";
import type { AttemptDetail, AttemptEvent, AttemptState } from "./types";

const en = i18n.getFixedT("en");
const zh = i18n.getFixedT("zh-CN");

type Step = [AttemptState, string | null] | [AttemptState, string | null, { desk: string; operator: string }];

interface Case {
  /** The events up to the one described, oldest first. */
  steps: Step[];
  gateway?: string;
  paysOut?: boolean;
  attempt?: Partial<AttemptDetail>;
  en: string;
  zh: string;
  /** What is kept one click away. */
  raw?: string | null;
  namesWriter?: boolean;
}

const charge = JSON.stringify({ id: "ch_abc", object: "charge", paid: false, credential: { alipay_qr: "https://qr.example/1" } });
const paidCharge = JSON.stringify({ id: "ch_abc", object: "charge", paid: true });
const bob = { desk: "Desk 2", operator: "bob" };

const CASES: Record<string, Case> = {
  "an attempt started at a desk": {
    steps: [["created", null]],
    en: "Started by alice at Desk 1",
    zh: "由 Desk 1 的 alice 发起",
  },
  "an attempt from before desks were named": {
    steps: [["created", null]],
    attempt: { desk: "", operator: "" },
    en: "Started",
    zh: "已发起",
  },
  "its request going out": {
    steps: [["created", null], ["submitting", null]],
    en: "Sending to Yian (益安)",
    zh: "正在发送至 益安",
  },
  "a charge waiting for its code to be scanned": {
    steps: [["submitting", null], ["pending", charge]],
    en: "Sent to Yian (益安) — ch_abc created, waiting for the customer to scan",
    zh: "已发送至 益安 — 已创建 ch_abc，等待顾客扫码",
    raw: charge,
  },
  "a payment with nothing to scan": {
    steps: [["submitting", null], ["pending", null]],
    gateway: "top",
    attempt: { gateway_ref: "req-9", pay_url: null },
    en: "Sent to TOP — req-9 created, waiting for the customer to pay",
    zh: "已发送至 TOP — 已创建 req-9，等待顾客支付",
  },
  "a payout accepted": {
    steps: [["submitting", null], ["pending", '{"id":"po-1"}']],
    gateway: "debit",
    paysOut: true,
    attempt: { gateway_ref: "po-1", pay_url: null },
    en: "Sent to BharatPay debit — po-1 created, waiting for the payout",
    zh: "已发送至 BharatPay 代付 — 已创建 po-1，等待出款",
    raw: '{"id":"po-1"}',
  },
  "paid at once": {
    steps: [["submitting", null], ["succeeded", null]],
    gateway: "sensecore",
    attempt: { gateway_ref: "sc-order-1" },
    en: "Sent to SenseCore — paid, reference sc-order-1",
    zh: "已发送至 SenseCore — 支付成功，网关单号 sc-order-1",
  },
  "refused by the gateway": {
    steps: [["submitting", null], ["failed", "isv.invalid-parameter: 参数 user_country 无效"]],
    gateway: "top",
    en: "Refused by TOP: isv.invalid-parameter — 参数 user_country 无效",
    zh: "TOP 拒绝：isv.invalid-parameter — 参数 user_country 无效",
  },
  "a gateway out of reach": {
    steps: [["submitting", null], ["failed", "NOT_SENT: the gateway could not be reached; nothing was sent (connection refused)"]],
    en: "Could not reach Yian (益安): nothing was sent",
    zh: "无法连接 益安：未发送任何请求",
    raw: "NOT_SENT: the gateway could not be reached; nothing was sent (connection refused)",
  },
  "an answer lost on the way back": {
    steps: [["submitting", null], ["unknown", "ANSWER_LOST: the request was sent but its answer was lost (timed out)"]],
    en: "Sent to Yian (益安), but its answer was lost: the result is unknown",
    zh: "已发送至 益安，但应答丢失：结果未知",
    raw: "ANSWER_LOST: the request was sent but its answer was lost (timed out)",
  },
  "an answer that settles nothing": {
    steps: [["submitting", null], ["unknown", "HTTP_502: Bad Gateway"]],
    gateway: "partner",
    en: "Sent to Partner — no clear answer (HTTP_502: Bad Gateway): the result is unknown",
    zh: "已发送至 合作方 — 没有明确应答（HTTP_502：Bad Gateway）：结果未知",
  },
  "a sender that stopped": {
    steps: [["submitting", null], ["unknown", "the sender stopped before recording the answer"]],
    en: "paydesk stopped before Yian (益安)'s answer was recorded: the result is unknown",
    zh: "paydesk 在记录 益安 的应答前停止：结果未知",
  },
  "sent again under its key": {
    steps: [["unknown", "ANSWER_LOST: x"], ["submitting", "resent under the same idempotency key (2 of at most 5)"]],
    gateway: "sensecore",
    en: "Sent to SenseCore again under the same idempotency key (2 of at most 5)",
    zh: "以同一幂等键再次发送至 SenseCore（第 2 次，最多 5 次）",
  },
  "a resend that could not leave": {
    steps: [["submitting", "resent under the same idempotency key (1 of at most 5)"], ["unknown", "RESEND_NOT_SENT: the gateway could not be reached to ask again"]],
    en: "Could not reach Yian (益安) to send it again: the result is still unknown",
    zh: "无法连接 益安 再次发送：结果仍未知",
    raw: "RESEND_NOT_SENT: the gateway could not be reached to ask again",
  },
  "a status check that found it paid": {
    steps: [["pending", charge], ["succeeded", paidCharge]],
    en: "Asked Yian (益安): paid",
    zh: "已询问 益安：支付成功",
    raw: paidCharge,
  },
  "a status check that found a payout failed": {
    steps: [["pending", null], ["failed", "ORDER_NOT_FOUND: order not found"]],
    gateway: "debit",
    paysOut: true,
    en: "Asked BharatPay debit: payout failed — ORDER_NOT_FOUND: order not found",
    zh: "已询问 BharatPay 代付：出款失败 — ORDER_NOT_FOUND：order not found",
  },
  "an unknown payment found waiting": {
    steps: [["unknown", "ANSWER_LOST: x"], ["pending", charge]],
    en: "Asked Yian (益安): waiting for the customer to scan",
    zh: "已询问 益安：等待顾客扫码",
    raw: charge,
  },
  "a callback settling a payout": {
    steps: [["pending", null], ["succeeded", "reported by the gateway's callback"]],
    gateway: "debit",
    paysOut: true,
    en: "BharatPay debit's callback: paid out",
    zh: "BharatPay 代付 回调：已出款",
  },
  "a person deciding it paid, at another desk": {
    steps: [["needs_review", null], ["succeeded", "resolved by a person: 顾客出示了付款截图", bob]],
    en: "Decided paid by bob at Desk 2: 顾客出示了付款截图",
    zh: "Desk 2 的 bob 判定为支付成功：顾客出示了付款截图",
    namesWriter: true,
  },
  "a person deciding a payout not paid out": {
    steps: [["pending", null], ["failed", "resolved by a person: the bank returned it", bob]],
    gateway: "debit",
    paysOut: true,
    en: "Decided not paid out by bob at Desk 2: the bank returned it",
    zh: "Desk 2 的 bob 判定为未出款：the bank returned it",
    namesWriter: true,
  },
  "asking that never settled it": {
    steps: [["unknown", null], ["needs_review", "the gateway's status query never settled the payment; last error: ANSWER_LOST: timed out"]],
    attempt: { checks: 10 },
    en: "Needs a person: Yian (益安) was asked 10 times without an answer that settles it; last error ANSWER_LOST: timed out",
    zh: "需要人工处理：已询问 益安 10 次，仍没有确定的结果；最后一次错误 ANSWER_LOST：timed out",
  },
  "a customer who never paid a code the gateway can be asked about": {
    steps: [["pending", null], ["needs_review", "the gateway's status query still reported the payment as waiting; last error: none: "]],
    attempt: { checks: 10 },
    en: "Needs a person: Yian (益安) was asked 10 times and still reports it waiting: a person confirms whether it went through",
    zh: "需要人工处理：已询问 益安 10 次，仍显示等待中：需有人确认是否已完成",
  },
  "a gateway that can neither be asked nor sent again": {
    steps: [["unknown", null], ["needs_review", "the gateway has neither a status query nor an idempotency key; last error: none: "]],
    gateway: "partner",
    en: "Needs a person: Partner can neither be asked about this payment nor sent it again safely",
    zh: "需要人工处理：合作方 既不能查询这笔支付，也不能安全地重新发送",
  },
  "a payer who never came": {
    steps: [["pending", null], ["needs_review", "still waiting for the payer, and the gateway has no status query; last error: none: "]],
    gateway: "partner",
    en: "Needs a person: still waiting for the customer, and Partner cannot be asked",
    zh: "需要人工处理：仍在等待顾客支付，且 合作方 不提供查询",
  },
  "a gateway contradicting itself": {
    steps: [["pending", charge], ["needs_review", "the gateway acknowledged this payment as ch_abc and now reports no such payment (not_found: 未找到支付记录)"]],
    en: "Needs a person: Yian (益安) took this payment as ch_abc and now says there is no such payment (not_found: 未找到支付记录)",
    zh: "需要人工处理：益安 曾以 ch_abc 受理这笔支付，现在却说没有这笔支付（not_found：未找到支付记录）",
  },
  "another amount than was asked": {
    steps: [["submitting", null], ["needs_review", "the gateway reports ¥9.90 for this payment, but ¥12.34 was asked"]],
    en: "Needs a person: Yian (益安) reports ¥9.90 for this payment, but ¥12.34 was asked",
    zh: "需要人工处理：益安 报告这笔支付为 ¥9.90，但请求的是 ¥12.34",
  },
  "another price after the gateway's own coupon": {
    steps: [["submitting", null], ["needs_review", "the gateway reports a price of ¥12.34 (¥10.34 charged after its own deduction of ¥2.00) for this payment, but ¥12.00 was asked"]],
    gateway: "partner",
    en: "Needs a person: Partner reports a price of ¥12.34 (¥10.34 charged after its own deduction of ¥2.00) for this payment, but ¥12.00 was asked",
    zh: "需要人工处理：合作方 报告这笔支付为 价格 ¥12.34（扣除其自身优惠 ¥2.00 后收取 ¥10.34），但请求的是 ¥12.00",
  },
  "a resend refused": {
    steps: [["submitting", "resent under the same idempotency key (1 of at most 5)"], ["needs_review", "the gateway refused the payment sent again under its idempotency key (FAILED_PRECONDITION: order already exists); the first request may have paid"]],
    gateway: "sensecore",
    en: "Needs a person: SenseCore refused the payment sent again (FAILED_PRECONDITION: order already exists); the first request may have paid",
    zh: "需要人工处理：SenseCore 拒绝了再次发送的支付（FAILED_PRECONDITION：order already exists）；第一次请求可能已经支付成功",
  },
  "too many resends": {
    steps: [["unknown", null], ["needs_review", "sent again 5 times without an answer that settles it; last error: ANSWER_LOST: timed out"]],
    gateway: "sensecore",
    en: "Needs a person: sent again 5 times without an answer that settles it; last error ANSWER_LOST: timed out",
    zh: "需要人工处理：已再次发送 5 次，仍没有确定的结果；最后一次错误 ANSWER_LOST：timed out",
  },
  "an answer for a person": {
    steps: [["pending", null], ["needs_review", "the gateway's answer settles nothing either way (isv.trade-status-unknown: 请人工确认); a person decides"]],
    gateway: "top",
    en: "Needs a person: TOP's answer settles nothing either way (isv.trade-status-unknown: 请人工确认)",
    zh: "需要人工处理：TOP 的应答无法确定结果（isv.trade-status-unknown：请人工确认）",
  },
  "a callback reporting another amount": {
    steps: [["pending", null], ["needs_review", "reported by the gateway's callback: the gateway reports ₹90.00 for this payment, but ₹100.00 was asked"]],
    gateway: "debit",
    paysOut: true,
    en: "Needs a person after BharatPay debit's callback: BharatPay debit reports ₹90.00 for this payment, but ₹100.00 was asked",
    zh: "BharatPay 代付 回调后需要人工处理：BharatPay 代付 报告这笔支付为 ₹90.00，但请求的是 ₹100.00",
  },
  "a callback kept as evidence": {
    steps: [["needs_review", null], ["needs_review", "the gateway's callback reports this payment succeeded"]],
    gateway: "debit",
    paysOut: true,
    en: "BharatPay debit's callback reports this payment paid out: kept for the person who decides it",
    zh: "BharatPay 代付 回调报告这笔支付已出款：留给人工处理时参考",
  },
  "a callback contradicting a settled payment": {
    steps: [["succeeded", null], ["succeeded", "the gateway's callback reports this payment failed, but it is recorded as succeeded"]],
    gateway: "debit",
    paysOut: true,
    en: "BharatPay debit's callback reports this payment not paid out, but it is recorded as paid out: a person decides",
    zh: "BharatPay 代付 回调报告这笔支付未出款，但记录为已出款：由人工判定",
  },
  "a detail there are no words for, after a check": {
    steps: [["pending", null], ["succeeded", "the gateway says paid"]],
    en: "Asked Yian (益安): paid",
    zh: "已询问 益安：支付成功",
    raw: "the gateway says paid",
  },
  "a reason for a person there are no words for": {
    steps: [["unknown", null], ["needs_review", "a reason a newer paydesk gives"]],
    en: "Needs a person",
    zh: "需要人工处理",
    raw: "a reason a newer paydesk gives",
  },
  "an event there are no words for at all": {
    steps: [["created", "imported from the old till"]],
    en: "Created",
    zh: "已创建",
    raw: "imported from the old till",
  },
};

function attemptOf(c: Case): AttemptDetail {
  const alice = { desk: "Desk 1", operator: "alice" };
  const events: AttemptEvent[] = c.steps.map(([state, detail, who], i) => ({
    attempt_id: 7,
    state,
    detail,
    at: 1_700_000_000_000 + i * 1000,
    ...(who ?? alice),
    db_role: null,
    personal_data_hidden: false,
  }));
  return attempt(c.steps.at(-1)![0], { gateway_ref: "ch_abc", pay_url: "https://pay.example/qr/7", checks: 3, ...alice, ...c.attempt, events });
}

describe("an attempt's timeline in words", () => {
  it.each(Object.entries(CASES))("%s", (_, c) => {
    const a = attemptOf(c);
    const of = { gateway: c.gateway ?? "yian", paysOut: c.paysOut ?? false };
    const last = a.events.length - 1;
    const inEnglish = describeEvent(en, a, last, of);
    expect(inEnglish.text).toBe(c.en);
    expect(describeEvent(zh, a, last, of).text).toBe(c.zh);
    expect(inEnglish.raw).toBe(c.raw ?? null);
    expect(inEnglish.namesWriter).toBe(c.namesWriter ?? false);
  });
});
