// Jest helpers for JavaScript/TypeScript users (`cdk-kinesis-pipeline/testing`). Deliberately not
// exported from lib/index.ts: they are not constructs, so they stay out of the jsii assembly and
// the Python, Java, .NET and Go packages.
export * from './asset-hash-serializer';
