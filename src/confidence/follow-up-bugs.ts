// Which Jira bugs count as a merge's follow-up bug: a Bug linked to the work item's ticket (or one of its
// stories) created after the merge and before the window closes. Pure; the reads are in
// src/main/follow-up-bugs.ts and the Schedule in workflows/follow-up-bugs.ts.

const dayMs = 86_400_000;

/** The merges whose window is still open at `now` (merged within the last `windowDays`). */
export function mergesInWindow<M extends { mergedAt: Date }>(merges: readonly M[], windowDays: number, now: Date): M[] {
  return merges.filter((m) => m.mergedAt.getTime() <= now.getTime() && now.getTime() - m.mergedAt.getTime() <= windowDays * dayMs);
}

/** True when a bug created at `created` falls in the window that opened with the merge. */
export function isFollowUpBug(bug: { issueType: string; created?: string }, mergedAt: Date, windowDays: number): boolean {
  if (bug.issueType.toLowerCase() !== 'bug' || !bug.created) return false;
  const at = Date.parse(bug.created);
  if (Number.isNaN(at)) return false;
  return at > mergedAt.getTime() && at <= mergedAt.getTime() + windowDays * dayMs;
}
