// Gateways, settings and secrets by the names people know them by, in both languages.
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { errorMessage } from "./api";
import { App } from "./App";
import i18n from "./i18n";
import { gatewayName, settingLabel, settingWithKey } from "./names";
import { render } from "./test-render";
import { mockBackend, profile, resetBackend } from "./test-backend";
import type { IpcError, ProfileView } from "./types";

afterEach(resetBackend);

const en = i18n.getFixedT("en");
const zh = i18n.getFixedT("zh-CN");

describe("a gateway's name", () => {
  it.each([
    ["sensecore", "SenseCore", "SenseCore"],
    ["yian", "Yian (益安)", "益安"],
    ["top", "TOP", "TOP"],
    ["partner", "Partner", "合作方"],
    ["debit", "BharatPay debit", "BharatPay 代付"],
    // One this window does not know yet keeps its id.
    ["newpay", "newpay", "newpay"],
  ])("%s is %s, and %s in 简体中文", (id, inEnglish, inChinese) => {
    expect(gatewayName(id, en)).toBe(inEnglish);
    expect(gatewayName(id, zh)).toBe(inChinese);
  });
});

describe("a setting's or secret's name", () => {
  it.each([
    ["token", "API token", "接口令牌"],
    ["sign_key", "Signing key", "签名密钥"],
    ["app_secret", "App secret", "应用密钥"],
    ["merchant_id", "Merchant ID", "商户号"],
    ["callback_url", "Callback URL", "回调地址"],
    ["billing_account_id", "Billing account ID", "计费账户 ID"],
    ["proxy", "Proxy", "代理服务器"],
  ])("%s is %s, and %s in 简体中文", (key, inEnglish, inChinese) => {
    expect(settingLabel(key, en)).toBe(inEnglish);
    expect(settingLabel(key, zh)).toBe(inChinese);
  });

  it("has none for a key it does not know, which then stands for itself", () => {
    expect(settingLabel("app_id", en)).toBeNull();
    expect(settingWithKey("app_id", en)).toBe("app_id");
    expect(settingWithKey("merchant_id", zh)).toBe("商户号 (merchant_id)");
  });

  it("covers every setting and secret a connector reads", () => {
    // src-tauri/gateways/src/*/config.rs and the required/optional secrets of each mod.rs.
    const keys = [
      "token", "sign_key", "app_key", "app_secret", "access_key", "session", "billing_account_id", "merchant_id", "api_version",
      "currency", "callback_url", "sign_method", "tenant_id", "charge_item_code", "category_code", "commodity_code", "user_country",
      "credit_account_id", "partner_id", "proxy",
    ];
    expect(keys.filter((k) => settingLabel(k, en) === null || settingLabel(k, zh) === null)).toEqual([]);
  });
});

describe("where a gateway is named", () => {
  const yian: ProfileView = {
    ...profile,
    name: "shop-yian",
    gateway: "yian",
    is_sandbox: false,
    settings: { proxy: "http://10.0.0.1:3128", app_id: "42" },
  };

  it("words a refusal that names the gateway and its channels", async () => {
    await act(() => i18n.changeLanguage("zh-CN"));
    const refusal: IpcError = {
      kind: "refused",
      message: "",
      code: "unknown_channel",
      params: { channel: "paypal", gateway: "yian", offered: "alipay,wechat" },
    };
    expect(errorMessage(refusal)).toBe("未知的支付渠道 paypal；益安 支持：支付宝, 微信支付。");
    expect(errorMessage({ ...refusal, code: "no_vouchers", params: { gateway: "partner" } })).toBe("合作方 不支持代金券。");
  });

  it("shows the order's gateway in the order panel and the pay dialog", async () => {
    mockBackend({ profile: { ...profile, name: "sandbox-sensecore" } });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByText("DEMO-1001"));
    const panel = await screen.findByTestId("order-panel");
    expect(within(panel).getByText("SenseCore · sandbox-sensecore")).toBeTruthy();
    await user.click(within(panel).getByTestId("open-pay"));
    expect((await screen.findByTestId("pay-gateway")).textContent).toBe("SenseCore · sandbox-sensecore");
  });

  it("labels a profile's gateway, settings and secrets in words, each raw key beside its name", async () => {
    mockBackend({
      profile: yian,
      secrets: [
        { key: "token", required: true, set: true },
        { key: "session", required: false, set: false },
      ],
    });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    await act(() => i18n.changeLanguage("zh-CN"));
    await user.keyboard("{Control>}4{/Control}");
    const card = (await screen.findByRole("article", { name: "shop-yian" })) as HTMLElement;
    expect(within(card).getByText("益安")).toBeTruthy();
    // The proxy setting by name, its key in mono; a key without words stays as it is.
    const proxy = within(card).getByText("proxy");
    expect(proxy.className).toContain("mono");
    expect(proxy.closest("dt")!.textContent).toBe("代理服务器proxy");
    expect(within(card).getByText("app_id").closest("dt")!.textContent).toBe("app_id");
    const token = await waitFor(() => card.querySelector('[data-secret="token"]') as HTMLElement);
    expect(within(token).getByText("接口令牌")).toBeTruthy();
    expect(within(token).getByText("token").className).toContain("mono");
    expect(within(token).getByLabelText("接口令牌 的新值")).toBeTruthy();
  });

  it("names each setting in the profile form as its key is typed", async () => {
    mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole("link", { name: /Gateways/ }));
    await user.click(await screen.findByTestId("add-profile"));
    const form = await screen.findByTestId("profile-form");
    await user.click(within(form).getByRole("button", { name: "+ Add setting" }));
    await user.type(within(form).getByLabelText("Setting 1"), "merchant_id");
    expect(within(form).getByTestId("setting-label").textContent).toBe("Merchant ID");
    expect(within(form).getByLabelText("Value 1").getAttribute("aria-describedby")).toBe(within(form).getByTestId("setting-label").id);
  });
});
