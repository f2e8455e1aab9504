// `sitroom knowledge <sync|stale|queue>`: the pattern library from a terminal.
//   sync                          mirror the target repository's .rh-agentic/patterns/ into the store
//   stale [--tree FILE|--repo DIR] flag approved entries whose files, lines or symbols no longer resolve
//                                 (the rules of `sitroom model verify`); exit 1 when any entry is stale
//   queue                         proposals waiting for a curator's review
// --json prints machine-readable output.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, targetRepoOf, type LoadedConfig } from '../config/load.js';
import { readEnvironment } from '../config/process-environment.js';
import { openStore, type OpenStore } from '../db/client.js';
import { loadDomainModel, loadTree, scanRepo, snapshotTreeFile } from '../domain/index.js';
import { UserError } from '../contracts/failures.js';
import { loadPatternFiles } from '../knowledge/patterns.js';
import { modelVerifyResolver, type RefResolver } from '../knowledge/staleness.js';
import { curatorsFromConfig } from '../knowledge/access.js';
import { KnowledgeStore } from '../knowledge/store.js';

const usage = `usage: sitroom knowledge <command> [--json]
  sync                              mirror .rh-agentic/patterns/ of the target repository (TARGET_REPO) into the store
  stale [--tree FILE | --repo DIR]  flag approved entries whose references no longer resolve; exit 1 when any are stale
  queue                             knowledge proposals waiting for a curator's review`;

export interface KnowledgeCliOptions {
  /** An open store (tests); otherwise DATABASE_URL or the embedded PGlite store. */
  store?: OpenStore;
  /** The team config; otherwise loaded from TARGET_REPO (or the shipped example). */
  config?: LoadedConfig;
  out?: (line: string) => void;
}

export async function run(args: string[], options: KnowledgeCliOptions = {}): Promise<number> {
  const out = options.out ?? ((line: string) => console.log(line));
  const [command, ...rest] = args;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    out(usage);
    return command ? 0 : 2;
  }
  if (!['sync', 'stale', 'queue'].includes(command)) throw new UserError(`knowledge: unknown command "${command}"\n${usage}`);
  let values: { json?: boolean; tree?: string; repo?: string };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { json: { type: 'boolean' }, tree: { type: 'string' }, repo: { type: 'string' } },
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UserError(`knowledge ${command}: ${(err as Error).message}\n${usage}`);
  }
  if (command !== 'stale' && (values.tree || values.repo)) throw new UserError(`knowledge ${command}: --tree and --repo apply to "stale" only`);
  if (values.tree && values.repo) throw new UserError('knowledge stale: pass either --tree FILE or --repo DIR, not both');

  const environment = readEnvironment();
  const config = options.config ?? loadConfig(targetRepoOf(environment.paths));
  // Resolve the tree before opening the store so a wrong path fails fast.
  const resolver = command === 'stale' ? staleResolver(values) : undefined;
  const store = options.store ?? (await openStore({ url: environment.database.url }));
  try {
    const knowledge = new KnowledgeStore(store.db, { curators: curatorsFromConfig(config) });
    switch (command) {
      case 'sync': {
        const patterns = loadPatternFiles(config.targetRepo, config.team.pattern_library);
        const result = await knowledge.patterns.syncPatternLibrary(patterns);
        if (values.json) out(JSON.stringify({ library: config.team.pattern_library, ...result }, null, 2));
        else {
          out(`knowledge sync: ${patterns.length} entr${patterns.length === 1 ? 'y' : 'ies'} in ${join(config.targetRepo, config.team.pattern_library)}`);
          for (const [label, ids] of [
            ['added', result.added],
            ['updated', result.updated],
            ['retired', result.retired],
          ] as const)
            if (ids.length) out(`  ${label}: ${ids.join(', ')}`);
          out(`  unchanged: ${result.unchanged.length}`);
        }
        return 0;
      }
      case 'stale': {
        const stale = await knowledge.patterns.checkStaleness(resolver!.resolve);
        if (values.json) out(JSON.stringify({ against: resolver!.label, stale }, null, 2));
        else if (stale.length === 0) out(`knowledge stale: every approved entry resolves against ${resolver!.label}`);
        else {
          out(`knowledge stale: ${stale.length} approved entr${stale.length === 1 ? 'y references' : 'ies reference'} things missing from ${resolver!.label}`);
          for (const s of stale) out(`  ${s.id}: ${s.missing.join(', ')}`);
          out('Propose a retirement or an updated version for review (dashboard, or the curator in Slack).');
        }
        return stale.length > 0 ? 1 : 0;
      }
      default: {
        const queue = await knowledge.proposals.reviewQueue();
        if (values.json) out(JSON.stringify(queue, null, 2));
        else if (queue.length === 0) out('knowledge queue: nothing waiting for review');
        else {
          out(`knowledge queue: ${queue.length} proposal${queue.length === 1 ? '' : 's'} waiting for a curator`);
          for (const p of queue) {
            const from =
              p.kind === 'promotion'
                ? `promotion of ${p.experienceKey}`
                : p.kind === 'retirement'
                  ? `retirement of ${p.patternId}`
                  : `from ${p.workItemKey ?? 'a work item'}${p.developerResponse === 'edit' ? ', edited by its developer' : ''}`;
            out(
              `  #${p.id} ${p.kind} "${p.draft.title}" (${p.draft.id}) proposed by ${p.developerId}, ${from}, since ${p.createdAt.toISOString().slice(0, 10)}`,
            );
          }
        }
        return 0;
      }
    }
  } finally {
    if (!options.store) await store.close();
  }
}

/** The rules of `sitroom model verify`: paths against the tree, lines and symbols against the pinned snapshot. */
function staleResolver(values: { tree?: string; repo?: string }): { resolve: RefResolver; label: string } {
  const pinned = loadDomainModel().snapshot;
  if (values.repo) {
    const scan = scanRepo(values.repo);
    return { resolve: modelVerifyResolver(scan.paths, pinned), label: `${values.repo} (${scan.paths.length} paths)` };
  }
  const tree = values.tree ?? snapshotTreeFile();
  const paths = loadTree(tree);
  return { resolve: modelVerifyResolver(paths, pinned), label: `${tree} (${paths.length} paths)` };
}
