import { Decoder, Encoder } from 'socket.io-parser';
import { MAX_TENSORS_PER_MESSAGE } from './schemas';

/**
 * Binary attachments one socket.io message may carry: every tensor travels as one, and a round or an upload holds
 * the model's tensors (at most MAX_TENSORS_PER_MESSAGE) plus R's two or the three class-gradient tensors.
 * socket.io-parser's default of 10 fits an adapter (4 tensors) but not CLIP2FL's student (49: each convolution
 * brings its BN layer's four tensors); a message over it is dropped as a parse error and the connection with it.
 */
export const MAX_ATTACHMENTS = MAX_TENSORS_PER_MESSAGE + 4;

class BoundedDecoder extends Decoder {
  constructor() {
    super({ maxAttachments: MAX_ATTACHMENTS });
  }
}

/**
 * The socket.io parser of both ends (the server's `parser` option, and every client's, a tab's and a Node
 * client's): socket.io's own encoding, with room for MAX_ATTACHMENTS binary attachments per message.
 */
export const socketParser = { Encoder, Decoder: BoundedDecoder };
