// Dates and "expires in 41 days" / "expired 3 days ago", against the engine's now.
import { plural } from '../words';

export const DAY = 86_400_000;
const HOUR = 3_600_000;

/** "2026-11-28 10:00:00 UTC" */
export function formatInstant(d: Date): string {
  if (Number.isNaN(d.getTime())) return 'invalid date';
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')
    .replace(/Z$/, ' UTC');
}

/** "2026-11-28" */
export function formatDay(d: Date): string {
  if (Number.isNaN(d.getTime())) return 'invalid date';
  return d.toISOString().slice(0, 10);
}

/** "41 days", "1 day", "5 hours", "less than an hour" (the distance, whichever way). */
export function distance(ms: number): string {
  const a = Math.abs(ms);
  const days = Math.floor(a / DAY);
  if (days >= 1) return plural(days, 'day');
  const hours = Math.floor(a / HOUR);
  return hours >= 1 ? plural(hours, 'hour') : 'less than an hour';
}

/** "364 d", "5 h", "< 1 h": the short form for CodeLens titles. */
export function shortDistance(ms: number): string {
  const a = Math.abs(ms);
  const days = Math.floor(a / DAY);
  if (days >= 1) return `${days} d`;
  const hours = Math.floor(a / HOUR);
  return hours >= 1 ? `${hours} h` : '< 1 h';
}

export type ValidityStatus = 'valid' | 'expired' | 'not-yet-valid';

export function validityStatus(notBefore: Date, notAfter: Date, now: Date): ValidityStatus {
  if (now.getTime() > notAfter.getTime()) return 'expired';
  if (now.getTime() < notBefore.getTime()) return 'not-yet-valid';
  return 'valid';
}

/** "expires in 41 days", "expired 3 days ago", "not valid until 2026-01-01 00:00:00 UTC (in 3 days)". */
export function validityPhrase(notBefore: Date, notAfter: Date, now: Date): string {
  switch (validityStatus(notBefore, notAfter, now)) {
    case 'expired':
      return `expired ${distance(now.getTime() - notAfter.getTime())} ago`;
    case 'not-yet-valid':
      return `not valid yet: valid from ${formatInstant(notBefore)} (in ${distance(notBefore.getTime() - now.getTime())})`;
    default:
      return `expires in ${distance(notAfter.getTime() - now.getTime())}`;
  }
}

/** "expires 2027-11-28 (in 364 d)", "expired 2025-10-25 (35 d ago)", "valid from 2026-01-01 (in 3 d)". */
export function shortValidityPhrase(notBefore: Date, notAfter: Date, now: Date): string {
  switch (validityStatus(notBefore, notAfter, now)) {
    case 'expired':
      return `expired ${formatDay(notAfter)} (${shortDistance(now.getTime() - notAfter.getTime())} ago)`;
    case 'not-yet-valid':
      return `valid from ${formatDay(notBefore)} (in ${shortDistance(notBefore.getTime() - now.getTime())})`;
    default:
      return `expires ${formatDay(notAfter)} (in ${shortDistance(notAfter.getTime() - now.getTime())})`;
  }
}
