import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { DemoBanner } from "./components/DemoBanner";
import { ErrorBanner } from "./components/ErrorBanner";
import { ExportDialog } from "./components/ExportDialog";
import { ImportDialog } from "./components/ImportDialog";
import { NewOrderDialog } from "./components/NewOrderDialog";
import { canPay, hasReceipt } from "./components/OrderPanel";
import { PayDialog } from "./components/PayDialog";
import { ReceiptDialog } from "./components/ReceiptDialog";
import { ShortcutSheet } from "./components/ShortcutSheet";
import { StatusBar } from "./components/StatusBar";
import { TopBar } from "./components/TopBar";
import { ViewNav } from "./components/ViewNav";
import { useDesktopNotifications } from "./hooks/useDesktopNotifications";
import { useErrorBanner, useReportError } from "./hooks/useErrorBanner";
import { useOrderFilters } from "./hooks/useOrderFilters";
import { useShortcuts, type Dialog, type View } from "./hooks/useShortcuts";
import { useCheckStatus } from "./queries/mutations";
import { useFirstPageIn } from "./queries/orderPages";
import { activityQuery, lookupQuery, orderDetailQuery, useAppInfo, useDeskNames, useOrderDetail, useProfiles, useReadOnly } from "./queries/reads";
import { useBackendChanges } from "./queries/useBackendChanges";
import type { LookupHit, LookupMatch, OrderView } from "./types";
import { AuditView } from "./views/AuditView";
import { DashboardView } from "./views/DashboardView";
import { GatewaysView } from "./views/GatewaysView";
import { LookupView } from "./views/LookupView";
import { OrdersView } from "./views/OrdersView";
import { SettingsView } from "./views/SettingsView";
import { ShiftView } from "./views/ShiftView";

/**
 * The references a lookup matches whole: one equal to one of these names its order. The
 * back end words a prefix or a part of one with the same names, and a subject or an amount
 * names nothing by itself.
 */
const EXACT_REFERENCES: ReadonlySet<LookupMatch> = new Set<LookupMatch>(["order_no", "gateway_ref", "customer_ref", "idempotency_key", "pay_url"]);

/** Whether `hit` is the order `reference` names exactly: its whole number or reference, not a prefix, a part or its subject. */
function namesExactly(hit: LookupHit, reference: string): boolean {
  return EXACT_REFERENCES.has(hit.matched) && hit.value === reference;
}

