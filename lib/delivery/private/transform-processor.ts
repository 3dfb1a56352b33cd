import type { Construct } from 'constructs';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Tokenization } from 'aws-cdk-lib';

/**
 * A Lambda processor like the L2 `LambdaFunctionProcessor`, but with fractional buffer sizes:
 * Firehose takes 0.2–3 MB, and the L2 renders `bufferSize` in whole MiB only.
 */
export class TransformProcessor implements firehose.IDataProcessor {
  public readonly props: firehose.DataProcessorProps = {};

  constructor(
    private readonly fn: lambda.IFunction,
    private readonly bufferSizeInMBs: number,
    private readonly bufferIntervalInSeconds: number,
  ) {}

  public bind(_scope: Construct, options: firehose.DataProcessorBindOptions): firehose.DataProcessorConfig {
    // The exact function ARN: fn.grantInvoke would add '<arn>:*' for versions Firehose never calls.
    iam.Grant.addToPrincipal({
      grantee: options.role,
      actions: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'],
      resourceArns: [this.fn.functionArn],
    });
    const identifier = { parameterName: 'LambdaArn', parameterValue: this.fn.functionArn };
    return {
      processorType: 'Lambda',
      processorIdentifier: identifier,
      parameters: [
        { parameterName: 'RoleArn', parameterValue: options.role.roleArn },
        identifier,
        { parameterName: 'BufferSizeInMBs', parameterValue: Tokenization.stringifyNumber(this.bufferSizeInMBs) },
        {
          parameterName: 'BufferIntervalInSeconds',
          parameterValue: Tokenization.stringifyNumber(this.bufferIntervalInSeconds),
        },
      ],
    };
  }
}
