// Time series (uPlot, whose script the first chart loads: the global uPlot) and the per-key timeline of state changes (SVG).

import { html, useEffect, useRef, useState } from './vendor/htm/3.1.1/preact/standalone.module.js';
import * as f from './format.js';
import { StateBadge } from './keys.js';

const HEIGHT = 170;
const PALETTE = ['#2f6fde', '#e5484d', '#f5a524', '#8e4ec6', '#12a594', '#e54666', '#978365', '#3e63dd', '#ad7f58'];

function css(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function axis(format) {
  return {
    stroke: css('--muted'),
    grid: { stroke: css('--grid'), width: 1 },
    ticks: { stroke: css('--grid'), width: 1 },
    values: format ? (u, splits) => splits.map((v) => (v == null ? '' : format(v))) : undefined,
    size: 64,
  };
}

const UPLOT = '/ui/vendor/uplot/1.6.30/uPlot.iife.min.js';

/**
 * uPlot, once its script has run; null before. The first chart adds the script to the page, so that parsing it
 * (49 KB) never delays the keys.
 */
function useUplot() {
  const [ready, setReady] = useState(!!window.uPlot);
  useEffect(() => {
    if (ready) return undefined;
    let script = document.getElementById('uplot');
    if (!script) {
      script = document.createElement('script');
      script.id = 'uplot';
      script.src = UPLOT;
      document.head.append(script);
    }
    const done = () => setReady(!!window.uPlot);
    script.addEventListener('load', done);
    done();
    return () => script.removeEventListener('load', done);
  }, []);
  return ready ? window.uPlot : null;
}

function Chart({ id, title, series, data, yFormat, theme, bars }) {
  const box = useRef(null);
  const plot = useRef(null);
  const uPlot = useUplot();
  useEffect(() => {
    const el = box.current;
    if (!uPlot || !el) return undefined;
    const paths = bars ? uPlot.paths.bars({ size: [0.8, 40] }) : undefined;
    const opts = {
      width: Math.max(240, el.clientWidth),
      height: HEIGHT,
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [axis(null), axis(yFormat)],
      series: [{ value: (u, v) => (v == null ? '–' : f.time(new Date(v * 1000).toISOString())) },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: s.color ?? PALETTE[i % PALETTE.length],
          fill: bars || s.fill ? (s.color ?? PALETTE[i % PALETTE.length]) + 'cc' : undefined,
          width: bars ? 0 : 1.5,
          paths: bars ? paths : undefined,
          spanGaps: false,
          points: { show: false },
          value: s.value ?? ((u, v) => (v == null ? '–' : yFormat(v))),
        }))],
    };
    plot.current = new uPlot(opts, data, el);
    return () => {
      plot.current.destroy();
      plot.current = null;
    };
  }, [data, theme, uPlot]);
  useEffect(() => {
    let frame = 0;
    let width = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        const w = Math.max(240, box.current.clientWidth);
        if (plot.current && w !== width) {
          width = w;
          plot.current.setSize({ width: w, height: HEIGHT });
        }
      });
    });
    observer.observe(box.current);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
    };
  }, []);
  return html`<figure class="chart card" id=${id}><figcaption>${title}</figcaption><div class="plot" ref=${box}></div></figure>`;
}

/** Sums of the series over the frame, shown above the charts. */
export function seriesTotals(points) {
  const t = { calls: 0, successes: 0, failures: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0, by_type: {} };
  for (const p of points) {
    const x = p.totals;
    t.calls += x.calls;
    t.successes += x.successes;
    t.failures += x.failures;
    t.input_tokens += x.input_tokens;
    t.output_tokens += x.output_tokens;
    t.cost_usd += x.cost_usd;
    for (const [type, n] of Object.entries(x.failures_by_type)) t.by_type[type] = (t.by_type[type] ?? 0) + n;
  }
  return t;
}

