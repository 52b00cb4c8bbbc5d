// esbuild bundles imported CSS into dist/media/<panel>.css beside the script.
declare module '*.css';
