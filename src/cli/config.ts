// `sitroom config check [--repo DIR] [--process worker|slack|dev]`: validates .rh-agentic/ (every problem with
// file, line and field) and the environment (every problem as `VARIABLE: message`), for the process named.
import { parseArgs } from 'node:util';
import { formatProblem, type ProcessKind } from '../config/environment.js';
import { loadConfig, targetRepoOf, type LoadedConfig } from '../config/load.js';
import { checkEnvironment } from '../config/process-environment.js';
import { UserError } from '../contracts/failures.js';

const usage = 'usage: sitroom config check [--repo DIR] [--process worker|slack|dev]';
const processes: ProcessKind[] = ['worker', 'slack', 'dev'];

export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { repo: { type: 'string' }, process: { type: 'string' } } });
  if (positionals[0] !== 'check') throw new UserError(usage);
  if (values.process !== undefined && !(processes as string[]).includes(values.process))
    throw new UserError(`--process must be one of ${processes.join(', ')}\n${usage}`, { field: 'process' });
  const env = checkEnvironment({ process: (values.process as ProcessKind | undefined) ?? 'tool' });
  const repo = values.repo ?? targetRepoOf(env.ok ? env.environment.paths : env.paths);
  let config: LoadedConfig | undefined;
  try {
    config = loadConfig(repo);
  } catch (err) {
    // With a sound environment the file problems are the whole answer, reported as every other command does.
    if (env.ok || !(err instanceof UserError)) throw err;
    console.error(`error: ${(err as Error).message}`);
  }
  if (config)
    console.log(`${repo}/.rh-agentic: team "${config.team.team}" with ${config.roles.size} developers (${[...config.roles.keys()].join(', ')}) — valid`);
  if (!env.ok) {
    console.error(`environment${values.process ? ` of sitroom ${values.process}` : ''}: ${env.problems.length} problem${env.problems.length === 1 ? '' : 's'}`);
    for (const problem of env.problems) console.error(formatProblem(problem));
    return 1;
  }
  console.log(`environment${values.process ? ` of sitroom ${values.process}` : ''}: valid`);
  return 0;
}
