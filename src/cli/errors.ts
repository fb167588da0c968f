/** Bad usage or invalid input: printed as one line, exit status 2, nothing checked. */
export class UsageError extends Error {
  override name = 'UsageError';
}
