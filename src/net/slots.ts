// A concurrency limit for promise-returning tasks, cheap enough to make per call:
// the one limiter of the run (DNS questions, blocklist lookups, probes, an
// address's connection slot, an audit's targets).

/**
 * At most `size` tasks at once, the rest in arrival order: what p-limit does,
 * without the five promises and two async functions it makes per task, which
 * an audit's hundreds of thousands of DNS questions (and, per domain, its
 * blocklist lookups) paid for.
 */
export class Slots {
  private active = 0;
  private waiting: (() => void)[] = [];
  private next = 0;

  constructor(private readonly size: number) {}

  /** Every slot is taken: the next task waits. */
  get full(): boolean {
    return this.active >= this.size;
  }

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.waiting.length - this.next;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.size) return this.start(task);
    return new Promise<T>(resolve => this.waiting.push(() => resolve(this.start(task))));
  }

  private start<T>(task: () => Promise<T>): Promise<T> {
    this.active++;
    let done: Promise<T>;
    try {
      done = task();
    } catch (err) {
      done = Promise.reject(err);
    }
    done.then(this.release, this.release);
    return done;
  }

  private release = (): void => {
    this.active--;
    if (this.next < this.waiting.length) {
      const resume = this.waiting[this.next]!;
      this.waiting[this.next++] = undefined as never;
      if (this.next === this.waiting.length) (this.waiting = []), (this.next = 0);
      resume();
    }
  };
}
