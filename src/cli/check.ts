// `sitroom check --diff FILE [--repo DIR]`: boundary rules and naming conventions on the added lines of a
// unified diff. Exit code 1 when anything is found, so it can gate a phase or a CI step.
import { parseArgs } from 'node:util';
import { UserError } from '../contracts/failures.js';
import { checkDiff, formatViolation, loadDomainModel, parseUnifiedDiff } from '../domain/index.js';
import { readRepoFiles, readTextFile } from '../domain/load.js';

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      diff: { type: 'string' },
      repo: { type: 'string' },
      models: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.diff) throw new UserError('check needs --diff FILE (a unified diff, e.g. git diff > change.diff)');
  const files = parseUnifiedDiff(readTextFile(values.diff), values.diff);
  const model = loadDomainModel(values.models);
  const fileContents = values.repo
    ? readRepoFiles(
        values.repo,
        files.flatMap((f) => (f.newPath ? [f.newPath] : [])),
      )
    : undefined;
  const res = checkDiff(model, files, fileContents ? { fileContents } : {});
  if (values.json) console.log(JSON.stringify(res, null, 2));
  else if (res.ok)
    console.log(
      [
        `check: ok (${res.filesChecked} Go file${res.filesChecked === 1 ? '' : 's'}, ${res.addedLines} added lines)`,
        ...res.praise.map((p) => `well done: ${p.message}`),
      ].join('\n'),
    );
  else
    console.log(
      [
        `check: ${res.violations.length} violation${res.violations.length === 1 ? '' : 's'}`,
        ...res.violations.map(formatViolation),
        ...res.praise.map((p) => `well done: ${p.message}`),
      ].join('\n'),
    );
  return res.ok ? 0 : 1;
}
