// `snapshotSerializers: ['cdk-kinesis-pipeline/testing/serializer']` loads a module whose export is the serializer.
import { assetHashSerializer } from './asset-hash-serializer';

export = assetHashSerializer;
