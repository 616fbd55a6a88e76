// The dashboard: one page over the control server's JSON endpoints, refreshed on an interval the operator picks.

import { html, render, useState, useEffect, useLayoutEffect, useRef } from './vendor/htm/3.1.1/preact/standalone.module.js';
import { get, timed, path, hasToken, setToken, forgetToken } from './api.js';
import { first } from './boot.js';
import * as f from './format.js';
import { ProviderSummary, KeyFilters, KeyMatrix, fallbackShare } from './keys.js';
import { TimeSeries, Timeline } from './charts.js';
import { UsageTable, EventFilters, EventsTable, ConfigView } from './tables.js';

const WINDOWS = ['15m', '1h', '6h', '24h', '7d'];
const INTERVALS = [[0, 'off'], [2, '2 s'], [5, '5 s'], [10, '10 s'], [30, '30 s'], [60, '1 min']];
const MAX_TIMELINE_KEYS = 12;
const EVENT_PAGE = 50;
const FALLBACK_SAMPLE = 20;
const DAY_MS = 86400000;
/** The answers boot.js asked for, taken by the first load only. */
let firstAnswers = first;

function stored(name, fallback, allowed) {
  const v = localStorage.getItem('llm-rotate.' + name);
  return v != null && allowed.includes(v) ? v : fallback;
}

function store(name, value) {
  localStorage.setItem('llm-rotate.' + name, value);
}

/** The frame as query parameters: a window, or since/until (ISO instants from the inputs' local times). */
function frameParams(frame) {
  return frame.window ? { window: frame.window } : { since: frame.since, until: frame.until };
}

function localInput(ms) {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 16);
}

function useTheme() {
  const [theme, setTheme] = useState(() => stored('theme', 'auto', ['auto', 'light', 'dark']));
  const [system, setSystem] = useState(() => matchMedia('(prefers-color-scheme: dark)').matches);
  useEffect(() => {
    const media = matchMedia('(prefers-color-scheme: dark)');
    const listener = (e) => setSystem(e.matches);
    media.addEventListener('change', listener);
    return () => media.removeEventListener('change', listener);
  }, []);
  useEffect(() => {
    if (theme === 'auto') document.documentElement.removeAttribute('data-theme');
    else document.documentElement.setAttribute('data-theme', theme);
    store('theme', theme);
  }, [theme]);
  return [theme, setTheme, theme === 'auto' ? (system ? 'dark' : 'light') : theme];
}

function Header({ version, serverNow, health, status, updated, busy, interval, setRefresh, paused, setPaused, refresh, theme, setTheme, frame, setFrame, now }) {
  const [custom, setCustom] = useState(() => ({ since: localInput(now - 3600000), until: localInput(now) }));
  const [customError, setCustomError] = useState(null);
  const applyCustom = (e) => {
    e.preventDefault();
    const since = Date.parse(custom.since);
    const until = Date.parse(custom.until);
    if (!(since < until)) {
      setCustomError('"From" must be before "to".');
      return;
    }
    setCustomError(null);
    setFrame({ since: new Date(since).toISOString(), until: new Date(until).toISOString() });
  };
  const pill = status === 'offline' ? ['offline', 'cannot reach the server']
    : health ? [health.status, health.available_keys + ' / ' + health.total_keys + ' keys serving'] : ['loading', 'loading'];
  return html`<header class="top">
    <div class="brand">
      <h1>llm-rotate</h1>
      <span class=${'pill status-' + pill[0]} id="status" role="status"><strong>${pill[0]}</strong> · ${pill[1]}</span>
      <span class="muted small" id="updated" aria-live="off">${updated ? 'updated ' + f.time(new Date(updated).toISOString(), now) : ''}${busy ? ' · loading…' : ''}</span>
    </div>
    <div class="controls" role="group" aria-label="Page controls">
      <label>Time frame <select id="frame" value=${frame.window ?? 'custom'} onChange=${(e) => (e.target.value === 'custom'
        ? setFrame({ custom: true, ...frameParamsOfInputs(custom) }) : setFrame({ window: e.target.value }))}>
        ${WINDOWS.map((w) => html`<option value=${w}>last ${w}</option>`)}<option value="custom">custom range</option></select></label>
      <label>Auto refresh <select id="refresh-interval" value=${String(interval)} onChange=${(e) => setRefresh(Number(e.target.value))}>
        ${INTERVALS.map(([s, label]) => html`<option value=${String(s)}>${label}</option>`)}</select></label>
      <button type="button" id="pause" aria-pressed=${paused} disabled=${interval === 0} onClick=${() => setPaused(!paused)}>${paused ? 'Resume' : 'Pause'}</button>
      <button type="button" id="refresh-now" onClick=${refresh}>Refresh now</button>
      <label>Theme <select id="theme" value=${theme} onChange=${(e) => setTheme(e.target.value)}>
        <option value="auto">auto</option><option value="light">light</option><option value="dark">dark</option></select></label>
      ${hasToken() ? html`<button type="button" id="forget-token" onClick=${() => { forgetToken(); location.reload(); }}>Forget token</button>` : null}
    </div>
    ${!frame.window ? html`<form class="custom-range" onSubmit=${applyCustom} aria-label="Custom time range">
      <label>From <input type="datetime-local" id="since" value=${custom.since} onInput=${(e) => setCustom({ ...custom, since: e.target.value })} /></label>
      <label>To <input type="datetime-local" id="until" value=${custom.until} onInput=${(e) => setCustom({ ...custom, until: e.target.value })} /></label>
      <button type="submit" id="apply-range">Apply</button>
      ${customError ? html`<span class="error-text" role="alert">${customError}</span>` : null}
    </form>` : null}
    <nav aria-label="Sections"><a href="#keys">Keys</a><a href="#traffic">Traffic</a><a href="#timeline">Timeline</a><a href="#usage">Usage</a><a href="#calls">Recent calls</a><a href="#config">Configuration</a>
      ${version ? html`<span class="muted small version">server ${version.version} · up ${f.countdown((serverNow - Date.parse(version.started_at)) / 1000)}</span>` : null}</nav>
  </header>`;
}

