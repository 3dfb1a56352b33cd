// Entry for StreamConsumer `entry` tests (never bundled: test apps turn bundling off).
import type { KinesisStreamEvent } from 'aws-lambda';
import { processKinesisBatch } from '../../../packages/runtime/src/kinesis-batch';

export const handler = async (event: KinesisStreamEvent) => processKinesisBatch(event, () => undefined);
