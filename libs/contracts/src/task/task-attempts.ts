/**
 * The highest attempt number a task can reach, whatever happens to it
 * (failures, lost workers, workers returning it, manual retries). Every
 * message that names an attempt is validated against it, so a task that
 * reached it is failed rather than given an attempt nobody could report.
 */
export const MAX_TASK_ATTEMPTS = 10_000;
