// Lint rules that protect the architecture, not just style:
// - workflows/ must stay deterministic: no Node built-ins, no I/O clients, activities only as types.
// - no floating promises anywhere: an un-awaited promise in a Slack handler or activity loses errors.
// - the environment is read in one place: src/config parses it once at start; everything else takes typed values.
// - the repository stands alone: no code reads the ../shared folder a development machine may have beside
//   the clone (test/standalone.test.ts scans every file for it as well, shell scripts included).
// - the local Slack workspace is a stand-in: it speaks Slack's protocols and imports nothing of the app.
// - Slack listeners reach the store and Temporal only through the trigger middleware and the orchestrator port.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
// esquery regular expressions cannot contain "/", so \W stands for the path separator.
const outsideRepo = 'The repository stands alone: read the pinned snapshot in domain-models/snapshot, never ../shared.';
const sharedPath = '/\\.\\.\\W+shared\\b|\\Wwork\\Wshared\\b/';
const ioPackages = ['pg', '@electric-sql/pglite', 'drizzle-orm', 'drizzle-orm/*', '@slack/*', '@anthropic-ai/sdk', '@octokit/*', 'pino', 'yaml', '@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'];

export default tseslint.config(
  { ignores: ['eslint.config.js', 'node_modules/**', '.data/**', '.cache/**', 'migrations/**', 'test/artifacts/**', 'bin/**', 'examples/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.ts', 'scripts/**/*.ts'],
    ignores: ['src/config/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read the environment only in src/config (readEnvironment at start); take the typed slice you need as a parameter.' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code must be deterministic: no Node built-ins. Move I/O into an activity.' })),
        patterns: [
          { group: ioPackages, message: 'Workflow code must not do I/O. Call an activity (imported as a type) instead.' },
          { group: ['**/src/activities/*', '**/src/activities/**'], allowTypeImports: true, message: 'Import activities as types only (proxyActivities<typeof ...>).' },
          { group: ['**/src/db/**', '**/src/slack/**', '**/src/agent/**', '**/src/integrations/**', '**/src/config/load*'], message: 'Workflow code must not import I/O modules.' },
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: 'Use sleep() or condition() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() from @temporalio/workflow.' },
        { name: 'fetch', message: 'No I/O in workflows; use an activity.' },
        { name: 'process', message: 'No process access in workflows.' },
      ],
    },
  },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error',
        { selector: `Literal[value=${sharedPath}]`, message: outsideRepo },
        { selector: `TemplateElement[value.raw=${sharedPath}]`, message: outsideRepo },
        { selector: "CallExpression > Literal[value='..'] ~ Literal[value='shared']", message: outsideRepo },
      ],
    },
  },
  {
    files: ['src/local-slack/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['../*'], message: 'The local workspace stands in for Slack: it imports nothing else of the project, so it cannot know more than Slack would.' }],
      }],
    },
  },
  {
    files: ['src/slack/listeners/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/db/**', 'drizzle-orm', '@temporalio/*', '**/orchestrator/temporal*', '**/workflows/**'], message: 'A listener reaches the store and Temporal only through the trigger (src/slack/trigger.ts) and the Orchestrator port.' }],
      }],
    },
  },
);
