// The end of a new developer's orientation as every room sees it: the knowledge room chooses the offer, the
// Orchestrator port returns it, Slack renders it.

/** What a new developer gets when they finish the orientation: a real open work item, or why there is none. */
export interface StarterTaskOffer {
  developerId: string;
  /** When the orientation was first recorded as finished (ISO); a second tap keeps the first time. */
  orientationCompletedAt: string;
  chosen?: { workItemKey: string; title: string; ownerId: string; reasons: Array<{ criterion: string; why: string }> };
  /** Every open work item considered, best first, with the criteria it misses (empty for the chosen one). */
  considered: Array<{ workItemKey: string; title: string; met: number; missing: Array<{ criterion: string; why: string }> }>;
}
