// Lint rules that protect the architecture, not just style:
// - workflows/ must stay deterministic: no Node built-ins, no I/O clients, activities only as types.
// - no floating promises anywhere: an un-awaited promise in a Slack handler or activity loses errors.
// - the environment is read in one place: src/config parses it once at start; everything else takes typed values.
// - the repository stands alone: no code reads the ../shared folder a development machine may have beside
//   the clone (test/standalone.test.ts scans every file for it as well, shell scripts included).
// - the local Slack workspace is a stand-in: it speaks Slack's protocols and imports nothing of the app but the
//   request guard and HTML escaping every HTTP surface shares (which themselves import nothing).
// - Slack listeners reach the store and Temporal only through the trigger middleware and the orchestrator port.
// - src/contracts is the floor every room stands on: it imports nothing, neither the project nor packages.
// - src/domain is pure: no I/O outside its one loader (src/domain/load.ts).
// - RH-A (src/agent) is a library: no Slack, no Temporal, no database.
// - src/db stores: it imports no room above it (test/architecture/floors.test.ts checks every floor).
// The import graph has no cycles either; test/architecture/imports.test.ts checks that.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
// esquery regular expressions cannot contain "/", so \W stands for the path separator.
const outsideRepo = 'The repository stands alone: read the pinned snapshot in domain-models/snapshot, never ../shared.';
const sharedPath = '/\\.\\.\\W+shared\\b|\\Wwork\\Wshared\\b/';
// The reused V8 context evaluates a workflow's modules again for every open workflow (only the SDK's own are
// shared), so what workflow code imports is paid per open work item: zod cost about 1 MiB each. Plans are read
// there with src/plan/check.ts; types may still come from anywhere.
const workflowHeavyModules = [
  {
    group: ['zod', 'zod/*', '**/src/plan/schema*', '**/src/config/schema*'],
    allowTypeImports: true,
    message: 'Workflow code is evaluated again for each open workflow: no zod. Read plans with src/plan/check.ts; import types with `import type`.',
  },
];
const projectIoModules = [
  '**/db/*',
  '**/db/**',
  '**/slack/**',
  '**/activities/**',
  '**/orchestrator/**',
  '**/temporal/**',
  '**/main/**',
  '**/http/**',
  '**/integrations/**',
  '**/config/load*',
  '**/config/source*',
];
const ioPackages = [
  'pg',
  '@electric-sql/pglite',
  'drizzle-orm',
  'drizzle-orm/*',
  '@slack/*',
  '@anthropic-ai/sdk',
  '@octokit/*',
  'pino',
  'yaml',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
];

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
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read the environment only in src/config (readEnvironment at start); take the typed slice you need as a parameter.',
        },
      ],
    },
  },
  {
    files: ['src/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../*', '../**'], message: 'src/contracts is the floor: it imports nothing else of the project. Move the type here instead.' },
            { regex: '^[^.]', message: 'src/contracts imports no packages: plain types and constants only, so every room (workflows included) can use it.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    ignores: ['src/domain/load.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'src/domain is pure: file access belongs in src/domain/load.ts, its one I/O file.' })),
          patterns: [
            { group: ioPackages.filter((name) => name !== 'yaml'), message: 'src/domain is pure: no I/O clients.' },
            { group: projectIoModules, message: 'src/domain is pure: it does not reach the store, the surfaces or the integrations.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/agent/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@slack/*', '@temporalio/*', 'pg', '@electric-sql/pglite', 'drizzle-orm', 'drizzle-orm/*'],
              message:
                'RH-A is a library: no Slack, Temporal or database. Throw a catalogued failure (src/contracts/failures.ts); src/activities meters and records.',
            },
            {
              group: ['**/db/*', '**/db/**', '**/slack/**', '**/activities/**', '**/orchestrator/**', '**/temporal/**', '**/main/**'],
              message: 'RH-A is a library: it does not reach the store, Slack or Temporal; take what it needs as a parameter.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/db/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/knowledge/*',
                '**/briefing/*',
                '**/agent/*',
                '**/integrations/*',
                '**/activities/*',
                '**/orchestrator/*',
                '**/temporal/*',
                '**/slack/**',
                '**/http/**',
                '**/main/*',
                '**/cli/*',
                '**/workflows/**',
              ],
              message: 'src/db stores: it imports no room above it. Take the value as a parameter, or move the shared type to src/contracts.',
            },
          ],
        },
      ],
    },
  },
  {
    // Imported by workflow code, so they stay as light as it must (see workflowHeavyModules).
    files: ['src/plan/check.ts', 'src/plan/state.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: workflowHeavyModules }] },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code must be deterministic: no Node built-ins. Move I/O into an activity.' })),
          patterns: [
            { group: ioPackages, message: 'Workflow code must not do I/O. Call an activity (imported as a type) instead.' },
            {
              group: ['**/src/activities/*', '**/src/activities/**'],
              allowTypeImports: true,
              message: 'Import activities as types only (proxyActivities<typeof ...>).',
            },
            {
              group: ['**/src/db/**', '**/src/slack/**', '**/src/agent/**', '**/src/integrations/**', '**/src/config/load*'],
              message: 'Workflow code must not import I/O modules.',
            },
            ...workflowHeavyModules,
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
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
      'no-restricted-syntax': [
        'error',
        { selector: `Literal[value=${sharedPath}]`, message: outsideRepo },
        { selector: `TemplateElement[value.raw=${sharedPath}]`, message: outsideRepo },
        { selector: "CallExpression > Literal[value='..'] ~ Literal[value='shared']", message: outsideRepo },
      ],
    },
  },
  {
    // Its one exception: the request guard and the HTML escaping every HTTP surface shares, which import nothing.
    files: ['src/local-slack/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(?!http/(guard|html)\\.js$)',
              message:
                'The local workspace stands in for Slack: it imports nothing else of the project (only the shared request guard and HTML escaping), so it cannot know more than Slack would.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/http/guard.ts', 'src/http/html.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^\\.', message: 'The shared request guard and HTML escaping import nothing of the project: the local workspace uses them too.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/slack/listeners/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/db/**', 'drizzle-orm', '@temporalio/*', '**/orchestrator/temporal*', '**/workflows/**'],
              message: 'A listener reaches the store and Temporal only through the trigger (src/slack/trigger.ts) and the Orchestrator port.',
            },
          ],
        },
      ],
    },
  },
);
