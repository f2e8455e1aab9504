// The team dashboard room: mount createDashboardHandler on the HTTP server; send dashboardLoginLink in Slack.
export { createDashboardHandler, type DashboardDeps } from './handler.js';
export { dashboardLoginLink } from './session.js';
export { renderDashboard, esc, type DashboardView } from './render.js';
