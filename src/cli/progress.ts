// Audit progress on stderr: done/total, rate and ETA. A bar redrawn in place
// (a few times a second) on a terminal of known width; a plain line now and
// then on a terminal that reports no width.
import type { LiveOutput } from './terminal.js';

export interface Progress {
  tick(): void;
  done(): void;
}

const REDRAW_MS = 200;
const STATUS_LINE_MS = 10_000;
const BAR_WIDTH = 24;

export function createProgress(total: number, write: (text: string) => void, live: Exclude<LiveOutput, 'none'>, now: () => number = () => performance.now()): Progress {
  const started = now();
  let count = 0;
  let drawn = started;
  const status = () => {
    const seconds = (now() - started) / 1000;
    const rate = seconds > 0 ? count / seconds : 0;
    const eta = rate > 0 ? Math.ceil((total - count) / rate) : undefined;
    return `${count}/${total}  ${rate.toFixed(1)}/s  ETA ${eta === undefined ? '?' : formatSeconds(eta)}`;
  };
  const draw = () => {
    if (live === 'lines') return write(`maildiag: ${status()}\n`);
    const filled = Math.round((count / Math.max(total, 1)) * BAR_WIDTH);
    write(`\r[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${status()}\u001b[K`);
  };
  return {
    tick() {
      count++;
      const every = live === 'lines' ? STATUS_LINE_MS : REDRAW_MS;
      if (now() - drawn >= every || (live === 'redraw' && count === total)) {
        drawn = now();
        draw();
      }
    },
    done() {
      if (live === 'redraw') write('\r\u001b[K');
    },
  };
}

export function formatSeconds(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}
