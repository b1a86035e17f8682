import { useEffect, useState } from "react";
import QRCode from "qrcode";

/** A pay URL as a QR code image. */
export function QrCode({ text, alt }: { text: string; alt: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    // SVG text needs no canvas, and as a data: URL it passes the CSP's img-src.
    QRCode.toString(text, { type: "svg", margin: 2, errorCorrectionLevel: "M" })
      .then((svg) => live && setSrc(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`))
      .catch(() => live && setSrc(null));
    return () => {
      live = false;
    };
  }, [text]);
  return src ? (
    <img className="qr" src={src} alt={alt} width={240} height={240} data-testid="pay-qr" />
  ) : (
    <div className="qr placeholder" aria-hidden="true" />
  );
}
