// Customers' personal data in gateways' raw answers (the partner's order_info names the
// receiver, phones and an address; 益安's charge metadata a buyer's phone) stays hidden on screen
// and in what support copies, unless a person asks to see it. The command line hides them by
// the same rule (src-tauri/core/src/personal_data.rs); both follow personal_data_cases.json.

/** Keys whose values identify or reach a person. */
const PERSONAL = /(phone|mobile|address|real_name|receieve_name|receive_name|express_name|id_no|email|buyer)/i;

/** What stands in for a hidden value. */
export const HIDDEN = "•••";

/** `text` with every personal value hidden, and whether there was any; text that is not a JSON
 * object or array is kept as it is. */
export function hidePersonalData(text: string): { shown: string; hidden: boolean } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { shown: text, hidden: false };
  }
  if (typeof value !== "object" || value === null) return { shown: text, hidden: false };
  let hidden = false;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v !== "object" || v === null) return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, inner]) => {
        if (PERSONAL.test(k) && inner !== "" && inner !== null && typeof inner !== "object") {
          hidden = true;
          return [k, HIDDEN];
        }
        return [k, walk(inner)];
      }),
    );
  };
  const masked = walk(value);
  return hidden ? { shown: JSON.stringify(masked), hidden } : { shown: text, hidden };
}
