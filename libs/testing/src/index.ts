export * from './wait-for';
export * from './isolation';
