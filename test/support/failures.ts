// Assertions on the failure catalogue need the error a call threw, and a call that did not throw must fail the test.
import type { CataloguedFailure } from '../../src/contracts/failures.js';

/** What a call threw, for assertions on catalogued failures. */
export async function thrown(p: Promise<unknown>): Promise<CataloguedFailure> {
  try {
    await p;
  } catch (err) {
    return err as CataloguedFailure;
  }
  throw new Error('expected a failure');
}
