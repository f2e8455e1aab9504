// docker-compose.yml is for users with Docker; no engine runs here, so it is validated against the
// Compose specification by Debian's docker-compose (which needs no engine) and checked for what a
// user relies on: healthchecks, volumes and start order.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../../src/db/client.js';
import { needs } from '../support/requirements.js';

const composeFile = join(repoRoot, 'docker-compose.yml');

interface Service {
  healthcheck?: unknown;
  depends_on?: Record<string, { condition: string }>;
  build?: string;
  command?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
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
    expect(Object.keys(services).sort()).toEqual(['migrate', 'postgres', 'slack', 'temporal', 'temporal-ui', 'worker']);
    for (const name of ['postgres', 'temporal', 'worker', 'slack']) expect(services[name]?.healthcheck, `${name} healthcheck`).toBeDefined();
    expect(services.temporal?.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(services.worker?.build).toBe('.');
    expect(services.worker?.command).toEqual(['worker']);
    expect(services.slack?.command).toEqual(['slack']);
    expect(services.worker?.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    expect(services.worker?.environment?.DATABASE_URL).toMatch(/@postgres:5432\//);
    expect(Object.keys(doc.volumes)).toContain('postgres-data');
  });
});
