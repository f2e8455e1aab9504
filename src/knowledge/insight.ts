// Review insight from the domain model: which components a set of files belongs to and which OWNERS
// approvers cover them. Used for phase approvers, overlap detection and reviewer suggestions.
import { impactOf, loadDomainModel, loadOwnersIndex, suggestReviewers, type DomainModel, type OwnersIndex } from '../domain/index.js';

export interface DomainInsight {
  model: DomainModel;
  owners: OwnersIndex;
  impact(files: string[]): { components: string[]; approverHandles: string[]; reviewerHandles: string[] };
}

export function createDomainInsight(model: DomainModel = loadDomainModel(), owners: OwnersIndex = loadOwnersIndex()): DomainInsight {
  return {
    model,
    owners,
    impact(files) {
      if (files.length === 0) return { components: [], approverHandles: [], reviewerHandles: [] };
      const impact = impactOf(model, files);
      const reviewers = suggestReviewers(owners, files);
      return { components: impact.components.map((c) => c.id), approverHandles: reviewers.approvers, reviewerHandles: reviewers.reviewers };
    },
  };
}