function frameParamsOfInputs(custom) {
  return { since: new Date(Date.parse(custom.since)).toISOString(), until: new Date(Date.parse(custom.until)).toISOString() };
}

function TokenPrompt({ refused, onToken }) {
  const [value, setValue] = useState('');
  const input = useRef(null);
  useEffect(() => input.current && input.current.focus(), []);
  return html`<section class="card token-prompt" aria-labelledby="token-title">
    <h2 id="token-title">This server needs its bearer token</h2>
    <p>The control server was started with a token (a non-loopback address). Enter it to see its data. It is kept in this
      tab only (sessionStorage) and sent as <code>Authorization: Bearer …</code> to this server; the page never shows it.</p>
    ${refused ? html`<p class="error-text" role="alert">The server refused that token.</p>` : null}
    <form onSubmit=${(e) => { e.preventDefault(); if (value.trim()) onToken(value.trim()); }}>
      <label>Token <input ref=${input} type="password" id="token" autocomplete="off" spellcheck="false" value=${value}
        onInput=${(e) => setValue(e.target.value)} /></label>
      <button type="submit" id="token-submit">Connect</button>
    </form>
  </section>`;
}

function ErrorBanner({ error, updated, interval, paused, retry, now }) {
  if (!error) return null;
  const unreachable = error.kind === 'unreachable';
  return html`<div class="banner error" role="alert" id="error-banner">
    <strong>${unreachable ? 'Cannot reach the control server' : 'The server answered with an error'}</strong>
    ${unreachable ? html` at <code>${location.origin}</code>.` : html`: ${error.message}.`}
    ${updated ? ' Showing what it said at ' + f.time(new Date(updated).toISOString(), now) + '.' : ' Nothing to show yet.'}
    ${interval && !paused ? ' Trying again every ' + f.countdown(interval) + '.' : ''}
    <button type="button" id="retry" onClick=${retry}>Try now</button>
  </div>`;
}

function Section({ id, title, children, aside }) {
  return html`<section id=${id} class="section" aria-labelledby=${id + '-title'}>
    <div class="section-head"><h2 id=${id + '-title'}>${title}</h2>${aside}</div>
    ${children}
  </section>`;
}

function SeriesSelection({ selection, setSelection, options }) {
  const select = (id, label, name, values) => html`<label>${label} <select id=${id} value=${selection[name]}
    onChange=${(e) => setSelection({ ...selection, [name]: e.target.value })}>
    <option value="">all</option>${values.map((v) => html`<option value=${v}>${v}</option>`)}</select></label>`;
  return html`<div class="filters" role="group" aria-label="Series selection">
    ${select('series-provider', 'Provider', 'provider', options.providers)}
    ${select('series-model', 'Model', 'model', options.models)}
    ${select('series-key', 'Key', 'key_id', options.keys)}
  </div>`;
}

