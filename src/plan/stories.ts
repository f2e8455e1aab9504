// How a ticket's place in team.yaml's `sdlc.hierarchy` shapes a plan. The last two levels are the ones a
// work item runs: the second-to-last (in OpenShift's Jira, the Epic in HOSTEDCP/OCPBUGS under an OCPSTRAT
// Feature) is a work item, and its children at the last level (Stories, whose `parent` is the epic) are what
// its phases deliver. A ticket at the last level is a work item of one story: every phase delivers it.
// Levels above (RFE, Feature) are planned from their text alone: they span several epics and teams.
// Pure: the issue tracker is read by the caller.
import type { Plan, PlannedPhase } from './schema.js';

export type TicketScope =
  { kind: 'work-item'; key: string; stories: Array<{ key: string; summary: string }> } | { kind: 'story'; key: string } | { kind: 'other'; key: string };

/** Where an issue of this type sits: Jira's type names are matched to the hierarchy's levels case-insensitively. */
export function scopeOf(
  hierarchy: readonly string[],
  issue: { key: string; issueType: string },
  children: ReadonlyArray<{ key: string; summary: string; issueType: string }> = [],
): TicketScope {
  const level = hierarchy.findIndex((h) => h.toLowerCase() === issue.issueType.toLowerCase());
  const last = hierarchy.length - 1;
  if (level === last) return { kind: 'story', key: issue.key };
  if (level >= 0 && level === last - 1) {
    const storyLevel = hierarchy[last]!.toLowerCase();
    return {
      kind: 'work-item',
      key: issue.key,
      stories: children.filter((c) => c.issueType.toLowerCase() === storyLevel).map((c) => ({ key: c.key, summary: c.summary })),
    };
  }
  return { kind: 'other', key: issue.key };
}

/** Whether the children of this ticket are worth reading (it sits at the work-item level). */
export function hasStoryChildren(hierarchy: readonly string[], issueType: string): boolean {
  return hierarchy.findIndex((h) => h.toLowerCase() === issueType.toLowerCase()) === hierarchy.length - 2;
}

/** The lines RH-A reads with the intention, so the phases it drafts follow the stories. */
export function scopeForPlanner(scope: TicketScope): string {
  if (scope.kind === 'story') return `${scope.key} is a story: plan it as one reviewable change.`;
  if (scope.kind !== 'work-item' || scope.stories.length === 0) return '';
  return [`The stories of ${scope.key} (one phase each, in this order, where they fit):`, ...scope.stories.map((s) => `- ${s.key}: ${s.summary}`)].join('\n');
}

/**
 * The plan with each phase's story set: a story the planner already named (one of the epic's) stays; the
 * remaining stories go, in the epic's rank order, to the phases without one in merge order. Stories left over
 * (more stories than phases) are listed in the summary, for the owner to see at the plan gate.
 */
export function attachStories(plan: Plan, scope: TicketScope): Plan {
  if (scope.kind === 'story') return { ...plan, phases: plan.phases.map((p) => ({ ...p, story: scope.key })) };
  if (scope.kind !== 'work-item' || scope.stories.length === 0) return plan;
  const known = new Set(scope.stories.map((s) => s.key));
  // A story the planner named that is not one of the epic's is dropped: a phase delivers only its own epic's stories.
  const phases: PlannedPhase[] = plan.phases.map((p) => {
    const { story, ...rest } = p;
    return story && known.has(story) ? { ...rest, story } : rest;
  });
  const taken = new Set(phases.flatMap((p) => (p.story ? [p.story] : [])));
  const free = scope.stories.filter((s) => !taken.has(s.key));
  const byMergeOrder = phases.map((p, i) => ({ p, i })).sort((a, b) => a.p.mergeOrder - b.p.mergeOrder || a.i - b.i);
  for (const { p } of byMergeOrder) {
    if (p.story) continue;
    const next = free.shift();
    if (!next) break;
    p.story = next.key;
  }
  const summary = free.length
    ? `${plan.summary}${plan.summary ? '\n' : ''}Stories of ${scope.key} no phase delivers yet: ${free.map((s) => s.key).join(', ')}.`
    : plan.summary;
  return { ...plan, summary, phases };
}
