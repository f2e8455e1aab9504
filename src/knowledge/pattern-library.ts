// Tier 1, the pattern library as the store holds it: mirrored from the target repository's
// .rh-agentic/patterns/ (the reviewed source of truth) and checked for references that no longer resolve.
// Entries change otherwise only through a curator's review (src/knowledge/proposal-queue.ts).
import type { Database } from '../db/client.js';
import {
  allPatternRows,
  insertPatternIfAbsent,
  patternRow,
  patternRows,
  patternVersionRows,
  recordPatternVersion,
  updatePattern,
  type PatternRow,
} from '../db/knowledge-patterns.js';
import type { Applicability, LoadedPattern, PatternFile, PatternState } from './patterns.js';
import { checkStaleness, type RefResolver } from './staleness.js';

export interface Pattern extends PatternFile {
  origin: 'repository' | 'proposal' | 'promotion';
  sourcePath: string | null;
  staleRefs: string[];
  checkedAt: Date | null;
  updatedAt: Date;
}

export function toPattern(r: PatternRow): Pattern {
  return {
    id: r.id,
    title: r.title,
    body: r.body,
    applicability: r.applicability as Applicability,
    references: r.references as string[],
    topics: r.topics as string[],
    state: r.state as PatternState,
    version: r.version,
    ...(r.reviewer ? { reviewer: r.reviewer } : {}),
    origin: r.origin as Pattern['origin'],
    sourcePath: r.sourcePath,
    staleRefs: r.staleRefs as string[],
    checkedAt: r.checkedAt,
    updatedAt: r.updatedAt,
  };
}

/** jsonb does not keep key order, so compare with keys sorted. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
const sameJson = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

export class PatternLibrary {
  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
  ) {}

  /**
   * Mirrors .rh-agentic/patterns/ into the store. The repository is the reviewed source of truth for the
   * entries it holds; an entry approved here but not yet written back (a higher version) is kept; an entry
   * that came from the repository and is no longer there was deleted by a reviewed change and is retired.
   */
  async syncPatternLibrary(files: readonly LoadedPattern[]): Promise<{ added: string[]; updated: string[]; retired: string[]; unchanged: string[] }> {
    const result = { added: [] as string[], updated: [] as string[], retired: [] as string[], unchanged: [] as string[] };
    const existing = new Map((await allPatternRows(this.db)).map((r) => [r.id, r]));
    for (const file of files) {
      const row = existing.get(file.id);
      if (row && row.version > file.version) {
        result.unchanged.push(file.id);
        continue;
      }
      const values = {
        title: file.title,
        body: file.body,
        applicability: file.applicability,
        references: file.references,
        topics: file.topics,
        state: file.state,
        version: file.version,
        reviewer: file.reviewer ?? null,
        origin: row?.origin ?? 'repository',
        sourcePath: file.sourcePath,
        updatedAt: this.now(),
      };
      if (!row) {
        // Another process syncing the same files at the same moment may have added it first: the same entry.
        if (await insertPatternIfAbsent(this.db, file.id, values)) result.added.push(file.id);
        else result.unchanged.push(file.id);
      } else if (
        row.version === file.version &&
        row.state === file.state &&
        row.body === file.body &&
        row.title === file.title &&
        sameJson(row.applicability, file.applicability) &&
        sameJson(row.references, file.references) &&
        sameJson(row.topics, file.topics)
      ) {
        if (row.sourcePath !== file.sourcePath) await updatePattern(this.db, file.id, { sourcePath: file.sourcePath });
        result.unchanged.push(file.id);
        continue;
      } else {
        await updatePattern(this.db, file.id, values);
        result.updated.push(file.id);
      }
      await recordPatternVersion(this.db, file.id, file, this.now());
    }
    const present = new Set(files.map((f) => f.id));
    for (const row of existing.values()) {
      if (row.origin === 'repository' && row.sourcePath && !present.has(row.id) && row.state !== 'retired') {
        await updatePattern(this.db, row.id, { state: 'retired', updatedAt: this.now() });
        result.retired.push(row.id);
      }
    }
    return result;
  }

  async getPattern(id: string): Promise<Pattern | undefined> {
    const row = await patternRow(this.db, id);
    return row ? toPattern(row) : undefined;
  }

  async listPatterns(state?: PatternState): Promise<Pattern[]> {
    return (await patternRows(this.db, state)).map(toPattern);
  }

  async patternHistory(id: string): Promise<Array<{ version: number; state: string; reviewer: string | null; recordedAt: Date }>> {
    const rows = await patternVersionRows(this.db, id);
    return rows.map((r) => ({ version: r.version, state: r.state, reviewer: r.reviewer, recordedAt: r.recordedAt }));
  }

  /** Flags approved entries whose references no longer resolve; clears the flag when they do again. */
  async checkStaleness(resolve: RefResolver): Promise<Array<{ id: string; missing: string[] }>> {
    const stale: Array<{ id: string; missing: string[] }> = [];
    for (const p of await this.listPatterns('approved')) {
      const report = checkStaleness({ references: p.references, files: p.applicability.files }, resolve);
      await updatePattern(this.db, p.id, { staleRefs: report.missing, checkedAt: this.now() });
      if (report.stale) stale.push({ id: p.id, missing: report.missing });
    }
    return stale;
  }
}
