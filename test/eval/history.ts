// A small git history shaped like HyperShift's: pull requests merged into main with "Merge pull request
// #N" commits whose body's first line is the PR title, at fixed dates.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface FakePr {
  pr: number;
  title: string;
  date: string;
  files: Record<string, string>;
}

export const fakePrs: FakePr[] = [
  {
    pr: 101,
    title: 'OCPBUGS-1111: AWS: set the AMI on NodePool machine templates',
    date: '2024-02-01T10:00:00Z',
    files: {
      'hypershift-operator/controllers/nodepool/aws.go': 'package nodepool\n// ami\n',
      'hypershift-operator/controllers/nodepool/aws_test.go': 'package nodepool\n',
      'vendor/sigs.k8s.io/cluster-api-provider-aws/v2/api/v1beta2/types.go': 'package v1beta2\n',
    },
  },
  {
    pr: 102,
    title: 'HOSTEDCP-2222: NodePool API: add a spec field for the drain timeout',
    date: '2024-03-01T10:00:00Z',
    files: {
      'api/hypershift/v1beta1/nodepool_types.go': 'package v1beta1\n// field\n',
      'api/hypershift/v1beta1/zz_generated.deepcopy.go': 'package v1beta1\n',
      'hypershift-operator/controllers/nodepool/capi.go': 'package nodepool\n// drain\n',
      'docs/content/reference/api.md': '# API\n',
    },
  },
  {
    pr: 103,
    title: 'NO-JIRA: tidy the control plane operator logs',
    date: '2024-04-01T10:00:00Z',
    files: { 'control-plane-operator/main.go': 'package main\n' },
  },
  {
    pr: 104,
    title: 'OCPBUGS-4444: KubeVirt: fix the live migration condition',
    date: '2025-07-01T10:00:00Z',
    files: { 'hypershift-operator/controllers/nodepool/kubevirt.go': 'package nodepool\n' },
  },
];

export function makeHistory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sitroom-eval-history-'));
  const git = (args: string[], date = '2024-01-01T00:00:00Z') =>
    execFileSync('git', args, {
      cwd: dir,
      env: {
        ...process.env,
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_DATE: date,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@example.com',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@example.com',
      },
    });
  git(['init', '-q', '-b', 'main']);
  writeFileSync(join(dir, 'README.md'), 'fake\n');
  git(['add', '.']);
  git(['commit', '-q', '-m', 'initial']);
  for (const pr of fakePrs) {
    git(['checkout', '-q', '-b', `pr-${pr.pr}`, 'main'], pr.date);
    for (const [path, text] of Object.entries(pr.files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    git(['add', '.'], pr.date);
    git(['commit', '-q', '-m', pr.title], pr.date);
    git(['checkout', '-q', 'main'], pr.date);
    git(['merge', '-q', '--no-ff', `pr-${pr.pr}`, '-m', `Merge pull request #${pr.pr} from someone/pr-${pr.pr}`, '-m', pr.title], pr.date);
  }
  return dir;
}
