// Every surface of the Slack app, registered in one place, one Bolt callback per file. The order matters
// only for actions: the catch-all for buttons nobody owns goes last.
import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { registerDecisionButtons } from './actions/decide.js';
import { registerLinkButtons } from './actions/link.js';
import { registerKnowledgeEditOpener } from './actions/open-knowledge-edit.js';
import { registerRejectReasonOpener } from './actions/open-reject-reason.js';
import { registerOrientationDone } from './actions/orientation-done.js';
import { registerPlanEditOpener } from './actions/open-plan-edit.js';
import { registerUnknownButtons } from './actions/unknown.js';
import { registerSitroomCommand } from './commands/sitroom.js';
import { registerAppHomeOpened } from './events/app-home-opened.js';
import { registerAppMention } from './events/app-mention.js';
import { registerMessage } from './events/message.js';
import { registerKnowledgeEditSubmission } from './views/knowledge-edit.js';
import { registerRejectReasonSubmission } from './views/reject-reason.js';
import { registerPlanEditSubmission } from './views/plan-edit.js';
import { registerAnswerFeedback } from './agent/feedback.js';
import { registerCuration } from './agent/curation.js';
import { registerMessagesTabOpened } from './agent/messages-tab.js';
import { registerOpenDashboard } from './agent/open-dashboard.js';

export function registerListeners(app: App, deps: SlackDeps): void {
  // Buttons in messages and in App Home.
  registerDecisionButtons(app, deps);
  registerLinkButtons(app);
  registerRejectReasonOpener(app, deps);
  registerKnowledgeEditOpener(app, deps);
  registerOrientationDone(app, deps);
  registerPlanEditOpener(app, deps);
  // Slack's agent surface: feedback on answers, sign-in to the dashboard, a curator's review from their DM.
  registerAnswerFeedback(app, deps);
  registerOpenDashboard(app, deps);
  registerCuration(app, deps);
  // Modals.
  registerRejectReasonSubmission(app, deps);
  registerKnowledgeEditSubmission(app, deps);
  registerPlanEditSubmission(app, deps);
  // Events.
  registerAppHomeOpened(app, deps);
  registerMessagesTabOpened(app, deps);
  registerMessage(app, deps);
  registerAppMention(app, deps);
  // The slash command.
  registerSitroomCommand(app, deps);
  registerUnknownButtons(app, deps);
}
