/**
 * The report of `explain()` (api.md): the winner, a safe view of its credentials, and every source in order.
 */
export interface Report {
  readonly ok: boolean
  /** The winning source's label. */
  readonly source?: string | undefined
  readonly credentials?:
    | {
        /** The last four characters of the access key id; never more. */
        readonly accessKeyIdSuffix: string
        readonly expiration?: string | undefined
        readonly accountId?: string | undefined
      }
    | undefined
  readonly attempts: ReadonlyArray<{
    readonly source: string
    readonly outcome: "succeeded" | "skipped" | "failed" | "not-reached"
    readonly reason?: string | undefined
    readonly message?: string | undefined
    readonly hint?: string | undefined
    readonly elapsedMs: number
  }>
}
