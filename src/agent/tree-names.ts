// Names of the target's tree that an intention may write out: a package or file name in code style, or words
// run together ("shared ingress" for sharedingress/), resolved against the snapshot's path list. Pure.
/** Words that name nothing in the tree or the model. */
export const stopwords = new Set(
  'a an and are as at be been by can do does for from has have if in into is it its of on or our should so that the their them then there these this those to too up use used uses using via was we when where which while will with without not no only also all any more most new add adds added adding allow allows make makes set sets get gets fix fixes fixed fixing support supports update updates updated remove removes removed handle handles ensure ensures instead after before during because don t it s jira'.split(
    ' ',
  ),
);

/** Hand-written Go of the snapshot that a plan may name: no vendored, generated, test or e2e code. */
const plannableSource = (p: string) =>
  p.endsWith('.go') &&
  !p.endsWith('_test.go') &&
  !/(^|\/)(vendor|test|testdata|hack|contrib)\//.test(p) &&
  !/(^|\/)zz_generated|\.pb\.go$/.test(p) &&
  !/^(client|api)\//.test(p);

interface TreeIndex {
  /** normalised name (lower case, no separators) -> files whose basename or directory carries it */
  byName: Map<string, Array<{ file: string; where: 'base' | 'dir' }>>;
}

const treeCache = new WeakMap<readonly string[], TreeIndex>();

const normalise = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

function treeIndex(tree: readonly string[]): TreeIndex {
  const hit = treeCache.get(tree);
  if (hit) return hit;
  const byName = new Map<string, Array<{ file: string; where: 'base' | 'dir' }>>();
  const put = (name: string, file: string, where: 'base' | 'dir') => {
    if (name.length < 3) return;
    const list = byName.get(name) ?? [];
    list.push({ file, where });
    byName.set(name, list);
  };
  for (const p of tree) {
    if (!plannableSource(p)) continue;
    const segments = p.replace(/\.go$/, '').split('/');
    put(normalise(segments.at(-1)!), p, 'base');
    if (segments.length > 1) put(normalise(segments.at(-2)!), p, 'dir');
  }
  const index = { byName };
  treeCache.set(tree, index);
  return index;
}

// Package and file names that say little on their own: every component has one.
const commonNames = new Set([
  'controller',
  'controllers',
  'manifests',
  'config',
  'util',
  'utils',
  'types',
  'reconcile',
  'params',
  'deployment',
  'component',
  'service',
  'main',
  'create',
  'destroy',
  'options',
  'common',
  'support',
  'cmd',
  'api',
  'client',
  'server',
  'status',
  'conditions',
  'helpers',
  'nodepool',
  'cluster',
  'hostedcluster',
  'platform',
  'version',
  'image',
  'images',
  'secret',
  'proxy',
  'operator',
  'install',
  'assets',
  'resources',
  'metrics',
  'node',
  'nodes',
  'machine',
  'token',
  'cloud',
]);

/**
 * Files of the snapshot whose package or file name the intention spells out ("shared ingress" is
 * sharedingress/, "LatestSupportedVersion" is supportedversion/, "haproxy" is haproxy.go): the names the
 * model does not cite itself. A name many packages share says nothing, so it must be rare in the tree.
 */
export function filesNamedIn(intention: string, tree: readonly string[], limit = 3): Array<{ file: string; name: string }> {
  const index = treeIndex(tree);
  const tokens = intention
    .split(/[^A-Za-z0-9_.]+/)
    .map((t) => t.replace(/^\.+|\.+$/g, ''))
    .filter(Boolean);
  const names = new Set<string>();
  // One plain word ("network", "credentials") is English before it is a package; a word written as code is a
  // name: an identifier (nodepool_controller, imagecacher.go, LatestSupportedVersion), an acronym (CAPI), or
  // two or three words that run together into a package name ("shared ingress" -> sharedingress).
  const codeLike = (t: string) => /[a-z][A-Z]|[_.]|^[A-Z]{3,}$/.test(t);
  for (const t of tokens.filter(codeLike)) {
    names.add(normalise(t.replace(/\.go$/, '')));
    const parts = t.split(/(?<=[a-z0-9])(?=[A-Z])|_/);
    for (let i = 1; i < parts.length - 1; i++) names.add(normalise(parts.slice(i).join('')));
  }
  const plain = tokens.map((t) => t.replace(/\.go$/, ''));
  for (let i = 0; i + 1 < plain.length; i++) names.add(normalise(plain[i]! + plain[i + 1]!));
  for (let i = 0; i + 2 < plain.length; i++) names.add(normalise(plain[i]! + plain[i + 1]! + plain[i + 2]!));
  const found = new Map<string, { file: string; name: string; rank: number }>();
  for (const name of names) {
    if (name.length < 4 || commonNames.has(name) || stopwords.has(name)) continue;
    const hits = index.byName.get(name);
    if (!hits) continue;
    const dirs = new Set(hits.map((h) => h.file.slice(0, h.file.lastIndexOf('/'))));
    if (dirs.size > 3) continue;
    for (const h of hits) {
      // a file named like the package (haproxy/haproxy.go) or the package's reconciler is its front door
      const base = normalise(h.file.slice(h.file.lastIndexOf('/') + 1).replace(/\.go$/, ''));
      const rank = (h.where === 'base' ? 3 : 1) + (base === name || /controller|reconcile/.test(base) ? 1 : 0) - h.file.split('/').length * 0.01;
      const known = found.get(h.file);
      if (!known || known.rank < rank) found.set(h.file, { file: h.file, name, rank });
    }
  }
  return [...found.values()]
    .sort((a, b) => b.rank - a.rank || a.file.localeCompare(b.file))
    .slice(0, limit)
    .map(({ file, name }) => ({ file, name }));
}
