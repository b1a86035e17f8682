// Runs in the page after e2e/mock-backend.js: the mock's million orders, searched by prefix of
// their order numbers as the real backend does (ORD-0012… finds ORD-0012000 to ORD-0012999),
// and a clock on every keystroke and every search the UI sends.
(() => {
  const internals = window.__TAURI_INTERNALS__;
  const bench = { lastKey: 0, queries: [], keys: [] };
  window.__bench = bench;
  // Every key's time; and each typed character's keystroke to the next painted frame
  // (whatever the key drew).
  document.addEventListener(
    "keydown",
    (e) => {
      const at = performance.now();
      bench.lastKey = at;
      if (e.key.length !== 1 || e.ctrlKey) return;
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => bench.keys.push(performance.now() - at);
        channel.port2.postMessage(0);
      });
    },
    true,
  );

  // The range of i whose order number ORD-<i, 7 digits> starts with `text`.
  bench.range = (text) => {
    const t = text.toUpperCase();
    if ("ORD-".startsWith(t)) return [1, 999_999];
    if (!t.startsWith("ORD-")) return null;
    const digits = t.slice(4);
    if (!/^[0-9]{1,7}$/.test(digits)) return null;
    const lo = Math.max(1, Number(digits.padEnd(7, "0")));
    const hi = Math.min(999_999, Number(digits.padEnd(7, "9")));
    return lo <= hi ? [lo, hi] : null;
  };

  // Resolves when the list shows `count` orders and its first row starts with `text`: the
  // time the DOM changed, and the time after the next frame was painted.
  bench.waitFor = (text, count) =>
    new Promise((resolve) => {
      const done = () => {
        const first = document.querySelector("tr[data-order-no]");
        const label = document.querySelector('[data-testid="order-count"]');
        return (
          first !== null &&
          first.getAttribute("data-order-no").startsWith(text) &&
          label !== null &&
          label.textContent.replace(/[^0-9]/g, "") === String(count)
        );
      };
      const finish = () => {
        const dom = performance.now();
        requestAnimationFrame(() => {
          const channel = new MessageChannel();
          channel.port1.onmessage = () => resolve({ dom, painted: performance.now() });
          channel.port2.postMessage(0);
        });
      };
      if (done()) return finish();
      const observer = new MutationObserver(() => {
        if (done()) {
          observer.disconnect();
          finish();
        }
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });

  // The bare page of the baseline has no backend: only the clock and the search.
  if (!internals) return;
  const mock = internals.invoke.bind(internals);
  internals.invoke = async (cmd, args) => {
    const text = cmd === "query_orders" ? (args.query.text || "").trim() : "";
    if (!text) return mock(cmd, args);
    bench.queries.push({ text, at: performance.now() });
    const range = bench.range(text);
    const total = range ? range[1] - range[0] + 1 : 0;
    const offset = args.query.offset;
    const limit = Math.max(0, Math.min(args.query.limit, total - offset));
    if (limit === 0) return { total, offset, rows: [] };
    // The mock's newest-first page at offset k holds ORD-<k>: ask it for the matching slice.
    const page = await mock(cmd, {
      query: { ...args.query, text: null, sort: "created", descending: true, offset: range[0] + offset, limit },
    });
    return { total, offset, rows: page.rows };
  };
})();
