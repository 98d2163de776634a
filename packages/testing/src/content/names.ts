/** distribution's repository name grammar (path components only, no domain). */
export const REPOSITORY_NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** distribution's tag grammar: at most 128 characters. */
export const TAG = /^[\w][\w.-]{0,127}$/;
