// The centre of the page: which keys are out, why, and when they come back.

import { html } from './vendor/htm/3.1.1/preact/standalone.module.js';
import * as f from './format.js';

export const STATES = ['ACTIVE', 'PROBATION', 'COOLDOWN', 'QUARANTINE', 'DISABLED'];

const STATE_HELP = {
  ACTIVE: 'serving',
  PROBATION: 'back on trial: one call at a time',
  COOLDOWN: 'resting after a rate limit or a run of failures',
  QUARANTINE: 'out after an auth, permission or quota error',
  DISABLED: 'failed auth again after quarantine: out until a reload or an operator action',
};

export function StateBadge({ state, small }) {
  return html`<span class=${'badge state-' + state.toLowerCase() + (small ? ' small' : '')} title=${STATE_HELP[state]}
    >${state}</span>`;
}

/** Seconds until an instant on the server's clock, as the browser's clock runs on from the last answer. */
export function remaining(availableAt, serverNow) {
  return availableAt == null ? null : (Date.parse(availableAt) - serverNow) / 1000;
}

function BackIn({ available, availableAt, serverNow, state }) {
  if (available) return html`<span class="serving">serving</span>`;
  if (availableAt == null) {
    return html`<span class="never" title="a DISABLED key does not come back by itself">not by itself${
      state === 'DISABLED' ? ' (reload or operator)' : ''}</span>`;
  }
  const left = remaining(availableAt, serverNow);
  if (left <= 0) return html`<span class="due" title=${'due at ' + f.time(availableAt)}>due now</span>`;
  return html`<span class="countdown" data-seconds=${Math.ceil(left)} title=${'back at ' + f.time(availableAt)}
    >${f.countdown(left)}</span>`;
}

function Budget({ used, limit, unit }) {
  if (limit == null) return html`<div class="muted small">no ${unit} limit</div>`;
  const share = limit > 0 ? Math.min(1, (used ?? 0) / limit) : 1;
  const level = share >= 0.9 ? 'bad' : share >= 0.7 ? 'warn' : 'ok';
  return html`<div class="budget" title=${f.count(used) + ' of ' + f.count(limit) + ' ' + unit + ' used in the last minute'}>
    <span class="budget-text"><span data-value=${used}>${f.count(used)}</span> / ${f.count(limit)} ${unit}</span>
    <span class="meter" role="meter" aria-valuemin="0" aria-valuemax=${limit} aria-valuenow=${used ?? 0}
      aria-label=${unit + ' used'}><span class=${'fill ' + level} style=${{ width: (share * 100).toFixed(1) + '%' }}></span></span>
  </div>`;
}

function ModelStates({ models, serverNow }) {
  const names = Object.keys(models);
  if (names.length === 0) return html`<span class="muted">–</span>`;
  return html`<ul class="models">${names.map((name) => {
    const m = models[name];
    return html`<li class=${'model' + (m.available ? '' : ' out')} data-model=${name}>
      <span class="model-name">${name}</span> <${StateBadge} state=${m.state} small />
      ${m.available || m.state === 'ACTIVE' ? null : html` <${BackIn} available=${false} availableAt=${m.available_at} serverNow=${serverNow} state=${m.state} />`}
      ${m.last_error_type && !m.available && m.state !== 'ACTIVE' ? html` <span class="why">${f.words(m.last_error_type)}</span>` : null}
    </li>`;
  })}</ul>`;
}

function outModels(key) {
  return Object.values(key.models).filter((m) => !m.available).length;
}

/**
 * The state that says whether the key serves: its key-wide state, unless that is ACTIVE while every model rests,
 * when it is the state of the model that comes back first (a single-model key in cooldown is out, not active).
 */
export function effectiveState(key) {
  const models = Object.values(key.models);
  if (key.state !== 'ACTIVE' || models.length === 0 || models.some((m) => m.available)) return key.state;
  const first = models.reduce((a, b) => (a.available_at == null ? b : b.available_at == null ? a
    : Date.parse(a.available_at) <= Date.parse(b.available_at) ? a : b));
  return first.state;
}

function KeyRow({ k, serverNow, now }) {
  const resting = outModels(k);
  const total = Object.keys(k.models).length;
  const calls = k.usage.calls;
  const state = effectiveState(k);
  return html`<tr class=${'key-row row-' + state.toLowerCase() + (k.available ? '' : ' out')} data-key=${k.key_id} data-state=${state}>
    <th scope="row" data-label="Key"><div class="cell"><span class="key-id">${k.key_id}</span><br /><code class="mask">${k.key_mask ?? '(secret unreadable)'}</code></div></th>
    <td data-label="Provider"><div class="cell">${k.provider}</div></td>
    <td data-label="State" class="state-cell"><div class="cell"><${StateBadge} state=${state} />
      ${state !== k.state ? html`<div class="muted small">key-wide ${k.state.toLowerCase()}; ${total === 1 ? 'its model rests' : 'every model rests'}</div>`
        : k.state === 'ACTIVE' && resting > 0 ? html`<div class="muted small">${resting} of ${total} models resting</div>` : null}</div></td>
    <td data-label="Back in" class="back-in"><div class="cell"><${BackIn} available=${k.available} availableAt=${k.available_at} serverNow=${serverNow} state=${k.state} /></div></td>
    <td data-label="Why" class=${'why-cell' + (k.available ? ' muted' : '')}><div class="cell">${k.last_error_type
      ? html`<span class="why">${f.words(k.last_error_type)}</span> <span class="muted small" title=${f.time(k.last_failure_at, now)}>${f.ago(k.last_failure_at, serverNow)}</span>`
      : html`<span class="muted">no failure</span>`}</div></td>
    <td data-label="Failures in a row" class="num" data-value=${k.consecutive_failures}><div class="cell">${f.count(k.consecutive_failures)}</div></td>
    <td data-label="Budget (last minute)" class="budgets"><div class="cell">
      <${Budget} used=${k.budgets.rpm_used} limit=${k.budgets.rate_limit_rpm} unit="rpm" />
      <${Budget} used=${k.budgets.tpm_used} limit=${k.budgets.rate_limit_tpm} unit="tpm" />
    </div></td>
    <td data-label="Models"><div class="cell"><${ModelStates} models=${k.models} serverNow=${serverNow} /></div></td>
    <td data-label="Calls" class="num calls" data-value=${calls}><div class="cell">${f.count(calls)}
      ${calls > 0 ? html`<div class="muted small">${f.percent(k.usage.successes / calls)} ok</div>` : null}</div></td>
  </tr>`;
}

