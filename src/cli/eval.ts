// sitroom eval plans --repo <checkout> --since <date> --until <date> [--cases FILE] [--write-cases FILE]
//   [--out DIR] [--offline] [--limit N]
// Scores RH-A's plans against a HyperShift checkout's history: one case per data-plane merge in the
// window, the PR title as the intention, the merged files as the answer key. Prints a table, writes
// plan-eval.svg and plan-eval.json. The offline planner runs unless ANTHROPIC_API_KEY is set (and
// --offline is absent); Claude's usage and cost are recorded per case.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from '../agent/cli-args.js';
import { createAgent } from '../agent/steps.js';
import { loadConfig } from '../config/load.js';
import { readEnvironment } from '../config/process-environment.js';
import { repoRoot } from '../paths.js';
import { loadDomainModel } from '../domain/index.js';
import { UserError } from '../contracts/failures.js';
import { buildCases, type CaseSet } from '../eval/cases.js';
import { renderSvg, renderTable } from '../eval/report.js';
import { evaluatePlans } from '../eval/run.js';

const usage =
  'usage: sitroom eval plans --repo <checkout> --since YYYY-MM-DD --until YYYY-MM-DD [--write-cases FILE] [--out DIR] [--offline] [--limit N]\n       sitroom eval plans --cases FILE [--out DIR] [--offline]';

/** Team settings (commands, allow-list) for a checkout that has no .rh-agentic/ of its own. */
const bundledTeamRepo = join(repoRoot, 'examples', 'target-repo');

export function readCaseSet(file: string): CaseSet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`${file}: cannot read the case set: ${(err as Error).message}`, { file });
  }
  const set = parsed as Partial<CaseSet>;
  if (set?.kind !== 'PlanEvalCases' || !Array.isArray(set.cases))
    throw new UserError(`${file}: not a case set (expected kind: PlanEvalCases with a cases array)`, { file, field: 'kind' });
  return set as CaseSet;
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'plans') throw new UserError(usage, { field: 'subcommand' });
  const { flags } = parseArgs(rest, ['repo', 'since', 'until', 'cases', 'write-cases', 'out', 'limit', 'team-repo']);
  const str = (k: string) => (typeof flags.get(k) === 'string' ? (flags.get(k) as string) : undefined);
  const model = loadDomainModel();

  let set: CaseSet;
  const casesFile = str('cases');
  const repo = str('repo');
  if (casesFile) set = readCaseSet(resolve(casesFile));
  else {
    const since = str('since');
    const until = str('until');
    if (!repo || !since || !until) throw new UserError(usage, { field: !repo ? 'repo' : !since ? 'since' : 'until' });
    const built = await buildCases(resolve(repo), model, { since, until });
    set = built.set;
    console.log(
      `${built.merges} pull-request merges in the window; ${set.cases.length} touched the data plane${built.sweeps.length ? `; ${built.sweeps.length} sweeps left out (${built.sweeps.map((n) => `#${n}`).join(', ')})` : ''}${built.unreadable.length ? `; ${built.unreadable.length} unreadable` : ''}`,
    );
    const writeTo = str('write-cases');
    if (writeTo) {
      writeFileSync(resolve(writeTo), JSON.stringify(set, null, 1) + '\n');
      console.log(`cases written to ${writeTo}`);
    }
  }
  const limit = str('limit');
  if (limit !== undefined && !/^\d+$/.test(limit)) throw new UserError(`--limit "${limit}" must be a whole number`, { field: 'limit' });
  const cases = limit ? set.cases.slice(0, Number(limit)) : set.cases;

  const teamRepo = resolve(str('team-repo') ?? bundledTeamRepo);
  const { team } = loadConfig(teamRepo);
  // The checkout is where plans are checked for file existence; the patterns and settings come from the team repo.
  const agent = createAgent({ targetRepo: repo ? resolve(repo) : teamRepo, team, anthropic: flags.has('offline') ? {} : readEnvironment().anthropic });
  const report = await evaluatePlans(agent, model, cases, { commands: team.codegen, since: set.since, until: set.until });

  console.log(renderTable(report));
  const out = resolve(str('out') ?? '.');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'plan-eval.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(out, 'plan-eval.svg'), renderSvg(report));
  console.log(`wrote ${join(out, 'plan-eval.json')} and ${join(out, 'plan-eval.svg')}`);
  return 0;
}