export function App() {
  const { t } = useTranslation();
  const readOnly = useReadOnly();
  const queryClient = useQueryClient();
  useBackendChanges();
  const [view, showView] = useState<View>("orders");
  // Settings opened from the header's names starts in the desk's name.
  const [editingDesk, setEditingDesk] = useState(false);
  // The audit trail opened from an order's "History of this order" starts narrowed to it.
  const [auditSubject, setAuditSubject] = useState("");
  const setView = (next: View, editDesk = false) => {
    showView(next);
    setEditingDesk(editDesk);
    setAuditSubject("");
  };
  const openHistory = (orderNo: string) => {
    setView("audit");
    setAuditSubject(orderNo);
  };
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [paying, setPaying] = useState<OrderView | null>(null);
  const [receiptFor, setReceiptFor] = useState<OrderView | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const { error, report, dismiss } = useErrorBanner();
  const filters = useOrderFilters();
  /** Empties the search box and the search with it. */
  const clearSearch = () => {
    if (searchRef.current) searchRef.current.value = "";
    filters.searchNow("");
  };

  const appInfo = useAppInfo();
  const info = appInfo.data;
  const startupError = info?.startup_error ?? null;
  const ready = info !== undefined && !startupError;
  useReportError(appInfo.error ?? startupError, report);
  // The other data set has none of this one's orders: the selection goes with the one left.
  const dataSet = info?.data_set;
  const [shownSet, setShownSet] = useState(dataSet);
  if (dataSet !== shownSet) {
    setShownSet(dataSet);
    if (shownSet !== undefined) setSelected(null);
  }
  const profilesAsked = useProfiles();
  const profiles = profilesAsked.data ?? [];
  useReportError(profilesAsked.error, report);
  const deskNames = useDeskNames();
  useReportError(deskNames.error, report);
  // Not the total, nor the search's listing: the shell would be drawn again with every search.
  const firstScreenIn = useFirstPageIn(filters.narrowing, !startupError);
  const { detail, error: detailError } = useOrderDetail(selected);
  useReportError(detailError, report);
  const checkStatus = useCheckStatus();
  // The Orders badge: the status bar's own counts (one query), asked once the first page is in.
  const activityAsked = useQuery({ ...activityQuery(), enabled: ready && firstScreenIn });
  const needsPerson = activityAsked.isError ? 0 : (activityAsked.data?.needs_review ?? 0);

  // A clicked desktop notification: the order it named, or the orders a summary counted.
  useDesktopNotifications((what) => {
    setView("orders");
    if (what.kind === "order") {
      setSelected(what.order_no);
      return;
    }
    filters.clearFilters();
    clearSearch();
    if (what.kind === "in_state") filters.setState(what.state);
    setSelected(null);
  });

  /** A scanner types an order number and Enter: pay it, or show it if it cannot be paid. */
  async function openReference(typed?: string) {
    const reference = (typed ?? searchRef.current?.value ?? "").trim();
    if (!reference) return;
    setView("orders");
    try {
      const hits = await queryClient.fetchQuery(lookupQuery({ reference }));
      // Only an order the scan names whole is paid; a near one (the order before it exists
      // with one more digit) is listed for the person to choose, never opened to pay.
      if (hits.length !== 1 || !namesExactly(hits[0]!, reference)) {
        filters.searchNow(reference);
        if (hits.length === 0) setNotice(t("search.noMatch", { text: reference }));
        return;
      }
      setNotice(null);
      const orderNo = hits[0]!.order_no;
      setSelected(orderNo);
      const found = await queryClient.fetchQuery(orderDetailQuery(orderNo));
      if (canPay(found) && !readOnly) setPaying(found.order);
    } catch (e) {
      report(e);
    }
  }

  const dialogOpen = paying !== null || dialog !== null || receiptFor !== null;
  useShortcuts({
    dialogOpen,
    ready,
    panelOpen: detail !== undefined && view === "orders",
    focusSearch: () => {
      searchRef.current?.focus();
      searchRef.current?.select();
    },
    showView: setView,
    // A desk that may only read adds and imports nothing; it may export.
    openDialog: (d) => {
      if (!readOnly || d === "export" || d === "shortcuts") setDialog(d);
    },
    closePanel: () => setSelected(null),
    // The order shown in Orders' panel, not one left selected behind another view; asking
    // records what the gateway says, which a desk that may only read does not.
    checkSelected: () => {
      if (view !== "orders" || readOnly) return;
      const latest = detail?.attempts.at(-1);
      if (latest && (latest.state === "pending" || latest.state === "unknown")) checkStatus.mutate(latest.id, { onError: report });
    },
    receiptSelected: () => {
      // A support agent hands a customer a copy too.
      if (detail && hasReceipt(detail) && view === "orders") setReceiptFor(detail.order);
    },
  });

  return (
    <div className="shell">
      <ViewNav view={view} onShow={setView} needsPerson={needsPerson} />
      <TopBar
        searchRef={searchRef}
        onTyping={() => {
          setNotice(null);
          if (view !== "orders") setView("orders");
        }}
        onSearchSettled={filters.searchNow}
        onSearchSubmit={() => void openReference()}
        ready={ready}
        onNewOrder={readOnly ? undefined : () => setDialog("new-order")}
        deskNames={deskNames.data}
        onEditDesk={() => setView("settings", true)}
        onShowShortcuts={() => setDialog("shortcuts")}
      />
      <main className="main">
        <DemoBanner fallbackFocus={() => searchRef.current} />
        {error && <ErrorBanner error={error} onClose={dismiss} />}
        {view === "orders" && (
          <OrdersView
            filters={filters}
            ready={ready}
            showList={!startupError}
            profiles={profiles}
            profilesKnown={profilesAsked.data !== undefined}
            notice={notice}
            detail={detail}
            onSelect={setSelected}
            onClosePanel={() => setSelected(null)}
            onPay={readOnly ? undefined : setPaying}
            onReceipt={setReceiptFor}
            onOpenDialog={setDialog}
            onHistory={openHistory}
            onError={report}
            onShowGateways={() => setView("gateways")}
          />
        )}
        {view === "lookup" && ready && <LookupView profiles={profiles} onHistory={openHistory} />}
        {view === "dashboard" && ready && (
          <DashboardView
            onOpenOrders={(o) => {
              filters.clearFilters();
              clearSearch();
              filters.setState(o.state ?? "");
              filters.setChannel(o.channel ?? "");
              filters.setFrom(o.from);
              filters.setTo(o.to);
              setSelected(null);
              setView("orders");
            }}
            onOpenShift={() => setView("shift")}
          />
        )}
        {view === "gateways" && ready && <GatewaysView profiles={profiles} />}
        {view === "settings" && <SettingsView editDesk={editingDesk} />}
        {view === "audit" && ready && <AuditView subject={auditSubject} />}
        {view === "shift" && ready && <ShiftView />}
      </main>
      <StatusBar
        info={info}
        ready={ready}
        firstScreenIn={firstScreenIn}
        onOpenGateways={() => setView("gateways")}
        onOpenShift={() => setView("shift")}
        onStorageProblem={(detail) => report(`${t("status.dataProblem")}: ${detail}`)}
      />
      {paying && (
        <PayDialog
          order={paying}
          profile={profiles.find((p) => p.name === paying.profile)}
          onClose={() => setPaying(null)}
          fallbackFocus={() => searchRef.current}
          onPaid={() => setSelected(paying.order_no)}
          onNext={(reference) => {
            setPaying(null);
            void openReference(reference);
          }}
        />
      )}
      {dialog === "import" && <ImportDialog profiles={profiles} onClose={() => setDialog(null)} />}
      {receiptFor && <ReceiptDialog order={receiptFor} onClose={() => setReceiptFor(null)} fallbackFocus={() => searchRef.current} />}
      {dialog === "shortcuts" && <ShortcutSheet onClose={() => setDialog(null)} />}
      {dialog === "export" && <ExportDialog filters={filters} onClose={() => setDialog(null)} />}
      {dialog === "new-order" && (
        <NewOrderDialog
          profiles={profiles}
          onClose={() => setDialog(null)}
          onSaved={(order) => {
            setDialog(null);
            setView("orders");
            setSelected(order.order_no);
          }}
          onShowGateways={() => {
            setDialog(null);
            setView("gateways");
          }}
        />
      )}
    </div>
  );
}
