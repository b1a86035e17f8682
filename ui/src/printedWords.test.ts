// The back end prints receipts and reports with its own words (src-tauri/core/src/words.json,
// read when it is built); the window shows the same channels, gateways and states with the
// locales' words. Each name must be the same in both, so a receipt never calls a payment
// something the window does not.
import { describe, expect, it } from "vitest";
import printed from "../../src-tauri/core/src/words.json";
import { en } from "./locales/en";
import { zhCN } from "./locales/zh-CN";

const LANGUAGES = [
  ["en", en, printed.en],
  ["zh-CN", zhCN, printed["zh-CN"]],
] as const;

/** Each printed name beside the window's name for the same key (undefined: the window has none). */
function pairs(printedNames: Record<string, string>, shown: Record<string, string>) {
  return Object.entries(printedNames).map(([key, word]) => ({ key, printed: word, shown: shown[key] }));
}

describe.each(LANGUAGES)("in %s, the printed words", (_lang, window, paper) => {
  it("name each channel as the window does", () => {
    for (const p of pairs(paper.channels, window.channel)) expect(p).toEqual({ ...p, printed: p.shown });
    expect(Object.keys(paper.channels).sort()).toEqual(Object.keys(window.channel).sort());
  });

  it("name each gateway as the window does", () => {
    for (const p of pairs(paper.gateways, window.gatewayName)) expect(p).toEqual({ ...p, printed: p.shown });
    expect(Object.keys(paper.gateways).sort()).toEqual(Object.keys(window.gatewayName).sort());
  });

  it("name each state as the window does", () => {
    for (const p of pairs(paper.states, window.state)) expect(p).toEqual({ ...p, printed: p.shown });
    expect(Object.keys(paper.states).sort()).toEqual(Object.keys(window.state).sort());
  });

  it("name a payout's states as the window does", () => {
    for (const p of pairs(paper.states_out, window.stateOut)) expect(p).toEqual({ ...p, printed: p.shown });
    expect(Object.keys(paper.states_out).sort()).toEqual(Object.keys(window.stateOut).sort());
  });
});
