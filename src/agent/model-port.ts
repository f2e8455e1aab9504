// What the agent needs from the domain model and the knowledge tiers, as small ports. The engine in
// src/domain/ implements the model port (src/agent/domain-port.ts); the pattern library feeds the knowledge
// port (src/agent/knowledge.ts).

/** A pointer into the model (node id) and, where the model has one, the real file it stands for. */
export interface ModelCitation {
  node: string;
  ref?: string;
}

export interface ModelAnswer {
  text: string;
  citations: ModelCitation[];
  /** what kind of answer the model gave (path, impact, lifecycle, platform, explain, new-platform-checklist), or needs-model */
  kind?: string;
}

export interface ModelFinding {
  rule: string;
  file: string;
  line?: number;
  message: string;
  insteadDo?: string;
}

export interface DomainModelPort {
  /** Stable text for the cached part of a prompt: changes only when the model files change. */
  summary(): string;
  /** An answer with citations when the model can answer the question, otherwise undefined. */
  answer(question: string): ModelAnswer | undefined;
  /** Boundary and convention findings on the added lines of a unified diff. */
  checkDiff(diff: string): ModelFinding[];
  /** The model node that owns a repository path, when one does. */
  componentFor(path: string): string | undefined;
  /** Platforms the text names, each with a short primer from the platform matrix (engine only). */
  platformsIn?(text: string): Array<{ id: string; primer: string }>;
}

const stop = new Set([
  'the',
  'a',
  'an',
  'of',
  'to',
  'from',
  'and',
  'or',
  'is',
  'are',
  'what',
  'which',
  'who',
  'how',
  'me',
  'show',
  'in',
  'on',
  'for',
  'does',
  'do',
  'it',
  'with',
]);
export function tokenize(s: string): Set<string> {
  return new Set(
    s
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((w) => w.length > 2 && !stop.has(w)),
  );
}
export function overlap(a: Set<string>, b: Set<string>): number {
  let n = 0;
  for (const w of a) if (b.has(w)) n++;
  return n;
}
// ---------------------------------------------------------------------------------------------------
// Knowledge the agent may look up: the pattern library (tier 1) first, then whatever else is injected.

export interface KnowledgeHit {
  id: string;
  title: string;
  body: string;
  source: string;
  /** Files (globs) and model components the entry applies to, when the entry says. */
  files?: string[];
  components?: string[];
  /**
   * Learned since the repository's pattern files were written: approved by a curator from a proposal or a
   * promotion. The offline recipes were written from the repository's files, so only these are news to them.
   */
  learned?: boolean;
}

export interface KnowledgePort {
  lookup(query: string, limit?: number): KnowledgeHit[];
  /** Every entry (for matching by files rather than words); optional for ports that only search. */
  entries?(): readonly KnowledgeHit[];
}

/**
 * A knowledge port whose entries are replaced while the agent runs: the composition root refreshes it from
 * the knowledge store before each step, so an entry a curator approved reaches the next step at once.
 */
export interface LiveKnowledge extends KnowledgePort {
  replace(entries: readonly KnowledgeHit[]): void;
}

export function liveKnowledge(initial: readonly KnowledgeHit[]): LiveKnowledge {
  let current = [...initial];
  let search = staticKnowledge(current);
  return {
    lookup: (query, limit) => search.lookup(query, limit),
    entries: () => current,
    replace(entries) {
      current = [...entries];
      search = staticKnowledge(current);
    },
  };
}

/** Ranks entries by word overlap with the query; curated patterns are the only source offline. */
export function staticKnowledge(entries: KnowledgeHit[]): KnowledgePort {
  return {
    entries: () => entries,
    lookup(query, limit = 3) {
      const words = tokenize(query);
      return entries
        .map((e) => ({ e, score: overlap(words, tokenize(`${e.id} ${e.title} ${e.body}`)) }))
        .filter((s) => s.score > 0)
        .sort((a, b) => b.score - a.score)
        .slice(0, limit)
        .map((s) => s.e);
    },
  };
}
