// Every renderer, loaded once, for tests that render the same report in each format.
import { loadRenderer, type Renderer } from '../../src/render/index.js';
import { FORMATS, type Format } from '../../src/render/formats.js';

export const renderers = Object.fromEntries(await Promise.all(FORMATS.map(async f => [f, await loadRenderer(f)]))) as Record<Format, Renderer>;
