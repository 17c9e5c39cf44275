/** Base class of every error this package throws on bad input, so callers can tell them from bugs. */
export class FlError extends Error {
  override name = 'FlError';
}

/** A tensor or array has the wrong size, shape or name for what the function needs. */
export class ShapeError extends FlError {
  override name = 'ShapeError';
}

/** An option is outside its allowed range. */
export class OptionError extends FlError {
  override name = 'OptionError';
}

/** No tfjs backend from the requested list could be started. */
export class BackendError extends FlError {
  override name = 'BackendError';
}
