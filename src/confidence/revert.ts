// Which PR a revert undoes, from GitHub's "Revert" button's wording: the body says `Reverts owner/repo#N`
// (a hand-written revert often says `This reverts #N`). Pure; shared by the orchestrator (is this delivery
// ours?) and the webhook's handling on the worker.

/** The URL of the PR a merged revert names, on the same repository as the revert; undefined when it names none. */
export function revertedPullUrl(event: { url: string; body: string }): string | undefined {
  const named = /(?:^|\n)\s*(?:Reverts|This reverts) (?:[\w.-]+\/[\w.-]+)?#(\d+)/i.exec(event.body);
  if (!named || !/\/pull\/\d+$/.test(event.url)) return undefined;
  return event.url.replace(/\/pull\/\d+$/, `/pull/${named[1]}`);
}
