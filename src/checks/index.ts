// Every check, in pipeline order: the order the report lists them in.
import type { AnyCheck } from './define.js';
import domain from './domain.js';
import mx from './mx.js';
import hostAddrs from './host-addrs.js';

export const checks: readonly AnyCheck[] = [domain, mx, hostAddrs];

export const checkIds = checks.map(c => c.id);
