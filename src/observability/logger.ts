// Structured logs. Secrets never reach them: known secret fields are redacted by path, and any string
// that looks like a token (Slack xox*, Anthropic sk-ant-, GitHub ghp_/github_pat_, URL passwords) is masked.
import pino, { type DestinationStream, type Logger } from 'pino';

const secretPaths = [
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.apiKey',
  '*.password',
  '*.authorization',
  'headers.authorization',
  'headers["x-slack-signature"]',
  'env.SLACK_BOT_TOKEN',
  'env.SLACK_SIGNING_SECRET',
  'env.SLACK_APP_TOKEN',
  'env.ANTHROPIC_API_KEY',
  'env.GITHUB_TOKEN',
  'env.JIRA_TOKEN',
  'env.DATABASE_URL',
];

const tokenPatterns: RegExp[] = [
  /xox[abposr]-[A-Za-z0-9-]{6,}/g,
  /xapp-[A-Za-z0-9-]{6,}/g,
  /sk-ant-[A-Za-z0-9_-]{6,}/g,
  /gh[pousr]_[A-Za-z0-9]{20,}/g,
  /github_pat_[A-Za-z0-9_]{20,}/g,
  /(postgres(?:ql)?:\/\/[^:/\s]+:)[^@\s]+@/g,
];

/** Masks anything that looks like a credential. Used for logs, prompts and evidence alike. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const pattern of tokenPatterns) {
    out = out.replace(pattern, (match, prefix?: string) => (typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}***@` : '[REDACTED]'));
  }
  return out;
}

/** `level` comes from LOG_LEVEL, parsed at start by the config room and passed down by the composition root. */
export function createLogger(name: string, level = 'info', destination?: DestinationStream): Logger {
  const options = {
    name,
    level,
    redact: { paths: secretPaths, censor: '[REDACTED]' },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? redactSecrets(a) : a)) as Parameters<typeof method>);
      },
    },
    formatters: { level: (label: string) => ({ level: label }) },
  } satisfies pino.LoggerOptions;
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
