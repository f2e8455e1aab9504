// What an agent step's heartbeat says it is doing, in the few words a person's status line shows while they
// wait ("is reading capi.go…"). Pure: the heartbeat details are the ones runLoop in claude.ts sends.
import { basename } from 'node:path';

const verbs: Record<string, (target: string | undefined) => string> = {
  read_file: (t) => (t ? `is reading ${basename(t)}…` : 'is reading the code…'),
  search_files: (t) => (t ? `is searching the tree for “${t}”…` : 'is searching the tree…'),
  query_domain_model: () => 'is asking the domain model…',
  lookup_knowledge: () => 'is looking up team knowledge…',
  check_diff: () => 'is checking the diff…',
  run_command: () => 'is running a check…',
};

/** A status line for a heartbeat detail, or undefined when the detail says nothing a person needs. */
export function describeProgress(detail: unknown): string | undefined {
  if (typeof detail !== 'object' || detail === null) return undefined;
  const { tool, target } = detail as { tool?: unknown; target?: unknown };
  if (typeof tool !== 'string') return undefined;
  return (verbs[tool] ?? (() => 'is thinking…'))(typeof target === 'string' ? target : undefined);
}
