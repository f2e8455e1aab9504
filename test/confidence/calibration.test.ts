import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibrationTable, miscalibratedLevels, type MergedChangeRecord } from '../../src/confidence/calibration.js';
import { CalibrationStore } from '../../src/db/calibration.js';
import { assessConfidence } from '../../src/confidence/model.js';
import type { OpenStore } from '../../src/db/client.js';
import { storeBackends } from '../support/db.js';

describe('calibration table', () => {
  it('per level and grade, how often merged work needed a fix', () => {
    const records: MergedChangeRecord[] = [
      { prUrl: 'a', grades: { L2: 'high' }, outcomes: [] },
      { prUrl: 'b', grades: { L2: 'high' }, outcomes: [{ kind: 'follow-up-bug' }] },
      { prUrl: 'c', grades: { L2: 'high' }, outcomes: [] },
      { prUrl: 'd', grades: { L2: 'high' }, outcomes: [] },
      { prUrl: 'e', grades: { L2: 'low' }, outcomes: [{ kind: 'revert' }, { kind: 'incident' }] },
      { prUrl: 'f', grades: { L2: 'low' }, outcomes: [] },
    ];
    const rows = calibrationTable(records);
    expect(rows).toEqual([
      { level: 'L2', grade: 'high', merged: 4, neededFix: 1, fixRate: 0.25, byKind: { revert: 0, 'follow-up-bug': 1, incident: 0 } },
      { level: 'L2', grade: 'low', merged: 2, neededFix: 1, fixRate: 0.5, byKind: { revert: 1, 'follow-up-bug': 0, incident: 1 } },
    ]);
    expect(miscalibratedLevels(rows, 2)).toEqual([]);
    // If "high" needed more fixes than "low", the grade is not informative.
    const inverted = calibrationTable(records.map((r) => ({ ...r, grades: { L2: r.grades.L2 === 'high' ? 'low' : 'high' } })));
    expect(miscalibratedLevels(inverted, 2)).toEqual(['L2']);
  });
});

for (const backend of storeBackends()) {
  describe(`calibration store on ${backend.name}`, () => {
    let store: OpenStore;
    beforeAll(async () => {
      store = await backend.open();
    });
    afterAll(async () => store?.close());

    it('records merges with their grades and outcomes once, and computes the table', async () => {
      const calibration = new CalibrationStore(store.db);
      const at = new Date(Date.UTC(2026, 10, 20));
      const strong = assessConfidence([
        { check: 'unit-tests', status: 'pass', detail: 'ok', source: 'go test', at },
        { check: 'new-code-covered', status: 'pass', detail: 'ok', source: 'cover', at },
        { check: 'ci-green', status: 'pass', detail: 'ok', source: 'prow', at },
        { check: 'adjacent-suites', status: 'pass', detail: 'ok', source: 'go test ./api/...', at },
      ]);
      const weak = assessConfidence([{ check: 'unit-tests', status: 'pass', detail: 'ok', source: 'go test', at }]);
      await calibration.recordMerge({ prUrl: 'https://github.com/o/r/pull/1', assessment: strong, mergedAt: at });
      await calibration.recordMerge({ prUrl: 'https://github.com/o/r/pull/1', assessment: weak, mergedAt: at }); // replay: first write wins
      await calibration.recordMerge({ prUrl: 'https://github.com/o/r/pull/2', assessment: weak, mergedAt: at });
      await calibration.recordOutcome({ prUrl: 'https://github.com/o/r/pull/2', kind: 'revert', reference: 'https://github.com/o/r/pull/3' });
      await calibration.recordOutcome({ prUrl: 'https://github.com/o/r/pull/2', kind: 'revert', reference: 'https://github.com/o/r/pull/3' });
      await expect(calibration.recordOutcome({ prUrl: 'https://github.com/o/r/pull/99', kind: 'incident', reference: 'INC-1' })).rejects.toThrow(
        /record the merge first/,
      );

      const l2 = calibrationTable(await calibration.records()).filter((r) => r.level === 'L2');
      expect(l2).toEqual([
        expect.objectContaining({ grade: 'high', merged: 1, neededFix: 0, fixRate: 0 }),
        expect.objectContaining({ grade: 'low', merged: 1, neededFix: 1, fixRate: 1, byKind: { revert: 1, 'follow-up-bug': 0, incident: 0 } }),
      ]);
    });
  });
}
