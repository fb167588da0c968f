/** Bad usage or invalid input: printed as one line, exit status 2, nothing checked. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The output could not be written (a full disk, a closed file): one line, exit status 3. */
export class OutputError extends Error {
  override name = 'OutputError';
}
