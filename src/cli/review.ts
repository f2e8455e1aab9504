// sitroom review --diff FILE [--repo DIR] [--json]: boundary rules, conventions and per-reconcile call
// costs on a unified diff (or a bare Go snippet), with the pattern to follow. Exit 1 on blockers.
import { readFileSync } from 'node:fs';
import { readRegularFile } from '../fs/confine.js';
import { UserError } from '../contracts/failures.js';
import { agentFromArgs, parseArgs } from '../agent/cli-args.js';
import { readEnvironment } from '../config/process-environment.js';

export async function run(args: string[]): Promise<number> {
  const { flags } = parseArgs(args, ['diff', 'repo']);
  const file = flags.get('diff');
  if (typeof file !== 'string') throw new UserError('usage: sitroom review --diff FILE [--repo DIR] [--json]   (FILE "-" reads stdin)', { field: 'diff' });
  const diff = file === '-' ? readFileSync(0, 'utf8') : readRegularFile(file);
  const { agent } = agentFromArgs(flags, readEnvironment());
  const r = await agent.review({ diff });
  console.log(flags.has('json') ? JSON.stringify(r.findings, null, 2) : r.summary);
  return r.findings.some((f) => f.severity === 'blocker') ? 1 : 0;
}