function stacked(points, xs, totals) {
  // Each layer is drawn as the sum of itself and those below it, tallest first, so that every layer shows.
  const layers = [{ label: 'successes', raw: points.map((p) => p.totals.successes), color: '#18a058' }];
  Object.keys(totals.by_type).sort().forEach((type, i) => layers.push({
    label: f.words(type), raw: points.map((p) => p.totals.failures_by_type[type] ?? 0), color: PALETTE[(i + 1) % PALETTE.length],
  }));
  const sums = [];
  let running = points.map(() => 0);
  for (const layer of layers) {
    running = running.map((v, i) => v + layer.raw[i]);
    sums.push(running);
  }
  const order = layers.map((_, i) => i).reverse();
  return {
    series: order.map((i) => ({ label: layers[i].label, color: layers[i].color, value: (u, v, si, idx) => (idx == null ? '–' : f.count(layers[i].raw[idx])) })),
    data: [xs, ...order.map((i) => sums[i])],
  };
}

function latency(points, field, key) {
  return points.map((p) => (p.totals.calls === 0 || (field === 'first_chunk' && p.first_chunk.max_ms === 0)
    ? null : (field === 'first_chunk' ? p.first_chunk : p.totals.latency)[key]));
}

export function TimeSeries({ series, theme }) {
  const points = series.points;
  const totals = seriesTotals(points);
  const xs = points.map((p) => Date.parse(p.start) / 1000);
  const calls = stacked(points, xs, totals);
  const empty = totals.calls === 0;
  const streamed = points.some((p) => p.first_chunk.max_ms > 0);
  return html`
    <dl class="totals" id="series-totals">
      <div><dt>Calls</dt><dd data-value=${totals.calls}>${f.count(totals.calls)}</dd></div>
      <div><dt>Failed</dt><dd data-value=${totals.failures}>${f.count(totals.failures)}${totals.calls ? html` <span class="muted small">(${f.percent(totals.failures / totals.calls)})</span>` : null}</dd></div>
      <div><dt>Tokens in</dt><dd data-value=${totals.input_tokens}>${f.tokens(totals.input_tokens)}</dd></div>
      <div><dt>Tokens out</dt><dd data-value=${totals.output_tokens}>${f.tokens(totals.output_tokens)}</dd></div>
      <div><dt>Cost</dt><dd data-value=${totals.cost_usd}>${f.usd(totals.cost_usd)}</dd></div>
      <div><dt>Bucket</dt><dd>${series.bucket}</dd></div>
    </dl>
    ${empty ? html`<p class="empty">No calls in this time frame${series.filter.provider || series.filter.model || series.filter.key_id ? ' for this selection' : ''} yet. Calls show here as soon as they end.</p>` : null}
    <div class="charts">
      <${Chart} id="chart-calls" title="Calls and errors by type (per bucket)" series=${calls.series} data=${calls.data} yFormat=${f.short} theme=${theme} bars />
      <${Chart} id="chart-latency" title="Latency p50 / p95 / p99" theme=${theme} yFormat=${f.ms}
        series=${[{ label: 'p50' }, { label: 'p95' }, { label: 'p99' }]}
        data=${[xs, latency(points, 'totals', 'p50_ms'), latency(points, 'totals', 'p95_ms'), latency(points, 'totals', 'p99_ms')]} />
      <${Chart} id="chart-first-chunk" title=${'Time to first chunk p50 / p95' + (streamed ? '' : ' (no streamed calls)')} theme=${theme} yFormat=${f.ms}
        series=${[{ label: 'p50' }, { label: 'p95' }]}
        data=${[xs, latency(points, 'first_chunk', 'p50_ms'), latency(points, 'first_chunk', 'p95_ms')]} />
      <${Chart} id="chart-tokens" title="Tokens in / out" theme=${theme} yFormat=${f.short}
        series=${[{ label: 'in', value: (u, v) => f.tokens(v) }, { label: 'out', value: (u, v) => f.tokens(v) }]}
        data=${[xs, points.map((p) => p.totals.input_tokens), points.map((p) => p.totals.output_tokens)]} />
      <${Chart} id="chart-cost" title="Cost (USD)" theme=${theme} yFormat=${f.usd} bars
        series=${[{ label: 'cost', color: '#8e4ec6' }]} data=${[xs, points.map((p) => p.totals.cost_usd)]} />
    </div>`;
}

/** State segments of one subject (a key, or one model of it), oldest first, over the frame. */
function segments(changes, from, until) {
  const out = [];
  let start = from;
  let state = changes.length ? changes[0].from : null;
  for (const c of changes) {
    const at = Date.parse(c.at);
    if (at > start) out.push({ state, start, end: at });
    start = Math.max(start, at);
    state = c.to;
  }
  if (state && until > start) out.push({ state, start, end: until });
  return out;
}

