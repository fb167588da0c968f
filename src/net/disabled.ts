/** MAILDIAG_NO_NETWORK=1 and a destination off this machine: nothing was sent. */
export class NetworkDisabledError extends Error {
  override name = 'NetworkDisabledError';
}
