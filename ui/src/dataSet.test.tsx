import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { errorMessage } from "./api";
import { App } from "./App";
import i18n from "./i18n";
import { render, failureWords } from "./test-render";
import { mockBackend, profile, resetBackend, type Backend } from "./test-backend";
import type { GatewayInfo, IpcError } from "./types";

afterEach(resetBackend);

type User = ReturnType<typeof userEvent.setup>;

const switches = (backend: Backend) => backend.calls.filter((c) => c.cmd === "switch_data_set").map((c) => c.args);

describe("the demo and the live data", () => {
  it("says on every view that the demo is the demo, and the status bar names it", async () => {
    mockBackend({ takings: [] });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    const banner = await screen.findByTestId("demo-banner");
    expect(banner.getAttribute("role")).toBe("note");
    expect(banner.textContent).toContain("This is the demo.");
    expect(banner.textContent).toContain("Payments go to the built-in sandbox gateways; no real money moves.");
    expect(within(banner).getByTestId("start-live").textContent).toBe("Start live data…");
    for (const key of ["2", "3", "4", "5", "1"]) {
      await user.keyboard(`{Control>}${key}{/Control}`);
      expect(screen.getByRole("main").firstElementChild).toBe(screen.getByTestId("demo-banner"));
    }
    const status = screen.getByTestId("data-set");
    expect(status.textContent).toBe("Demo");
    expect(status.getAttribute("data-set")).toBe("demo");
  });

  it("shows no banner on the live data, and the status bar says live data", async () => {
    mockBackend({ dataSet: "live" });
    render(<App />);
    await waitFor(() => expect(screen.getByTestId("data-set").textContent).toBe("Live data"));
    expect(await screen.findByText(/No orders yet/)).toBeTruthy();
    expect(screen.queryByTestId("demo-banner")).toBeNull();
    expect(screen.queryByTestId("sandbox-status")).toBeNull();
  });

  it("takes whether the set just opened may only read from its own app state, not the last set's checks", async () => {
    let checks = 0;
    mockBackend({
      readOnly: true,
      statusChecks: () =>
        checks++ === 0
          ? { gateways: [], storage: { state: "ok", detail: null }, store: { url: null, reachable: true, read_only: false, as_of: null, schema_mismatch: null } }
          : new Promise(() => {}),
    });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("DEMO-1001");
    await waitFor(() => expect(checks).toBe(1));
    await screen.findByTestId("new-order");
    await user.click(screen.getByTestId("start-live"));
    await user.click(within(await screen.findByTestId("data-set-dialog")).getByTestId("confirm-data-set"));
    await waitFor(() => expect(screen.getByTestId("data-set").textContent).toBe("Live data"));
    await waitFor(() => expect(screen.queryByTestId("new-order")).toBeNull());
  });

  it("starts live data from the banner only once the person confirms, then shows the live data", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    // An order of the demo's open in the panel: the live data has none of them.
    await user.click(await screen.findByText("DEMO-1001"));
    await screen.findByTestId("order-panel");

    await user.click(screen.getByTestId("start-live"));
    let dialog = await screen.findByRole("dialog", { name: "Start live data" });
    expect(dialog.textContent).toContain("it starts empty");
    expect(dialog.textContent).toContain("The built-in sandbox does not run there");
    expect(dialog.textContent).toContain("The demo is kept as it is; open it again from Settings.");
    // The focus starts on Cancel: Enter or Esc changes nothing.
    expect(document.activeElement?.textContent).toBe("Cancel");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("data-set-dialog")).toBeNull();
    expect(switches(backend)).toEqual([]);

    await user.click(screen.getByTestId("start-live"));
    dialog = await screen.findByTestId("data-set-dialog");
    await user.click(within(dialog).getByTestId("confirm-data-set"));
    await waitFor(() => expect(screen.queryByTestId("demo-banner")).toBeNull());
    expect(switches(backend)).toEqual([{ set: "live" }]);
    expect(screen.queryByTestId("data-set-dialog")).toBeNull();
    expect(screen.getByTestId("data-set").textContent).toBe("Live data");
    expect(await screen.findByText(/No orders yet/)).toBeTruthy();
    expect(screen.queryByText("DEMO-1001")).toBeNull();
    expect(screen.queryByTestId("order-panel")).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
    // The focus is not lost with the banner's button.
    expect(document.activeElement).toBe(screen.getByTestId("global-search"));
  });

  it("opens the demo again from Settings, saying its payments are never real and the live data is kept", async () => {
    const backend = mockBackend({ dataSet: "live" });
    const user = userEvent.setup();
    render(<App />);
    await waitFor(() => expect(screen.getByTestId("data-set").textContent).toBe("Live data"));
    await user.keyboard("{Control>}5{/Control}");
    const section = await screen.findByTestId("data-set-settings");
    expect(section.textContent).toContain("The live data is shown");
    await user.click(within(section).getByTestId("switch-data-set"));
    const dialog = await screen.findByRole("dialog", { name: "Open the demo" });
    expect(dialog.textContent).toContain("never real");
    expect(dialog.textContent).toContain("The live data is kept as it is");
    await user.click(within(dialog).getByTestId("confirm-data-set"));
    expect(await screen.findByTestId("demo-banner")).toBeTruthy();
    expect(switches(backend)).toEqual([{ set: "demo" }]);
    expect(within(section).getByTestId("switch-data-set").textContent).toBe("Start live data…");
    expect(section.textContent).toContain("The demo is shown");
  });

  it("keeps the dialog open with the back end's words when the switch is refused", async () => {
    const refusal: IpcError = { kind: "unavailable", code: "store_unavailable", params: { reason: "the live data's folder cannot be written" }, message: "x" };
    mockBackend({ onSwitchDataSet: () => Promise.reject(refusal) });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("start-live"));
    const dialog = await screen.findByTestId("data-set-dialog");
    await user.click(within(dialog).getByTestId("confirm-data-set"));
    expect(failureWords(await within(dialog).findByRole("alert"))).toBe("the live data's folder cannot be written");
    expect(screen.getByTestId("demo-banner")).toBeTruthy();
  });

  it("words the demo, the live data and the switch in 简体中文", async () => {
    await i18n.changeLanguage("zh-CN");
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    const banner = await screen.findByTestId("demo-banner");
    expect(banner.textContent).toContain("当前是演示数据。");
    expect(banner.textContent).toContain("不会有真实资金流动");
    expect(within(banner).getByTestId("start-live").textContent).toBe("启用正式数据…");
    expect(screen.getByTestId("data-set").textContent).toBe("演示数据");
    await user.click(within(banner).getByTestId("start-live"));
    const dialog = await screen.findByRole("dialog", { name: "启用正式数据" });
    expect(dialog.textContent).toContain("内置沙箱不在正式数据中运行");
    await user.click(within(dialog).getByTestId("confirm-data-set"));
    await waitFor(() => expect(screen.getByTestId("data-set").textContent).toBe("正式数据"));
    expect(switches(backend)).toEqual([{ set: "live" }]);
    await user.keyboard("{Control>}5{/Control}");
    expect((await screen.findByTestId("switch-data-set")).textContent).toBe("打开演示数据…");
  });

  it("words the demo's refusals in either language", async () => {
    const real: IpcError = { kind: "refused", code: "real_profile_in_demo", params: { profile: "shop-top" }, message: "x" };
    const alone: IpcError = { kind: "refused", code: "demo_stays_on_its_own", message: "x" } as IpcError;
    expect(errorMessage(real)).toContain("Gateway profile shop-top is for a real gateway");
    expect(errorMessage(alone)).toContain("The demo stays on this desk");
    await i18n.changeLanguage("zh-CN");
    expect(errorMessage(real)).toContain("网关配置 shop-top 用于真实网关");
    expect(errorMessage(alone)).toContain("演示数据只留在本收银台");
  });
});

