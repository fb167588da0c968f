// Ctrl-C for the commands that diagnose: the first asks the run to stop (it
// writes what finished and what was cut short), a second ends the process at once.
import { INTERRUPTED_STATUS } from './exit-status.js';

/** After the reports are written, a socket still closing may hold the process this long at most. */
const AFTER_OUTPUT_MS = 300;

export interface Interrupt {
  readonly signal: AbortSignal;
  /** Stop listening; once an interrupted run has written everything, nothing else may keep the process. */
  release(): void;
}

export function listenForInterrupt(): Interrupt {
  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) process.exit(INTERRUPTED_STATUS);
    stop.abort();
  };
  process.on('SIGINT', onSigint);
  return {
    signal: stop.signal,
    release() {
      process.removeListener('SIGINT', onSigint);
      if (stop.signal.aborted) setTimeout(() => process.exit(INTERRUPTED_STATUS), AFTER_OUTPUT_MS).unref();
    },
  };
}
