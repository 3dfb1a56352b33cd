/** Environment variables of the batch processor that the StreamConsumer construct sets. */
export const KINESIS_BATCH_ENV = {
  /**
   * 'false' when the event source mapping does not read partial batch responses
   * (`reportBatchItemFailures: false`): the processor then fails the invocation instead of
   * returning item failures, which Lambda would ignore (and take the batch as a success).
   */
  reportBatchItemFailures: 'REPORT_BATCH_ITEM_FAILURES',
} as const;

/** Whether partial batch responses are read, as the environment says; undefined when it does not say. */
export function reportBatchItemFailuresFromEnvironment(env: NodeJS.ProcessEnv = process.env): boolean | undefined {
  const value = env[KINESIS_BATCH_ENV.reportBatchItemFailures]?.trim().toLowerCase();
  if (value === 'false') return false;
  if (value === 'true') return true;
  return undefined;
}
