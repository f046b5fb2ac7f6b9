/** ISO 8601 durations (`P14D`, `PT24H`, `P6M`): the unit every period in the catalogue is written in. */
export interface Duration {
  readonly years: number
  readonly months: number
  readonly weeks: number
  readonly days: number
  readonly hours: number
  readonly minutes: number
  readonly seconds: number
}

const PATTERN = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/

/** Parses an ISO 8601 duration; throws on anything else, since durations come from validated data. */
export function parseDuration(text: string): Duration {
  const match = PATTERN.exec(text)
  if (match === null || text === 'P' || text.endsWith('T')) throw new Error(`Not an ISO 8601 duration: ${text}`)
  const part = (index: number) => Number(match[index] ?? 0)
  return {
    years: part(1),
    months: part(2),
    weeks: part(3),
    days: part(4),
    hours: part(5),
    minutes: part(6),
    seconds: part(7),
  }
}

const UNITS: Array<[keyof Duration, string]> = [
  ['years', 'year'],
  ['months', 'month'],
  ['weeks', 'week'],
  ['days', 'day'],
  ['hours', 'hour'],
  ['minutes', 'minute'],
  ['seconds', 'second'],
]

/** A duration in words: `P14D` is "14 days", `PT24H` is "24 hours", `P1M` is "1 month". */
export function describeDuration(text: string): string {
  const duration = parseDuration(text)
  const parts = UNITS.filter(([key]) => duration[key] !== 0).map(
    ([key, word]) => `${duration[key]} ${word}${duration[key] === 1 ? '' : 's'}`,
  )
  return parts.length === 0 ? '0 seconds' : parts.join(' ')
}

/** Adds a duration to an instant in UTC calendar terms (months and years by calendar, the rest by clock). */
export function addDuration(from: Date, text: string): Date {
  return shift(from, text, 1)
}

/** Goes back a duration from an instant, in the same calendar terms as addDuration. */
export function subtractDuration(from: Date, text: string): Date {
  return shift(from, text, -1)
}

function shift(from: Date, text: string, sign: 1 | -1): Date {
  const d = parseDuration(text)
  const result = new Date(from.getTime())
  if (d.years !== 0 || d.months !== 0) {
    const day = result.getUTCDate()
    result.setUTCDate(1)
    result.setUTCMonth(result.getUTCMonth() + sign * (d.years * 12 + d.months))
    // Clamp to the month's last day: 31 January plus one month is 28 or 29 February, not 3 March.
    const lastDay = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate()
    result.setUTCDate(Math.min(day, lastDay))
  }
  const clock = ((d.weeks * 7 + d.days) * 24 * 60 * 60 + d.hours * 60 * 60 + d.minutes * 60 + d.seconds) * 1000
  return new Date(result.getTime() + sign * clock)
}

/** A clock-only duration (no months or years) in seconds, for timers. */
export function durationSeconds(text: string): number {
  const d = parseDuration(text)
  if (d.years !== 0 || d.months !== 0) throw new Error(`${text} has calendar units; it has no fixed length in seconds`)
  return ((d.weeks * 7 + d.days) * 24 + d.hours) * 3600 + d.minutes * 60 + d.seconds
}
