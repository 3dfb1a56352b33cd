export * from './asset-hash-serializer';
