import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { StreamingChecks } from '../lib';
import { ReferencePipelineStack } from './reference-pipeline-stack';

/**
 * The reference app on `app`: the stack, with everything taken from the context here (the
 * constructs read none), and both cdk-nag packs. `npx cdk synth` fails on any unacknowledged
 * error of either pack.
 *
 * Context: `account` and `region` (else CDK_DEPLOY_ACCOUNT/REGION; environment-agnostic without
 * both), `stackName` (default KinesisReferencePipeline), `alarmEmail` (subscribed to the alarm topic).
 */
export function buildReferenceApp(app: App): ReferencePipelineStack {
  const context = (key: string) => app.node.tryGetContext(key) as string | undefined;
  const account = context('account') ?? process.env.CDK_DEPLOY_ACCOUNT;
  const region = context('region') ?? process.env.CDK_DEPLOY_REGION;

  const stack = new ReferencePipelineStack(app, context('stackName') ?? 'KinesisReferencePipeline', {
    env: account && region ? { account, region } : undefined,
    alarmEmail: context('alarmEmail'),
  });

  // The reference app is what users copy: it must stay free of unacknowledged findings of both
  // packs, with no StreamingChecks acknowledgment at all (our constructs pass it). Acknowledgments
  // are written into the template metadata, so their reasons deploy with it.
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }),
    new StreamingChecks(app, { writeSuppressionsToCloudFormation: true }),
  );
  return stack;
}
