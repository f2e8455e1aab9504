// The patch ledger (workflows/PATCHES.md) cannot drift from the code or from the committed histories: it
// lists exactly the ids the workflows call patched()/deprecatePatch() with, and what it says about each
// history (carries the patch's marker, or takes the branch from before it) is read back from the history.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/paths.js';
import { PATCH } from '../../workflows/patches.js';
import { historiesDir, loadHistory } from '../support/histories.js';

const workflowsDir = join(repoRoot, 'workflows');
const ledgerText = readFileSync(join(workflowsDir, 'PATCHES.md'), 'utf8');

interface LedgerRow {
  id: string;
  workflow: string;
  oldBranch: string[];
  markers: string[];
}

/** The rows of the ledger's table: | `id` | workflow | added in | old-branch histories | histories with the marker | */
function ledgerRows(): LedgerRow[] {
  const rows: LedgerRow[] = [];
  for (const line of ledgerText.split('\n')) {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const id = /^`([a-z0-9-]+)`$/.exec(cells[0] ?? '')?.[1];
    if (!id || cells.length !== 5) continue;
    const files = (cell: string) => [...cell.matchAll(/`([a-z0-9.-]+\.json)`/g)].map((m) => m[1]!);
    rows.push({ id, workflow: cells[1]!.replaceAll('`', ''), oldBranch: files(cells[3]!), markers: files(cells[4]!) });
  }
  return rows;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every patched()/deprecatePatch() call in workflows/, with the PATCH key it names (or its raw argument). */
function patchCalls(): { file: string; argument: string }[] {
  return sourceFiles(workflowsDir).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/\b(?:patched|deprecatePatch)\(\s*([^)\s][^)]*)\)/g)].map((m) => ({
      file: relative(repoRoot, file),
      argument: m[1]!.trim(),
    })),
  );
}

const histories = readdirSync(historiesDir)
  .filter((f) => f.endsWith('.json'))
  .sort();

/** The workflow type of each committed history and the patch ids its markers record. */
const recorded = new Map(
  histories.map((file) => {
    const { workflowType, history } = loadHistory(file);
    const patches = new Set<string>();
    for (const event of history.events) {
      const marker = event.markerRecordedEventAttributes;
      const data = marker?.markerName === 'core_patch' ? marker.details?.['patch-data']?.payloads?.[0]?.data : undefined;
      if (data) patches.add((JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id);
    }
    return [file, { workflowType, patches }] as const;
  }),
);

describe('patch ledger', () => {
  const rows = ledgerRows();
  const ledgerIds = rows.map((r) => r.id).sort();

  it('lists every id of workflows/patches.ts once, and nothing else', () => {
    expect(new Set(ledgerIds).size).toBe(ledgerIds.length);
    expect(ledgerIds).toEqual(Object.values(PATCH).sort());
  });

  it('explains each patch in its own section', () => {
    for (const id of ledgerIds) expect(ledgerText, `PATCHES.md has no section for ${id}`).toContain(`### \`${id}\``);
  });

  it('is what the workflows branch on: every call names a PATCH id, and every id is called', () => {
    const calls = patchCalls();
    const byName = new Map(Object.entries(PATCH));
    for (const call of calls) {
      const name = /^PATCH\.(\w+)$/.exec(call.argument)?.[1];
      expect(name !== undefined && byName.has(name), `${call.file}: patched(${call.argument}) must name an id from workflows/patches.ts`).toBe(true);
    }
    const called = new Set(calls.map((c) => byName.get(c.argument.replace('PATCH.', ''))));
    expect([...called].sort()).toEqual(ledgerIds);
  });

  it('names the histories that carry each marker, and only those', () => {
    for (const row of rows) {
      const carrying = [...recorded].filter(([, h]) => h.patches.has(row.id)).map(([file]) => file);
      expect(row.markers.sort(), `histories carrying the ${row.id} marker`).toEqual(carrying.sort());
    }
  });

  it('lists as old-branch histories only existing histories of its workflow that lack the marker', () => {
    for (const row of rows) {
      for (const file of row.oldBranch) {
        const history = recorded.get(file);
        expect(history, `${row.id}: ${file} is not in test/histories`).toBeDefined();
        expect(history!.workflowType, `${row.id}: ${file}`).toBe(row.workflow);
        expect(history!.patches.has(row.id), `${row.id}: ${file} carries the marker, so it is not on the old branch`).toBe(false);
      }
    }
  });

  it('covers every patch marker in the committed histories (a retired patch takes its histories with it)', () => {
    const known = new Set(ledgerIds);
    for (const [file, history] of recorded) {
      for (const id of history.patches) expect(known.has(id), `${file} records patch ${id}, which the ledger does not list`).toBe(true);
    }
  });
});
