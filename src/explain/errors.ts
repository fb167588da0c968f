// The one error explain() throws: the input cannot be read as a bounce at all.
// Anything else escaping the module is a bug (the property tests check this).
export class ExplainInputError extends Error {
  override name = 'ExplainInputError';
}
