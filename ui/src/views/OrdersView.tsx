import { useState } from "react";
import { useTranslation } from "react-i18next";
import { NewOrderDialog } from "../components/NewOrderDialog";
import { OrderFilterBar } from "../components/OrderFilterBar";
import { useDesks } from "../queries/reads";
import { OrderPanel } from "../components/OrderPanel";
import { OrdersTable } from "../components/OrdersTable";
import { useOrderTotal } from "../queries/orderPages";
import { useListing, type OrderFilterState } from "../hooks/useOrderFilters";
import type { Dialog } from "../hooks/useShortcuts";
import { ariaKeys, GLOBAL_KEYS, shortcut } from "../shortcuts";
import type { OrderDetail, OrderView, ProfileView } from "../types";
import { formatCount } from "../words";

interface Props {
  filters: OrderFilterState;
  /** The back end has started. */
  ready: boolean;
  /** Unless the back end is known not to have started, the list need not wait for it. */
  showList: boolean;
  profiles: ProfileView[];
  /** Whether the profiles have been read yet: until they are, an empty list says nothing of them. */
  profilesKnown: boolean;
  /** A line about the last search, such as that nothing matched. */
  notice: string | null;
  /** The selected order, once its detail is in. */
  detail: OrderDetail | undefined;
  onSelect: (orderNo: string) => void;
  onClosePanel: () => void;
  /** None on a desk that may only read: it pays nothing and imports nothing. */
  onPay?: (order: OrderView) => void;
  /** Issues a paid order's receipt; none on a desk that may only read. */
  onReceipt?: (order: OrderView) => void;
  onOpenDialog: (dialog: Dialog) => void;
  /** Opens the audit trail narrowed to an order. */
  onHistory: (orderNo: string) => void;
  onError: (error: unknown) => void;
  /** Opens the Gateways view, where a profile is added. */
  onShowGateways: () => void;
}

/** How many orders the list holds, once known: its own component, so a search's new count
 * draws this line, not the view. */
function OrderCount({ filters }: { filters: OrderFilterState }) {
  const { t, i18n } = useTranslation();
  const { total } = useOrderTotal(useListing(filters));
  if (total === null) return null;
  return (
    <span className="hint" data-testid="order-count">
      {t("orders.count", { count: total, n: formatCount(total, i18n.language) })}
    </span>
  );
}

/** The ways to fill an empty list: a gateway profile first, then an order or a file of them. */
function EmptyOrdersActions({ hasProfiles, ready, onOpenDialog, onShowGateways }: { hasProfiles: boolean; ready: boolean; onOpenDialog: (dialog: Dialog) => void; onShowGateways: () => void }) {
  const { t } = useTranslation();
  if (!hasProfiles) {
    return (
      <div className="actions">
        <button type="button" className="primary" data-testid="empty-add-profile" onClick={onShowGateways}>
          {t("orders.addProfile")}
        </button>
      </div>
    );
  }
  return (
    <div className="actions">
      <button type="button" className="primary" data-testid="empty-new-order" disabled={!ready} onClick={() => onOpenDialog("new-order")}>
        {t("orders.newOrder")}
      </button>
      <button type="button" data-testid="empty-import" disabled={!ready} onClick={() => onOpenDialog("import")}>
        {t("orders.import")}
      </button>
    </div>
  );
}

export function OrdersView({ filters, ready, showList, profiles, profilesKnown, notice, detail, onSelect, onClosePanel, onPay, onReceipt, onOpenDialog, onHistory, onError, onShowGateways }: Props) {
  const desks = useDesks().data ?? [];
  const caps = detail ? profiles.find((p) => p.name === detail.order.profile)?.capabilities : undefined;
  const { t } = useTranslation();
  const [editing, setEditing] = useState<OrderView | null>(null);
  return (
    <section className="content" aria-labelledby="orders-title">
      <div className="list">
        <div className="view-head">
          <h1 id="orders-title">{t("orders.title")}</h1>
          <span className="spacer" />
          {showList && <OrderCount filters={filters} />}
          {onPay && (
            <button type="button" className="small" data-testid="open-import" aria-keyshortcuts={ariaKeys(shortcut(GLOBAL_KEYS, "import"))} disabled={!ready} onClick={() => onOpenDialog("import")}>
              {t("orders.import")}
            </button>
          )}
          <button type="button" className="small" data-testid="open-export" aria-keyshortcuts={ariaKeys(shortcut(GLOBAL_KEYS, "export"))} disabled={!ready} onClick={() => onOpenDialog("export")}>
            {t("orders.export")}
          </button>
        </div>
        <OrderFilterBar filters={filters} profiles={profiles} desks={desks} />
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        {showList && (
          <OrdersTable
            filters={filters}
            selected={detail?.order.order_no ?? null}
            onSelect={(o) => onSelect(o.order_no)}
            onError={onError}
            emptyWords={!onPay ? t("orders.emptyReadOnly") : profilesKnown && profiles.length === 0 ? t("orders.emptyNoProfile") : undefined}
            emptyActions={onPay && profilesKnown && <EmptyOrdersActions hasProfiles={profiles.length > 0} ready={ready} onOpenDialog={onOpenDialog} onShowGateways={onShowGateways} />}
          />
        )}
      </div>
      {detail && (
        <OrderPanel
          detail={detail}
          statusQuery={caps?.status_query ?? true}
          paysOut={caps?.pays_out ?? false}
          onPay={onPay && (() => onPay(detail.order))}
          onEdit={onPay && (() => setEditing(detail.order))}
          onClose={onClosePanel}
          onHistory={() => onHistory(detail.order.order_no)}
          onReceipt={onReceipt && (() => onReceipt(detail.order))}
        />
      )}
      {editing && <NewOrderDialog profiles={profiles} editing={editing} onClose={() => setEditing(null)} onSaved={() => setEditing(null)} />}
    </section>
  );
}
