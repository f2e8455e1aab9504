#!/usr/bin/env node
// `sitroom <command>`: one entry point for the processes (dev, worker, slack, migrate) and the
// scripting commands (model, check, ask, plan, review). Each command lives in src/cli/<name>.ts and
// exports run(args) returning the exit code.
import { isUserError } from './contracts/failures.js';

interface CommandModule {
  run(args: string[]): Promise<number>;
}

const commands: Record<string, { describe: string; load: () => Promise<CommandModule> }> = {
  dev: {
    describe: 'everything in one process on embedded defaults (PGlite, Temporal dev server, worker, Slack workspace, HTTP)',
    load: () => import('./cli/dev.js'),
  },
  worker: { describe: 'the Temporal worker (workflows and RH-A activities)', load: () => import('./cli/worker.js') },
  slack: { describe: 'the Slack app (HTTP receiver or Socket Mode) and the dashboard', load: () => import('./cli/slack.js') },
  migrate: { describe: 'apply SQL migrations to DATABASE_URL (or the embedded PGlite store)', load: () => import('./cli/migrate.js') },
  config: { describe: 'validate the target repository .rh-agentic/ config: config check [--repo DIR]', load: () => import('./cli/config.js') },
  doctor: {
    describe: 'check a deployment end to end (environment, Slack, Temporal, database, target checkout, GitHub, sandbox), each with its fix',
    load: () => import('./cli/doctor.js'),
  },
  model: { describe: 'query the domain model: path | impact | explain | verify | platform | drift', load: () => import('./cli/model.js') },
  check: { describe: 'boundary-rule and convention check on a unified diff: check --diff FILE', load: () => import('./cli/check.js') },
  ask: { describe: 'ask RH-A an architecture question: ask "…" [--json]', load: () => import('./cli/ask.js') },
  plan: { describe: 'draft a phase-gated plan: plan <KEY> --intent "…" [--json]', load: () => import('./cli/plan.js') },
  eval: { describe: 'score plans against history: eval plans --repo DIR --since DATE --until DATE', load: () => import('./cli/eval.js') },
  review: { describe: 'review a diff or snippet like a pair session: review --diff FILE|-', load: () => import('./cli/review.js') },
  outcome: { describe: 'record what happened after a merge: outcome <pr-url> revert|follow-up-bug|incident <ref>', load: () => import('./cli/outcome.js') },
  knowledge: { describe: 'the knowledge tiers: knowledge sync | stale | queue', load: () => import('./cli/knowledge.js') },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return ['usage: sitroom <command> [options]', '', ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.describe}`)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(usage());
    return 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`sitroom: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const mod = await command.load();
  return mod.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (isUserError(err)) {
      console.error(`error: ${err.message}`);
      process.exitCode = 1;
    } else {
      console.error(err);
      process.exitCode = 70;
    }
  },
);
