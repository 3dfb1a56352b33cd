#!/usr/bin/env node
/**
 * The reference pipeline app: `npx cdk synth` / `npx cdk deploy`. Environment-agnostic unless an
 * account and region are given as context (-c account=… -c region=…) or CDK_DEPLOY_ACCOUNT/REGION;
 * `-c alarmEmail=…` subscribes an address to the alarm topic, `-c stackName=…` names the stack.
 * This entry point and bin/reference-app.ts are the only places that read the context.
 */
import { App } from 'aws-cdk-lib';
import { buildReferenceApp } from './reference-app';

buildReferenceApp(new App());
