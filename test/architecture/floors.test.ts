// The rooms stand on floors: a file may import its own floor and the floors below, never one above. An
// import from a lower floor up means a shared thing lives in the wrong room (usually a type that belongs in
// src/contracts). The few left are listed below, each with why; adding one fails this test, and so does
// removing one without shortening the list. docs/architecture.md draws the same floors.
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectImports, root, sourceFiles } from './graph.js';

/** Lowest first. A room is a folder of src/ (or a file at its top), or workflows/. */
export const floors: ReadonlyArray<readonly string[]> = [
  ['contracts'],
  ['paths', 'fs', 'yaml', 'observability'],
  ['domain', 'config', 'plan'],
  ['db'],
  ['knowledge', 'confidence', 'agent', 'integrations', 'notifications'],
  ['activities', 'briefing', 'workflows'],
  ['orchestrator', 'temporal'],
  ['slack', 'http', 'local-slack', 'eval'],
  ['main', 'cli'],
];

/** The imports that still run up a floor, as "from -> to", and why each stays for now. */
const upwardImports: Record<string, string> = {
  'src/db/calibration.ts -> src/confidence/calibration.ts':
    'the calibration repository returns the table confidence computes from stored grades; confidence owns the grading rules',
  'src/db/calibration.ts -> src/confidence/model.ts': 'the grades stored per merged change are confidence\'s own types',
  'src/knowledge/decisions.ts -> src/orchestrator/port.ts':
    "a knowledge proposal's answer arrives as the port's DecisionRequest, whose kinds and modes are not contracts yet",
};

export function roomOf(file: string): string {
  const [top, name, rest] = relative(root, file).split('/');
  if (top === 'workflows') return 'workflows';
  return rest === undefined ? name!.replace(/\.ts$/, '') : name!;
}

const floorOf = new Map(floors.flatMap((rooms, level) => rooms.map((room) => [room, level] as const)));

describe('floors', () => {
  const files = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'workflows'))];

  it('place every room', () => {
    const unplaced = [...new Set(files.map(roomOf))].filter((room) => !floorOf.has(room));
    expect(unplaced, 'a new room needs a floor here and in docs/architecture.md').toEqual([]);
  });

  it('are climbed only by the listed imports', () => {
    const upward: string[] = [];
    for (const file of files) {
      for (const target of projectImports(file)) {
        const from = floorOf.get(roomOf(file));
        const to = floorOf.get(roomOf(target));
        if (from !== undefined && to !== undefined && to > from) upward.push(`${relative(root, file)} -> ${relative(root, target)}`);
      }
    }
    expect(upward.sort()).toEqual(Object.keys(upwardImports).sort());
    expect(upward.length).toBeLessThanOrEqual(3);
  });

  it('catch an import up a floor', () => {
    // Guards the check itself: a database file reaching a surface is above its floor.
    const db = floorOf.get(roomOf(join(root, 'src/db/client.ts')))!;
    const slack = floorOf.get(roomOf(join(root, 'src/slack/app.ts')))!;
    expect(slack).toBeGreaterThan(db);
    expect(roomOf(join(root, 'src/cli.ts'))).toBe('cli');
    expect(roomOf(join(root, 'workflows/work-item/run.ts'))).toBe('workflows');
  });
});