function Lane({ label, changes, from, until, state }) {
  const span = Math.max(1, until - from);
  const x = (t) => ((Math.min(Math.max(t, from), until) - from) / span) * 1000;
  const limits = changes.filter((c) => c.cause === 'rate_limit');
  const retryAfters = [...new Set(limits.map((c) => c.retry_after).filter((r) => r != null))];
  return html`<div class="lane" data-subject=${label}>
    <div class="lane-label"><span>${label}</span>
      <span class="muted small">${changes.length} change${changes.length === 1 ? '' : 's'}${limits.length ? ' · ' + limits.length + ' rate limit' + (limits.length === 1 ? '' : 's') : ''}${
        retryAfters.length ? ' (Retry-After ' + retryAfters.slice(0, 3).map(f.seconds).join(', ') + ')' : ''}</span>
      ${state ? html` <${StateBadge} state=${state} small />` : null}</div>
    <svg class="lane-bar" viewBox="0 0 1000 20" preserveAspectRatio="none" role="img"
      aria-label=${label + ': ' + changes.length + ' state changes in this frame'}>
      ${segments(changes, from, until).map((s) => html`<rect class=${'seg state-' + s.state.toLowerCase()} x=${x(s.start)} y="3"
        width=${Math.max(s.state === 'ACTIVE' ? 0.5 : 3, x(s.end) - x(s.start))} height="14"><title>${s.state} ${f.time(new Date(s.start).toISOString())} – ${f.time(new Date(s.end).toISOString())}</title></rect>`)}
      ${limits.map((c) => html`<rect class="tick-429" x=${x(Date.parse(c.at)) - 1} y="0" width="2" height="20"><title>429 rate limit at ${f.time(c.at)}${
        c.retry_after != null ? ', Retry-After ' + f.seconds(c.retry_after) : ''}${c.until ? ', resting until ' + f.time(c.until) : ''}</title></rect>`)}
    </svg>
  </div>`;
}

/** Per key, the state changes of the frame: a flapping key shows as many short segments and 429 ticks. */
export function Timeline({ histories, keys, frame, truncatedKeys }) {
  if (!frame) return null;
  const from = Date.parse(frame.from);
  const until = Date.parse(frame.until);
  const byKey = new Map(keys.map((k) => [k.key_id, k]));
  return html`<div class="timeline">
    <div class="timeline-axis muted small"><span>${f.time(frame.from)}</span><span>${f.time(frame.until)}</span></div>
    ${histories.map((h) => {
      const key = byKey.get(h.key_id);
      const oldestFirst = [...h.changes].reverse();
      const subjects = new Map();
      for (const c of oldestFirst) {
        const subject = c.model == null ? h.key_id : h.key_id + ' · ' + c.model;
        if (!subjects.has(subject)) subjects.set(subject, { changes: [], model: c.model });
        subjects.get(subject).changes.push(c);
      }
      return html`<div class="timeline-key" data-key=${h.key_id}>
        ${subjects.size === 0 ? html`<div class="lane quiet"><div class="lane-label"><span>${h.key_id}</span>
          <span class="muted small">no state change in this frame</span>${key ? html` <${StateBadge} state=${key.state} small />` : null}</div></div>` : null}
        ${[...subjects.entries()].map(([subject, s]) => html`<${Lane} label=${subject} changes=${s.changes}
          from=${h.changes.length >= h.limit ? Math.max(from, Date.parse(oldestFirst[0].at)) : from} until=${until}
          state=${key ? (s.model == null ? key.state : key.models[s.model]?.state) : null} />`)}
        ${h.changes.length >= h.limit ? html`<div class="muted small">only the latest ${h.limit} changes are shown</div>` : null}
      </div>`;
    })}
    ${truncatedKeys > 0 ? html`<p class="muted small">${truncatedKeys} more keys not shown: choose a provider or a key above.</p>` : null}
    <div class="legend muted small" aria-hidden="true">
      ${['active', 'probation', 'cooldown', 'quarantine', 'disabled'].map((s) => html`<span><i class=${'swatch state-' + s}></i>${s}</span>`)}
      <span><i class="swatch tick"></i>429 (Retry-After in its tooltip)</span>
    </div>
  </div>`;
}
