import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { StreamingPipeline, TableSchema } from '../lib';

/** Props of the reference stack: what bin/ reads from the app context. */
export interface ReferencePipelineStackProps extends StackProps {
  /**
   * Subscribed to the alarm topic (`-c alarmEmail=…`).
   * @default - no subscription
   */
  readonly alarmEmail?: string;
}

/**
 * The reference pipeline: a StreamingPipeline with the web-log parts asked for explicitly (the
 * reference consumers, the web-log table and its transform). Copy it and change what you need;
 * the pipeline's stack outputs are what `npx cdk-kinesis-pipeline verify` reads.
 */
export class ReferencePipelineStack extends Stack {
  public readonly pipeline: StreamingPipeline;

  constructor(scope: Construct, id: string, props: ReferencePipelineStackProps = {}) {
    super(scope, id, {
      description: 'cdk-kinesis-pipeline reference pipeline: Kinesis → Lambda consumers + Firehose → Parquet data lake',
      ...props,
    });

    this.pipeline = new StreamingPipeline(this, 'Pipeline', {
      referenceConsumers: true,
      dataLakeProps: { schema: TableSchema.WEB_LOG, referenceTransform: true },
      monitoringProps: { alarmEmail: props.alarmEmail },
    });
  }
}
