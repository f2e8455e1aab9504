// What a developer says to control a plan, as the DM and pair-thread listeners understand it: orders become
// decisions, questions stay questions.
import { describe, expect, it } from 'vitest';
import { parseHandBack, parseOverride } from '../../src/slack/listeners/overrides.js';

describe('plan overrides in words', () => {
  it('reads "execute phase 1 full auto, tell me when the PR is ready" as an order to run it full auto', () => {
    expect(parseOverride('execute phase 1 full auto, tell me when the PR is ready')).toEqual({
      kind: 'mode',
      phase: '1',
      mode: 'autonomous',
      execute: true,
      tellWhenPrReady: true,
    });
    expect(parseOverride('<@U0BOT> run phase platform-bridge of HOSTEDCP-2101 on your own')).toEqual({
      kind: 'mode',
      phase: 'platform-bridge',
      workItemKey: 'HOSTEDCP-2101',
      mode: 'autonomous',
      execute: true,
      tellWhenPrReady: false,
    });
  });

  it('reads mode switches without running anything', () => {
    expect(parseOverride('switch phase 3 to pairing')).toMatchObject({ kind: 'mode', phase: '3', mode: 'collaborative', execute: false });
    expect(parseOverride('set phase 2 to approval required')).toMatchObject({ kind: 'mode', phase: '2', mode: 'approval-required', execute: false });
    expect(parseOverride('make phase 4 ask me first')).toMatchObject({ kind: 'mode', phase: '4', mode: 'approval-required' });
  });

  it('reads pause, resume and cancel of a work item, with a reason', () => {
    expect(parseOverride('pause')).toEqual({ kind: 'work-item', action: 'pause' });
    expect(parseOverride('pause HOSTEDCP-2101')).toEqual({ kind: 'work-item', action: 'pause', workItemKey: 'HOSTEDCP-2101' });
    expect(parseOverride('resume it')).toEqual({ kind: 'work-item', action: 'resume' });
    expect(parseOverride('cancel HOSTEDCP-9: superseded upstream')).toEqual({
      kind: 'work-item',
      action: 'cancel',
      workItemKey: 'HOSTEDCP-9',
      reason: 'superseded upstream',
    });
  });

  it('leaves questions and unrelated sentences alone', () => {
    expect(parseOverride('how does phase 1 run full auto?')).toBeUndefined();
    expect(parseOverride('what happens if I run phase 2 autonomously')).toBeUndefined();
    expect(parseOverride('cancel my 3pm meeting')).toBeUndefined();
    expect(parseOverride('show me the error propagation path from an Azure machine to NodePool conditions')).toBeUndefined();
    expect(parseOverride('phase 1 looks fine')).toBeUndefined();
  });

  it('reads a hand-back in a pair thread and keeps the rest as notes', () => {
    expect(parseHandBack('take it from here: the reason must stay QuotaLimitReached')).toEqual({ notes: 'the reason must stay QuotaLimitReached' });
    expect(parseHandBack('ok, your turn')).toEqual({ notes: 'ok' });
    expect(parseHandBack('can you take it from here?')).toBeUndefined();
    expect(parseHandBack('func main() {}')).toBeUndefined();
  });
});
