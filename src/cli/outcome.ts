// `sitroom outcome <pr-url> revert|follow-up-bug|incident <reference> [--detail TEXT]`: what happened after a
// merge. Outcomes calibrate the confidence model: the dashboard shows, per level and grade, how often merged
// work needed a fix.
import { parseArgs } from 'node:util';
import { CalibrationStore } from '../db/calibration.js';
import { outcomeKinds, type OutcomeKind } from '../confidence/calibration.js';
import { readEnvironment } from '../config/process-environment.js';
import { openStore } from '../db/client.js';
import { UserError } from '../contracts/failures.js';

export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { detail: { type: 'string' } } });
  const [prUrl, kind, reference] = positionals;
  if (!prUrl || !kind || !reference) throw new UserError(`usage: sitroom outcome <pr-url> ${outcomeKinds.join('|')} <reference> [--detail TEXT]`);
  if (!(outcomeKinds as readonly string[]).includes(kind)) throw new UserError(`outcome kind "${kind}" is not one of ${outcomeKinds.join(', ')}`);
  const store = await openStore({ url: readEnvironment().database.url });
  try {
    await new CalibrationStore(store.db).recordOutcome({ prUrl, kind: kind as OutcomeKind, reference, ...(values.detail ? { detail: values.detail } : {}) });
  } catch (err) {
    throw new UserError((err as Error).message);
  } finally {
    await store.close();
  }
  console.log(`recorded ${kind} ${reference} against ${prUrl}`);
  return 0;
}
