// The console's vocabulary (UX.md). English for now; the zh-CN table joins with the i18n work.
import type { AttemptState, Channel } from "./types";

export const STATE_LABEL: Record<AttemptState, string> = {
  created: "Created",
  submitting: "Submitting",
  pending: "Pending",
  succeeded: "Paid",
  failed: "Failed",
  unknown: "Unknown",
  needs_review: "Needs review",
};

/** What the person should do next, per state. */
export const STATE_HINT: Record<AttemptState, string> = {
  created: "Ready to pay.",
  submitting: "Sending to the gateway…",
  pending: "Waiting for the customer or the gateway.",
  succeeded: "Payment received.",
  failed: "The gateway refused the payment; nothing was charged.",
  unknown: "Checking with the gateway: do not pay again.",
  needs_review: "Needs a person: open to resolve.",
};

export const STATE_ICON: Record<AttemptState, string> = {
  created: "○",
  submitting: "↻",
  pending: "◔",
  succeeded: "✓",
  failed: "✕",
  unknown: "?",
  needs_review: "!",
};

export const CHANNEL_LABEL: Record<Channel, string> = {
  balance: "Balance",
  alipay: "Alipay",
  wechat: "WeChat Pay",
  credit: "Credit",
  unionpay: "UnionPay",
  frozen_account: "Frozen account",
  remit_offline: "Offline remittance",
  remit_online: "Online remittance",
  contract: "Contract",
  bank: "Bank transfer",
};

const SYMBOLS: Record<string, string> = { CNY: "¥", JPY: "¥", INR: "₹", USD: "$", EUR: "€", HKD: "HK$" };

/** Formats the backend's exact decimal string; never parses it into a float. */
export function formatMoney(amount: string, currency: string): string {
  return `${SYMBOLS[currency] ?? `${currency} `}${amount}`;
}

export function formatTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
