// ECharts renders tooltips as HTML, and every label in them (models,
// intents, dates) comes from events a client sent. Everything that goes into
// a tooltip string passes through here; the DOM is built with textContent.

const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes a value for use inside HTML text or a quoted attribute. */
export function escapeHtml(value) {
  return String(value ?? '').replace(/[&<>"']/g, (character) => ENTITIES[character] ?? character);
}
