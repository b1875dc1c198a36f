export * from './job.js'
export { JobExistsError, JobRepository } from './job-repository.js'
