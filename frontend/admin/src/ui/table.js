// A wide table's own scrolling box: on a phone the table scrolls sideways inside it, not
// the page. Keyboard users can focus it to scroll (axe: scrollable-region-focusable), and
// it is named by what it holds.
import { html } from "../html.js";

export function TableScroll({ label, children }) {
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label=${label}>${children}</div>`;
}
