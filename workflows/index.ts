// The workflow bundle's entry point: every workflow type the worker registers.
export { workItemWorkflow } from './work-item.js';
export { phaseWorkflow } from './phase.js';
export { ciWatchWorkflow } from './ci-watch.js';
export { morningBriefingWorkflow } from './briefing.js';
export { pairSessionWorkflow } from './pair-session.js';
export { knowledgeStalenessWorkflow } from './knowledge-upkeep.js';
export { modelDriftWorkflow } from './model-drift.js';
export { askWorkflow } from './ask.js';
export { ciHistoryImportWorkflow } from './ci-history-import.js';
export { followUpBugsWorkflow } from './follow-up-bugs.js';
export { githubEventWorkflow } from './github-event.js';
