// Tier 3, personal memory: what each developer knows and is learning, where they left off, their working
// hypothesis, which concepts were explained to them, and their session notes. Private: only the developer
// reads or changes their own; every method takes the requesting developer's id and checks it.
import type { Database } from '../db/client.js';
import {
  countExplained,
  insertMemoryOnce,
  insertSessionNote,
  markOrientationCompleted,
  memoryRow,
  sessionNoteRows,
  updateMemoryRow,
  type MemoryRow,
} from '../db/personal-memory.js';
import { redactSecrets } from '../observability/logger.js';
import { KnowledgeAccessError } from './access.js';

export interface PersonalMemory {
  developerId: string;
  familiarPlatforms: string[];
  learningPlatforms: string[];
  explanationLevel: 'beginner' | 'intermediate' | 'expert';
  leftOff: string | null;
  hypothesis: string | null;
  conceptExposure: Record<string, number>;
  orientationCompletedAt: Date | null;
}

export function toMemory(r: MemoryRow): PersonalMemory {
  return {
    developerId: r.developerId,
    familiarPlatforms: r.familiarPlatforms as string[],
    learningPlatforms: r.learningPlatforms as string[],
    explanationLevel: r.explanationLevel as PersonalMemory['explanationLevel'],
    leftOff: r.leftOff,
    hypothesis: r.hypothesis,
    conceptExposure: r.conceptExposure as Record<string, number>,
    orientationCompletedAt: r.orientationCompletedAt,
  };
}

export class PersonalMemoryStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
  ) {}

  private assertSelf(requesterId: string, developerId: string): void {
    if (requesterId !== developerId) throw new KnowledgeAccessError(`personal memory of ${developerId} is private; ${requesterId} cannot read or change it`);
  }

  /** Creates the memory from the role file on first use; afterwards the stored memory wins. */
  async readMemory(
    requesterId: string,
    developerId: string,
    seed?: { familiar: string[]; learning: string[]; explanationLevel: PersonalMemory['explanationLevel'] },
  ): Promise<PersonalMemory> {
    this.assertSelf(requesterId, developerId);
    const row = await memoryRow(this.db, developerId);
    if (row) return toMemory(row);
    const values = {
      developerId,
      familiarPlatforms: seed?.familiar ?? [],
      learningPlatforms: seed?.learning ?? [],
      explanationLevel: seed?.explanationLevel ?? 'intermediate',
      updatedAt: this.now(),
    };
    const created = await insertMemoryOnce(this.db, values);
    if (created) return toMemory(created);
    return toMemory((await memoryRow(this.db, developerId))!);
  }

  async updateMemory(
    requesterId: string,
    developerId: string,
    patch: Partial<Pick<PersonalMemory, 'familiarPlatforms' | 'learningPlatforms' | 'explanationLevel' | 'leftOff' | 'hypothesis' | 'orientationCompletedAt'>>,
  ): Promise<PersonalMemory> {
    await this.readMemory(requesterId, developerId);
    const clean = {
      ...patch,
      ...(patch.leftOff ? { leftOff: redactSecrets(patch.leftOff) } : {}),
      ...(patch.hypothesis ? { hypothesis: redactSecrets(patch.hypothesis) } : {}),
    };
    await updateMemoryRow(this.db, developerId, { ...clean, updatedAt: this.now() });
    return this.readMemory(requesterId, developerId);
  }

  /** Counts how often each concept was explained to the developer; explanations get shorter as it grows. */
  async recordExplained(requesterId: string, developerId: string, concepts: readonly string[]): Promise<PersonalMemory> {
    await this.readMemory(requesterId, developerId);
    await countExplained(this.db, developerId, concepts, this.now());
    return this.readMemory(requesterId, developerId);
  }

  /**
   * The developer says the orientation is done. The first time is kept: a second tap (or a retry) does not
   * move it, so "orientation finished on …" stays true.
   */
  async completeOrientation(requesterId: string, developerId: string): Promise<{ memory: PersonalMemory; first: boolean }> {
    await this.readMemory(requesterId, developerId);
    const first = await markOrientationCompleted(this.db, developerId, this.now());
    return { memory: await this.readMemory(requesterId, developerId), first };
  }

  async addSessionNote(requesterId: string, developerId: string, note: { workItemKey?: string; summary: string }): Promise<void> {
    this.assertSelf(requesterId, developerId);
    await insertSessionNote(this.db, { developerId, workItemKey: note.workItemKey ?? null, summary: redactSecrets(note.summary), createdAt: this.now() });
  }

  async sessionNotes(requesterId: string, developerId: string, limit = 10): Promise<Array<{ workItemKey: string | null; summary: string; createdAt: Date }>> {
    this.assertSelf(requesterId, developerId);
    const rows = await sessionNoteRows(this.db, developerId, limit);
    return rows.map((r) => ({ workItemKey: r.workItemKey, summary: r.summary, createdAt: r.createdAt }));
  }
}
