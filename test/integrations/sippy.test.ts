import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSippyClient, historicalRates, retryAfterMs, SippyRateLimited, SippyResponseInvalid, SippyUnavailable } from '../../src/integrations/sippy.js';
import { sippyRow, startFakeSippy, type FakeSippy } from '../support/doubles/sippy.js';

let sippy: FakeSippy;

beforeAll(async () => {
  sippy = await startFakeSippy({
    '4.21': [
      sippyRow('TestNodePoolAutoRepair', ['Platform:aws', 'Topology:hypershift'], 60, 6, 12),
      sippyRow('TestNodePoolAutoRepair', ['Platform:azure', 'Topology:hypershift'], 40, 2, 2),
      sippyRow('TestCreateCluster', ['Platform:aws', 'Topology:hypershift'], 200, 1, 1),
      sippyRow('[sig-network] pods should reach each other', ['Platform:gcp'], 300, 3, 0),
    ],
  });
});
afterAll(() => sippy.close());

describe('Sippy /api/tests client', () => {
  it('asks for the release and the repository variants, and reads the real field names', async () => {
    const client = createSippyClient({ baseUrl: sippy.url });
    const rows = await client.tests({ release: '4.21', filter: [{ columnField: 'variants', operatorValue: 'has entry', value: 'Topology:hypershift' }] });
    expect(rows.map((r) => r.name).sort()).toEqual(['TestCreateCluster', 'TestNodePoolAutoRepair', 'TestNodePoolAutoRepair']);
    expect(sippy.requests.at(-1)!.release).toBe('4.21');
    expect(JSON.parse(sippy.requests.at(-1)!.filter!)).toMatchObject({ items: [{ columnField: 'variants', value: 'Topology:hypershift' }] });
    const rates = historicalRates(rows);
    // 100 runs over two variants: 8 failures, 14 flakes; Sippy counts a flake as a pass.
    expect(rates.get('TestNodePoolAutoRepair')).toEqual({ runs: 100, passPercentage: expect.closeTo(92, 6), flakePercentage: expect.closeTo(14, 6) });
    expect(rates.get('TestCreateCluster')!.passPercentage).toBeCloseTo(99.5, 6);
  });

  it('a 500 is retryable, a body that is not JSON is not', async () => {
    const client = createSippyClient({ baseUrl: sippy.url });
    sippy.faults.push({ kind: 'status', status: 500 });
    await expect(client.tests({ release: '4.21' })).rejects.toBeInstanceOf(SippyUnavailable);
    sippy.faults.push({ kind: 'malformed' });
    await expect(client.tests({ release: '4.21' })).rejects.toThrow(/not JSON/);
    await expect(client.tests({ release: '4.21' })).resolves.toHaveLength(4);
  });

  it('a 429 carries the wait of Retry-After, in seconds or as a date', async () => {
    const client = createSippyClient({ baseUrl: sippy.url });
    sippy.faults.push({ kind: 'rate-limit', retryAfter: '17' });
    const err = await client.tests({ release: '4.21' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SippyRateLimited);
    expect((err as SippyRateLimited).retryAfterMs).toBe(17_000);
    expect(retryAfterMs('Mon, 30 Nov 2026 07:00:30 GMT', new Date('2026-11-30T07:00:00Z'))).toBe(30_000);
    expect(retryAfterMs(null)).toBe(60_000);
  });

  it('a row missing a count names the field', async () => {
    const broken = await startFakeSippy({ '4.21': [{ name: 'TestX', current_runs: 3 } as never] });
    try {
      const err = await createSippyClient({ baseUrl: broken.url })
        .tests({ release: '4.21' })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SippyResponseInvalid);
      expect((err as Error).message).toMatch(/field 0\.current_successes/);
    } finally {
      await broken.close();
    }
  });

  it('a closed port is unavailable, not invalid', async () => {
    const gone = await startFakeSippy({});
    const url = gone.url;
    await gone.close();
    await expect(createSippyClient({ baseUrl: url, timeoutMs: 2_000 }).tests({ release: '4.21' })).rejects.toBeInstanceOf(SippyUnavailable);
  });
});
