// The rooms of src/ and workflows/ and the floor each stands on, shared by the floors test and the test that
// holds docs/architecture.md to the same floors.
import { relative } from 'node:path';
import { root } from './graph.js';

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

/** The room a file of src/ or workflows/ belongs to. */
export function roomOf(file: string): string {
  const [top, name, rest] = relative(root, file).split('/');
  if (top === 'workflows') return 'workflows';
  return rest === undefined ? name!.replace(/\.ts$/, '') : name!;
}

/** The floor of each room, 0 the lowest. */
export const floorOf = new Map(floors.flatMap((rooms, level) => rooms.map((room) => [room, level] as const)));
