// One started product for an end-to-end file, driven through Slack as people use it: the real Temporal dev server
// and worker (startTestRuntime), the local Slack-compatible workspace, the real Bolt app, the outbox dispatcher
// and, given a secret, the dashboard (startSurfaces). Each file calls useSlackProduct() once, at its top level;
// the product starts before the file's first test and stops after its last.
import { afterAll, beforeAll, expect } from 'vitest';
import type { StoredMessage } from '../../src/local-slack/server.js';
import { startTestRuntime, type TestRuntime } from './runtime.js';
import { startSurfaces, type SurfaceOptions, type Surfaces } from './surfaces.js';
import { until } from './slack-view.js';

type Match = (m: StoredMessage) => boolean;

export interface SlackProduct {
  readonly rt: TestRuntime;
  readonly surfaces: Surfaces;
  readonly ws: Surfaces['workspace'];
  /** The DM channel between the app and `user`. */
  dm(user: string): string;
  /** The messages in `user`'s DM, as they are now (after any chat.update). */
  dmOf(user: string): StoredMessage[];
  /** Waits for a message in `user`'s DM that matches. */
  newDm(user: string, match: Match, what: string, timeoutMs?: number): Promise<StoredMessage>;
  /** `m` as it is now in `user`'s DM (after any chat.update). */
  current(user: string, m: StoredMessage): StoredMessage;
  /** Waits for a reply in the thread `ts` of `channel` that matches. */
  replyIn(channel: string, ts: string, match: Match, what: string, timeoutMs?: number): Promise<StoredMessage>;
  /** Follows the dashboard sign-in link Slack gives `developer`; returns the session cookie as a browser keeps it. */
  signIn(developer: string): Promise<string>;
  /** Stops the product and starts it again with other runtime options (another model back end, say). */
  restart(runtime?: Parameters<typeof startTestRuntime>[0]): Promise<void>;
}

export function useSlackProduct(
  options: SurfaceOptions & {
    startTimeoutMs?: number;
    /** The runtime's options, read when the product starts (after the file's earlier hooks started its doubles). */
    runtime?: () => Parameters<typeof startTestRuntime>[0];
  } = {},
): SlackProduct {
  const { startTimeoutMs = 300_000, runtime: initialRuntime, ...surfaceOptions } = options;
  let rt: TestRuntime | undefined;
  let surfaces: Surfaces | undefined;
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the product is not started: use it inside a test or a hook after useSlackProduct()');
    return value;
  };
  const start = async (runtime?: Parameters<typeof startTestRuntime>[0]) => {
    rt = await startTestRuntime(runtime);
    surfaces = await startSurfaces(rt, surfaceOptions);
  };
  const stop = async () => {
    await surfaces?.stop();
    await rt?.stop();
    surfaces = undefined;
    rt = undefined;
  };
  beforeAll(() => start(initialRuntime?.()), startTimeoutMs);
  afterAll(stop);

  const product: SlackProduct = {
    get rt() {
      return started(rt);
    },
    get surfaces() {
      return started(surfaces);
    },
    get ws() {
      return started(surfaces).workspace;
    },
    dm: (user) => product.ws.dmChannel(product.ws.user(user).id),
    dmOf: (user) => product.ws.messagesIn(product.dm(user)),
    newDm: (user, match, what, timeoutMs) => until(() => product.dmOf(user).find(match), what, timeoutMs),
    current: (user, m) => product.dmOf(user).find((x) => x.ts === m.ts)!,
    replyIn: (channel, ts, match, what, timeoutMs = 60_000) =>
      until(() => product.ws.threadReplies(channel, ts).find((m) => m.stream?.state !== 'streaming' && match(m)), what, timeoutMs),
    async signIn(developer) {
      if (!surfaceOptions.dashboardSecret) throw new Error('useSlackProduct was called without a dashboardSecret: the dashboard is not served');
      const { dashboardLoginLink } = await import('../../src/http/dashboard/index.js');
      const res = await fetch(dashboardLoginLink(product.surfaces.http.url, surfaceOptions.dashboardSecret, developer, new Date()), { redirect: 'manual' });
      expect(res.status).toBe(303);
      return res.headers.get('set-cookie')!.split(';')[0]!;
    },
    async restart(runtime) {
      await stop();
      await start(runtime);
    },
  };
  return product;
}
