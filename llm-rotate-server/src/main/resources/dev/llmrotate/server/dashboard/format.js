// Numbers and times as an operator reads them: always with their unit, grouped digits, times in the browser's zone.

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** A count with grouped digits: 12,345. */
export function count(n) {
  return n == null ? '–' : integer.format(n);
}

/** A count for a narrow place (chart axes): 12.3K. */
export function short(n) {
  return n == null ? '–' : Math.abs(n) < 10000 ? integer.format(n) : compact.format(n);
}

/** Tokens: 12,345 tok. */
export function tokens(n) {
  return n == null ? '–' : integer.format(n) + ' tok';
}

/** US dollars, with enough digits that a fraction of a cent still shows: $0.001789, $12.34. */
export function usd(x) {
  if (x == null) return '–';
  if (x === 0) return '$0.00';
  const abs = Math.abs(x);
  if (abs >= 1) return '$' + x.toFixed(2);
  if (abs >= 0.01) return '$' + x.toFixed(4);
  if (abs < 0.000001) return x > 0 ? '<$0.000001' : '-$' + abs.toExponential(1);
  return '$' + Number(x.toPrecision(3)).toFixed(8).replace(/0+$/, '');
}

/** A duration in milliseconds: 6.4 ms, 1.25 s. */
export function ms(x) {
  if (x == null) return '–';
  if (x >= 1000) return (x / 1000).toFixed(x >= 10000 ? 1 : 2) + ' s';
  return (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)) + ' ms';
}

/** A percentage of a fraction: 12.5 %. */
export function percent(fraction) {
  if (fraction == null || !isFinite(fraction)) return '–';
  const p = fraction * 100;
  return (p === 0 || p === 100 || p >= 10 ? p.toFixed(0) : p.toFixed(1)) + ' %';
}

/** A span of whole seconds for a countdown: 45 s, 3 m 05 s, 2 h 04 m, 3 d 02 h. */
export function countdown(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return s + ' s';
  const m = Math.floor(s / 60);
  if (m < 60) return m + ' m ' + String(s % 60).padStart(2, '0') + ' s';
  const h = Math.floor(m / 60);
  if (h < 48) return h + ' h ' + String(m % 60).padStart(2, '0') + ' m';
  return Math.floor(h / 24) + ' d ' + String(h % 24).padStart(2, '0') + ' h';
}

/** How long ago: 12 s ago, 3 m ago. */
export function ago(iso, nowMs) {
  if (!iso) return '–';
  const s = Math.max(0, (nowMs - Date.parse(iso)) / 1000);
  if (s < 60) return Math.floor(s) + ' s ago';
  if (s < 3600) return Math.floor(s / 60) + ' m ago';
  if (s < 172800) return Math.floor(s / 3600) + ' h ago';
  return Math.floor(s / 86400) + ' d ago';
}

const clockFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const dateFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
});

/** A time of day, with the date when it is not today: 14:05:09, Dec 6, 23:29:35. */
export function time(iso, nowMs = Date.now()) {
  if (!iso) return '–';
  const d = new Date(iso);
  return new Date(nowMs).toDateString() === d.toDateString() ? clockFormat.format(d) : dateFormat.format(d);
}

/** Seconds as a Retry-After: 1 s, 20 s, 2.5 s. */
export function seconds(x) {
  if (x == null) return '–';
  return (Number.isInteger(x) ? x : Number(x.toFixed(x < 10 ? 1 : 0))) + ' s';
}

/** An error type as words: rate_limit -> rate limit. */
export function words(type) {
  return type == null ? '–' : String(type).replaceAll('_', ' ');
}
