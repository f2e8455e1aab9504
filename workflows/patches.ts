// Every patch id the workflows branch on, in one place. Why each exists, which committed histories still
// take its old branch and how it is retired is written in PATCHES.md beside this file; a test checks that
// the two agree and that every patched()/deprecatePatch() call in workflows/ names an id from here.
export const PATCH = {
  // workItemWorkflow
  phaseProgressInStore: 'phase-progress-in-store',
  mergeAudit: 'merge-audit',
  decisionsBySink: 'decisions-by-sink',
  pauseKeepsPlanGate: 'pause-keeps-plan-gate',
  gateDeadlinesOnMainLine: 'gate-deadlines-on-main-line',
  draftFailureReachesOwner: 'draft-failure-reaches-owner',
  planGatePhases: 'plan-gate-phases',
  overlapOnPlanChange: 'overlap-on-plan-change',
  ticketCommentOnResolve: 'ticket-comment-on-resolve',
  overlapAfterConfirmation: 'overlap-after-confirmation',
  confirmTimerOnMainLine: 'confirm-timer-on-main-line',
  // phaseWorkflow
  pairBranch: 'pair-branch',
  pairedFixRound: 'paired-fix-round',
  ciRetriesFromTeam: 'ci-retries-from-team',
  handbackFromCommits: 'handback-from-commits',
  overlapOnPush: 'overlap-on-push',
  ticketCommentOnPrReady: 'ticket-comment-on-pr-ready',
  divergedBranchWaits: 'diverged-branch-waits',
  pairInviteNamesFork: 'pair-invite-names-fork',
  // ciWatchWorkflow
  flakeDecisionsOnProwTerms: 'flake-decisions-on-prow-terms',
  ciWakeOnDelivery: 'ci-wake-on-delivery',
} as const;

export type PatchId = (typeof PATCH)[keyof typeof PATCH];
