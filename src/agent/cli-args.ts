// Shared set-up for the agent's scripting commands (sitroom ask, plan, review): config from TARGET_REPO
// or --repo, and the agent createAgent picks (Claude with ANTHROPIC_API_KEY, offline otherwise).
import { resolve } from 'node:path';
import type { Environment } from '../config/environment.js';
import { loadConfig, targetRepoOf } from '../config/load.js';
import { UserError } from '../contracts/failures.js';
import { createAgent, type Agent } from './steps.js';

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(args: string[], valueFlags: string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (valueFlags.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new UserError(`--${name} needs a value`, { field: name });
      flags.set(name, value);
    } else flags.set(name, true);
  }
  return { positional, flags };
}

export function agentFromArgs(flags: ParsedArgs['flags'], environment: Pick<Environment, 'paths' | 'anthropic'>): { agent: Agent; targetRepo: string } {
  const repo = flags.get('repo');
  const targetRepo = typeof repo === 'string' ? resolve(repo) : targetRepoOf(environment.paths);
  const { team } = loadConfig(targetRepo);
  return { agent: createAgent({ targetRepo, team, anthropic: environment.anthropic }), targetRepo };
}