function optionsOf(config, keys) {
  const source = config ? config.keys : keys ?? [];
  const models = new Set();
  for (const k of source) for (const m of Array.isArray(k.models) ? k.models : Object.keys(k.models ?? {})) models.add(m);
  return {
    providers: [...new Set(source.map((k) => k.provider))].sort(),
    models: [...models].sort(),
    keys: source.map((k) => k.key_id),
  };
}

function App() {
  const [theme, setTheme, effectiveTheme] = useTheme();
  const [interval, setRefreshInterval] = useState(() => Number(stored('refresh', '5', INTERVALS.map((i) => String(i[0])))));
  const [paused, setPaused] = useState(false);
  const [frame, setFrame] = useState({ window: stored('window', '1h', WINDOWS) });
  const [keyFilter, setKeyFilter] = useState({ provider: '', state: '' });
  const [selection, setSelection] = useState({ provider: '', model: '', key_id: '' });
  const [eventFilter, setEventFilter] = useState({ provider: '', model: '', key_id: '', outcome: '' });
  const [eventLimit, setEventLimit] = useState(EVENT_PAGE);
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [token, setTokenState] = useState({ needed: false, refused: false });
  const [updated, setUpdated] = useState(null);
  const [busy, setBusy] = useState(false);
  const [loads, setLoads] = useState(0);
  const [skew, setSkew] = useState(0);
  const [now, setNow] = useState(Date.now());
  const [reload, setReload] = useState(0);
  const current = useRef(null);
  const rarely = useRef(null);

  useEffect(() => {
    const ticker = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(ticker);
  }, []);
  useEffect(() => store('refresh', String(interval)), [interval]);
  useEffect(() => {
    if (frame.window) store('window', frame.window);
  }, [frame]);

  // Two steps: the keys first (the centre of the page shows as soon as they arrive), then the rest. The sanitized
  // configuration and the version change rarely: asked for on the first load and on "Refresh now".
  const load = async (full) => {
    if (current.current) current.current.abort();
    const controller = new AbortController();
    current.current = controller;
    const signal = controller.signal;
    setBusy(true);
    try {
      const fp = frameParams(frame);
      const seriesParams = { ...fp, ...selection };
      if (!frame.window && Date.parse(frame.since) < Date.now() + skew - DAY_MS) seriesParams.bucket = '1h';
      const early = firstAnswers;
      firstAnswers = null;
      const [healthAnswer, keysAnswer] = await Promise.all([
        early ? early.health : timed('/health', signal),
        early ? early.keys : timed('/keys', signal),
      ]);
      if (signal.aborted) return;
      const health = healthAnswer.body;
      const keys = keysAnswer.body;
      const received = keysAnswer.at;
      setSkew(Date.parse(keys.generated_at) - received);
      setData((d) => ({ ...d, health, keys }));
      setTokenState({ needed: false, refused: false });
      const timelineKeys = keys.keys.filter((k) => (!selection.provider || k.provider === selection.provider)
        && (!selection.key_id || k.key_id === selection.key_id));
      const fresh = full || !rarely.current;
      const [usage, series, events, recent, histories, config, version] = await Promise.all([
        get(path('/usage', fp), signal),
        get(path('/timeseries', seriesParams), signal),
        get(path('/events', { ...fp, ...eventFilter, limit: eventLimit }), signal),
        get(path('/events', { limit: FALLBACK_SAMPLE }), signal),
        Promise.all(timelineKeys.slice(0, MAX_TIMELINE_KEYS).map((k) => get(
          path('/keys/' + encodeURIComponent(k.key_id) + '/history', { ...fp, limit: 200 }), signal))),
        fresh ? get('/config', signal) : rarely.current.config,
        fresh ? get('/version', signal) : rarely.current.version,
      ]);
      if (signal.aborted) return;
      rarely.current = { config, version };
      setData((d) => ({ ...d, usage, series, events, recent, histories, config, version,
        truncatedKeys: Math.max(0, timelineKeys.length - MAX_TIMELINE_KEYS) }));
      setError(null);
      setUpdated(received);
      setNow(Date.now());
      setLoads((n) => n + 1);
    } catch (e) {
      if (e.name === 'AbortError') return;
      if (e.kind === 'unauthorized') {
        const refused = hasToken();
        forgetToken();
        setTokenState({ needed: true, refused });
      } else {
        setError(e);
      }
      setLoads((n) => n + 1);
    } finally {
      if (current.current === controller) {
        current.current = null;
        setBusy(false);
      }
    }
  };

  // Loads now and on every tick of the chosen interval; a change of frame, filter or interval starts over.
  const lastReload = useRef(0);
  useLayoutEffect(() => {
    if (token.needed) return undefined;
    load(reload !== lastReload.current);
    lastReload.current = reload;
    if (interval === 0 || paused) return undefined;
    const timer = setInterval(() => load(false), interval * 1000);
    return () => clearInterval(timer);
  }, [frame, selection, eventFilter, eventLimit, interval, paused, reload, token.needed]);

  useEffect(() => {
    // For the page-weight benchmark: when the key matrix first shows data.
    if (data && data.keys && performance.getEntriesByName('llm-rotate:first-data').length === 0) performance.mark('llm-rotate:first-data');
  }, [data]);

  const refresh = () => setReload((n) => n + 1);
  const serverNow = now + skew;
  const status = error && error.kind === 'unreachable' ? 'offline' : null;
  const options = optionsOf(data && data.config, data && data.keys.keys);
  const state = token.needed ? 'token' : !data || !data.series ? (error ? 'error' : 'loading') : error ? 'stale' : 'ready';

  return html`
    <a class="skip" href="#keys">Skip to the keys</a>
    <${Header} version=${data && data.version} serverNow=${serverNow} health=${data && !error ? data.health : null} status=${status} updated=${updated} busy=${busy}
      interval=${interval} setRefresh=${(v) => { setRefreshInterval(v); setPaused(false); }} paused=${paused} setPaused=${setPaused}
      refresh=${refresh} theme=${theme} setTheme=${setTheme} frame=${frame} setFrame=${(fr) => setFrame(fr.custom ? { since: fr.since, until: fr.until } : fr)} now=${now} />
    <main id="main" data-state=${state} data-loads=${loads} aria-busy=${busy}>
      <${ErrorBanner} error=${error} updated=${updated} interval=${interval} paused=${paused} retry=${refresh} now=${now} />
      ${token.needed ? html`<${TokenPrompt} refused=${token.refused} onToken=${(t) => { setToken(t); setTokenState({ needed: false, refused: false }); }} />` : null}
      ${!token.needed && !data && !error ? html`<p class="empty">Loading…</p>` : null}
      ${!token.needed && data ? html`
        <${Section} id="keys" title="Keys: which are out, why, and when they come back"
          aside=${html`<${KeyFilters} keys=${data.keys.keys} filter=${keyFilter} setFilter=${setKeyFilter} />`}>
          <${ProviderSummary} health=${data.health} fallback=${fallbackShare(data.recent)} serverNow=${serverNow} />
          <${KeyMatrix} keys=${data.keys.keys} filter=${keyFilter} serverNow=${serverNow} now=${now} config=${data.config} />
        <//>
        <${Section} id="traffic" title=${'Traffic, ' + frameLabel(frame, now)}
          aside=${html`<${SeriesSelection} selection=${selection} setSelection=${setSelection} options=${options} />`}>
          ${data.series ? html`<${TimeSeries} series=${data.series} theme=${effectiveTheme} />` : html`<p class="empty">Loading…</p>`}
        <//>
        <${Section} id="timeline" title="Key timeline: state changes and 429s">
          ${data.series ? html`<${Timeline} histories=${data.histories} keys=${data.keys.keys} frame=${data.series.frame} truncatedKeys=${data.truncatedKeys} />` : html`<p class="empty">Loading…</p>`}
        <//>
        <${Section} id="usage" title=${'Usage, ' + frameLabel(frame, now)}>
          ${data.usage ? html`<${UsageTable} usage=${data.usage} />` : html`<p class="empty">Loading…</p>`}
        <//>
        <${Section} id="calls" title="Recent calls"
          aside=${html`<${EventFilters} filter=${eventFilter} setFilter=${(v) => { setEventFilter(v); setEventLimit(EVENT_PAGE); }} options=${options} />`}>
          ${data.events ? html`<${EventsTable} events=${data.events} now=${now} loadingMore=${busy}
            onMore=${() => setEventLimit(Math.min(1000, eventLimit + EVENT_PAGE))} />` : html`<p class="empty">Loading…</p>`}
        <//>
        <${Section} id="config" title="Configuration (sanitized: no secrets)">
          ${data.config ? html`<${ConfigView} config=${data.config} />` : html`<p class="empty">Loading…</p>`}
        <//>` : null}
    </main>`;
}

function frameLabel(frame, now) {
  if (frame.window) return 'last ' + frame.window;
  return f.time(frame.since, now) + ' – ' + f.time(frame.until, now);
}

const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
