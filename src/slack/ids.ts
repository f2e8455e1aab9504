// The one place Slack action ids, callback ids and block ids live. Listeners match on these, renderers emit
// them; a typo would silently drop taps, so nothing else spells them out.
import type { DecisionKind } from '../orchestrator/port.js';

const prefix = 'sitroom';

/**
 * Buttons that decide directly. The kind (and, for multi-option decisions, the option) is part of the id
 * because action ids must be unique within an actions block.
 */
export function decisionActionId(kind: DecisionKind, option?: string): string {
  return option ? `${prefix}:decide:${kind}:${option}` : `${prefix}:decide:${kind}`;
}
export const decisionActionPattern = /^sitroom:decide:/;

export const ActionIds = {
  /** Opens the "reject with reason" modal for a gate. */
  openRejectReason: `${prefix}:open:reject-reason`,
  /** Opens the "edit first" modal for a knowledge proposal. */
  openKnowledgeEdit: `${prefix}:open:knowledge-edit`,
  /** Opens the plan edit modal from a plan gate. */
  openPlanEdit: `${prefix}:open:plan-edit`,
  /** On the orientation in a new developer's briefing: records it finished and offers a starter task. */
  orientationDone: `${prefix}:onboarding:orientation-done`,
  /** Link buttons: Slack still sends block_actions for them, which we acknowledge and ignore. */
  link: `${prefix}:link`,
  /** Feedback buttons (thumbs up/down) under an answer: recorded for calibration. */
  answerFeedback: `${prefix}:feedback:answer`,
  /** "Open dashboard": mints a short-lived sign-in link for the person who tapped it. */
  openDashboard: `${prefix}:dashboard:open`,
  /** A curator's review of a knowledge proposal, in their DM. */
  curateApprove: `${prefix}:curate:approve`,
  curateReject: `${prefix}:curate:reject`,
  curateEdit: `${prefix}:curate:edit`,
} as const;
export const linkActionPattern = /^sitroom:link/;

export const CallbackIds = {
  rejectReasonModal: `${prefix}:modal:reject-reason`,
  knowledgeEditModal: `${prefix}:modal:knowledge-edit`,
  planEditModal: `${prefix}:modal:plan-edit`,
  curateEditModal: `${prefix}:modal:curate-edit`,
  home: `${prefix}:home`,
} as const;

/** Block and action ids of modal inputs; view_submission state is keyed by these. */
export const InputIds = {
  reasonBlock: 'reason',
  reasonAction: 'reason_input',
  knowledgeTitleBlock: 'knowledge_title',
  knowledgeTitleAction: 'knowledge_title_input',
  knowledgeBodyBlock: 'knowledge_body',
  knowledgeBodyAction: 'knowledge_body_input',
  /** The plan edit modal: one title, files and dependencies block per phase (prefix + phase index), and the note. */
  planPhaseTitlePrefix: 'plan_phase_title_',
  planPhaseFilesPrefix: 'plan_phase_files_',
  planPhaseDependsPrefix: 'plan_phase_depends_',
  planNoteBlock: 'plan_note',
  planNoteAction: 'plan_note_input',
  /** The curator's edit of a proposal before approving it. */
  curateTitleBlock: 'curate_title',
  curateTitleAction: 'curate_title_input',
  curateBodyBlock: 'curate_body',
  curateBodyAction: 'curate_body_input',
} as const;

export const slashCommand = '/sitroom';
