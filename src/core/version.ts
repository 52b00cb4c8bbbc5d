declare const __TFOD_VERSION__: string | undefined;

/** The product version, injected by the build; tests running from source read package.json. */
export const TFOD_VERSION: string =
  typeof __TFOD_VERSION__ === 'string'
    ? __TFOD_VERSION__
    : // eslint-disable-next-line @typescript-eslint/no-require-imports
      (require('../../package.json') as { version: string }).version;
