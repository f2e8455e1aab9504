import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactSecrets } from '../../src/observability/logger.js';

describe('secrets stay out of logs and prompts', () => {
  it('masks Slack, Anthropic and GitHub tokens and database passwords in free text', () => {
    const text =
      'bot xoxb-1234-5678-abcdefgh app xapp-1-A0-123-abcdef key sk-ant-api03-abcdefgh123 gh ghp_abcdefghijklmnopqrstuvwx12 db postgres://sitroom:hunter2@db:5432/sitroom';
    const masked = redactSecrets(text);
    for (const secret of ['xoxb-1234', 'xapp-1-A0', 'sk-ant-api03', 'ghp_abcdef', 'hunter2']) expect(masked).not.toContain(secret);
    expect(masked).toContain('postgres://sitroom:***@db:5432/sitroom');
  });

  it('redacts secret fields and token-looking strings in structured log lines', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('test', 'info', sink);
    logger.info({ slack: { token: 'opaque-value-1' }, env: { ANTHROPIC_API_KEY: 'opaque-value-2' } }, 'starting');
    logger.warn('retrying with xoxb-1234-5678-abcdefgh after 429');
    const out = lines.join('');
    expect(out).not.toContain('opaque-value-1');
    expect(out).not.toContain('opaque-value-2');
    expect(out).not.toContain('xoxb-1234');
    expect(out.match(/\[REDACTED\]/g)).toHaveLength(3);
    expect(JSON.parse(lines[1]!)).toMatchObject({ level: 'warn', name: 'test', msg: 'retrying with [REDACTED] after 429' });
  });
});
