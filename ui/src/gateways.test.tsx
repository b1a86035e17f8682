import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "./App";
import { render } from "./test-render";
import { mockBackend, profile, resetBackend } from "./test-backend";
import type { GatewayInfo } from "./types";

afterEach(resetBackend);

const top: GatewayInfo = {
  id: "top",
  capabilities: profile.capabilities!,
  settings: [
    { name: "app_key", required: true, kind: { type: "text" }, default: null },
    { name: "tenant_id", required: true, kind: { type: "integer" }, default: null },
    { name: "sign_method", required: false, kind: { type: "choice", choices: ["md5", "hmac", "hmac-sha256"] }, default: "md5" },
    { name: "proxy", required: false, kind: { type: "url" }, default: null },
  ],
};

async function openGateways(user: ReturnType<typeof userEvent.setup>) {
  await screen.findByText("DEMO-1001");
  await user.keyboard("{Control>}4{/Control}");
}

describe("gateway profiles", () => {
  it("asks for a gateway's own settings as labelled fields, required ones marked, and saves them with any others", async () => {
    const backend = mockBackend({ gateways: [top], secrets: [] });
    const user = userEvent.setup();
    render(<App />);
    await openGateways(user);
    await user.click(await screen.findByTestId("add-profile"));
    const form = await screen.findByTestId("profile-form");
    const fields = within(form).getByTestId("gateway-settings");
    const field = (name: string) => fields.querySelector(`[data-setting="${name}"]`) as HTMLElement;
    expect(within(field("app_key")).getByTitle("required")).toBeTruthy();
    expect(within(field("sign_method")).queryByTitle("required")).toBeNull();
    expect(within(field("sign_method")).getByRole("combobox")).toBeTruthy();
    await user.type(within(form).getAllByRole("textbox")[0]!, "tp");
    const baseUrl = within(form).getAllByRole("textbox")[1]!;
    await user.clear(baseUrl);
    await user.type(baseUrl, "https://gw.example/top");
    await user.type(within(field("app_key")).getByRole("textbox"), "12345678");
    await user.type(within(field("tenant_id")).getByRole("textbox"), "7");
    await user.selectOptions(within(field("sign_method")).getByRole("combobox"), "hmac");
    await user.click(within(form).getByRole("button", { name: /Add setting/ }));
    const rows = form.querySelectorAll(".setting-row input");
    await user.type(rows[0] as HTMLElement, "partner_id");
    await user.type(rows[1] as HTMLElement, "p-1");
    await user.click(within(form).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(backend.savedProfiles).toHaveLength(1));
    expect(backend.savedProfiles[0]).toMatchObject({
      name: "tp",
      gateway: "top",
      settings: { app_key: "12345678", tenant_id: "7", sign_method: "hmac", partner_id: "p-1" },
    });
  });

  it("says what a connection test proved and what it could not", async () => {
    mockBackend({
      secrets: [],
      connection: { reachable: true, detail: "127.0.0.1:1", missing_secrets: [], credentials: { verdict: "not_checked", reason: "no_harmless_call" } },
    });
    const user = userEvent.setup();
    render(<App />);
    await openGateways(user);
    await user.click(await screen.findByTestId("test-connection"));
    const report = await screen.findByTestId("connection-report");
    expect(report.textContent).toContain("Reachable at 127.0.0.1:1");
    expect(within(report).getByTestId("credentials-report").textContent).toMatch(/Credentials not checked: this gateway has no call that reads without paying/);
  });
});
