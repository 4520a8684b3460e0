/** Number formatting shared by the progress display, the report and the demo table. */

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"]

/** `1536` → `1.5 KiB`. */
export const formatBytes = (bytes: number): string => {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value >= 100 ? 0 : 1)} ${UNITS[unit]}`
}

/** Bytes over milliseconds as a rate: `3.2 MiB/s`. */
export const formatRate = (bytes: number, millis: number): string =>
  millis <= 0 ? "-" : `${formatBytes(Math.round((bytes * 1000) / millis))}/s`

/** Milliseconds as seconds with one decimal: `2.3 s`. */
export const formatSeconds = (millis: number): string => `${(millis / 1000).toFixed(1)} s`
