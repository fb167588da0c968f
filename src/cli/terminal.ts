// What a stream can show: colour, and lines redrawn in place (spinner,
// progress bar). One policy for stdout and stderr alike.

type Env = Record<string, string | undefined>;

/**
 * `--no-color` wins; then FORCE_COLOR (on unless "0" or "false", as Node
 * reads it, even into a pipe), then NO_COLOR (any non-empty value,
 * no-color.org), then a terminal that is not TERM=dumb.
 */
export function colorEnabled(flag: unknown, isTTY: boolean, env: Env): boolean {
  if (flag === false) return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env['NO_COLOR']) return false;
  return isTTY && env['TERM'] !== 'dumb';
}

/** What stderr can show while work runs. */
export type LiveOutput =
  /** A terminal of known width: a line redrawn in place. */
  | 'redraw'
  /** A terminal that reports no width (0 columns under `script`, some CI runners): plain lines, now and then. */
  | 'lines'
  /** Not a terminal: nothing. */
  | 'none';

export function liveOutput(stream: { isTTY?: boolean; columns?: number }, env: Env): LiveOutput {
  if (!stream.isTTY) return 'none';
  // Redrawing counts lines by the width: with 0 columns that count is infinite.
  return (stream.columns ?? 0) > 0 && env['TERM'] !== 'dumb' ? 'redraw' : 'lines';
}
