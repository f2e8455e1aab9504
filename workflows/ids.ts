// Workflow ids come from business keys, never random values: the same work item, phase attempt or
// Slack thread always maps to the same workflow, which is what makes starts and updates idempotent.
export const workItemWorkflowId = (key: string) => `work-item:${key}`;
export const phaseWorkflowId = (key: string, phaseId: string, attempt: number) => `${workItemWorkflowId(key)}:phase:${phaseId}:${attempt}`;
export const pairSessionWorkflowId = (channel: string, threadTs: string) => `pair:${channel}:${threadTs}`;
export const briefingScheduleId = (developerId: string) => `briefing-${developerId}`;
export const knowledgeStalenessScheduleId = 'knowledge-staleness';
export const modelDriftScheduleId = 'model-drift';
/** The server appends the scheduled time to a scheduled run's id; a run started now (the CLI) appends its own. */
export const modelDriftWorkflowId = 'model-drift';
/**
 * A question asked in Slack: the asker and the event's idempotency key. The asker leads so the usage ledger
 * can sum one person's questions by prefix (src/activities/ask.ts questionUsagePrefix).
 */
export const askWorkflowId = (developerId: string, idempotencyKey: string) => `ask:${developerId}:${idempotencyKey}`;
export const ciHistoryImportScheduleId = 'ci-history-import';
export const ciHistoryImportWorkflowId = 'ci-history-import';
export const followUpBugsScheduleId = 'follow-up-bugs';
/** The server appends the scheduled time to a scheduled run's id. */
export const followUpBugsWorkflowId = 'follow-up-bugs';
/** A GitHub webhook delivery handled on the worker: GitHub's delivery id, so a redelivery finds the same run. */
export const githubEventWorkflowId = (deliveryId: string) => `github-event:${deliveryId}`;
