// A QR code drawn as SVG rectangles from qrcode-generator's module matrix: no data URL,
// no innerHTML, nothing inline the page's policy would have to allow.
import qrcode from "qrcode-generator";
import { html } from "../html.js";

export function QrCode({ text, label, size = 220 }) {
  const qr = qrcode(0, "L"); // the lowest correction level: fewer, larger modules, easier to scan from a screen
  qr.addData(text);
  qr.make();
  const n = qr.getModuleCount();
  const quiet = 4;
  const total = n + quiet * 2;
  let d = "";
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) if (qr.isDark(r, c)) d += `M${c + quiet} ${r + quiet}h1v1h-1z`;
  }
  return html`<svg class="qr" role="img" aria-label=${label} width=${size} height=${size} viewBox=${`0 0 ${total} ${total}`}
    shape-rendering="crispEdges" xmlns="http://www.w3.org/2000/svg">
    <rect width=${total} height=${total} fill="#fff" />
    <path d=${d} fill="#000" />
  </svg>`;
}
