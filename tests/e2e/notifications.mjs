// The desktop test's half of a desktop: a notification server on the test's own session bus
// (notification_server.py) that records what the app raises and clicks it as a person would,
// and the X window the app shows, hidden, found again and resized with xdotool.
import { execFileSync, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Starts the notification server on the session bus in DBUS_SESSION_BUS_ADDRESS (the keyring
 * session the tests run in). Debian's own python3, which python3-gi is installed for.
 */
export async function startNotificationServer() {
  const child = spawn("/usr/bin/python3", [path.join(here, "notification_server.py")], { stdio: ["pipe", "pipe", "pipe"] });
  const records = [];
  const waiters = new Set();
  let output = "";
  let pending = "";
  child.stderr.on("data", (d) => (output += d));
  child.stdout.on("data", (d) => {
    pending += d;
    const lines = pending.split("\n");
    pending = lines.pop();
    for (const line of lines.filter(Boolean)) {
      records.push(JSON.parse(line));
      for (const check of waiters) check();
    }
  });
  /** The first record `matches` accepts, waiting up to `timeoutMs` for it. */
  const next = (matches, timeoutMs, what) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = records.find(matches);
        if (found === undefined) return false;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`the notification server never saw ${what}; it saw ${JSON.stringify(records)} ${output}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  const started = await next((r) => r.ready || r.error, 10_000, "its own start");
  if (started.error) {
    child.kill();
    throw new Error(`no notification server: ${started.error}`);
  }
  return {
    /** Every notification raised so far. */
    notified: () => records.filter((r) => r.notify).map((r) => r.notify),
    closed: () => records.filter((r) => r.closed !== undefined).map((r) => r.closed),
    /** The first notification raised that `matches` accepts. */
    waitForNotification: async (matches, timeoutMs) => (await next((r) => r.notify && matches(r.notify), timeoutMs, "the notification")).notify,
    /** A person's click on notification `id`: its default action. */
    click: (id) => child.stdin.write(`invoke ${id} default\n`),
    stop: () => child.kill("SIGTERM"),
  };
}

function xdotool(display, args) {
  return execFileSync("xdotool", args, { env: { ...process.env, DISPLAY: display }, encoding: "utf8" }).trim();
}

/** The X windows shown now (mapped) whose title matches `title` (a regular expression). */
export function shownWindows(display, title) {
  try {
    return xdotool(display, ["search", "--onlyvisible", "--name", title]).split("\n").filter(Boolean);
  } catch {
    // xdotool exits 1 when no window matches.
    return [];
  }
}

/** Gives the keyboard focus to window `id`, as clicking it on a desktop does. */
export function focusWindow(display, id) {
  xdotool(display, ["windowfocus", "--sync", id]);
}

/** Hides window `id` as a desktop does when it is minimized away: unmapped, out of sight. */
export function hideWindow(display, id) {
  xdotool(display, ["windowunmap", "--sync", id]);
}

/** Resizes window `id` from outside the app, as a person dragging its edge does. */
export function resizeWindow(display, id, width, height) {
  xdotool(display, ["windowsize", id, String(width), String(height)]);
}
