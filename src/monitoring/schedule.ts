// Shift and change-window schedules in IANA time zones. Wall-clock times are computed with Intl,
// so DST transitions and shifts that cross midnight are handled by the calendar, not by
// fixed offsets.
import type { Schedule, ShiftSlot } from './types.ts';

const DAY_MS = 86_400_000;
const QUARTER_MS = 15 * 60_000;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

const formatters = new Map<string, Intl.DateTimeFormat>();
// Offsets change only at quarter-hour instants in every current zone, so one lookup per zone per
// quarter hour is exact and keeps Intl off the per-event hot path.
const offsetCache = new Map<string, { quarter: number; offsetMs: number }>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(tz: unknown): tz is string {
  if (typeof tz !== 'string' || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Offset of local wall time from UTC at instant t, in ms. */
export function zoneOffsetMs(timeZone: string, t: number): number {
  const quarter = Math.floor(t / QUARTER_MS);
  const cached = offsetCache.get(timeZone);
  if (cached && cached.quarter === quarter) return cached.offsetMs;
  const p: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(quarter * QUARTER_MS))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const local = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  const offsetMs = local - quarter * QUARTER_MS;
  if (offsetCache.size > 1000) offsetCache.clear();
  offsetCache.set(timeZone, { quarter, offsetMs });
  return offsetMs;
}

/** ISO weekday (1 = Monday) and minute of day of instant t in the zone. */
export function localTime(timeZone: string, t: number): { weekday: number; minute: number } {
  const local = t + zoneOffsetMs(timeZone, t);
  const days = Math.floor(local / DAY_MS);
  // 1970-01-01 was a Thursday (ISO 4).
  const weekday = ((((days + 3) % 7) + 7) % 7) + 1;
  return { weekday, minute: Math.floor((local - days * DAY_MS) / 60_000) };
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const previousDay = (weekday: number) => (weekday === 1 ? 7 : weekday - 1);

function inSlot(slot: ShiftSlot, weekday: number, minute: number): boolean {
  const start = minutesOf(slot.start);
  const end = minutesOf(slot.end);
  if (start < end) return slot.days.includes(weekday) && minute >= start && minute < end;
  // Overnight (or 24 h when start == end): the part after midnight belongs to the previous day's slot.
  if (slot.days.includes(weekday) && minute >= start) return true;
  return slot.days.includes(previousDay(weekday)) && minute < end;
}

function inScheduleAt(s: Schedule, t: number): boolean {
  const { weekday, minute } = localTime(s.timeZone, t);
  return s.slots.some((slot) => inSlot(slot, weekday, minute));
}

/** True when t (epoch ms) falls inside a slot, allowing graceMs before the start and after the end. */
export function isWithinSchedule(s: Schedule, t: number, graceMs = 0): boolean {
  if (inScheduleAt(s, t)) return true;
  return graceMs > 0 && (inScheduleAt(s, t - graceMs) || inScheduleAt(s, t + graceMs));
}

export function isValidSchedule(v: unknown): v is Schedule {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  if (!isValidTimeZone(s.timeZone) || !Array.isArray(s.slots) || s.slots.length > 50) return false;
  return s.slots.every((slot: unknown) => {
    if (typeof slot !== 'object' || slot === null) return false;
    const x = slot as Record<string, unknown>;
    return (
      typeof x.start === 'string' &&
      HHMM.test(x.start) &&
      typeof x.end === 'string' &&
      HHMM.test(x.end) &&
      Array.isArray(x.days) &&
      x.days.length > 0 &&
      x.days.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)
    );
  });
}
