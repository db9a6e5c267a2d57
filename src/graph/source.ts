// A job file as read, and ranges into its text: what diagnostics and the normalized graph point at.

export interface Source {
  /** Path as given by the user, used in messages. */
  readonly path: string;
  readonly text: string;
}

/** [start, end) offsets into a source's text. */
export type Range = readonly [number, number];
