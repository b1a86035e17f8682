// The order panel's timeline reads as sentences; the gateway's raw answer stays one click away,
// and a ticket copied from Lookup says the same.
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "./App";
import i18n from "./i18n";
import { render } from "./test-render";
import { attempt, mockBackend, profile, resetBackend } from "./test-backend";
import type { AttemptEvent, ProfileView } from "./types";

afterEach(resetBackend);

const yian: ProfileView = { ...profile, name: "sandbox-yian", gateway: "yian" };
const charge = JSON.stringify({ id: "ch_abc", paid: true, metadata: { buyer_phone: "18578229023" } });
/** The charge as the back end sends it in an order's detail. */
const chargeHidden = JSON.stringify({ id: "ch_abc", paid: true, metadata: { buyer_phone: "•••" } });
const alice = { desk: "Desk 1", operator: "alice", db_role: null };
const at = (s: number) => 1_700_000_000_000 + s * 1000;
const events: AttemptEvent[] = [
  { attempt_id: 7, state: "created", detail: null, at: at(0), ...alice, personal_data_hidden: false },
  { attempt_id: 7, state: "submitting", detail: null, at: at(1), ...alice, personal_data_hidden: false },
  { attempt_id: 7, state: "unknown", detail: "ANSWER_LOST: the request was sent but its answer was lost (timed out)", at: at(31), ...alice, personal_data_hidden: false },
  { attempt_id: 7, state: "needs_review", detail: "the gateway's status query never settled the payment; last error: ANSWER_LOST: timed out", at: at(900), ...alice, personal_data_hidden: false },
  { attempt_id: 7, state: "succeeded", detail: "resolved by a person: 顾客出示了付款截图", at: at(960), desk: "Desk 2", operator: "bob", db_role: null, personal_data_hidden: false },
];
const settled = attempt("succeeded", { gateway_ref: "ch_abc", checks: 10, ...alice, events });

async function openOrder() {
  // The order's gateway is the profile's: the mock's order is sensecore, so it is made 益安's.
  const backend = mockBackend({ profile: yian, attempts: [settled] });
  backend.order = { ...backend.order, profile: "sandbox-yian", gateway: "yian" };
  const user = userEvent.setup();
  render(<App />);
  await user.click(await screen.findByText("DEMO-1001"));
  return { user, panel: await screen.findByTestId("order-panel") };
}

const sentences = (panel: HTMLElement) => within(panel).getAllByTestId("event-text").map((e) => e.textContent);

describe("an attempt's timeline", () => {
  it("tells the payment's story in sentences, in both languages", async () => {
    const { panel } = await openOrder();
    expect(sentences(panel)).toEqual([
      "Started by alice at Desk 1",
      "Sending to Yian (益安)",
      "Sent to Yian (益安), but its answer was lost: the result is unknown",
      "Needs a person: Yian (益安) was asked 10 times without an answer that settles it; last error ANSWER_LOST: timed out",
      "Decided paid by bob at Desk 2: 顾客出示了付款截图",
    ]);
    // The sentence names who decided: it is not said again.
    expect(within(panel).queryByTestId("event-actor")).toBeNull();
    // The transport's own words behind "its answer was lost", one click away.
    const lost = within(panel).getAllByTestId("event")[2]!;
    expect(within(lost).getByTestId("event-detail").textContent).toContain("(timed out)");
    expect(within(lost).getByText("As recorded").tagName).toBe("SUMMARY");
    await act(() => i18n.changeLanguage("zh-CN"));
    expect(sentences(panel)).toEqual([
      "由 Desk 1 的 alice 发起",
      "正在发送至 益安",
      "已发送至 益安，但应答丢失：结果未知",
      "需要人工处理：已询问 益安 10 次，仍没有确定的结果；最后一次错误 ANSWER_LOST：timed out",
      "Desk 2 的 bob 判定为支付成功：顾客出示了付款截图",
    ]);
  });

  it("keeps the gateway's raw answer folded, the customer's phone hidden until asked for", async () => {
    const paidAtOnce = attempt("succeeded", {
      gateway_ref: "ch_abc",
      ...alice,
      events: [
        { attempt_id: 7, state: "submitting", detail: null, at: at(1), ...alice, personal_data_hidden: false },
        { attempt_id: 7, state: "succeeded", detail: chargeHidden, at: at(2), ...alice, personal_data_hidden: true },
      ],
    });
    const whole = paidAtOnce.events.map((e) => (e.detail === chargeHidden ? { ...e, detail: charge, personal_data_hidden: false } : e));
    const backend = mockBackend({ profile: yian, attempts: [paidAtOnce], revealed: whole });
    backend.order = { ...backend.order, profile: "sandbox-yian", gateway: "yian" };
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    const panel = await screen.findByTestId("order-panel");
    expect(sentences(panel)[1]).toBe("Sent to Yian (益安) — paid, reference ch_abc");
    const answer = within(panel).getByTestId("event-detail") as HTMLDetailsElement;
    expect(answer.open).toBe(false);
    expect(within(answer).getByText("The gateway's answer").tagName).toBe("SUMMARY");
    expect(answer.textContent).not.toContain("18578229023");
    await user.click(within(answer).getByText("The gateway's answer"));
    await user.click(within(answer).getByTestId("reveal-personal"));
    await waitFor(() => expect(answer.textContent).toContain("18578229023"));
  });

  it("copies the same sentences into a ticket from Lookup", async () => {
    const { user } = await openOrder();
    await user.keyboard("{Control>}2{/Control}");
    await user.type(await screen.findByTestId("lookup-input"), "DEMO-1001{Enter}");
    const found = await screen.findByTestId("lookup-detail");
    await user.click(within(found).getByRole("button", { name: "Copy all details" }));
    const ticket = await waitFor(async () => {
      const text = await navigator.clipboard.readText();
      expect(text).toContain("Gateway: Yian (益安) · sandbox-yian");
      return text;
    });
    expect(ticket).toContain(" Sent to Yian (益安), but its answer was lost: the result is unknown — ANSWER_LOST: the request was sent");
    expect(ticket).toContain(" Decided paid by bob at Desk 2: 顾客出示了付款截图");
  });
});
