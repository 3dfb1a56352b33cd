/**
 * The redrive Lambda: replays failure documents (Lambda on-failure records, quarantine
 * records) from the failure bucket or from SQS/SNS events onto the stream. Thin adapter: the
 * logic is runRedrive in the runtime toolkit.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { redriveEnvironment, runRedrive, type RedriveRunReport } from 'cdk-kinesis-pipeline-runtime';

const logger = new Logger({ serviceName: 'cdk-kinesis-pipeline-redrive' });
const clients = { kinesis: new KinesisClient({}), s3: new S3Client({}) };
const env = redriveEnvironment();

export async function handler(
  event: unknown,
): Promise<Omit<RedriveRunReport, 'replayedKeys'> & { replayedKeys: number }> {
  const report = await runRedrive(event, env, clients);
  const summary = { ...report, replayedKeys: report.replayedKeys.length };
  logger.info('redrive finished', { report: summary });
  return summary;
}
