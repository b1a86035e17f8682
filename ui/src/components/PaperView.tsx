import { useTranslation } from "react-i18next";
import type { Block, Paper } from "../types";
import { QrCode } from "./QrCode";

/**
 * A page the back end wrote (a receipt, a shift's or a day's report) as HTML, block by block in
 * the PDF's order and layout (src-tauri/paper/src/layout.rs): a till roll 80 mm wide with its
 * headings and text centred, or A4; a field's label left and value right; a table's numeric
 * columns right-aligned. The words are the page's own, printed in the language it was asked in.
 */
export function PaperView({ paper, testId = "paper" }: { paper: Paper; testId?: string }) {
  const { t } = useTranslation();
  return (
    <article className={`paper paper-${paper.size}`} aria-label={t("paper.page", { title: paper.title })} data-testid={testId} data-size={paper.size}>
      {paper.blocks.map((block, i) => (
        <PaperBlock key={i} block={block} />
      ))}
    </article>
  );
}

function PaperBlock({ block }: { block: Block }) {
  const { t } = useTranslation();
  switch (block.kind) {
    case "heading":
      return <h3 className="paper-heading">{block.text}</h3>;
    case "text":
      // An address's lines stay lines.
      return <p className="paper-text">{block.text}</p>;
    case "banner":
      return (
        <p className="paper-banner" role="note">
          {block.text}
        </p>
      );
    case "field":
      return (
        <dl className="paper-field">
          <dt>{block.label}</dt>
          <dd>{block.value}</dd>
        </dl>
      );
    case "table":
      return <PaperTable columns={block.columns} numeric={block.numeric} rows={block.rows} />;
    case "qr":
      return (
        <figure className="paper-qr">
          <QrCode text={block.text} alt={t("paper.qr", { text: block.text })} testId="paper-qr" size={120} />
        </figure>
      );
    case "rule":
      return <hr className="paper-rule" />;
  }
}

function PaperTable({ columns, numeric, rows }: { columns: string[]; numeric: boolean[]; rows: string[][] }) {
  // Amounts and counts line up on their last digit, as on paper.
  const align = (c: number) => (numeric[c] ? "num" : undefined);
  return (
    <table className="paper-table">
      <thead>
        <tr>
          {columns.map((column, c) => (
            <th key={c} scope="col" className={align(c)}>
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, r) => (
          <tr key={r}>
            {row.map((cell, c) => (
              <td key={c} className={align(c)}>
                {cell}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
