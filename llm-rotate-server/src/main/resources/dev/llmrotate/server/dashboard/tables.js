// Usage by provider, model and key; the recent calls with their attempts; the sanitized configuration.

import { html, useState } from './vendor/htm/3.1.1/preact/standalone.module.js';
import * as f from './format.js';

const USAGE_COLUMNS = [
  { id: 'name', label: 'Name', value: (name) => name, text: (v) => v },
  { id: 'calls', label: 'Calls', value: (n, t) => t.calls, text: f.count },
  { id: 'failures', label: 'Failed', value: (n, t) => t.failures, text: f.count },
  { id: 'error_rate', label: 'Error rate', value: (n, t) => (t.calls ? t.failures / t.calls : 0), text: f.percent },
  { id: 'input_tokens', label: 'Tokens in', value: (n, t) => t.input_tokens, text: f.tokens },
  { id: 'output_tokens', label: 'Tokens out', value: (n, t) => t.output_tokens, text: f.tokens },
  { id: 'cost_usd', label: 'Cost', value: (n, t) => t.cost_usd, text: f.usd },
  { id: 'p50_ms', label: 'p50', value: (n, t) => (t.calls ? t.latency.p50_ms : null), text: f.ms },
  { id: 'p95_ms', label: 'p95', value: (n, t) => (t.calls ? t.latency.p95_ms : null), text: f.ms },
];

const GROUPS = [['by_provider', 'Provider'], ['by_model', 'Model'], ['by_key', 'Key']];

/** Tokens and cost for the frame by provider, model or key; sortable by any column; totals below. */
export function UsageTable({ usage }) {
  const [group, setGroup] = useState('by_provider');
  const [sort, setSort] = useState({ column: 'cost_usd', descending: true });
  const column = USAGE_COLUMNS.find((c) => c.id === sort.column);
  const rows = Object.entries(usage[group]).sort((a, b) => {
    const x = column.value(a[0], a[1]);
    const y = column.value(b[0], b[1]);
    const c = typeof x === 'string' ? x.localeCompare(y) : (x ?? -1) - (y ?? -1);
    return (sort.descending ? -c : c) || a[0].localeCompare(b[0]);
  });
  const overall = usage.overall;
  const toggle = (id) => setSort(sort.column === id ? { column: id, descending: !sort.descending } : { column: id, descending: id !== 'name' });
  return html`
    <div class="filters" role="group" aria-label="Group usage by">
      ${GROUPS.map(([id, label]) => html`<button type="button" class=${'toggle' + (group === id ? ' on' : '')}
        aria-pressed=${group === id} onClick=${() => setGroup(id)}>${label}</button>`)}
    </div>
    ${overall.calls === 0 ? html`<p class="empty">No calls in this time frame yet.</p>` : html`
    <div class="table-wrap" tabindex="0" role="region" aria-label="Usage table">
    <table class="usage" id="usage-table">
      <thead><tr>${USAGE_COLUMNS.map((c) => html`<th scope="col" class=${c.id === 'name' ? '' : 'num'}
        aria-sort=${sort.column === c.id ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
        <button type="button" class="sort" onClick=${() => toggle(c.id)}>${c.id === 'name' ? GROUPS.find((g) => g[0] === group)[1] : c.label}${
          sort.column === c.id ? (sort.descending ? ' ▼' : ' ▲') : ''}</button></th>`)}</tr></thead>
      <tbody>${rows.map(([name, t]) => html`<tr data-name=${name}>${USAGE_COLUMNS.map((c) => {
        const v = c.value(name, t);
        return c.id === 'name' ? html`<th scope="row">${name}</th>` : html`<td class="num" data-col=${c.id} data-value=${v ?? ''}>${c.text(v)}</td>`;
      })}</tr>`)}</tbody>
      <tfoot><tr class="total">${USAGE_COLUMNS.map((c) => {
        const v = c.value('Total', overall);
        return c.id === 'name' ? html`<th scope="row">Total</th>` : html`<td class="num" data-col=${c.id} data-value=${v ?? ''}>${c.text(v)}</td>`;
      })}</tr></tfoot>
    </table></div>`}`;
}

