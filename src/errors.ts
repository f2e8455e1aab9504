/**
 * An error caused by the user's input (a config file, a CLI argument, a diff). The CLI prints its message
 * alone, without a stack trace; the message must name the file, line and field it is about.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(message: string, readonly details: { file?: string; line?: number; field?: string } = {}) {
    super(message);
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}
