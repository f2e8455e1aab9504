// The worker and the Slack app each sync the repository's pattern library when they start. Started together
// against one PostgreSQL database (two pods, or `sitroom worker` and `sitroom slack` side by side), both find
// an entry missing and both add it: the second must take the first's row, not exit on the unique key.
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, exampleTargetRepo } from '../../src/config/load.js';
import { openStore, type OpenStore } from '../../src/db/client.js';
import { curatorsFromConfig } from '../../src/knowledge/access.js';
import { loadPatternFiles } from '../../src/knowledge/patterns.js';
import { KnowledgeStore } from '../../src/knowledge/store.js';
import { createDatabase } from '../support/db.js';
import { needsPostgres } from '../support/postgres.js';

const pg = needsPostgres();
const stores: OpenStore[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
});

describe('two processes sync the pattern library into one empty database at once', () => {
  it('both finish, every entry is stored once, and together they report each entry added exactly once', async () => {
    const url = await createDatabase(pg.adminUrl(), 'sr_knowledge_race');
    const curators = curatorsFromConfig(loadConfig(exampleTargetRepo));
    const patterns = loadPatternFiles(exampleTargetRepo);
    // Two connections, as two processes have; the first migrates, so the race is on the rows alone.
    stores.push(await openStore({ url }));
    stores.push(await openStore({ url }));
    const [a, b] = stores.map((s) => new KnowledgeStore(s.db, { curators }));
    const results = await Promise.all([a!.patterns.syncPatternLibrary(patterns), b!.patterns.syncPatternLibrary(patterns)]);
    const added = results.flatMap((r) => r.added).sort();
    expect(added).toEqual(patterns.map((p) => p.id).sort());
    const stored = await a!.patterns.listPatterns();
    expect(stored.map((p) => p.id).sort()).toEqual(patterns.map((p) => p.id).sort());
  });
});
