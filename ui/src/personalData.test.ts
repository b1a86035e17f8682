import { describe, expect, it } from "vitest";
import cases from "../../src-tauri/core/src/personal_data_cases.json";
import { HIDDEN, hidePersonalData } from "./personalData";

describe("customers' personal data in gateways' answers", () => {
  it("hides the partner's receiver, phones and address, and keeps what a support agent needs", () => {
    const answer = JSON.stringify({
      order_no: "202612060559081796507948690",
      third_order_no: "QR-1",
      order_price: 300,
      order_name: "购买机器",
      order_receieve_name: "刘德华",
      order_receieve_phone: "18578229023",
      order_receieve_address: "湖南省长沙市德思勤城市广场b5栋",
      user_phone: "18569557087",
      user_real_name: "张学友",
      order_express_address: "",
    });
    const { shown, hidden } = hidePersonalData(answer);
    expect(hidden).toBe(true);
    for (const personal of ["刘德华", "18578229023", "湖南省", "18569557087", "张学友"]) expect(shown).not.toContain(personal);
    const kept = JSON.parse(shown);
    expect(kept).toMatchObject({ order_no: "202612060559081796507948690", third_order_no: "QR-1", order_price: 300, order_name: "购买机器" });
    expect(kept.user_phone).toBe(HIDDEN);
    expect(kept.order_express_address).toBe("");
  });

  it("looks inside nested answers (益安's charge metadata) and leaves plain text alone", () => {
    const { shown, hidden } = hidePersonalData(JSON.stringify({ ch: { id: "ch_1", metadata: { buyer: "15201052252" } } }));
    expect(hidden).toBe(true);
    expect(shown).not.toContain("15201052252");
    expect(JSON.parse(shown).ch.id).toBe("ch_1");
    expect(hidePersonalData("resolved by a person: the customer left")).toEqual({ shown: "resolved by a person: the customer left", hidden: false });
    expect(hidePersonalData('{"status":"paid"}')).toEqual({ shown: '{"status":"paid"}', hidden: false });
  });

  it("follows the cases the command line's rule (src-tauri/core/src/personal_data.rs) is held to", () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
    for (const { text, hidden } of cases) {
      const out = hidePersonalData(text);
      expect(out.hidden, text).toBe(hidden !== null);
      expect(hidden === null ? out.shown : JSON.parse(out.shown), text).toEqual(hidden === null ? text : hidden);
    }
  });
});
