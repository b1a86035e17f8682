import { memo } from "react";
import type { OrderView } from "../types";
import type { OrderCell } from "./orderColumns";

interface Props {
  order: OrderView;
  index: number;
  selected: boolean;
  /** The shown columns' cells, in order. */
  cells: OrderCell[];
  /** Today, as the row's times are worded relative to it ("09:05:07" today, a date before). */
  today: string;
}

/**
 * One order's row. Drawn again only when its order, place, selection, columns or day change:
 * a new search or a scroll draws the rows that are new, not every row on the screen. Clicks
 * and keys are the table body's (OrdersTable), found by the row's data-index.
 */
export const OrderRow = memo(function OrderRow({ order, index, selected, cells }: Props) {
  return (
    <tr
      data-order-no={order.order_no}
      data-index={index}
      aria-rowindex={index + 2}
      className={selected ? "selected" : undefined}
      aria-selected={selected}
      tabIndex={0}
    >
      {cells.map((cell) => (
        <td key={cell.id} className={cell.numeric ? "num" : undefined} data-col={cell.id}>
          {cell.render(order)}
        </td>
      ))}
    </tr>
  );
});
