// What one drift check of the domain model against the target's default branch found. Plain data: it travels
// from the activity through the workflow into the notification outbox unchanged.

export interface DriftedReference {
  /** model file, line and field that hold the reference */
  where: string;
  /** `path#Symbol`, or a path */
  ref: string;
  problem: 'symbol-moved' | 'symbol-missing' | 'file-gone';
  /** `path:line` or a path; absent when nothing plausible was found */
  likelyNewPlace?: string;
}

export interface ModelDriftReport {
  /** the fetched head of the target's default branch */
  commit: string;
  /** the last commit the model verified against (equal to `commit` on the first run) */
  baseline: string;
  /** sha-256 of the model files: a proposal is posted once per (commit, model digest) */
  modelDigest: string;
  /** false when the fetch failed and the last fetched state was checked */
  fetched: boolean;
  broken: DriftedReference[];
  /** roster developers to send the proposal to (approvers of domain-models/OWNERS and of the touched paths) */
  recipients: string[];
  /** owners named by OWNERS files who are not in the team roster, listed so they can be reached another way */
  ownersOutsideRoster: string[];
  /** where the target's owners came from */
  targetOwnersSource: 'target checkout' | 'pinned snapshot' | 'none';
}
