// sitroom ask "question" [--repo DIR] [--json]: an architecture question answered from the domain model
// (offline) or by Claude, with its citations.
import { UserError } from '../contracts/failures.js';
import { agentFromArgs, parseArgs } from '../agent/cli-args.js';
import { readEnvironment } from '../config/process-environment.js';

export async function run(args: string[]): Promise<number> {
  const { positional, flags } = parseArgs(args, ['repo']);
  const question = positional.join(' ').trim();
  if (!question) throw new UserError('usage: sitroom ask "question" [--repo DIR] [--json]', { field: 'question' });
  const { agent } = agentFromArgs(flags, readEnvironment());
  const r = await agent.answer({ question });
  if (flags.has('json')) console.log(JSON.stringify(r, null, 2));
  else {
    console.log(r.text);
    if (r.citations.length) console.log(`\nSources:\n${r.citations.map((c) => `  - ${c.node}${c.ref ? `  ${c.ref}` : ''}`).join('\n')}`);
  }
  // 3: the domain model has no answer (whatever team knowledge was shown beside it), so a script can tell.
  return r.kind === 'needs-model' || (r.needsModel && r.citations.length === 0) ? 3 : 0;
}
