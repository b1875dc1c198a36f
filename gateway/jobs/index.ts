export * from '../../contract/job.js'
export { JobExistsError, JobRepository } from './job-repository.js'
