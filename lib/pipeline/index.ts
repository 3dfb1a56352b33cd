export * from './streaming-pipeline';
