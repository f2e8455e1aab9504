import { describe, expect, it } from 'vitest';
import { exampleTargetRepo, loadConfig } from '../../src/config/load.js';
import {
  chooseStarterTask,
  defaultOrientation,
  explanationDepth,
  firstMessageFor,
  orientationWalk,
  renderStarterOffer,
  type StarterCandidate,
} from '../../src/knowledge/onboarding.js';
import { loadPatternFiles } from '../../src/knowledge/patterns.js';
import { modelVerifyResolver } from '../../src/knowledge/staleness.js';
import { loadDomainModel, loadTree } from '../../src/domain/index.js';

const roles = loadConfig().roles;
const patterns = loadPatternFiles(exampleTargetRepo).filter((p) => p.state === 'approved');
const freshMemory = { explanationLevel: 'beginner' as const, conceptExposure: {}, orientationCompletedAt: null };

describe('orientation', () => {
  it("a new developer's first DM is the orientation: split-brain, one-way communication, NodePool → CAPI → provider → node", () => {
    const first = firstMessageFor(roles.get('sam')!, freshMemory);
    expect(first.kind).toBe('orientation');
    if (first.kind !== 'orientation') return;
    expect(first.text).toMatch(/^Welcome, Sam\./);
    expect(first.walk.stops.map((s) => s.concept)).toEqual(['split-brain', 'one-way-communication', 'nodepool-capi-chain']);
    expect(first.walk.stops.every((s) => s.depth === 'full')).toBe(true);
    expect(first.text).toContain('hypershift-operator/controllers/nodepool/capi.go:89#CAPI.Reconcile');
  });

  it('a senior without guidance, or a new developer who finished the orientation, gets the normal briefing', () => {
    expect(firstMessageFor(roles.get('maria')!, { ...freshMemory, explanationLevel: 'expert' }).kind).toBe('briefing');
    expect(firstMessageFor(roles.get('sam')!, { ...freshMemory, orientationCompletedAt: new Date() }).kind).toBe('briefing');
  });

  it('explanations fade as personal memory records them', () => {
    expect([0, 1, 2, 4, 5, 9].map((n) => explanationDepth('beginner', n))).toEqual(['full', 'full', 'short', 'short', 'reference', 'reference']);
    expect(explanationDepth('intermediate', 0)).toBe('short');
    expect(explanationDepth('expert', 0)).toBe('reference');
    const later = orientationWalk({ explanationLevel: 'beginner', conceptExposure: { 'split-brain': 6, 'one-way-communication': 3 } });
    expect(later.stops.map((s) => s.depth)).toEqual(['reference', 'short', 'full']);
    expect(later.explained).toEqual(['one-way-communication', 'nodepool-capi-chain']);
  });

  it('every code reference in the orientation passes the domain model verification at the pinned HyperShift commit', () => {
    const resolve = modelVerifyResolver(loadTree(), loadDomainModel().snapshot);
    expect(defaultOrientation.flatMap((s) => s.refs).filter((r) => !resolve(r))).toEqual([]);
  });
});

describe('starter task', () => {
  const unitTest = { command: 'go test ./hypershift-operator/controllers/nodepool/...', why: 'condition unit tests' };
  const candidates: StarterCandidate[] = [
    {
      key: 'HOSTEDCP-3001',
      title: 'Add MachineTemplate hash to the AWSMachineTemplate name',
      status: 'open',
      files: ['hypershift-operator/controllers/nodepool/aws.go', 'hypershift-operator/controllers/nodepool/capi.go'],
      validation: [unitTest],
    },
    {
      key: 'HOSTEDCP-3002',
      title: 'Group AllMachinesReady message by failure reason',
      status: 'open',
      files: ['hypershift-operator/controllers/nodepool/conditions.go', 'hypershift-operator/controllers/nodepool/nodepool_controller_test.go'],
      validation: [unitTest],
    },
    {
      key: 'HOSTEDCP-3003',
      title: 'Document the AutorepairEnabled condition',
      status: 'open',
      files: ['docs/content/reference/nodepool-conditions.md'],
      validation: [{ command: 'make verify', why: 'docs nav check' }],
    },
    {
      key: 'HOSTEDCP-3004',
      title: 'Report ValidPlatformConfig reason for Azure',
      status: 'open',
      files: ['hypershift-operator/controllers/nodepool/conditions.go'],
      validation: [],
    },
    {
      key: 'HOSTEDCP-3005',
      title: 'Summarise AllNodesHealthy by count',
      status: 'in_progress',
      files: ['hypershift-operator/controllers/nodepool/conditions.go'],
      validation: [unitTest],
    },
  ];

  it('offers the one open item that meets all four criteria, with the reasons', () => {
    const choice = chooseStarterTask(candidates, patterns);
    expect(choice.chosen?.candidate.key).toBe('HOSTEDCP-3002');
    expect(choice.chosen?.results['follows-pattern'].why).toMatch(
      /pattern "(capi-error-propagation|nodepool-condition-conventions|nodepool-condition-type|platform-error-propagation)" applies/,
    );
    // Why the others lost.
    const byKey = new Map(choice.evaluated.map((e) => [e.candidate.key, e]));
    expect(byKey.get('HOSTEDCP-3001')?.results['status-only']).toEqual({
      ok: false,
      why: 'also changes hypershift-operator/controllers/nodepool/aws.go, hypershift-operator/controllers/nodepool/capi.go',
    });
    expect(byKey.get('HOSTEDCP-3003')?.results['touches-nodepool-controller'].ok).toBe(false);
    expect(byKey.get('HOSTEDCP-3004')?.results['clear-validation']).toEqual({ ok: false, why: 'no test or verify step in its validation' });
    expect(byKey.has('HOSTEDCP-3005')).toBe(false); // already being worked on
    const offer = renderStarterOffer(choice);
    expect(offer).toContain('Starter task: *HOSTEDCP-3002*');
    expect(offer).toContain('changes status/conditions only: only condition/status code, tests or docs');
  });

  it('offers nothing rather than a task that misses a criterion, and says what the closest one lacks', () => {
    const choice = chooseStarterTask(
      candidates.filter((c) => c.key !== 'HOSTEDCP-3002'),
      patterns,
    );
    expect(choice.chosen).toBeUndefined();
    expect(renderStarterOffer(choice)).toMatch(
      /^No open work item meets all four starter criteria yet\. Closest: HOSTEDCP-3004 .*fails "has a clear validation step"/,
    );
  });
});
