// Regular-expression search with a time budget. The pattern comes from the model (and so, indirectly, from
// anything it read), and JavaScript's engine backtracks: shapes the static guard does not refuse can still
// take polynomial time on a long line. The matching therefore runs in a worker thread that is terminated
// when the budget is spent, so the event loop (heartbeats, other activities) never waits on it.
import { Worker } from 'node:worker_threads';
import { unsafeRegexReason } from '../domain/safe-regex.js';

export class RegexRefused extends Error {
  override readonly name = 'RegexRefused';
}

// Plain JavaScript evaluated by the worker: matches each text it is sent, line by line.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const re = new RegExp(workerData.pattern, workerData.flags);
parentPort.on('message', (text) => {
  const lines = text.split('\\n');
  const hits = [];
  for (let i = 0; i < lines.length && hits.length < workerData.limit; i++) {
    re.lastIndex = 0;
    if (re.test(lines[i])) hits.push(i);
  }
  parentPort.postMessage(hits);
});
`;

export interface RegexSearchFile {
  rel: string;
  text: string;
}

/**
 * Line numbers (0-based) matching `pattern` in each file, up to `limit` hits in all. Throws RegexRefused
 * for a pattern the guard refuses, one that does not compile, or a search that outlives `budgetMs`.
 */
export async function searchWithBudget(
  pattern: string,
  files: Iterable<RegexSearchFile> | AsyncIterable<RegexSearchFile>,
  opts: { limit: number; budgetMs: number },
): Promise<Array<{ rel: string; line: number }>> {
  const unsafe = unsafeRegexReason(pattern);
  if (unsafe) throw new RegexRefused(`regex refused: ${unsafe}`);
  try {
    new RegExp(pattern);
  } catch (err) {
    throw new RegexRefused(`invalid regex: ${(err as Error).message}`);
  }
  const worker = new Worker(workerSource, { eval: true, workerData: { pattern, flags: '', limit: opts.limit } });
  const failed = new Promise<never>((_, reject) => worker.once('error', (err) => reject(new RegexRefused(`regex search failed: ${err.message}`))));
  // The budget counts matching time only: reading the files (asynchronous, and slower on a busy machine) is
  // not the pattern's cost.
  let remainingMs = opts.budgetMs;
  let timer: NodeJS.Timeout | undefined;
  try {
    const hits: Array<{ rel: string; line: number }> = [];
    for await (const file of files) {
      if (hits.length >= opts.limit) break;
      const reply = new Promise<number[]>((resolve) => worker.once('message', resolve));
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new RegexRefused(`regex refused: the search took longer than ${opts.budgetMs} ms; use a simpler pattern or a literal search`)),
          remainingMs,
        );
      });
      const sentAt = performance.now();
      worker.postMessage(file.text);
      const lines = await Promise.race([reply, expired, failed]);
      clearTimeout(timer);
      remainingMs -= performance.now() - sentAt;
      for (const line of lines) if (hits.length < opts.limit) hits.push({ rel: file.rel, line });
    }
    return hits;
  } finally {
    clearTimeout(timer);
    void worker.terminate();
  }
}
