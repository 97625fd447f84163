// htm bound to Preact: templates are tagged literals, and every ${value} placed in text or
// an attribute is set as text/attribute by Preact, never parsed as HTML (escaped by
// construction). Never use dangerouslySetInnerHTML.
import { h } from "preact";
import htm from "htm";

export const html = htm.bind(h);
