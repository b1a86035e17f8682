import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

// The UI benchmarks (scripts/bench.sh): the built console in Debian's chromium, IPC mocked,
// on a port of their own so they can run beside the browser tests.
export default defineConfig({
  ...base,
  testDir: "bench",
  testMatch: "**/*.bench.ts",
  timeout: 300_000,
  retries: 0,
  use: { ...base.use, baseURL: "http://127.0.0.1:4179" },
  webServer: {
    command: "npx vite preview --host 127.0.0.1 --port 4179 --strictPort",
    url: "http://127.0.0.1:4179",
    reuseExistingServer: false,
    timeout: 30_000,
  },
});
