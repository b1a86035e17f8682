// The orders table's columns: what each cell shows, how wide it is, and which give way first.
import { createColumnHelper } from "@tanstack/react-table";
import type { TFunction } from "i18next";
import { gatewayName } from "../names";
import { usePaysOut } from "../queries/reads";
import type { OrderView } from "../types";
import { formatMoney, formatTime, formatWhen } from "../words";
import { CancelledBadge, SandboxBadge, StateBadge } from "./StateBadge";

/**
 * Column widths in px (cell padding included). Wide enough for a 27-digit order number, the
 * longest state badge in either language and a profile name with its SANDBOX badge (a long
 * name is cut, the badge never). The subject takes whatever is left, at least SUBJECT_MIN.
 */
export const COLUMN_WIDTHS = {
  order_no: 248,
  amount: 104,
  profile: 210,
  channel: 110,
  state: 122,
  updated_at: 120,
} as const;
const SUBJECT_MIN = 130;
/** The order in which columns give way as the list narrows: UX.md's column order, from the end. */
const GIVE_WAY = ["subject", "updated_at", "channel", "profile"] as const;

/**
 * Which columns fit a table `width` px wide. Order number, amount and state always show;
 * the others are left out, least important first, rather than make the list scroll sideways.
 */
export function visibleColumns(width: number): Set<string> {
  const shown = new Set<string>([...Object.keys(COLUMN_WIDTHS), "subject"]);
  const need = () =>
    [...shown].reduce((sum, c) => sum + (c === "subject" ? SUBJECT_MIN : COLUMN_WIDTHS[c as keyof typeof COLUMN_WIDTHS]), 0);
  for (const column of GIVE_WAY) {
    if (need() <= width) break;
    shown.delete(column);
  }
  return shown;
}

const column = createColumnHelper<OrderView>();

/** A row's state, worded as a payout where its profile's gateway pays money out. (A component
 * of its own, so the columns stay the same while the profiles load.) */
function RowState({ order }: { order: OrderView }) {
  const paysOut = usePaysOut();
  if (order.cancelled_at !== null) return <CancelledBadge />;
  return <StateBadge state={order.state} paysOut={paysOut(order.profile)} />;
}

export function orderColumns(t: TFunction) {
  return [
    column.accessor("order_no", {
      id: "order_no",
      header: () => t("term.orderNo"),
      cell: (c) => (
        <span className="mono" title={c.getValue()}>
          {c.getValue()}
        </span>
      ),
      enableSorting: true,
    }),
    column.accessor("amount", {
      id: "amount",
      header: () => t("term.amount"),
      cell: (c) => formatMoney(c.getValue(), c.row.original.currency),
      meta: { numeric: true },
      enableSorting: true,
    }),
    column.accessor("profile", {
      id: "profile",
      header: () => t("term.gateway"),
      // The badge stays whole; a long profile name gives way first.
      cell: (c) => (
        <span className="cell-flex">
          <span className="clip" title={`${c.getValue()} · ${gatewayName(c.row.original.gateway, t)}`}>
            {c.getValue()}
          </span>
          {c.row.original.is_sandbox && <SandboxBadge />}
        </span>
      ),
      enableSorting: false,
    }),
    column.accessor("channel", {
      id: "channel",
      header: () => t("term.channel"),
      cell: (c) => {
        const channel = c.getValue();
        return channel ? t(`channel.${channel}`) : t("common.none");
      },
      enableSorting: false,
    }),
    column.accessor("state", {
      id: "state",
      header: () => t("term.state"),
      cell: (c) => <RowState order={c.row.original} />,
      enableSorting: false,
    }),
    column.accessor("updated_at", {
      id: "updated_at",
      header: () => t("term.lastUpdate"),
      cell: (c) => <time title={formatTime(c.getValue())}>{formatWhen(c.getValue())}</time>,
      enableSorting: false,
    }),
    column.accessor("subject", {
      id: "subject",
      header: () => t("term.subject"),
      cell: (c) => <span title={c.getValue()}>{c.getValue()}</span>,
      enableSorting: false,
    }),
  ];
}
