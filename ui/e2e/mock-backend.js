// Runs in the page before the app: a stand-in for the Tauri runtime and paydesk's commands,
// with a million orders generated on demand, so the built UI can be driven in a plain browser.
(() => {
  // A test may ask for another number of orders: /?orders=3000000.
  const TOTAL = Number(new URLSearchParams(location.search).get("orders")) || 1_000_000;
  const now = Date.now();
  // The demo unless the test asks for the live data: /?data=live.
  const state = { paid: false, calls: [], desk: { desk: "前台 1", operator: "alice" }, dataSet: new URLSearchParams(location.search).get("data") || "demo" };
  const order = (i) => ({
    id: TOTAL - i,
    order_no: i === 0 ? "DEMO-1001" : `ORD-${String(i).padStart(7, "0")}`,
    profile: "sandbox-sensecore",
    gateway: "sensecore",
    is_sandbox: true,
    amount_minor: 1234,
    currency: "CNY",
    amount: "12.34",
    subject: i === 0 ? "Cloud GPU hours" : `Item ${i % 997}`,
    attributes: {},
    state: i === 0 && state.paid ? "succeeded" : null,
    channel: i === 0 && state.paid ? "alipay" : null,
    created_at: now - i * 1000,
    updated_at: now - i * 1000,
    revision: 0,
    cancelled_at: null,
    cancel_note: null,
  });
  const profile = {
    name: "sandbox-sensecore",
    gateway: "sensecore",
    base_url: "http://127.0.0.1:1/sensecore",
    is_sandbox: true,
    settings: {},
    capabilities: {
      channels: ["balance", "alipay", "wechat"],
      vouchers: true,
      coupon: false,
      credit_split: false,
      status_query: true,
      status_query_is_resend: false,
      idempotency_key: false,
      required_secrets: ["token"],
      optional_secrets: [],
      pays_out: false,
      subscription_refunds: false,
    },
    order_currency: null,
    order_attributes: [{ name: "resource_pack_id", required: false, positive_integer: false }],
  };
  // Two live profiles with their gateways' settings, for the Gateways view (no orders of theirs).
  const caps = (channels, extra = {}) => ({ ...profile.capabilities, channels, vouchers: false, ...extra });
  const others = [
    {
      name: "shop-top-cn-east-merchant-account",
      gateway: "top",
      base_url: "https://gw.api.taobao.example.com/router/rest",
      is_sandbox: false,
      settings: {
        app_key: "12345678",
        tenant_id: "9001",
        charge_item_code: "CI-CLOUD-GPU-HOURS",
        category_code: "CAT-COMPUTE",
        commodity_code: "COM-GPU-A100-80G-ON-DEMAND",
        user_country: "CN",
        sign_method: "hmac-sha256",
        proxy: "http://proxy.shop.example:3128",
      },
      capabilities: caps(["balance", "credit"], { credit_split: true, required_secrets: ["app_secret"], optional_secrets: ["session"] }),
      order_currency: "CNY",
      order_attributes: [],
    },
    {
      name: "payouts-in",
      gateway: "debit",
      base_url: "https://api.bharatpay.example.in/v2",
      is_sandbox: false,
      settings: { api_version: "v2", merchant_id: "M-000123", callback_url: "http://127.0.0.1:8788/debit-callback", currency: "INR" },
      capabilities: caps(["bank"], { status_query: true, pays_out: true, required_secrets: ["access_key"] }),
      order_currency: "INR",
      order_attributes: [],
    },
  ];
  const secrets = {
    "shop-top-cn-east-merchant-account": [{ key: "app_secret", required: true, set: true }, { key: "session", required: false, set: false }],
    "payouts-in": [{ key: "access_key", required: true, set: false }],
  };
  // What the attempt below came to: a voucher of ¥10.00 off the ¥12.34 order.
  const charges = {
    deductions: [{ kind: "voucher", id: "v-1", amount: "10.00", amount_minor: 1000 }],
    balance_amount: null, balance_amount_minor: null, credit_amount: null, credit_amount_minor: null,
    charged_amount: "2.34", charged_amount_minor: 234, subscription_refunds: [],
  };
  const attempt = (s) => ({
    id: 7, order_id: TOTAL, channel: "alipay", state: s, idempotency_key: "k-7", amount_minor: 234,
    gateway_ref: "ch_abc", pay_url: "https://pay.example/qr/7", error_code: null, error_message: null,
    coupon: null, credit_minor: null, customer_ref: null, payable_until: null, may_still_be_paid: s === "pending", checks: 0, resends: 0, contested: null, gateway_deduction_minor: null, sent_at: now, sender_timeout_ms: 30000, ...state.desk, db_role: null, created_at: now, updated_at: now, amount: "2.34", error: null, ...charges,
    // Sent, waiting for the customer to scan its code; then, once settled, a status check's answer.
    events: [
      { attempt_id: 7, state: "created", detail: null, at: now, ...state.desk, db_role: null },
      { attempt_id: 7, state: "submitting", detail: null, at: now, ...state.desk, db_role: null },
      { attempt_id: 7, state: "pending", detail: JSON.stringify({ order_id: "ch_abc", state: "WAITING", qr: "https://pay.example/qr/7" }), at: now + 400, ...state.desk, db_role: null },
      ...(s === "succeeded" ? [{ attempt_id: 7, state: "succeeded", detail: null, at: now + 9000, desk: "前台 2", operator: "bob", db_role: null }] : []),
    ],
  });
  // The audit trail: one entry of each kind the desk writes most, newest first.
  const audit = [
    ["personal_data_revealed", "DEMO-1001", { attempt_id: 7 }],
    ["status_settled", "DEMO-1001", { attempt_id: 7, channel: "alipay", state: "succeeded" }],
    ["payment_started", "DEMO-1001", { attempt_id: 7, channel: "alipay", state: "submitting" }],
    ["order_edited", "DEMO-1001", { before: { amount_minor: 1500, subject: "Cloud GPU hours", attributes: {} }, after: { amount_minor: 1234, subject: "Cloud GPU hours", attributes: {} } }],
    ["orders_exported", "paydesk-orders-20261205-101500.csv", { rows: 120, filters: { state: "succeeded", sort: "created", descending: true, offset: 0, limit: 0 } }],
    ["orders_imported", "orders-december.csv", { rows: 3, imported: 2, rejected: 1 }],
    ["secret_set", "shop-top-cn-east-merchant-account", { key: "app_secret" }],
    ["profile_added", "payouts-in", { gateway: "debit", base_url: "https://api.bharatpay.example.in/v2", settings: { currency: "INR" }, sandbox: false }],
    ["order_cancelled", "ORD-0000002", { note: "wrong till" }],
    ["order_added", "DEMO-1001", { amount_minor: 1500, currency: "CNY", subject: "Cloud GPU hours" }],
    // A newer paydesk's action: shown by the name it was recorded as.
    ["refund_issued", "DEMO-1001", { attempt_id: 7, amount_minor: 500 }],
  ].map(([action, subject, detail], i, all) => ({
    id: all.length - i,
    at: now - i * 600_000,
    ...state.desk,
    action: action === "refund_issued" ? "unrecognized" : action,
    recorded_as: action,
    subject,
    detail,
  }));
  // Shifts: this desk's closed one and another desk's, then this desk's open one with two
  // payments still open (the pay dialog's attempt 7 among them).
  const hour = 3_600_000;
  const amount = (text, minor) => ({ amount: text, amount_minor: minor });
  state.shifts = [
    { id: 1, desk: state.desk.desk, opened_at: now - 30 * hour, opened_by: "lin", closed_at: now - 22 * hour, closed_by: "lin", acknowledged: [] },
    { id: 2, desk: "前台 2", opened_at: now - 29 * hour, opened_by: "bob", closed_at: now - 21 * hour, closed_by: "bob", acknowledged: [] },
    { id: 3, desk: state.desk.desk, opened_at: now - 3 * hour, opened_by: "alice", closed_at: null, closed_by: null, acknowledged: [] },
  ];
  state.openPayments = [
    { attempt_id: 7, order_no: "DEMO-1001", state: "pending", charged: amount("2.34", 234), currency: "CNY", sandbox: false },
    { attempt_id: 9, order_no: "ORD-0000002", state: "unknown", charged: amount("12.34", 1234), currency: "CNY", sandbox: false },
  ];
  const shiftTotals = [
    {
      currency: "CNY", taken_in: amount("170.34", 17034), paid_out: amount("0.00", 0), deducted: amount("10.00", 1000),
      lines: [
        { direction: "in", gateway: "sensecore", channel: "alipay", state: "succeeded", count: 3, charged: amount("120.34", 12034), split: null },
        { direction: "in", gateway: "sensecore", channel: "balance", state: "succeeded", count: 5, charged: amount("50.00", 5000), split: null },
        { direction: "in", gateway: "sensecore", channel: "alipay", state: "pending", count: 1, charged: amount("2.34", 234), split: null },
        { direction: "in", gateway: "sensecore", channel: "wechat", state: "unknown", count: 1, charged: amount("12.34", 1234), split: null },
        { direction: "in", gateway: "top", channel: "credit", state: "failed", count: 1, charged: amount("0.99", 99), split: null },
      ],
    },
    {
      currency: "INR", taken_in: amount("0.00", 0), paid_out: amount("500.00", 50000), deducted: amount("0.00", 0),
      lines: [{ direction: "out", gateway: "debit", channel: "bank", state: "succeeded", count: 1, charged: amount("500.00", 50000), split: null }],
    },
  ];
  const openShift = () => state.shifts.find((s) => s.desk === state.desk.desk && s.closed_at === null) || null;
  const shiftReport = (shift) => ({
    shift,
    currencies: shiftTotals,
    open: state.openPayments
      .filter((a) => shift.closed_at === null || shift.acknowledged.includes(a.attempt_id))
      .map((a) => ({ ...a, acknowledged: shift.acknowledged.includes(a.attempt_id) })),
    settled_after_close: [],
    sandbox_left_out: 2,
  });
  const refused = (code, params) => Promise.reject({ kind: "refused", code, params, message: code });
  // Printed pages: the merchant's settings, the receipts issued of attempt 7, and each page as
  // the back end words it (a few of its words in each language).
  state.merchant = { name: "益安便利店", address: "上海市南京东路 1 号\n200001", time_zone: null };
  state.receipts = 0;
  const systemZone = "Asia/Shanghai";
  const merchantView = () => ({ settings: state.merchant, time_zone: state.merchant.time_zone || systemZone, system_time_zone: systemZone });
  const today = new Date(now).toISOString().slice(0, 10);
  const printedWords = {
    en: { receipt: "Receipt", copy: "COPY", specimen: "SPECIMEN: a sandbox payment, not money", order: "Order", paid: "Paid", state: "State", shift: "Shift report #", day: "Day report ", currency: "Currency", takenIn: "Taken in", paidOut: "Paid out", count: "Count" },
    "zh-CN": { receipt: "收款凭证", copy: "副本", specimen: "样张：沙箱测试支付，非真实款项", order: "订单号", paid: "实付", state: "状态", shift: "交班报表 #", day: "日结报表 ", currency: "币种", takenIn: "收款", paidOut: "出款", count: "笔数" },
  };
  const totalsTable = (w) => ({
    kind: "table",
    columns: [w.currency, w.takenIn, w.paidOut, w.count],
    numeric: [false, true, true, true],
    rows: [["CNY", "170.34", "0.00", "10"], ["INR", "0.00", "500.00", "1"]],
  });
  const papers = {
    receipt: ({ order_no }, w) => {
      if (order_no !== "DEMO-1001" || !state.settled) return refused("not_paid", { order_no });
      const earlier = state.receipts++;
      return { copy: earlier > 0, specimen: true, paper: {
        title: `${w.receipt} ${order_no}`,
        size: "roll80",
        blocks: [
          { kind: "heading", text: state.merchant.name },
          { kind: "text", text: state.merchant.address },
          { kind: "banner", text: w.specimen },
          ...(earlier > 0 ? [{ kind: "banner", text: w.copy }] : []),
          { kind: "heading", text: w.receipt },
          { kind: "field", label: w.order, value: order_no },
          { kind: "field", label: w.paid, value: "CNY 2.34" },
          { kind: "field", label: w.state, value: w === printedWords.en ? "Paid" : "支付成功" },
          { kind: "rule" },
          { kind: "qr", text: order_no },
        ],
      } };
    },
    shift: ({ shift_id }, w) => {
      const id = shift_id ?? (openShift() || state.shifts[state.shifts.length - 1]).id;
      return { title: `${w.shift}${id}`, size: "a4", blocks: [{ kind: "heading", text: `${w.shift}${id}` }, totalsTable(w)] };
    },
    day: ({ date }, w) => ({ title: `${w.day}${date || today}`, size: "a4", blocks: [{ kind: "heading", text: `${w.day}${date || today}` }, totalsTable(w)] }),
  };
  const commands = {
    paper: ({ of, lang }) => papers[of.kind](of, printedWords[lang]),
    issue_receipt: ({ orderNo, lang }) => papers.receipt({ order_no: orderNo }, printedWords[lang]),
    // "%PDF-1.7" and a byte beyond ASCII.
    save_paper_pdf: ({ paper }) => ({ path: `/home/cashier/Downloads/${paper.title.replace(/[^A-Za-z0-9_-]/g, "_")}.pdf` }),
    day_report: ({ date }) => {
      const day = date || today;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return refused("invalid", { field: { kind: "date" }, rule: { kind: "not_date", value: JSON.stringify(day) } });
      const totals = (n) => ({ attempts: n, currencies: shiftTotals, sandbox_left_out: 2 });
      const open = state.openPayments.map((a) => ({ ...a, acknowledged: false }));
      return {
        day: { date: day, since_ms: now - 10 * hour, until_ms: now + 14 * hour },
        time_zone: merchantView().time_zone,
        totals: totals(12),
        desks: [{ desk: state.desk.desk, totals: totals(11) }, { desk: "前台 2", totals: { attempts: 1, currencies: [], sandbox_left_out: 0 } }],
        shifts: state.shifts.filter((s) => s.closed_at === null).map((shift) => ({ shift, totals: totals(10) })),
        outside_shifts: { attempts: 1, currencies: [shiftTotals[1]], sandbox_left_out: 0 },
        open,
      };
    },
    merchant_settings: () => merchantView(),
    set_merchant_settings: ({ settings }) => {
      const zone = (settings.time_zone || "").trim();
      if (zone && !/^[A-Za-z_]+(\/[A-Za-z_+-]+)*$/.test(zone)) return refused("invalid", { field: { kind: "time_zone" }, rule: { kind: "unknown", value: JSON.stringify(zone), known: [] } });
      state.merchant = { name: settings.name, address: settings.address, time_zone: zone || null };
      return merchantView();
    },
    current_shift: () => openShift(),
    open_shift: () => {
      const open = openShift();
      if (open) return refused("shift_open", { shift_id: open.id, opened_at: open.opened_at, opened_by: open.opened_by });
      const shift = { id: state.shifts.length + 1, desk: state.desk.desk, opened_at: Date.now(), opened_by: state.desk.operator, closed_at: null, closed_by: null, acknowledged: [] };
      state.shifts.push(shift);
      return shift;
    },
    close_shift: ({ acknowledged }) => {
      const open = openShift();
      if (!open) return refused("no_open_shift", { desk: state.desk.desk });
      const blocking = state.openPayments.filter((a) => !acknowledged.includes(a.attempt_id));
      if (blocking.length) return refused("shift_has_open_attempts", { attempts: blocking.map(({ attempt_id, order_no, state: s }) => ({ attempt_id, order_no, state: s })) });
      const closed = { ...open, closed_at: Date.now(), closed_by: state.desk.operator, acknowledged: state.openPayments.map((a) => a.attempt_id) };
      state.shifts = state.shifts.map((s) => (s.id === open.id ? closed : s));
      return shiftReport(closed);
    },
    list_shifts: ({ allDesks }) => state.shifts.filter((s) => allDesks || s.desk === state.desk.desk).reverse(),
    shift_report: ({ shiftId }) => {
      const mine = state.shifts.filter((s) => s.desk === state.desk.desk);
      const shift = shiftId == null ? openShift() || mine[mine.length - 1] : state.shifts.find((s) => s.id === shiftId);
      if (!shift) return shiftId == null ? refused("no_shift", { desk: state.desk.desk }) : refused("no_such_shift", { shift_id: shiftId });
      return shiftReport(shift);
    },
    audit_trail: ({ query }) =>
      audit
        .filter((e) => (!query.action || e.action === query.action) && (!query.subject || e.subject === query.subject))
        .filter((e) => (query.since_ms == null || e.at >= query.since_ms) && (query.until_ms == null || e.at < query.until_ms))
        .slice(0, query.limit ?? 10000),
    personal_data_revealed: () => [],
    app_info: () => ({
      version: "0.1.0",
      commit: "3f9c2a1d7e4b",
      data_dir: "/home/cashier/.local/share/paydesk",
      data_set: state.dataSet,
      sandbox_url: state.dataSet === "demo" ? "http://127.0.0.1:1" : null,
      startup_error: null,
      currencies: [{ code: "CNY", exponent: 2 }, { code: "INR", exponent: 2 }],
      read_only: false,
    }),
    // Only which set is open changes here: the mock's orders and profiles stay the same.
    switch_data_set: ({ set }) => {
      state.dataSet = set;
      return commands.app_info();
    },
    list_profiles: () => [profile, ...others],
    list_gateways: () =>
      [profile, ...others].map((p) => ({
        id: p.gateway,
        capabilities: p.capabilities,
        settings: [
          ...(p.gateway === "top"
            ? [
                { name: "app_key", required: true, kind: { type: "text" }, default: null },
                { name: "tenant_id", required: true, kind: { type: "integer" }, default: null },
                { name: "sign_method", required: false, kind: { type: "choice", choices: ["md5", "hmac", "hmac-sha256"] }, default: "md5" },
              ]
            : [{ name: "billing_account_id", required: false, kind: { type: "text" }, default: null }]),
          { name: "proxy", required: false, kind: { type: "url" }, default: null },
        ],
      })),
    test_connection: () => ({ reachable: true, detail: "127.0.0.1:1", missing_secrets: [], credentials: { verdict: "accepted", status: 404 } }),
    activity: () => ({ in_flight: state.paid ? 1 : 0, unasked: 0, needs_review: 0 }),
    status_checks: () => ({
      gateways: [{ profile: "sandbox-sensecore", is_sandbox: true, reachable: true, detail: "127.0.0.1:1" }],
      storage: { state: "ok", detail: null },
      store: { url: null, reachable: true, read_only: false, as_of: null, schema_mismatch: null },
    }),
    query_orders: ({ query }) => {
      const text = (query.text || "").toUpperCase();
      const total = text ? (text.startsWith("DEMO") ? 1 : 0) : TOTAL;
      const rows = [];
      for (let k = query.offset; k < Math.min(total, query.offset + query.limit); k++) {
        rows.push(order(query.sort === "created" && !query.descending ? TOTAL - 1 - k : k));
      }
      return { total, offset: query.offset, rows };
    },
    lookup: ({ reference }) =>
      reference === "DEMO-1001" || reference === "ch_abc"
        ? [{ order_no: "DEMO-1001", matched: reference === "ch_abc" ? "gateway_ref" : "order_no", value: reference, state: "created", cancelled: false, amount: "12.34", currency: "CNY", updated_at: now }]
        : [],
    lookup_amount: ({ amount }) =>
      amount === "12.34"
        ? [0, 1].map((i) => ({ order_no: order(i).order_no, matched: "amount", value: "12.34", state: "created", cancelled: false, amount: "12.34", currency: "CNY", updated_at: now }))
        : [],
    order_detail: () => ({ order: order(0), attempts: state.paid ? [attempt(state.settled ? "succeeded" : "pending")] : [], changes: [] }),
    quote: ({ deductions }) => {
      const d = (deductions || []).length > 0;
      return { currency: "CNY", amount: "12.34", amount_minor: 1234, deducted: d ? "10.00" : "0.00", deducted_minor: d ? 1000 : 0, remaining: d ? "2.34" : "12.34", remaining_minor: d ? 234 : 1234, credit: null, balance: null };
    },
    pay_order: () => {
      state.paid = true;
      return { order_no: "DEMO-1001", state: "pending", attempt_id: 7, channel: "alipay", idempotency_key: "k-7", gateway_ref: "ch_abc", customer_ref: null, pay_url: "https://pay.example/qr/7", error: null, is_sandbox: true, ...charges };
    },
    daily_totals: () => [
      { day: "2026-12-04", day_start_ms: now - 86_400_000, pays_out: false, currency: "CNY", count: 2, amount_minor: 4000, amount: "40.00" },
      { day: "2026-12-05", day_start_ms: now, pays_out: false, currency: "CNY", count: 8, amount_minor: 17034, amount: "170.34" },
      { day: "2026-12-05", day_start_ms: now, pays_out: true, currency: "INR", count: 1, amount_minor: 50000, amount: "500.00" },
    ],
    // The manager's day: yuan taken in and rupees paid out against yesterday and last week,
    // each gateway's and channel's outcomes, the top failure reasons, and the open shift so far.
    manager_day: ({ nowMs }) => {
      const day = (back) => {
        const start = new Date(nowMs);
        start.setHours(0, 0, 0, 0);
        start.setDate(start.getDate() - back);
        const pad = (n) => String(n).padStart(2, "0");
        return { date: `${start.getFullYear()}-${pad(start.getMonth() + 1)}-${pad(start.getDate())}`, start_ms: start.getTime(), end_ms: start.getTime() + 86_400_000 };
      };
      const tally = (count, text, minor) => ({ count, amount: text, amount_minor: minor });
      const none = tally(0, "0.00", 0);
      const outcomes = (succeeded, failed, open) => ({ succeeded, failed, open });
      const open = openShift();
      return {
        compared: {
          days: { today: day(0), yesterday: day(1), last_week: day(7), now_ms: nowMs },
          money: [
            { currency: "CNY", pays_out: false, today: tally(8, "170.34", 17034), yesterday: { by_this_time: tally(6, "131.03", 13103), whole_day: tally(14, "402.50", 40250) }, last_week: { by_this_time: tally(9, "189.27", 18927), whole_day: tally(20, "511.00", 51100) } },
            { currency: "INR", pays_out: true, today: tally(1, "500.00", 50000), yesterday: { by_this_time: none, whole_day: none }, last_week: { by_this_time: none, whole_day: tally(2, "1250.00", 125000) } },
          ],
          gateways: [
            { name: "debit", today: outcomes(1, 0, 0), yesterday: outcomes(0, 0, 0), last_week: outcomes(2, 0, 0) },
            { name: "sensecore", today: outcomes(8, 1, 2), yesterday: outcomes(14, 2, 0), last_week: outcomes(20, 1, 0) },
            { name: "top", today: outcomes(0, 1, 0), yesterday: outcomes(0, 0, 0), last_week: outcomes(0, 0, 0) },
          ],
          channels: [
            { name: "alipay", today: outcomes(3, 0, 1), yesterday: outcomes(6, 1, 0), last_week: outcomes(9, 0, 0) },
            { name: "balance", today: outcomes(5, 0, 0), yesterday: outcomes(8, 0, 0), last_week: outcomes(11, 1, 0) },
            { name: "bank", today: outcomes(1, 0, 0), yesterday: outcomes(0, 0, 0), last_week: outcomes(2, 0, 0) },
            { name: "credit", today: outcomes(0, 1, 0), yesterday: outcomes(0, 0, 0), last_week: outcomes(0, 0, 0) },
            { name: "wechat", today: outcomes(0, 1, 1), yesterday: outcomes(0, 1, 0), last_week: outcomes(0, 0, 0) },
          ],
          failures: [
            { gateway: "top", code: "isv.credit-limit-exceeded", message: "信控额度不足，请联系客户经理调整额度后再试", today: 1, yesterday: 0, last_week: 0 },
            { gateway: "sensecore", code: "FAILED_PRECONDITION", message: "balance of billing account is not enough", today: 1, yesterday: 2, last_week: 1 },
            { gateway: "sensecore", code: "NOT_SENT", message: "the gateway could not be reached; nothing was sent (connection refused)", today: 0, yesterday: 1, last_week: 0 },
          ],
        },
        open_shift: open && shiftReport(open),
      };
    },
    takings: () => [
      { pays_out: false, channel: "alipay", state: "succeeded", currency: "CNY", count: 3, amount_minor: 12034, amount: "120.34" },
      { pays_out: false, channel: "balance", state: "succeeded", currency: "CNY", count: 5, amount_minor: 5000, amount: "50.00" },
      { pays_out: false, channel: "wechat", state: "failed", currency: "CNY", count: 1, amount_minor: 99, amount: "0.99" },
      { pays_out: true, channel: "bank", state: "succeeded", currency: "INR", count: 1, amount_minor: 50000, amount: "500.00" },
    ],
    secret_status: ({ profile: name }) => secrets[name] ?? [{ key: "token", required: true, set: true }],
    // The system's file dialogs, which the back end opens: a file chosen, an export saved.
    choose_import_file: () => ({ name: "orders-december-with-a-rather-long-name-from-the-accounts-team.csv", path: "/home/cashier/Documents/orders-december-with-a-rather-long-name-from-the-accounts-team.csv", bytes: 12_582_912, format: "csv" }),
    import_chosen_file: () => ({
      rows: 3,
      imported: 2,
      rejected_count: 1,
      rejected: [{ line: 3, order_no: "A-2", reason: 'the amount "12,34" is not a decimal number', problem: { field: { kind: "amount" }, rule: { kind: "not_decimal", value: '"12,34"' } } }],
    }),
    export_orders_to_file: ({ format }) => ({ path: `/home/cashier/Downloads/paydesk-orders-20261205-101500.${format}`, rows: TOTAL }),
    desk_names: () => state.desk,
    list_desks: () => [state.desk.desk],
    save_desk_names: ({ desk, operator }) => (state.desk = { desk: desk.trim() || "till-host", operator: operator.trim() || "cashier" }),
  };
  const callbacks = new Map();
  const listeners = new Map();
  let next = 1;
  window.__TAURI_INTERNALS__ = {
    metadata: { currentWindow: { label: "main" }, currentWebview: { windowLabel: "main", label: "main" } },
    transformCallback(cb) {
      const id = next++;
      callbacks.set(id, cb);
      return id;
    },
    unregisterCallback(id) {
      callbacks.delete(id);
    },
    runCallback(id, data) {
      callbacks.get(id)?.(data);
    },
    convertFileSrc: (p) => p,
    async invoke(cmd, args) {
      state.calls.push({ cmd, args });
      if (cmd === "plugin:event|listen") {
        const list = listeners.get(args.event) || [];
        list.push(args.handler);
        listeners.set(args.event, list);
        return args.handler;
      }
      if (cmd === "plugin:event|unlisten") return null;
      const run = commands[cmd];
      if (!run) throw { kind: "internal", message: `unexpected command ${cmd}` };
      return run(args || {});
    },
  };
  window.__TAURI_EVENT_PLUGIN_INTERNALS__ = { unregisterListener() {} };
  window.__paydesk = {
    state,
    emit(event, payload) {
      // The reconciler settling attempt 7 of DEMO-1001 (the only attempt there is) says so like this.
      if (event === "change" && payload.kind === "attempts" && payload.attempt_ids.includes(7)) state.settled = true;
      for (const id of listeners.get(event) || []) callbacks.get(id)?.({ event, id, payload });
    },
  };
})();
