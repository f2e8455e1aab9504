// `sitroom config check [--repo DIR]`: validates .rh-agentic/ and prints every problem with file, line and field.
import { parseArgs } from 'node:util';
import { loadConfig, targetRepoFromEnv } from '../config/load.js';
import { UserError } from '../errors.js';

export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { repo: { type: 'string' } } });
  if (positionals[0] !== 'check') throw new UserError('usage: sitroom config check [--repo DIR]');
  const repo = values.repo ?? targetRepoFromEnv();
  const config = loadConfig(repo);
  console.log(`${repo}/.rh-agentic: team "${config.team.team}" with ${config.roles.size} developers (${[...config.roles.keys()].join(', ')}) — valid`);
  return 0;
}
