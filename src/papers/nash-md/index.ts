export * as experiment from './experiment';
