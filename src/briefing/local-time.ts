// The developer's own clock: their calendar date and the evening the briefing's "overnight" starts from,
// in their IANA time zone, so a DST change or a zone far from UTC never shifts the window.

/** Where "overnight" starts: the developer's previous local evening. */
export const eveningHour = 18;

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallTime(at: Date, timeZone: string): WallTime {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** The developer's calendar date at an instant, "YYYY-MM-DD". */
export function localDate(at: Date, timeZone: string): string {
  const w = wallTime(at, timeZone);
  return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

/** UTC instant of a wall-clock time in a zone (two passes settle the offset across a DST change). */
function zonedToInstant(w: Omit<WallTime, 'second'>, timeZone: string): Date {
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  const offsetAt = (t: number) => {
    const local = wallTime(new Date(t), timeZone);
    return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second) - Math.floor(t / 1000) * 1000;
  };
  let t = asUtc - offsetAt(asUtc);
  t = asUtc - offsetAt(t);
  return new Date(t);
}

/** The most recent local evening (18:00 in the developer's zone) strictly before `at`. */
export function previousEvening(at: Date, timeZone: string, hour = eveningHour): Date {
  const w = wallTime(at, timeZone);
  const sameDay = zonedToInstant({ year: w.year, month: w.month, day: w.day, hour, minute: 0 }, timeZone);
  if (sameDay.getTime() < at.getTime()) return sameDay;
  const prev = new Date(Date.UTC(w.year, w.month - 1, w.day - 1));
  return zonedToInstant({ year: prev.getUTCFullYear(), month: prev.getUTCMonth() + 1, day: prev.getUTCDate(), hour, minute: 0 }, timeZone);
}
