// A one-line progress bar on stderr for audits: done/total, rate and ETA.
// Only on a terminal; redrawn at most a few times a second.
export interface Progress {
  tick(): void;
  done(): void;
}

const REDRAW_MS = 200;

export function createProgress(total: number, write: (text: string) => void, now: () => number = () => performance.now()): Progress {
  const started = now();
  let count = 0;
  let drawn = 0;
  const draw = () => {
    const seconds = (now() - started) / 1000;
    const rate = seconds > 0 ? count / seconds : 0;
    const eta = rate > 0 ? Math.ceil((total - count) / rate) : undefined;
    const width = 24;
    const filled = Math.round((count / Math.max(total, 1)) * width);
    write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${count}/${total}  ${rate.toFixed(1)}/s  ETA ${eta === undefined ? '?' : formatSeconds(eta)}\u001b[K`);
  };
  return {
    tick() {
      count++;
      if (now() - drawn >= REDRAW_MS || count === total) {
        drawn = now();
        draw();
      }
    },
    done() {
      write('\r\u001b[K');
    },
  };
}

export function formatSeconds(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}
