import { useMemo } from "react";
import { renderSVG } from "uqr";

/** A pay URL as a QR code image, `size` px square. */
export function QrCode({ text, alt, testId = "pay-qr", size = 240 }: { text: string; alt: string; testId?: string; size?: number }) {
  // SVG text needs no canvas, and as a data: URL it passes the CSP's img-src.
  const src = useMemo(() => {
    try {
      const svg = renderSVG(text, { ecc: "M", border: 2 });
      return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
    } catch {
      return null;
    }
  }, [text]);
  return src ? (
    <img className="qr" src={src} alt={alt} width={size} height={size} data-testid={testId} />
  ) : (
    <div className="qr placeholder" aria-hidden="true" />
  );
}
