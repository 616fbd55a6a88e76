// Loaded on its own (async) by the page: asks for the keys as soon as the page starts, while the rest of the code
// (Preact, uPlot, the views) still loads. The app takes these answers for its first load.
import { timed } from './api.js';

export const first = { health: timed('/health'), keys: timed('/keys') };
// The app awaits them; until it does, a refusal (401) must not count as unhandled.
first.health.catch(() => {});
first.keys.catch(() => {});
