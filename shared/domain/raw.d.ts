// `?raw` imports: the file's text (Vitest reads them natively; scripts/bundle.ts embeds them).
declare module '*?raw' {
  const text: string;
  // The `?raw` convention hands the text over as the default export.
  // eslint-disable-next-line no-restricted-syntax
  export default text;
}
