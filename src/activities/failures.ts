// The activity boundary of the failure catalogue (src/contracts/failures.ts): rooms below throw plain
// catalogued errors; here they become the ApplicationFailures Temporal reads to decide on retries.
import { ApplicationFailure } from '@temporalio/common';
import { failureCatalogue, isCataloguedFailure, isUserError, type CataloguedFailure, type FailureType } from '../contracts/failures.js';

/** An ApplicationFailure of a catalogued type; retryable or not as the catalogue says. */
export function failure(type: FailureType, message: string, ...details: unknown[]): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: !failureCatalogue[type].retryable, details });
}

/** A catalogued error as Temporal's failure; a service's "try again after" (GitHub's Retry-After) becomes the next retry's delay. */
function cataloguedAsFailure(err: CataloguedFailure): ApplicationFailure {
  const retryAfterMs = err.options.retryAfterMs;
  return ApplicationFailure.create({
    type: err.type,
    message: err.message,
    nonRetryable: err.nonRetryable,
    details: err.details,
    ...(retryAfterMs !== undefined ? { nextRetryDelay: retryAfterMs } : {}),
  });
}

/** A catalogued error as Temporal's failure; anything else unchanged, for the retry policy to judge. */
export function asApplicationFailure(err: unknown): unknown {
  return isCataloguedFailure(err) ? cataloguedAsFailure(err) : err;
}

/** Permanent errors stop Temporal's retries; everything else is retried by the workflow's policy. */
export async function permanentOnUserError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUserError(err)) throw failure('UserError', err.message);
    throw err;
  }
}

// Activities are plain async functions; `any` here only keeps each one's own signature in the result.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ActivityFunctions = Record<string, (...args: any[]) => Promise<unknown>>;

/** Every activity of the set throws catalogued errors as ApplicationFailures. */
export function withCataloguedFailures<T extends ActivityFunctions>(activities: T): T {
  const wrapped: ActivityFunctions = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        throw asApplicationFailure(err);
      }
    };
  }
  return wrapped as T;
}
