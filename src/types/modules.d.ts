declare module 'dns-packet/types.js' {
  const types: { toString(type: number): string; toType(name: string): number };
  export default types;
}
