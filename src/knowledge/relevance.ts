// Which knowledge applies to a piece of work, and in what order. Pure. Every item keeps its tier so the
// surfaces can say where a statement comes from, and curated policy (tier 1) outranks learned experience
// (tier 2) and personal notes (tier 3) whenever they speak about the same topic.
import type { Applicability } from './patterns.js';
import { matchGlob } from '../domain/glob.js';

export type Tier = 1 | 2 | 3;

export const tierLabels: Record<Tier, string> = {
  1: 'pattern library (curated)',
  2: 'experience log (learned)',
  3: 'personal memory',
};

export interface KnowledgeItem {
  tier: Tier;
  /** Stable id: the pattern id, or "<kind>:<key>" for experience, or "memory:<developer>". */
  id: string;
  title: string;
  body: string;
  applicability: Applicability;
  /**
   * What the item is about, for disagreement detection: two items that share a topic speak about the same
   * thing (e.g. "ci:TestNodePoolAutoRepair", "conditions:reason-naming").
   */
  topics: string[];
  /** Where a person can check it: the YAML file, the CI test, the work item. */
  source: string;
  stale?: boolean;
}

export interface KnowledgeQuery {
  files?: readonly string[];
  components?: readonly string[];
  platforms?: readonly string[];
}

export interface RankedKnowledge extends KnowledgeItem {
  tierLabel: string;
  score: number;
  /** Why it matched, e.g. "file hypershift-operator/controllers/nodepool/conditions.go matches hypershift-operator/controllers/nodepool/*.go". */
  matchedBecause: string[];
  /** Set on a lower-tier item when a curated entry speaks about the same topic: the curated one wins. */
  outrankedBy?: string;
}

/** Glob semantics are the domain model's (`*` within a segment, `**` across, trailing `/` = anything under). */
export function matchesGlob(file: string, glob: string): boolean {
  return matchGlob(glob, file);
}

const tierWeight: Record<Tier, number> = { 1: 300, 2: 200, 3: 100 };
const sameText = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Score of one item for the query, or undefined when it does not apply. */
export function matchItem(item: KnowledgeItem, query: KnowledgeQuery): { score: number; because: string[] } | undefined {
  const because: string[] = [];
  let score = 0;
  for (const file of query.files ?? []) {
    const glob = item.applicability.files.find((g) => matchesGlob(file, g));
    if (glob) {
      score += 3;
      because.push(`file ${file} matches ${glob}`);
    }
  }
  for (const component of query.components ?? []) {
    if (item.applicability.components.some((c) => sameText(c, component))) {
      score += 2;
      because.push(`component ${component}`);
    }
  }
  if (score === 0) return undefined;
  const itemPlatforms = item.applicability.platforms;
  const queryPlatforms = query.platforms ?? [];
  if (itemPlatforms.length > 0 && queryPlatforms.length > 0) {
    const shared = queryPlatforms.filter((p) => itemPlatforms.some((q) => sameText(p, q)));
    if (shared.length === 0) return undefined;
    score += shared.length;
    because.push(`platform ${shared.join(', ')}`);
  }
  return { score, because };
}

/**
 * Ranks the items that apply: tier first (curated before learned before personal), then match strength.
 * Stale items sink within their tier and keep their flag so a surface can show them as "may be outdated".
 */
export function rankKnowledge(items: readonly KnowledgeItem[], query: KnowledgeQuery): RankedKnowledge[] {
  const matched: RankedKnowledge[] = [];
  for (const item of items) {
    const m = matchItem(item, query);
    if (!m) continue;
    matched.push({ ...item, tierLabel: tierLabels[item.tier], score: tierWeight[item.tier] + m.score - (item.stale ? 50 : 0), matchedBecause: m.because });
  }
  const curatedTopics = new Map<string, string>();
  for (const m of matched) if (m.tier === 1) for (const t of m.topics) if (!curatedTopics.has(t)) curatedTopics.set(t, m.id);
  for (const m of matched) {
    if (m.tier === 1) continue;
    const winner = m.topics.map((t) => curatedTopics.get(t)).find((w) => w !== undefined);
    if (winner) {
      m.outrankedBy = winner;
      m.score -= 100; // below every curated item, still above nothing: the surface shows both, curated first.
    }
  }
  return matched.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
}
