import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The runtime of every function this library creates: the latest Node.js Lambda offers
 * (cdk-nag AwsSolutions-L1). The pre-bundled handlers target Node.js 20, so they run on it unchanged.
 */
export const HANDLER_RUNTIME = lambda.Runtime.NODEJS_24_X;
