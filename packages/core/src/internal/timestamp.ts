/**
 * Strict ISO 8601 timestamps for credential expirations: date, time and zone required, the calendar checked.
 */

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|([+-])(\d{2}):(\d{2}))$/

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
const daysIn = (year: number, month: number): number =>
  month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0)

/**
 * Parses an ISO 8601 timestamp with date, time and zone (`2026-01-01T00:00:00Z`, `…+02:00`, fractions allowed);
 * anything looser (no zone, no seconds, day 31 in a 30-day month) is `undefined`.
 */
export const parseTimestamp = (text: string): Date | undefined => {
  const match = ISO_8601.exec(text)
  if (match === null) return undefined
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number
  ]
  const sign = match[9] === "-" ? -1 : 1
  const offsetHours = match[10] === undefined ? 0 : Number(match[10])
  const offsetMinutes = match[11] === undefined ? 0 : Number(match[11])
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined
  const millis = match[7] === undefined ? 0 : Math.floor(Number(`0${match[7]}`) * 1000)
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  const utc = new Date(0)
  utc.setUTCFullYear(year, month - 1, day)
  utc.setUTCHours(hour, minute, second, millis)
  return new Date(utc.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000)
}