export const OUTCOMES = ['success', 'error', 'no_available_key', 'interrupted', 'cancelled'];

export function EventFilters({ filter, setFilter, options }) {
  const select = (id, label, name, values) => html`<label>${label} <select id=${id} value=${filter[name]}
    onChange=${(e) => setFilter({ ...filter, [name]: e.target.value })}>
    <option value="">all</option>${values.map((v) => html`<option value=${v}>${v}</option>`)}</select></label>`;
  return html`<div class="filters" role="group" aria-label="Call filters">
    ${select('event-provider', 'Provider', 'provider', options.providers)}
    ${select('event-model', 'Model', 'model', options.models)}
    ${select('event-key', 'Key', 'key_id', options.keys)}
    ${select('event-outcome', 'Outcome', 'outcome', OUTCOMES)}
  </div>`;
}

function Attempts({ record }) {
  const attempts = record.attempt_details ?? [];
  return html`<div class="attempts">
    <table class="attempt-table">
      <caption>${attempts.length} attempt${attempts.length === 1 ? '' : 's'}${record.attempts_truncated ? ' (list truncated)' : ''}${
        record.rotations ? ', ' + record.rotations + ' rotation' + (record.rotations === 1 ? '' : 's') : ''}${record.fallback_used ? ', fell back' : ''}</caption>
      <thead><tr><th scope="col">#</th><th scope="col">Provider</th><th scope="col">Model</th><th scope="col">Key</th>
        <th scope="col">Outcome</th><th scope="col">Why</th><th scope="col" class="num">HTTP</th><th scope="col" class="num">Retry-After</th>
        <th scope="col" class="num">Started</th><th scope="col" class="num">Took</th></tr></thead>
      <tbody>${attempts.map((a, i) => html`<tr class=${'attempt outcome-' + a.outcome}>
        <td>${i + 1}</td><td>${a.provider}${a.upstream ? ' → ' + a.upstream : ''}</td><td>${a.model}</td>
        <td>${a.key_id} <code class="mask">${a.key_mask}</code></td><td>${a.outcome}</td><td>${f.words(a.error_type)}</td>
        <td class="num">${a.http_status ?? '–'}</td><td class="num">${a.retry_after_ms == null ? '–' : f.ms(a.retry_after_ms)}</td>
        <td class="num">+${f.ms(a.started_ms)}</td><td class="num">${f.ms(a.duration_ms)}</td></tr>`)}</tbody>
    </table>
    ${record.recoveries && record.recoveries.length ? html`<p>Stream recovered ${record.recoveries.length} time${record.recoveries.length === 1 ? '' : 's'}: continued on another attempt after an interruption.</p>` : null}
    <details><summary>Record (as the usage log writes it)</summary><pre class="record">${JSON.stringify(record, null, 2)}</pre></details>
  </div>`;
}

function EventRow({ e, now, open, toggle }) {
  const id = 'attempts-' + e.call_id;
  return html`
    <tr class=${'event outcome-' + e.outcome} data-call=${e.call_id}>
      <td><button type="button" class="expand" aria-expanded=${open} aria-controls=${id} onClick=${toggle}
        aria-label=${(open ? 'Hide' : 'Show') + ' the attempts of call ' + e.call_id}>${open ? '▾' : '▸'}</button></td>
      <td title=${e.timestamp}>${f.time(e.timestamp, now)}</td>
      <td>${e.provider ?? '–'}</td><td>${e.model ?? e.requested_model}</td><td>${e.key_id ?? '–'}</td>
      <td><span class=${'badge outcome outcome-' + e.outcome}>${f.words(e.outcome)}</span>${e.error_type ? html` <span class="why">${f.words(e.error_type)}</span>` : null}</td>
      <td class="num">${e.attempts}${e.fallback_used ? html` <span class="badge small fallback">fallback</span>` : null}</td>
      <td class="num">${f.ms(e.latency_ms)}</td>
      <td class="num">${f.count(e.total_tokens)}</td>
      <td class="num">${f.usd(e.estimated_cost_usd)}</td>
    </tr>
    ${open ? html`<tr class="event-detail" id=${id}><td colspan="10"><${Attempts} record=${e} /></td></tr>` : null}`;
}

