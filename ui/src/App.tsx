import { useCallback, useEffect, useRef, useState } from "react";
import { listen } from "@tauri-apps/api/event";
import { api, errorMessage } from "./api";
import { OrderPanel } from "./components/OrderPanel";
import { OrdersTable } from "./components/OrdersTable";
import { PayDialog } from "./components/PayDialog";
import type { AppInfo, OrderDetail, OrderView, ProfileView } from "./types";

export function App() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [orders, setOrders] = useState<OrderView[]>([]);
  const [profiles, setProfiles] = useState<ProfileView[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [detail, setDetail] = useState<OrderDetail | null>(null);
  const [paying, setPaying] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const [o, p] = await Promise.all([api.listOrders(), api.listProfiles()]);
      setOrders(o);
      setProfiles(p);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, []);

  const loadDetail = useCallback(async (orderNo: string) => {
    try {
      setDetail(await api.orderDetail(orderNo));
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
        else void refresh();
      })
      .catch((e) => setError(errorMessage(e)));
  }, [refresh]);

  // The reconciler settles pending and unknown payments in the background; whatever it
  // changes shows up here without anyone pressing a button.
  const selectedRef = useRef<string | null>(null);
  useEffect(() => {
    const unlisten = listen<number[]>("attempts-changed", () => {
      void refresh();
      if (selectedRef.current) void loadDetail(selectedRef.current);
    });
    return () => {
      void unlisten.then((stop) => stop());
    };
  }, [refresh, loadDetail]);

  const select = useCallback(
    (orderNo: string) => {
      selectedRef.current = orderNo;
      setSelected(orderNo);
      void loadDetail(orderNo);
    },
    [loadDetail],
  );

  const selectedOrder = orders.find((o) => o.order_no === selected);

  return (
    <div className="shell">
      <nav className="nav" aria-label="Views">
        <div className="brand">paydesk</div>
        <a aria-current="page" href="#orders">
          Orders
        </a>
      </nav>
      <main className="main">
        {error && (
          <div className="banner error" role="alert">
            <strong>Something went wrong.</strong> {error}
            <button type="button" onClick={() => void navigator.clipboard?.writeText(error)}>
              Copy details
            </button>
          </div>
        )}
        <section className="content">
          <div className="list">
            <h1>Orders</h1>
            <OrdersTable orders={orders} selected={selected} onSelect={select} />
          </div>
          {detail && <OrderPanel detail={detail} onPay={() => setPaying(true)} />}
        </section>
      </main>
      <footer className="status" role="contentinfo">
        {info?.sandbox_url ? (
          <span className="badge sandbox">SANDBOX</span>
        ) : null}
        <span>{info?.sandbox_url ? "Running on the built-in sandbox gateways" : ""}</span>
        <span className="spacer" />
        <span title="Data directory">{info?.data_dir}</span>
        <span>v{info?.version}</span>
      </footer>
      {paying && selectedOrder && (
        <PayDialog
          order={selectedOrder}
          profile={profiles.find((p) => p.name === selectedOrder.profile)}
          onClose={() => setPaying(false)}
          onPaid={() => {
            void refresh();
            void loadDetail(selectedOrder.order_no);
          }}
        />
      )}
    </div>
  );
}
