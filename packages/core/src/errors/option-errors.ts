import { RegkitError } from './regkit-error';

/** An option passed to a regkit factory or constructor is invalid. */
export class InvalidOptionError extends RegkitError {
  static override readonly kind: string = 'InvalidOptionError';
  /** The option's name, e.g. `protocol`. */
  readonly option: string;

  constructor(option: string, message: string) {
    super(message);
    this.option = option;
  }
}
