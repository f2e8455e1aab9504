// `sitroom model <path|impact|explain|verify|snapshot|platform>`: queries on the HyperShift data-plane domain
// model, and the pinned snapshot it is verified against. Human-readable by default, --json for machines.
// Exit code 1 when verify finds drift, or when a new snapshot breaks a model reference.
import { parseArgs } from 'node:util';
import { UserError } from '../contracts/failures.js';
import {
  buildSnapshot,
  defaultModelsDir,
  diffPaths,
  diffSnapshots,
  filesToRead,
  grepCheckout,
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
  readCheckoutFiles,
  readCheckoutTree,
  readSnapshot,
  renderChecklist,
  renderExplanation,
  renderImpact,
  renderPath,
  renderPlatform,
  renderSnapshotDiff,
  scanRepo,
  snapshotDir,
  verifyAgainstTree,
  writeSnapshot,
} from '../domain/index.js';
import { readTextFile } from '../domain/load.js';
import { readEnvironment } from '../config/process-environment.js';
import { temporalSecurity } from '../temporal/connection.js';
import { runModelDriftNow } from '../orchestrator/schedules.js';
import { ratchetStatus, shrinkBaselines } from '../domain/ratchet.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const USAGE = `usage: sitroom model <command> [--json] [--models DIR]
  path <from> <to>                 propagation path between two concepts, lossy hops flagged
  impact --files a,b | --diff FILE components, states, invariants, platforms, e2e suites and reviewers
  explain <concept>                onboarding explanation of a concept, component, state, platform, rule...
  verify [--tree FILE | --repo DIR] every model reference resolves (default: the pinned snapshot in
                                   domain-models/snapshot); with --repo also the boundary rules
  snapshot --repo DIR [--dry-run]  regenerate the pinned snapshot from a HyperShift checkout's HEAD and print
                                   what changed since the pin; exit 1 when a model reference broke
  drift                            run the hourly drift check now (TEMPORAL_ADDRESS): fetch the target's default
                                   branch, verify the model on it, propose fixes to domain-models/OWNERS in Slack
  ratchet --repo DIR [--update]    rules the code already breaks (ratchets.yaml): violations beyond the
                                   baseline (exit 1), and baseline entries the code no longer has, which
                                   --update removes (it never adds one)
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
      'dry-run': { type: 'boolean', default: false },
      update: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [sub, ...rest] = positionals;
  if (!sub || values.help) {
    console.log(USAGE);
    return sub || values.help ? 0 : 2;
  }
  const json = values.json ?? false;
  if (sub === 'drift') return runDriftNow(json);
  const model = loadDomainModel(values.models);

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
      if (values.files)
        files = values.files
          .split(',')
          .map((f) => f.trim())
          .filter(Boolean);
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
        report = verifyAgainstTree(model, scan.paths, { goFiles: scan.goFiles, absentDirs: scan.absentDirs });
      } else {
        report = verifyAgainstTree(model, loadTree(values.tree));
      }
      const unchecked = report.unchecked.map(
        (u) => `unchecked: ${u.count} reference${u.count === 1 ? '' : 's'} into ${u.dir}/, which this checkout does not have`,
      );
      const text = report.ok
        ? [
            `model verify: ok (${report.checked.refs} references, ${report.checked.globs} globs, ${report.checked.symbols} symbols against ${report.treePaths} paths${report.checked.goFiles ? `, boundary rules on ${report.checked.goFiles} Go files` : ''}; coverage ${report.coverage.cells.length}/${report.coverage.cells.length + report.coverage.gaps.length} platform × entry-kind cells)`,
            ...unchecked,
          ].join('\n')
        : [`model verify: ${report.issues.length} problem${report.issues.length === 1 ? '' : 's'}`, ...report.issues.map(formatVerifyIssue), ...unchecked].join(
            '\n',
          );
      print(json, report, text);
      return report.ok ? 0 : 1;
    }
    case 'snapshot': {
      if (!values.repo) throw new UserError('model snapshot needs --repo DIR, a HyperShift checkout at the commit to pin');
      const modelsDir = values.models ?? defaultModelsDir;
      const current = loadDomainModel(modelsDir, { fresh: true });
      const previous = readSnapshot(current, modelsDir);
      const tree = readCheckoutTree(values.repo);
      const banned = previous?.index.bannedSymbols ?? [];
      const checkout = { ...tree, files: readCheckoutFiles(values.repo, filesToRead(current, tree.paths)), bannedFound: grepCheckout(values.repo, banned) };
      const next = buildSnapshot(current, checkout, previous && { repo: previous.index.repo, bannedSymbols: banned });
      const diff = diffSnapshots(current, previous, next, checkout.bannedFound);
      if (!values['dry-run']) writeSnapshot(next, modelsDir);
      const where = values['dry-run']
        ? 'dry run: nothing written'
        : `wrote ${snapshotDir(modelsDir)} (index.yaml, tree.txt.gz, ${Object.keys(next.owners).length} OWNERS files)`;
      print(json, diff, `${renderSnapshotDiff(diff)}\n${where}`);
      return diff.broken ? 1 : 0;
    }
    case 'ratchet': {
      if (!values.repo) throw new UserError('model ratchet needs --repo DIR, a HyperShift checkout to compare with the baselines');
      if (!model.files.ratchets) throw new UserError(`model ratchet: no file of kind Ratchets in ${values.models ?? defaultModelsDir}`);
      const statuses = ratchetStatus(model.ratchets, scanRepo(values.repo).goFiles);
      const lines: string[] = [];
      for (const s of statuses) {
        lines.push(`${s.id}: ${s.kept} recorded violation${s.kept === 1 ? '' : 's'} still in the code, ${s.added.length} new, ${s.removed.length} gone`);
        for (const a of s.added) lines.push(`  new:  ${a.file}:${a.line} imports "${a.import}" (not in the baseline: fix the code)`);
        for (const r of s.removed)
          lines.push(
            `  gone: ${r.file} no longer imports "${r.import}"${values.update ? ' (removed from the baseline)' : ' (run with --update to shrink the baseline)'}`,
          );
      }
      if (values.update && statuses.some((s) => s.removed.length > 0)) {
        const file = join(values.models ?? defaultModelsDir, model.files.ratchets);
        writeFileSync(file, shrinkBaselines(readTextFile(file), new Map(statuses.map((s) => [s.id, s.removed]))));
        loadDomainModel(values.models, { fresh: true });
        lines.push(`wrote ${file}`);
      }
      print(json, statuses, lines.join('\n'));
      return statuses.some((s) => s.added.length > 0) ? 1 : 0;
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

/** The same workflow the "model-drift" schedule starts, started now on the deployment's worker and awaited. */
async function runDriftNow(json: boolean): Promise<number> {
  const environment = readEnvironment({ process: 'tool' });
  const { address, namespace, taskQueue } = environment.temporal;
  if (!address)
    throw new UserError(
      'model drift runs on the worker: set TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE) to the deployment `sitroom dev` or `sitroom worker` uses',
      { field: 'TEMPORAL_ADDRESS' },
    );
  const { Client, Connection } = await import('@temporalio/client');
  const connection = await Connection.connect({ address, ...temporalSecurity(environment.temporal), connectTimeout: 10_000 });
  try {
    const result = await runModelDriftNow(new Client({ connection, namespace }), taskQueue);
    const head = `model drift at ${result.commit.slice(0, 12)} (since ${result.baseline.slice(0, 12)}${result.fetched ? '' : '; fetch failed, last fetched state checked'})`;
    const text =
      result.broken === 0
        ? `${head}: no drift, nothing posted`
        : `${head}: ${result.broken} broken reference${result.broken === 1 ? '' : 's'}; proposal${result.proposals.length === 1 ? '' : 's'} in Slack: ${result.proposals.length}`;
    print(json, result, text);
    return result.broken === 0 ? 0 : 1;
  } finally {
    await connection.close();
  }
}
