// `sitroom model <path|impact|explain|verify|platform>`: queries on the HyperShift data-plane domain model.
// Human-readable by default, --json for machines. Exit code 1 when verify finds drift.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readEnvironment } from '../config/process-environment.js';
import { UserError } from '../errors.js';
import {
  diffPaths,
  explain,
  findPath,
  formatVerifyIssue,
  impactOf,
  loadDomainModel,
  loadOwnersIndex,
  loadTree,
  newPlatformChecklist,
  parseUnifiedDiff,
  platformVariations,
  renderChecklist,
  renderExplanation,
  renderImpact,
  renderPath,
  renderPlatform,
  scanRepo,
  snapshotDir,
  verifyAgainstTree,
} from '../domain/index.js';
import { readTextFile } from '../domain/load.js';

const USAGE = `usage: sitroom model <command> [--json] [--models DIR]
  path <from> <to>                 propagation path between two concepts, lossy hops flagged
  impact --files a,b | --diff FILE components, states, invariants, platforms, e2e suites and reviewers
  explain <concept>                onboarding explanation of a concept, component, state, platform, rule...
  verify [--tree FILE | --repo DIR] every model reference resolves; with --repo also the boundary rules
  platform new-checklist           what a new platform must implement
  platform <name>                  which sub-states behave differently on a platform`;

function print(json: boolean, data: unknown, text: string): void {
  console.log(json ? JSON.stringify(data, null, 2) : text);
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      models: { type: 'string' },
      files: { type: 'string' },
      diff: { type: 'string' },
      tree: { type: 'string' },
      repo: { type: 'string' },
      owners: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [sub, ...rest] = positionals;
  if (!sub || values.help) {
    console.log(USAGE);
    return sub || values.help ? 0 : 2;
  }
  const model = loadDomainModel(values.models);
  const json = values.json ?? false;

  switch (sub) {
    case 'path': {
      const [from, to] = rest;
      if (!from || !to) throw new UserError('model path needs two concepts: sitroom model path "AzureMachine" "NodePool conditions"');
      const res = findPath(model, from, to);
      print(json, res, renderPath(res));
      return 0;
    }
    case 'impact': {
      let files: string[];
      if (values.files) files = values.files.split(',').map((f) => f.trim()).filter(Boolean);
      else if (values.diff) files = diffPaths(parseUnifiedDiff(readTextFile(values.diff), values.diff));
      else throw new UserError('model impact needs --files a,b or --diff FILE');
      if (files.length === 0) throw new UserError('model impact: no files given');
      const res = impactOf(model, files, { owners: loadOwnersIndex(values.owners) });
      print(json, res, renderImpact(res));
      return 0;
    }
    case 'explain': {
      const q = rest.join(' ').trim();
      if (!q) throw new UserError('model explain needs a concept, e.g. sitroom model explain AzureMachine');
      const res = explain(model, q);
      print(json, res, renderExplanation(res));
      return 0;
    }
    case 'verify': {
      let report;
      if (values.repo) {
        const scan = scanRepo(values.repo);
        report = verifyAgainstTree(model, scan.paths, { goFiles: scan.goFiles });
      } else {
        const tree = values.tree ?? join(snapshotDir(readEnvironment().paths.hypershiftSnapshotDir), 'tree.txt');
        if (!existsSync(tree)) throw new UserError(`${tree}: tree listing not found; pass --tree FILE or --repo DIR`);
        report = verifyAgainstTree(model, loadTree(tree));
      }
      const text = report.ok
        ? `model verify: ok (${report.checked.refs} references, ${report.checked.globs} globs, ${report.checked.symbols} symbols against ${report.treePaths} paths${report.checked.goFiles ? `, boundary rules on ${report.checked.goFiles} Go files` : ''})`
        : [`model verify: ${report.issues.length} problem${report.issues.length === 1 ? '' : 's'}`, ...report.issues.map(formatVerifyIssue)].join('\n');
      print(json, report, text);
      return report.ok ? 0 : 1;
    }
    case 'platform': {
      const name = rest[0];
      if (!name) throw new UserError('model platform needs a platform name or new-checklist');
      if (name === 'new-checklist') {
        const res = newPlatformChecklist(model);
        print(json, res, renderChecklist(res));
      } else {
        const res = platformVariations(model, name);
        print(json, res, renderPlatform(res));
      }
      return 0;
    }
    default:
      throw new UserError(`model: unknown command "${sub}"\n${USAGE}`);
  }
}
