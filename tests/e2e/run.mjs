// Runs the desktop end-to-end tests with node's test runner.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const result = spawnSync(process.execPath, ["--test", "--test-concurrency=1", path.join(here, "desktop.test.mjs")], {
  stdio: "inherit",
});
process.exit(result.status ?? 1);
