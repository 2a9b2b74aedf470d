/** A command line that cannot be run as given: the message says how to fix it (shown without a stack). */
export class UsageError extends Error {}
