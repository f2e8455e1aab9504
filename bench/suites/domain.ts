// Domain-model engine figures. Each is a ratio against a cheaper baseline measured in the same run:
// model load against parsing the same YAML without validation, queries against resolving their inputs,
// check against splitting the diff into lines, verify against building the tree index alone.
//
// Growth (issue 18 item 7): verify over the pinned tree with the import rules checked on N Go files outside
// vendor/ (the snapshot's own Go paths in order, synthetic ones under the same folders past its 1,907; their
// import blocks parsed in memory: this suite is the pure engine, `checkout` times the same on disk through
// the CLI). Sizes count those Go files (default 200, 700, 1,907; `--sizes`). `check` grows with the diff, not
// the tree, so its series is over diffs of about 500, 2,000 and 8,000 lines whatever `--sizes` says. Model
// load, path and impact queries read only the model: growth n/a.
import { dirname } from 'node:path';
import { parse } from 'yaml';
import { figure, growthOf, measure, sizesFor, type BenchFigure, type BenchSuite, type Stats } from '../lib.js';
import {
  checkDiff,
  findPath,
  impactOf,
  indexTree,
  loadOwnersIndex,
  loadTree,
  normaliseName,
  parseGoImports,
  parseModels,
  readModelSources,
  verifyAgainstTree,
} from '../../src/domain/index.js';

const SNAPSHOT_GO_FILES = 1907; // non-vendor Go files at the pinned commit (tree.txt.gz)
const DIFF_LINES = [500, 2_000, 8_000];
const isOwnGo = (p: string) => p.endsWith('.go') && !/(^|\/)vendor\//.test(p);

/** The import block of a Go file in `path`'s folder, as HyperShift's controllers write them. */
function goImports(path: string, i: number): string {
  const pkg = (dirname(path).split('/').pop() ?? 'main').replace(/[^a-z0-9_]/gi, '_') || 'main';
  const imports = [
    'context',
    'fmt',
    'k8s.io/apimachinery/pkg/types',
    'sigs.k8s.io/controller-runtime/pkg/client',
    'github.com/openshift/hypershift/support/upsert',
  ];
  return `package ${pkg}\n\nimport (\n${imports
    .filter((_, k) => (i + k) % 5 !== 0)
    .map((imp) => `\t"${imp}"`)
    .join('\n')}\n)\n\nfunc f() {}\n`;
}

/** The snapshot's Go paths outside vendor/, in order, then synthetic ones under the same folders. */
function goPaths(tree: readonly string[], count: number): string[] {
  const own = tree.filter(isOwnGo);
  const out = own.slice(0, count);
  for (let i = 0; out.length < count; i++) out.push(own[i % own.length]!.replace(/\.go$/, `_generated${Math.floor(i / own.length)}.go`));
  return out;
}

/** A diff of at least `lines` lines over many files: imports, condition code and plain changes, all rule paths exercised. */
function bigDiff(lines = 2000): string {
  const out: string[] = [];
  const files = [
    'hypershift-operator/controllers/nodepool/capi.go',
    'hypershift-operator/controllers/nodepool/aws.go',
    'control-plane-operator/hostedclusterconfigoperator/controllers/node/node.go',
    'api/hypershift/v1beta1/nodepool_types.go',
    'support/upsert/upsert.go',
  ];
  for (let f = 0; out.length < lines; f++) {
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

const run: BenchSuite = async (opts) => {
  const goSizes = sizesFor(opts, [200, 700, SNAPSHOT_GO_FILES]);
  const queryNa = 'reads only the domain model, whose size is fixed by the repository, not by the team or the checkout';
  const figures: BenchFigure[] = [];
  const sources = readModelSources();
  const model = parseModels(sources);
  const owners = loadOwnersIndex();

  const yamlOnly = await measure(() => sources.map((s) => parse(s.text) as unknown), 30);
  const load = await measure(() => parseModels(sources), 30);
  figures.push(
    figure({
      suite: 'domain',
      name: 'model load + validate',
      baseline: 'YAML parse alone',
      subject: load,
      base: yamlOnly,
      growthNotApplicable: 'parses the domain-models YAML, whose size is fixed by the repository',
    }),
  );

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
      growthNotApplicable: queryNa,
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
      growthNotApplicable: queryNa,
    }),
  );

  const checkAt: { lines: number; subject: Stats; base: Stats }[] = [];
  for (const size of DIFF_LINES) {
    const diff = bigDiff(size);
    const split = await measure(() => diff.split('\n').filter((l) => l.startsWith('+')).length, 50);
    const check = await measure(() => checkDiff(model, diff), 50);
    checkAt.push({ lines: diff.split('\n').length, subject: check, base: split });
  }
  const checkTop = checkAt.find((c) => c.lines >= 2000 && c.lines < 8000) ?? checkAt[checkAt.length - 1]!;
  figures.push(
    figure({
      suite: 'domain',
      name: `check on a ${checkTop.lines}-line diff`,
      baseline: 'splitting the diff into lines',
      subject: checkTop.subject,
      base: checkTop.base,
      target: 'median < 5 ms',
      met: checkTop.subject.medianMs < 5,
      extra: { diffLines: checkTop.lines, medianMsAtEachSize: checkAt.map((c) => c.subject.medianMs.toFixed(2)).join(' ') },
      growth: growthOf(
        'diff lines',
        checkAt.map((c) => c.lines),
        checkAt.map((c) => c.subject.medianMs),
      ),
    }),
  );

  const tree = loadTree(); // the pinned snapshot's tree.txt.gz
  const treeWithoutOwnGo = tree.filter((p) => !isOwnGo(p));
  const verifyAt: { size: number; paths: number; subject: Stats; base: Stats; ok: boolean }[] = [];
  for (const size of goSizes) {
    const own = goPaths(tree, size);
    // every pinned Go path stays in the tree (the model names some); the N files are the ones whose imports are checked
    const paths = [...new Set([...tree, ...own])];
    const goFiles = own.map((p, i) => parseGoImports(p, goImports(p, i)));
    const indexOnly = await measure(() => indexTree(paths), 10, 2);
    const verify = await measure(() => verifyAgainstTree(model, paths, { goFiles }), 10, 2);
    verifyAt.push({ size, paths: paths.length, subject: verify, base: indexOnly, ok: verifyAgainstTree(model, paths, { goFiles }).ok });
  }
  const vTop = verifyAt[verifyAt.length - 1]!;
  figures.push(
    figure({
      suite: 'domain',
      name: `verify over ${vTop.paths} paths, imports of ${vTop.size} Go files`,
      baseline: 'building the tree index alone',
      subject: vTop.subject,
      base: vTop.base,
      target: 'median < 1000 ms',
      met: vTop.subject.medianMs < 1000,
      extra: {
        paths: vTop.paths,
        nonGoPaths: treeWithoutOwnGo.length,
        refs: model.refs.length,
        globs: model.globs.length,
        verifyOkAtEachSize: verifyAt.map((v) => (v.ok ? 'ok' : 'issues')).join(' '),
      },
      growth: growthOf(
        'Go files',
        verifyAt.map((v) => v.size),
        verifyAt.map((v) => v.subject.medianMs),
      ),
    }),
  );
  return figures;
};

export default run;
