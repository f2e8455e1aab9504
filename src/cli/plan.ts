// sitroom plan <WORK-ITEM-KEY> --intent "…" [--repo DIR] [--json]: a phase-gated plan, validated against
// the plan schema, the tree and the team's command allow-list.
import { UserError } from '../contracts/failures.js';
import { workItemKeyPattern } from '../plan/schema.js';
import { agentFromArgs, parseArgs } from '../agent/cli-args.js';
import { readEnvironment } from '../config/process-environment.js';

export async function run(args: string[]): Promise<number> {
  const { positional, flags } = parseArgs(args, ['intent', 'repo']);
  const key = positional[0];
  const intent = flags.get('intent');
  if (!key || typeof intent !== 'string' || !intent.trim())
    throw new UserError('usage: sitroom plan <KEY> --intent "…" [--repo DIR] [--json]', { field: key ? 'intent' : 'key' });
  if (!workItemKeyPattern.test(key)) throw new UserError(`work item key "${key}" must be a Jira key like "HOSTEDCP-2101"`, { field: 'key' });
  const { agent } = agentFromArgs(flags, readEnvironment());
  const r = await agent.plan({ workItemKey: key, intention: intent.trim() });
  if (flags.has('json')) {
    console.log(JSON.stringify(r.plan ?? { error: r.message }, null, 2));
  } else {
    console.log(r.message);
    for (const p of r.plan?.phases ?? []) {
      console.log(`\n${p.mergeOrder}. ${p.id}: ${p.title}  [${p.activity}]${p.dependsOn.length ? `  after ${p.dependsOn.join(', ')}` : ''}`);
      for (const f of p.files) console.log(`     file        ${f}`);
      for (const c of p.constraints) console.log(`     constraint  ${c}`);
      for (const v of p.validation) console.log(`     validate    ${v.command}  (${v.why})`);
    }
    for (const w of r.warnings) console.log(`warning: ${w}`);
  }
  return r.plan ? 0 : r.needsModel ? 3 : 1;
}