/** The event buffer as a table, newest first; a row opens to the attempts its call took. */
export function EventsTable({ events, now, onMore, loadingMore }) {
  const [open, setOpen] = useState({});
  if (events.event_buffer_capacity === 0) {
    return html`<div class="empty" id="events-off"><p><strong>The event buffer is off</strong>, so no call records are kept to show here.</p>
      <p>Turn it on in the configuration: <code>event_buffer: {enabled: true, capacity: 1000}</code>; or, when embedding the
      server, leave <code>ControlServerOptions.eventCapacity</code> above 0 (it switches the buffer on with 1000 records by default).
      In standalone mode the records are those of the workers whose <code>event_buffer</code> is on.</p></div>`;
  }
  if (events.events.length === 0) {
    return html`<p class="empty">No calls recorded in this time frame with these filters yet (the buffer keeps the latest ${f.count(events.event_buffer_capacity)}).</p>`;
  }
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Recent calls table">
    <table class="events" id="events-table">
      <thead><tr><th scope="col"><span class="sr-only">Attempts</span></th><th scope="col">Time</th><th scope="col">Provider</th>
        <th scope="col">Model</th><th scope="col">Key</th><th scope="col">Outcome</th><th scope="col" class="num">Attempts</th>
        <th scope="col" class="num">Latency</th><th scope="col" class="num">Tokens</th><th scope="col" class="num">Cost</th></tr></thead>
      <tbody>${events.events.map((e) => html`<${EventRow} key=${e.call_id} e=${e} now=${now} open=${!!open[e.call_id]}
        toggle=${() => setOpen({ ...open, [e.call_id]: !open[e.call_id] })} />`)}</tbody>
    </table></div>
    <p class="muted small">${f.count(events.events.length)} calls shown (the buffer keeps the latest ${f.count(events.event_buffer_capacity)}).
      ${events.next_cursor ? html` <button type="button" id="events-more" onClick=${onMore} disabled=${loadingMore}>Load older calls</button>` : null}</p>`;
}

/** The configuration without secrets, as /config serves it: the keys as a table, the rest as JSON. */
export function ConfigView({ config }) {
  const rest = { ...config };
  delete rest.keys;
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Configured keys">
    <table class="config-keys">
      <thead><tr><th scope="col">Key</th><th scope="col">Provider</th><th scope="col">Secret</th><th scope="col">Models</th>
        <th scope="col" class="num">Priority</th><th scope="col" class="num">Weight</th><th scope="col" class="num">rpm</th>
        <th scope="col" class="num">tpm</th><th scope="col">Enabled</th></tr></thead>
      <tbody>${config.keys.map((k) => html`<tr><th scope="row">${k.key_id}</th><td>${k.provider}</td><td><code>${k.secret_ref ?? '–'}</code></td>
        <td>${(k.models ?? []).join(', ')}</td><td class="num">${k.priority}</td><td class="num">${k.weight}</td>
        <td class="num">${k.rate_limit_rpm ?? '–'}</td><td class="num">${k.rate_limit_tpm ?? '–'}</td><td>${k.enabled === false ? 'no' : 'yes'}</td></tr>`)}</tbody>
    </table></div>
    <details><summary>Everything else (defaults, providers, fallback chains, pricing, state store)</summary>
      <pre class="record" id="config-json">${JSON.stringify(rest, null, 2)}</pre></details>`;
}
