export * from './data-lake-delivery';
export * from './output-prefixes';
export * from './partitioning';
export * from './table-schema';