const top: GatewayInfo = {
  id: "top",
  capabilities: profile.capabilities!,
  settings: [
    { name: "app_key", required: true, kind: { type: "text" }, default: null },
    { name: "tenant_id", required: true, kind: { type: "integer" }, default: null },
  ],
};

async function openGateways(user: User) {
  await screen.findByText("DEMO-1001");
  await user.keyboard("{Control>}4{/Control}");
}

/** The new profile's form filled in for a real gateway. */
async function fillRealProfile(user: User) {
  await user.click(await screen.findByTestId("add-profile"));
  const form = await screen.findByTestId("profile-form");
  const field = (name: string) => within(form.querySelector(`[data-setting="${name}"]`) as HTMLElement).getByRole("textbox");
  await user.type(within(form).getByLabelText("Profile name"), "shop-top");
  const baseUrl = within(form).getByLabelText("Base URL");
  await user.clear(baseUrl);
  await user.type(baseUrl, "https://gw.example/top");
  await user.type(field("app_key"), "12345678");
  await user.type(field("tenant_id"), "7");
  return { form, field };
}

describe("a real gateway's profile on the demo", () => {
  it("offers the live data, then switches and adds the same profile there, the typed values kept meanwhile", async () => {
    let letSwitch = () => {};
    const backend = mockBackend({
      gateways: [top],
      secrets: [],
      demoRefusesRealProfiles: true,
      onSwitchDataSet: () => new Promise<void>((resolve) => (letSwitch = resolve)),
    });
    const user = userEvent.setup();
    render(<App />);
    await openGateways(user);
    const { form, field } = await fillRealProfile(user);
    await user.click(within(form).getByRole("button", { name: "Save" }));

    const offer = await within(form).findByTestId("real-profile-in-demo");
    expect(offer.getAttribute("role")).toBe("alert");
    expect(offer.textContent).toContain("Profiles for real gateways are kept in the live data, apart from the demo");
    // The explanation in place of the bare refusal.
    expect(form.textContent).not.toContain("is for a real gateway");
    const refused = backend.calls.filter((c) => c.cmd === "save_profile");
    expect(refused).toHaveLength(1);
    expect(switches(backend)).toEqual([]);

    await user.click(within(offer).getByTestId("add-in-live"));
    expect(await within(form).findByTestId("adding-in-live")).toBeTruthy();
    expect((within(form).getByLabelText("Profile name") as HTMLInputElement).value).toBe("shop-top");
    expect((within(form).getByLabelText("Base URL") as HTMLInputElement).value).toBe("https://gw.example/top");
    expect((field("app_key") as HTMLInputElement).value).toBe("12345678");
    await act(async () => letSwitch());

    const card = await screen.findByRole("article", { name: "shop-top" });
    expect(within(card).getByText("https://gw.example/top")).toBeTruthy();
    expect(screen.queryByTestId("profile-form")).toBeNull();
    expect(screen.queryByRole("article", { name: "sandbox-sensecore" })).toBeNull();
    expect(screen.queryByTestId("demo-banner")).toBeNull();
    expect(switches(backend)).toEqual([{ set: "live" }]);
    const cmds = backend.calls.map((c) => c.cmd).filter((c) => c === "save_profile" || c === "switch_data_set");
    expect(cmds).toEqual(["save_profile", "switch_data_set", "save_profile"]);
    const saves = backend.calls.filter((c) => c.cmd === "save_profile").map((c) => c.args);
    expect(saves[1]).toEqual(saves[0]);
    expect(saves[1]).toEqual({ name: "shop-top", gateway: "top", baseUrl: "https://gw.example/top", settings: { app_key: "12345678", tenant_id: "7" }, create: true });
    expect(backend.liveProfiles.map((p) => p.name)).toEqual(["shop-top"]);
  });

  it("carries a demo profile edited to a real gateway's address into the live data as a new profile", async () => {
    let letSwitch = () => {};
    const backend = mockBackend({
      gateways: [top],
      secrets: [],
      demoRefusesRealProfiles: true,
      onSwitchDataSet: () => new Promise<void>((resolve) => (letSwitch = resolve)),
    });
    const user = userEvent.setup();
    render(<App />);
    await openGateways(user);
    // A new profile's form already open with something else typed in it.
    await user.click(await screen.findByTestId("add-profile"));
    await user.type(within(await screen.findByTestId("profile-form")).getByLabelText("Profile name"), "other");
    const card = await screen.findByRole("article", { name: "sandbox-sensecore" });
    await user.click(within(card).getByRole("button", { name: "Edit" }));
    const form = within(card).getByTestId("profile-form");
    const baseUrl = within(form).getByLabelText("Base URL");
    await user.clear(baseUrl);
    await user.type(baseUrl, "https://gw.example/sc");
    await user.click(within(form).getByRole("button", { name: "Save" }));
    await user.click(await within(form).findByTestId("add-in-live"));

    // The edited profile's values in the new profile's form while the live data opens.
    expect(within(card).queryByTestId("profile-form")).toBeNull();
    const adding = screen.getByTestId("profile-form");
    expect(within(adding).getByTestId("adding-in-live")).toBeTruthy();
    expect((within(adding).getByLabelText("Profile name") as HTMLInputElement).value).toBe("sandbox-sensecore");
    expect((within(adding).getByLabelText("Base URL") as HTMLInputElement).value).toBe("https://gw.example/sc");
    await act(async () => letSwitch());

    const live = await screen.findByRole("article", { name: "sandbox-sensecore" });
    expect(within(live).getByText("https://gw.example/sc")).toBeTruthy();
    await waitFor(() => expect(screen.queryByTestId("profile-form")).toBeNull());
    expect(switches(backend)).toEqual([{ set: "live" }]);
    expect(backend.calls.filter((c) => c.cmd === "save_profile").map((c) => c.args.create)).toEqual([false, true]);
    expect(backend.liveProfiles.map((p) => p.base_url)).toEqual(["https://gw.example/sc"]);
  });
});
