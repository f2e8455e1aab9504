// The team's knowledge as every surface (Slack, dashboard, CLI, activities) sees it: the three tiers and
// the proposal queue between them, each in its own module with its rules, and the one query that reads
// across the tiers (relevantKnowledge). The rows live in src/db.
import type { Database } from '../db/client.js';
import { memoryRow } from '../db/personal-memory.js';
import type { Curators } from './access.js';
import { ExperienceLog } from './experience.js';
import { PatternLibrary } from './pattern-library.js';
import { PersonalMemoryStore, toMemory } from './personal-memory.js';
import { ProposalQueue, type WriteBack } from './proposal-queue.js';
import { rankKnowledge, type KnowledgeItem, type KnowledgeQuery, type RankedKnowledge } from './relevance.js';

export interface KnowledgeStoreOptions {
  curators: Curators;
  /** Proposes each approved entry back to the target repository as a pull request. */
  writeBack?: WriteBack;
  now?: () => Date;
}

export class KnowledgeStore {
  /** Tier 1: the pattern library, mirrored from the target repository. */
  readonly patterns: PatternLibrary;
  /** Between the tiers: drafts, promotions and retirements waiting for a developer or a curator. */
  readonly proposals: ProposalQueue;
  /** Tier 2: experience written automatically (CI history, plan slips, ticket summaries). */
  readonly experience: ExperienceLog;
  /** Tier 3: personal memory, readable only by its developer. */
  readonly memory: PersonalMemoryStore;
  private readonly curators: Curators;

  constructor(
    private readonly db: Database,
    options: KnowledgeStoreOptions,
  ) {
    const now = options.now ?? (() => new Date());
    this.curators = options.curators;
    this.patterns = new PatternLibrary(db, now);
    this.proposals = new ProposalQueue(db, options.curators, now, options.writeBack);
    this.experience = new ExperienceLog(db, now);
    this.memory = new PersonalMemoryStore(db, now);
  }

  isCurator(developerId: string): boolean {
    return this.curators.isCurator(developerId);
  }

  /**
   * Knowledge from every tier that applies to the files/components/platforms, ranked with curated policy
   * first. Tier 3 is included only for the requesting developer's own memory (their learning platforms
   * and saved hypothesis), never someone else's.
   */
  async relevantKnowledge(query: KnowledgeQuery & { requesterId?: string; limit?: number }): Promise<RankedKnowledge[]> {
    const items: KnowledgeItem[] = [];
    for (const p of await this.patterns.listPatterns('approved')) {
      items.push({
        tier: 1,
        id: p.id,
        title: p.title,
        body: p.body,
        applicability: p.applicability,
        topics: p.topics,
        source: p.sourcePath ?? `pattern ${p.id} v${p.version}`,
        stale: p.staleRefs.length > 0,
      });
    }
    for (const e of await this.experience.listExperience()) {
      items.push({
        tier: 2,
        id: e.key,
        title: e.title,
        body: e.body,
        applicability: e.applicability,
        topics: e.topics,
        source: e.kind === 'ci-test' ? `CI history of ${e.key.slice('ci-test:'.length)}` : e.key,
      });
    }
    if (query.requesterId) {
      const row = await memoryRow(this.db, query.requesterId);
      if (row?.hypothesis) {
        const memory = toMemory(row);
        items.push({
          tier: 3,
          id: `memory:${memory.developerId}`,
          title: 'Your saved hypothesis',
          body: memory.hypothesis!,
          // The saved hypothesis is about the developer's current work, so it accompanies whatever they look at.
          applicability: { components: [...(query.components ?? [])], files: [...(query.files ?? [])], platforms: [] },
          topics: [],
          source: 'your notes',
        });
      }
    }
    return rankKnowledge(items, query).slice(0, query.limit ?? 20);
  }
}
