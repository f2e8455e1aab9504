// The drift finder on the real model and its pinned snapshot: a pinned HyperShift commit as "before" and an
// edited copy as "after", so every case is a change real code could make.
import { describe, expect, it } from 'vitest';
import { findDrift, findNewHome } from '../../src/domain/drift.js';
import { loadDomainModel, readSnapshot, type Snapshot } from '../../src/domain/index.js';

const model = loadDomainModel();
const pinned = readSnapshot(model)!;
const conditions = 'api/hypershift/v1beta1/nodepool_conditions.go';
const symbol = 'NodePoolReconciliationActiveConditionType';

/** The pinned snapshot with some declarations and paths changed. */
function edited(change: (declarations: Snapshot['index']['declarations'], paths: string[]) => string[]): Snapshot {
  const declarations = structuredClone(pinned.index.declarations);
  const paths = change(declarations, [...pinned.paths]);
  return { ...pinned, index: { ...pinned.index, commit: 'f'.repeat(40), declarations }, paths };
}

describe('findDrift', () => {
  it('finds nothing between a commit and itself', () => {
    expect(findDrift({ model, previous: pinned, next: pinned, renames: {}, candidates: {} })).toEqual([]);
  });

  it('names the new line of a symbol that moved within its file', () => {
    const line = pinned.index.declarations[conditions]![symbol]!;
    const next = edited((d, p) => ((d[conditions]![symbol] = line + 3), p));
    const broken = findDrift({ model, previous: pinned, next, renames: {}, candidates: {} });
    expect(broken).toEqual([
      {
        where: expect.stringContaining('nodepool-lifecycle.yaml:25'),
        ref: `${conditions}#${symbol}`,
        problem: 'symbol-moved',
        likelyNewPlace: `${conditions}:${line + 3}`,
      },
    ]);
  });

  it('leaves out a move the model already follows', () => {
    const line = pinned.index.declarations[conditions]![symbol]!;
    // the old commit had it elsewhere; the new one has it where the model says
    const previous = edited((d, p) => ((d[conditions]![symbol] = line - 2), p));
    expect(findDrift({ model, previous, next: pinned, renames: {}, candidates: {} })).toEqual([]);
  });

  it('finds the file a missing symbol now lives in, and follows a renamed file', () => {
    const next = edited((d, p) => {
      delete d[conditions]![symbol];
      return p;
    });
    const candidates = { 'api/hypershift/v1beta1/nodepool_pause.go': `package v1beta1\n\nconst (\n\t${symbol} ConditionType = "ReconciliationActive"\n)\n` };
    const broken = findDrift({ model, previous: pinned, next, renames: {}, candidates });
    expect(broken).toEqual([
      expect.objectContaining({ ref: `${conditions}#${symbol}`, problem: 'symbol-missing', likelyNewPlace: 'api/hypershift/v1beta1/nodepool_pause.go:4' }),
    ]);

    const token = 'hypershift-operator/controllers/nodepool/token.go';
    const renamed = 'hypershift-operator/controllers/nodepool/token/token.go';
    const moved = edited((d, p) => {
      d[renamed] = d[token]!;
      delete d[token];
      return p.map((x) => (x === token ? renamed : x));
    });
    const afterRename = findDrift({ model, previous: pinned, next: moved, renames: { [token]: renamed }, candidates: {} });
    expect(afterRename.find((b) => b.problem === 'file-gone')).toMatchObject({ ref: token, likelyNewPlace: renamed });
    const symbols = afterRename.filter((b) => b.problem === 'symbol-missing');
    expect(symbols.length).toBeGreaterThan(0);
    for (const b of symbols)
      expect(b).toMatchObject({ ref: expect.stringMatching(/^hypershift-operator\/controllers\/nodepool\/token\.go#/), likelyNewPlace: renamed });
  });

  it('looks in the same package first', () => {
    const text = 'package x\n\nfunc Moved() {}\n';
    expect(findNewHome('Moved', 'a/b/old.go', { 'a/z/other.go': text, 'a/b/new.go': text })).toBe('a/b/new.go:3');
    expect(findNewHome('Moved', 'a/b/old.go', { 'a/z/other.go': text })).toBe('a/z/other.go:3');
    expect(findNewHome('Gone', 'a/b/old.go', { 'a/b/new.go': text })).toBeUndefined();
  });
});
