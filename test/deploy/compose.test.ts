// docker-compose.yml is for users with Docker; no engine runs here, so it is validated against the
// Compose specification by Debian's docker-compose (which needs no engine) and checked for what a
// user relies on: healthchecks, volumes and start order.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../../src/paths.js';
import { needs } from '../support/requirements.js';

const composeFile = join(repoRoot, 'docker-compose.yml');

interface Service {
  healthcheck?: unknown;
  depends_on?: Record<string, { condition: string }>;
  build?: string;
  image?: string;
  command?: string[];
  entrypoint?: string[];
  volumes?: string[];
  ports?: string[];
  stop_grace_period?: string;
  environment?: Record<string, string>;
}

/** The file as Compose reads it: `<<: *app-env` merges the shared environment into each service. */
function readCompose(): { services: Record<string, Service> } {
  return parse(readFileSync(composeFile, 'utf8'), { merge: true }) as { services: Record<string, Service> };
}

describe('docker-compose.yml', () => {
  describe('by the Compose validator', () => {
    needs('docker-compose');
    it('is valid according to docker-compose config', () => {
      // Throws with docker-compose's message when the file does not follow the specification.
      execFileSync('docker-compose', ['-f', composeFile, 'config', '-q'], { cwd: repoRoot, stdio: 'pipe' });
    });

    it('is rejected by the same validator when a service is malformed', () => {
      const dir = mkdtempSync(join(tmpdir(), 'sitroom-compose-'));
      const broken = join(dir, 'docker-compose.yml');
      writeFileSync(broken, readFileSync(composeFile, 'utf8').replace('    restart: unless-stopped\n', '    restart: unless-stopped\n    ports: "not-a-list"\n'));
      const result = spawnSync('docker-compose', ['-f', broken, 'config', '-q'], { cwd: dir, encoding: 'utf8' });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/ports/);
    });
  });

  it('runs PostgreSQL, Temporal on that PostgreSQL with its UI, and the worker and Slack app from this repo', () => {
    const doc = parse(readFileSync(composeFile, 'utf8')) as { services: Record<string, Service>; volumes: Record<string, unknown> };
    const { services } = doc;
    expect(Object.keys(services).sort()).toEqual(['migrate', 'postgres', 'slack', 'target-checkout', 'temporal', 'temporal-ui', 'worker']);
    for (const name of ['postgres', 'temporal', 'worker', 'slack']) expect(services[name]?.healthcheck, `${name} healthcheck`).toBeDefined();
    expect(services.temporal?.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(services.worker?.build).toBe('.');
    expect(services.worker?.command).toEqual(['worker']);
    expect(services.slack?.command).toEqual(['slack']);
    expect(services.worker?.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    expect(services.worker?.environment?.DATABASE_URL).toMatch(/@postgres:5432\//);
    expect(Object.keys(doc.volumes)).toContain('postgres-data');
  });

  it('clones a real git repository as TARGET_REPO before the worker and the Slack app start, on a volume both mount', () => {
    const { services } = readCompose();
    const checkout = services['target-checkout']!;
    expect(checkout.entrypoint).toEqual(['/bin/sh', '/app/deploy/target-checkout.sh']);
    const target = checkout.environment?.TARGET_REPO;
    expect(target).toBe('/var/lib/sitroom/target');
    expect(checkout.volumes).toContain('target:/var/lib/sitroom');
    for (const name of ['worker', 'slack']) {
      const service = services[name]!;
      expect(service.environment?.TARGET_REPO, name).toBe(target);
      expect(service.volumes, name).toContain('target:/var/lib/sitroom');
      expect(service.depends_on?.['target-checkout']?.condition, name).toBe('service_completed_successfully');
    }
  });

  it('runs one image for every process of the product, the one the Helm chart runs', () => {
    const { services } = readCompose();
    for (const name of ['target-checkout', 'migrate', 'worker', 'slack']) {
      expect(services[name]?.build, name).toBe('.');
      expect(services[name]?.image, name).toBe('situation-room:local');
    }
  });

  it("publishes the dashboard port and the Slack app's port, each where the process listens", () => {
    const { services } = readCompose();
    const slack = services.slack!;
    const published = (slack.ports ?? []).map((p) => p.split(':').map(Number));
    expect(published).toContainEqual([3000, Number(slack.environment?.PORT)]);
    expect(published).toContainEqual([3001, Number(slack.environment?.SLACK_PORT)]);
    // A server on the container's loopback would be unreachable through the published ports.
    expect(slack.environment?.SITROOM_BIND_HOST).toBe('0.0.0.0');
  });

  it("lets the worker drain: Compose waits longer than the worker's shutdownGraceTime before SIGKILL", () => {
    const { services } = readCompose();
    const grace = Number(/shutdownGraceTime: '(\d+) seconds'/.exec(readFileSync(join(repoRoot, 'src/temporal/worker.ts'), 'utf8'))?.[1]);
    expect(grace).toBeGreaterThan(0);
    expect(Number(/^(\d+)s$/.exec(services.worker?.stop_grace_period ?? '')?.[1])).toBeGreaterThanOrEqual(grace + 10);
  });
});
