/** Bumped whenever a message shape changes; a client with another version is refused at connect. */
export const PROTOCOL_VERSION = 1;
