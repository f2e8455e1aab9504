// The one HTML escaping function: the dashboard renders every value through it on the server, and the local
// workspace's page ships this same function to the browser (its source is written into the page's script),
// so a message, a name or a modal field is escaped the same way wherever it is shown. Self-contained on
// purpose: no imports, no helpers, nothing its source text depends on.
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' })[c] ?? c);
}
