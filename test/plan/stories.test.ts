import { describe, expect, it } from 'vitest';
import { attachStories, scopeOf } from '../../src/plan/stories.js';
import type { Plan } from '../../src/plan/schema.js';
import { conditionPhase } from '../support/plans.js';

const hierarchy = ['rfe', 'feature', 'epic', 'story'];
const plan = (stories: Array<string | undefined>, orders: number[]): Plan => ({
  workItemKey: 'HOSTEDCP-1',
  intention: 'x',
  summary: '',
  phases: orders.map((o, i) => ({ ...conditionPhase(`p${i}`, `Type${i}`, `Reason${i}`, 'api_changes', [], o), ...(stories[i] ? { story: stories[i] } : {}) })),
});
const epicScope = (keys: string[]) =>
  scopeOf(
    hierarchy,
    { key: 'HOSTEDCP-1', issueType: 'Epic' },
    keys.map((k) => ({ key: k, summary: k, issueType: 'Story' })),
  );

describe('stories onto phases', () => {
  it('places a ticket by its issue type: epic → work item with its stories, story → one story, feature → neither', () => {
    expect(epicScope(['S-1'])).toEqual({ kind: 'work-item', key: 'HOSTEDCP-1', stories: [{ key: 'S-1', summary: 'S-1' }] });
    expect(scopeOf(hierarchy, { key: 'S-1', issueType: 'STORY' })).toEqual({ kind: 'story', key: 'S-1' });
    expect(scopeOf(hierarchy, { key: 'F-1', issueType: 'Feature' })).toEqual({ kind: 'other', key: 'F-1' });
    // A Bug or Task under the epic is not a story of it.
    expect(scopeOf(hierarchy, { key: 'E-1', issueType: 'Epic' }, [{ key: 'B-1', summary: '', issueType: 'Bug' }])).toMatchObject({ stories: [] });
  });

  it('keeps the stories RH-A named, gives the rest to the other phases in merge order, and lists what is left over', () => {
    const attached = attachStories(plan([undefined, 'S-2', 'NOT-MINE'], [3, 2, 1]), epicScope(['S-1', 'S-2', 'S-3', 'S-4']));
    // p2 merges first and named a story of another epic: it gets S-1; p1 keeps S-2; p0 (merges last) gets S-3.
    expect(attached.phases.map((p) => p.story)).toEqual(['S-3', 'S-2', 'S-1']);
    expect(attached.summary).toBe('Stories of HOSTEDCP-1 no phase delivers yet: S-4.');
  });

  it('a story is delivered by every phase of its work item; other tickets leave the plan as drafted', () => {
    expect(attachStories(plan([], [1, 2]), { kind: 'story', key: 'S-9' }).phases.map((p) => p.story)).toEqual(['S-9', 'S-9']);
    const drafted = plan(['X-1'], [1]);
    expect(attachStories(drafted, { kind: 'other', key: 'F-1' })).toBe(drafted);
  });
});