/** Provider cards: keys serving of total, when the earliest comes back, and whether a fallback carries traffic. */
export function ProviderSummary({ health, fallback, serverNow }) {
  const providers = Object.entries(health.providers);
  return html`<div class="providers" aria-live="polite">
    ${providers.map(([name, p]) => {
      const level = p.available_keys === 0 ? 'bad' : p.available_keys < p.total_keys ? 'warn' : 'ok';
      const left = p.earliest_retry_at ? remaining(p.earliest_retry_at, serverNow) : null;
      const carried = fallback.byTarget[name];
      return html`<div class=${'provider card level-' + level} data-provider=${name}>
        <div class="provider-name">${name}</div>
        <div class="provider-count"><strong data-value=${p.available_keys}>${p.available_keys}</strong> / <span data-value=${p.total_keys}>${p.total_keys}</span> keys serving</div>
        ${p.available_keys === 0 ? html`<div class="provider-note">${left == null ? 'no key comes back by itself'
          : left > 0 ? 'first key back in ' + f.countdown(left) : 'first key due now'}</div>` : null}
        ${carried ? html`<div class="provider-note fallback-note">fallback: carried ${carried} of the last ${fallback.sample} calls</div>` : null}
      </div>`;
    })}
  </div>`;
}

/** How many of the latest calls a fallback route carried, per provider that carried them. */
export function fallbackShare(events) {
  const byTarget = {};
  if (!events || events.event_buffer_capacity === 0) return { byTarget, sample: 0 };
  for (const e of events.events) {
    if (e.fallback_used && e.provider) byTarget[e.provider] = (byTarget[e.provider] ?? 0) + 1;
  }
  return { byTarget, sample: events.events.length };
}

export function KeyFilters({ keys, filter, setFilter }) {
  const providers = [...new Set(keys.map((k) => k.provider))].sort();
  return html`<div class="filters" role="group" aria-label="Key filters">
    <label>Provider <select id="key-provider" value=${filter.provider} onChange=${(e) => setFilter({ ...filter, provider: e.target.value })}>
      <option value="">all</option>
      ${providers.map((p) => html`<option value=${p}>${p}</option>`)}
    </select></label>
    <label>State <select id="key-state" value=${filter.state} onChange=${(e) => setFilter({ ...filter, state: e.target.value })}>
      <option value="">all</option>
      <option value="out">out (not serving)</option>
      ${STATES.map((s) => html`<option value=${s}>${s.toLowerCase()}</option>`)}
    </select></label>
  </div>`;
}

export function filterKeys(keys, filter) {
  return keys.filter((k) => (!filter.provider || k.provider === filter.provider)
    && (!filter.state || (filter.state === 'out' ? !k.available || outModels(k) > 0 : effectiveState(k) === filter.state)));
}

/** The key matrix: keys out of service first, then by provider and configuration order. */
export function KeyMatrix({ keys, filter, serverNow, now, config }) {
  const shown = filterKeys(keys, filter);
  const order = (k) => (k.state === 'DISABLED' ? 0 : !k.available ? 1 : outModels(k) > 0 ? 2 : 3);
  const sorted = shown.map((k, i) => [k, i]).sort((a, b) => order(a[0]) - order(b[0]) || a[1] - b[1]).map((p) => p[0]);
  const inPool = new Set(keys.map((k) => k.key_id));
  const outside = config ? config.keys.filter((k) => !inPool.has(k.key_id)) : [];
  return html`
    ${keys.length === 0
      ? html`<p class="empty">No keys in the pool. The configuration's <code>keys</code> (and <code>use_keys</code>) decide which keys serve.</p>`
      : sorted.length === 0
        ? html`<p class="empty">No key matches these filters.</p>`
        : html`<div class="table-wrap"><table class="keys" aria-label="Key health">
          <thead><tr>
            <th scope="col">Key</th><th scope="col">Provider</th><th scope="col">State</th><th scope="col">Back in</th>
            <th scope="col">Why (last error)</th><th scope="col" class="num">Failures in a row</th>
            <th scope="col">Budget (last minute)</th><th scope="col">Models</th><th scope="col" class="num">Calls</th>
          </tr></thead>
          <tbody>${sorted.map((k) => html`<${KeyRow} key=${k.key_id} k=${k} serverNow=${serverNow} now=${now} />`)}</tbody>
        </table></div>`}
    ${outside.length > 0 ? html`<p class="muted outside">Configured but not in the pool: ${outside.map((k, i) => html`${i ? ', ' : ''}<code>${k.key_id}</code> (${
      k.enabled === false ? 'enabled: false' : k.active === false ? 'active: false' : 'not in use_keys'})`)}</p>` : null}`;
}
