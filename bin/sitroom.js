#!/usr/bin/env node
// Runs the TypeScript CLI in this very process, with tsx registered as the module loader, so the installed
// bin needs no build step and a SIGTERM or SIGINT sent to this pid (by a supervisor, `kill`, or a test)
// reaches the CLI's own handlers: a child process would be orphaned by a signal sent to its parent alone.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
register();
await import(pathToFileURL(join(root, 'src/cli.ts')).href);
