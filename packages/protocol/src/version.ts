/**
 * Bumped whenever a message shape changes; a client with another version is refused at connect.
 * 2: CLIP2FL/CReFF rounds (`round:start.clip2fl` with the balanced classifier R, `update.classGradients`).
 * 3: `run:state.lastMetrics.participantCount` instead of the list of participant ids.
 */
export const PROTOCOL_VERSION = 3;
