// Domain-model engine figures. Each is a ratio against a cheaper baseline measured in the same run:
// model load against parsing the same YAML without validation, queries against resolving their inputs,
// check against splitting the diff into lines, verify against building the tree index alone.
import { parse } from 'yaml';
import { figure, measure, type BenchFigure, type BenchSuite } from '../lib.js';
import {
  checkDiff,
  findPath,
  impactOf,
  indexTree,
  loadOwnersIndex,
  loadTree,
  normaliseName,
  parseModels,
  readModelSources,
  verifyAgainstTree,
} from '../../src/domain/index.js';

/** A ~2,000-line diff over many files: imports, condition code and plain changes, all rule paths exercised. */
function bigDiff(): string {
  const out: string[] = [];
  const files = [
    'hypershift-operator/controllers/nodepool/capi.go',
    'hypershift-operator/controllers/nodepool/aws.go',
    'control-plane-operator/hostedclusterconfigoperator/controllers/node/node.go',
    'api/hypershift/v1beta1/nodepool_types.go',
    'support/upsert/upsert.go',
  ];
  for (let f = 0; out.length < 2000; f++) {
    const file = files[f % files.length]!.replace(/\.go$/, `_${f}.go`);
    out.push(
      `diff --git a/${file} b/${file}`,
      `--- a/${file}`,
      `+++ b/${file}`,
      '@@ -1,40 +1,60 @@',
      ' import (',
      '+\tcapiv1 "sigs.k8s.io/cluster-api/api/core/v1beta1"',
      ' )',
    );
    for (let i = 0; i < 20; i++) {
      out.push(
        ' \tSetStatusCondition(&nodePool.Status.Conditions, hyperv1.NodePoolCondition{',
        `+\t\tType: hyperv1.NodePoolReadyConditionType,`,
        `+\t\tReason: hyperv1.AsExpectedReason,`,
        `+\t\tMessage: fmt.Sprintf("%d of %d machines ready", ${i}, n),`,
        ' \t})',
      );
    }
  }
  return out.join('\n') + '\n';
}

const run: BenchSuite = async () => {
  const figures: BenchFigure[] = [];
  const sources = readModelSources();
  const model = parseModels(sources);
  const owners = loadOwnersIndex();

  const yamlOnly = await measure(() => sources.map((s) => parse(s.text) as unknown), 30);
  const load = await measure(() => parseModels(sources), 30);
  figures.push(figure({ suite: 'domain', name: 'model load + validate', baseline: 'YAML parse alone', subject: load, base: yamlOnly }));

  const queries: [string, string][] = [
    ['AzureMachine', 'NodePool conditions'],
    ['nodepool spec', 'azure machine'],
    ['machine', 'nodepool status'],
    ['machineset', 'nodepool conditions'],
  ];
  const resolveOnly = await measure(() => queries.map(([a, b]) => [normaliseName(a), normaliseName(b)]), 300);
  let qi = 0;
  const path = await measure(() => {
    const [a, b] = queries[qi++ % queries.length]!;
    return findPath(model, a, b);
  }, 300);
  figures.push(
    figure({
      suite: 'domain',
      name: 'path per query',
      baseline: 'normalising the two names',
      subject: path,
      base: resolveOnly,
      target: 'median < 5 ms',
      met: path.medianMs < 5,
    }),
  );

  const changes = [
    ['hypershift-operator/controllers/nodepool/kubevirt.go'],
    ['api/hypershift/v1beta1/nodepool_types.go', 'hypershift-operator/controllers/nodepool/capi.go'],
    ['control-plane-operator/hostedclusterconfigoperator/controllers/inplaceupgrader/inplaceupgrader.go'],
  ];
  let ci = 0;
  const impact = await measure(() => impactOf(model, changes[ci++ % changes.length]!, { owners }), 300);
  figures.push(
    figure({
      suite: 'domain',
      name: 'impact per query (with OWNERS)',
      baseline: 'normalising the two names',
      subject: impact,
      base: resolveOnly,
      target: 'median < 5 ms',
      met: impact.medianMs < 5,
    }),
  );

  const diff = bigDiff();
  const lines = diff.split('\n').length;
  const split = await measure(() => diff.split('\n').filter((l) => l.startsWith('+')).length, 50);
  const check = await measure(() => checkDiff(model, diff), 50);
  figures.push(
    figure({
      suite: 'domain',
      name: `check on a ${lines}-line diff`,
      baseline: 'splitting the diff into lines',
      subject: check,
      base: split,
      target: 'median < 5 ms',
      met: check.medianMs < 5,
      extra: { diffLines: lines },
    }),
  );

  const tree = loadTree(); // the pinned snapshot's tree.txt.gz
  const indexOnly = await measure(() => indexTree(tree), 10, 2);
  const verify = await measure(() => verifyAgainstTree(model, tree), 10, 2);
  figures.push(
    figure({
      suite: 'domain',
      name: `verify over ${tree.length} paths`,
      baseline: 'building the tree index alone',
      subject: verify,
      base: indexOnly,
      target: 'median < 1000 ms',
      met: verify.medianMs < 1000,
      extra: { paths: tree.length, refs: model.refs.length, globs: model.globs.length },
    }),
  );
  return figures;
};

export default run;
