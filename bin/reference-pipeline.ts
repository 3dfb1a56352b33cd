#!/usr/bin/env node
/**
 * The reference pipeline app: `npx cdk synth` / `npx cdk deploy`. Environment-agnostic unless an
 * account and region are given as context (-c account=… -c region=…) or CDK_DEPLOY_ACCOUNT/REGION.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ReferencePipelineStack } from './reference-pipeline-stack';

const app = new App();
const account = app.node.tryGetContext('account') ?? process.env.CDK_DEPLOY_ACCOUNT;
const region = app.node.tryGetContext('region') ?? process.env.CDK_DEPLOY_REGION;

new ReferencePipelineStack(app, app.node.tryGetContext('stackName') ?? 'KinesisReferencePipeline', {
  env: account && region ? { account, region } : undefined,
});

// The reference app is what users copy: it must stay free of unacknowledged AwsSolutions findings.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
