/**
 * The redrive Lambda: replays failure documents (Lambda on-failure records, quarantine
 * records) from the failure bucket or from SQS/SNS events onto the stream. Thin adapter: the
 * logic is runRedrive and redriveResponse in the runtime toolkit.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  redriveEnvironment,
  redriveResponse,
  runRedrive,
  summarizeCounts,
  type RedriveRunReport,
} from 'cdk-kinesis-pipeline-runtime';

const logger = new Logger({ serviceName: 'cdk-kinesis-pipeline-redrive' });
const clients = { kinesis: new KinesisClient({}), s3: new S3Client({}) };
const env = redriveEnvironment();

type Summary = Omit<RedriveRunReport, 'replayedKeys'> & { replayedKeys: number };

export async function handler(event: unknown): Promise<Summary | { batchItemFailures: { itemIdentifier: string }[] }> {
  // A rejected event (RedriveInputError) or a ledger failure (RedriveAbortedError) throws here:
  // the invocation fails with that one-line message and nothing more is replayed.
  const result = await runRedrive(event, env, clients);
  const summary: Summary = { ...result.report, replayedKeys: result.report.replayedKeys.length };
  logger.info(`redrive ${result.kind}: ${summarizeCounts(result.report)}`, {
    report: summary,
    failedMessageIds: result.failedMessageIds,
  });
  const response = redriveResponse(result, env);
  return 'batchItemFailures' in response ? response : summary;
}
