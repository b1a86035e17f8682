import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { listen } from "@tauri-apps/api/event";
import { useTranslation } from "react-i18next";
import { api, errorMessage } from "./api";
import { DashboardView } from "./components/DashboardView";
import { ExportDialog } from "./components/ExportDialog";
import { ImportDialog } from "./components/ImportDialog";
import { GatewaysView } from "./components/GatewaysView";
import { LookupView } from "./components/LookupView";
import { NewOrderDialog } from "./components/NewOrderDialog";
import { canPay, OrderPanel } from "./components/OrderPanel";
import { OrdersTable, type OrderFilters } from "./components/OrdersTable";
import { PayDialog } from "./components/PayDialog";
import { SettingsView } from "./components/SettingsView";
import { StatusBar } from "./components/StatusBar";
import type { AppInfo, AttemptState, Channel, OrderDetail, OrderView, ProfileView } from "./types";
import { dateInputToMs, STATES } from "./words";

const VIEWS = ["orders", "lookup", "dashboard", "gateways", "settings"] as const;
type View = (typeof VIEWS)[number];

function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
}

export function App() {
  const { t, i18n } = useTranslation();
  const [view, setView] = useState<View>("orders");
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [profiles, setProfiles] = useState<ProfileView[]>([]);
  const [search, setSearch] = useState("");
  const [text, setText] = useState("");
  const [state, setState] = useState<AttemptState | "">("");
  const [channel, setChannel] = useState<Channel | "">("");
  const [profile, setProfile] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [total, setTotal] = useState<number | null>(null);
  const [detail, setDetail] = useState<OrderDetail | null>(null);
  const [paying, setPaying] = useState<OrderView | null>(null);
  const [adding, setAdding] = useState(false);
  const [importing, setImporting] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [refreshToken, setRefreshToken] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const ready = info !== null && !info.startup_error;

  const refresh = useCallback(() => setRefreshToken((n) => n + 1), []);

  const loadProfiles = useCallback(async () => {
    try {
      setProfiles(await api.listProfiles());
    } catch (e) {
      setError(errorMessage(e));
    }
  }, []);

  useEffect(() => {
    api
      .appInfo()
      .then((i) => {
        setInfo(i);
        if (i.startup_error) setError(i.startup_error);
        else void loadProfiles();
      })
      .catch((e) => setError(errorMessage(e)));
  }, [loadProfiles]);

  // Search as you type, a moment after the last key.
  useEffect(() => {
    const timer = setTimeout(() => setText(search.trim()), 150);
    return () => clearTimeout(timer);
  }, [search]);

  const filters: OrderFilters = useMemo(
    () => ({
      text: text || null,
      state: state || null,
      channel: channel || null,
      profile: profile || null,
      from_ms: dateInputToMs(from),
      to_ms: dateInputToMs(to, 1),
    }),
    [text, state, channel, profile, from, to],
  );

  const selectedRef = useRef<string | null>(null);
  const openDetail = useCallback(async (orderNo: string) => {
    selectedRef.current = orderNo;
    try {
      const d = await api.orderDetail(orderNo);
      if (selectedRef.current === orderNo) setDetail(d);
      return d;
    } catch (e) {
      setError(errorMessage(e));
      return null;
    }
  }, []);


  // The reconciler settles pending and unknown payments in the background; whatever it
  // changes shows up here without anyone pressing a button.
  useEffect(() => {
    const unlisten = listen<number[]>("attempts-changed", () => {
      refresh();
      if (selectedRef.current) void openDetail(selectedRef.current);
    });
    return () => {
      void unlisten.then((stop) => stop());
    };
  }, [refresh, openDetail]);

  const closePanel = useCallback(() => {
    selectedRef.current = null;
    setDetail(null);
  }, []);

  /** A scanner types an order number and Enter: pay it, or show it if it cannot be paid. */
  const openReference = useCallback(async () => {
    const reference = search.trim();
    if (!reference) return;
    setView("orders");
    try {
      const hits = await api.lookup(reference);
      if (hits.length !== 1) {
        setText(reference);
        if (hits.length === 0) setNotice(t("search.noMatch", { text: reference }));
        return;
      }
      setNotice(null);
      const d = await openDetail(hits[0]!.order_no);
      if (d && canPay(d)) setPaying(d.order);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [search, openDetail, t]);

  const checkSelected = useCallback(async () => {
    const latest = detail?.attempts[detail.attempts.length - 1];
    if (!latest || (latest.state !== "pending" && latest.state !== "unknown")) return;
    try {
      setDetail(await api.checkStatus(latest.id));
      refresh();
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [detail, refresh]);

  const dialogOpen = paying !== null || adding || importing || exporting;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const ctrl = e.ctrlKey || e.metaKey;
      if ((e.key === "/" && !typingIn(e.target) && !dialogOpen) || (ctrl && e.key.toLowerCase() === "k")) {
        e.preventDefault();
        searchRef.current?.focus();
        searchRef.current?.select();
      } else if (ctrl && /^[1-5]$/.test(e.key) && !dialogOpen) {
        e.preventDefault();
        setView(VIEWS[Number(e.key) - 1]!);
      } else if (ctrl && e.key.toLowerCase() === "n" && !dialogOpen && ready) {
        e.preventDefault();
        setAdding(true);
      } else if (ctrl && e.key.toLowerCase() === "i" && !dialogOpen && ready) {
        e.preventDefault();
        setImporting(true);
      } else if (ctrl && e.key.toLowerCase() === "e" && !dialogOpen && ready) {
        // Exports what the orders list is filtered to, so the list is where it happens.
        e.preventDefault();
        setView("orders");
        setExporting(true);
      } else if (e.key === "Escape" && !dialogOpen && detail && view === "orders") {
        closePanel();
      } else if (e.key.toLowerCase() === "r" && !ctrl && !typingIn(e.target) && !dialogOpen) {
        void checkSelected();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [dialogOpen, detail, view, ready, closePanel, checkSelected]);

  // The status bar's checks (counts over every attempt, a connection to each gateway) are asked
  // for once the first page of orders is in, or a second after the back end is ready at the
  // latest: the first screen's data goes first.
  const [statusLate, setStatusLate] = useState(false);
  useEffect(() => {
    if (!ready) return;
    const timer = setTimeout(() => setStatusLate(true), 1000);
    return () => clearTimeout(timer);
  }, [ready]);
  const statusReady = ready && (total !== null || statusLate);

  const channels = useMemo(() => {
    const all = new Set<Channel>();
    for (const p of profiles) for (const c of p.capabilities?.channels ?? []) all.add(c);
    return [...all];
  }, [profiles]);

  const filtered = state || channel || profile || from || to;

  return (
    <div className="shell">
      <nav className="nav" aria-label={t("nav.label")}>
        <div className="brand">paydesk</div>
        {VIEWS.map((v, i) => (
          <a
            key={v}
            href={`#${v}`}
            data-view={v}
            aria-current={view === v ? "page" : undefined}
            aria-keyshortcuts={`Control+${i + 1}`}
            onClick={(e) => {
              e.preventDefault();
              setView(v);
            }}
          >
            {t(`nav.${v}`)}
            <kbd aria-hidden="true">Ctrl {i + 1}</kbd>
          </a>
        ))}
      </nav>
      <header className="topbar">
        <form
          role="search"
          className="search"
          onSubmit={(e) => {
            e.preventDefault();
            void openReference();
          }}
        >
          <label htmlFor="global-search" className="visually-hidden">
            {t("search.label")}
          </label>
          <input
            id="global-search"
            ref={searchRef}
            type="search"
            autoComplete="off"
            spellCheck={false}
            data-testid="global-search"
            aria-keyshortcuts="/ Control+K"
            placeholder={t("search.placeholder")}
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              setNotice(null);
              if (view !== "orders") setView("orders");
            }}
          />
        </form>
        <button type="button" className="primary" data-testid="new-order" aria-keyshortcuts="Control+N" disabled={!ready} onClick={() => setAdding(true)}>
          + {t("orders.newOrder")}
        </button>
      </header>
      <main className="main">
        {error && (
          <div className="banner error" role="alert">
            <strong>{t("common.somethingWrong")}</strong> <span className="grow">{error}</span>
            <button type="button" onClick={() => void navigator.clipboard?.writeText(error)}>
              {t("common.copyDetails")}
            </button>
            <button type="button" className="small" aria-label={t("common.close")} onClick={() => setError(null)}>
              ✕
            </button>
          </div>
        )}
        {view === "orders" && (
          <section className="content" aria-labelledby="orders-title">
            <div className="list">
              <div className="view-head">
                <h1 id="orders-title">{t("orders.title")}</h1>
                <span className="spacer" />
                {total !== null && (
                  <span className="hint" data-testid="order-count">
                    {t("orders.count", { count: total, n: total.toLocaleString(i18n.language) })}
                  </span>
                )}
                <button type="button" className="small" data-testid="open-import" aria-keyshortcuts="Control+I" disabled={!ready} onClick={() => setImporting(true)}>
                  {t("orders.import")}
                </button>
                <button type="button" className="small" data-testid="open-export" aria-keyshortcuts="Control+E" disabled={!ready} onClick={() => setExporting(true)}>
                  {t("orders.export")}
                </button>
              </div>
              <div className="filters" role="group" aria-label={t("orders.filters")}>
                <select aria-label={t("term.state")} value={state} data-testid="filter-state" onChange={(e) => setState(e.target.value as AttemptState | "")}>
                  <option value="">{t("orders.anyState")}</option>
                  {STATES.map((s) => (
                    <option key={s} value={s}>
                      {t(`state.${s}`)}
                    </option>
                  ))}
                </select>
                <select aria-label={t("term.channel")} value={channel} data-testid="filter-channel" onChange={(e) => setChannel(e.target.value as Channel | "")}>
                  <option value="">{t("orders.anyChannel")}</option>
                  {channels.map((c) => (
                    <option key={c} value={c}>
                      {t(`channel.${c}`)}
                    </option>
                  ))}
                </select>
                <select aria-label={t("term.profile")} value={profile} data-testid="filter-profile" onChange={(e) => setProfile(e.target.value)}>
                  <option value="">{t("orders.anyProfile")}</option>
                  {profiles.map((p) => (
                    <option key={p.name} value={p.name}>
                      {p.name}
                    </option>
                  ))}
                </select>
                <label>
                  {t("orders.from")} <input type="date" value={from} data-empty={from ? undefined : ""} data-testid="filter-from" onChange={(e) => setFrom(e.target.value)} />
                </label>
                <label>
                  {t("orders.to")} <input type="date" value={to} data-empty={to ? undefined : ""} data-testid="filter-to" onChange={(e) => setTo(e.target.value)} />
                </label>
                {filtered && (
                  <button
                    type="button"
                    className="small"
                    onClick={() => {
                      setState("");
                      setChannel("");
                      setProfile("");
                      setFrom("");
                      setTo("");
                    }}
                  >
                    {t("orders.clearFilters")}
                  </button>
                )}
              </div>
              {notice && (
                <p className="notice" role="status">
                  {notice}
                </p>
              )}
              {/* Asks for its first page at once, beside app_info: unless the back end is
                  known not to have started, the orders need not wait for the app's state. */}
              {!info?.startup_error && (
                <OrdersTable
                  filters={filters}
                  refreshToken={refreshToken}
                  selected={detail?.order.order_no ?? null}
                  onSelect={(o) => void openDetail(o.order_no)}
                  onTotal={setTotal}
                  onError={setError}
                />
              )}
            </div>
            {detail && (
              <OrderPanel
                detail={detail}
                statusQuery={profiles.find((p) => p.name === detail.order.profile)?.capabilities?.status_query ?? true}
                onPay={() => setPaying(detail.order)}
                onChanged={(d) => {
                  setDetail(d);
                  refresh();
                }}
                onClose={closePanel}
              />
            )}
          </section>
        )}
        {view === "lookup" && ready && <LookupView profiles={profiles} />}
        {view === "dashboard" && ready && <DashboardView refreshToken={refreshToken} />}
        {view === "gateways" && ready && <GatewaysView profiles={profiles} onChanged={() => void loadProfiles()} />}
        {view === "settings" && <SettingsView />}
      </main>
      <StatusBar
        info={info}
        ready={statusReady}
        refreshToken={refreshToken}
        profilesKey={profiles.map((p) => `${p.name} ${p.base_url}`).join("\n")}
        onOpenGateways={() => setView("gateways")}
        onStorageProblem={(detail) => setError(`${t("status.dataProblem")}: ${detail}`)}
      />
      {paying && (
        <PayDialog
          order={paying}
          profile={profiles.find((p) => p.name === paying.profile)}
          onClose={() => setPaying(null)}
          fallbackFocus={() => searchRef.current}
          onPaid={() => {
            refresh();
            void openDetail(paying.order_no);
          }}
        />
      )}
      {importing && (
        <ImportDialog
          profiles={profiles}
          maxBytes={info?.max_import_bytes ?? 64 * 1024 * 1024}
          onClose={() => setImporting(false)}
          onImported={() => refresh()}
        />
      )}
      {exporting && <ExportDialog filters={filters} total={total} onClose={() => setExporting(false)} />}
      {adding && (
        <NewOrderDialog
          profiles={profiles}
          onClose={() => setAdding(false)}
          onAdded={(o) => {
            setAdding(false);
            setView("orders");
            refresh();
            void openDetail(o.order_no);
          }}
        />
      )}
    </div>
  );
}
