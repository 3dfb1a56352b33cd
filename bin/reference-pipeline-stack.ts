import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { StreamingPipeline } from '../lib';

/**
 * The reference pipeline: everything the library offers, with its defaults. Copy it and change
 * what you need; the outputs are what `npx cdk-kinesis-pipeline verify` reads.
 */
export class ReferencePipelineStack extends Stack {
  public readonly pipeline: StreamingPipeline;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, {
      description: 'cdk-kinesis-pipeline reference pipeline: Kinesis → Lambda consumers + Firehose → Parquet data lake',
      ...props,
    });

    this.pipeline = new StreamingPipeline(this, 'Pipeline');

    const { stream, dataLake, monitoring } = this.pipeline;
    new CfnOutput(this, 'StreamName', { value: stream.streamName });
    if (dataLake) {
      const schema = dataLake.schema;
      new CfnOutput(this, 'DeliveryStreamName', { value: dataLake.deliveryStream.deliveryStreamName });
      new CfnOutput(this, 'DataBucketName', { value: dataLake.bucket.bucketName });
      new CfnOutput(this, 'DataPrefix', { value: dataLake.tableLocationPrefix });
      new CfnOutput(this, 'GlueDatabaseName', { value: dataLake.database.databaseName });
      new CfnOutput(this, 'GlueTableName', { value: dataLake.table.tableName });
      new CfnOutput(this, 'TableColumns', {
        value: schema
          .toGlueColumns()
          .map((c) => `${c.name}:${c.type.inputString}`)
          .join(','),
      });
      new CfnOutput(this, 'PartitionKeys', {
        value: dataLake.partitioning.keys.map((k) => k.name).join(','),
      });
    }
    if (monitoring) {
      new CfnOutput(this, 'AlarmTopicArn', { value: monitoring.alarmTopic.topicArn });
    }
    new CfnOutput(this, 'FailureBucketNames', {
      value: this.pipeline.consumers.map((c) => c.failureBucket.bucketName).join(','),
    });
  }
}
