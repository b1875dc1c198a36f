import type { JobFactSources } from '../../gateway/jobs/job-context.js'

/** Meters that declare nothing (no calibration date, no accuracy) and no step events. */
export const noJobFacts: JobFactSources = { calibrationOf: () => ({}), accuracyOf: () => ({}), stepEvents: () => [] }
