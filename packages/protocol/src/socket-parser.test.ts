import { describe, expect, it } from 'vitest';
import { Decoder as DefaultDecoder, PacketType } from 'socket.io-parser';
import { MAX_ATTACHMENTS, socketParser } from './socket-parser';

/** Encodes an event whose payload holds `n` binary tensors, as socket.io sends it. */
function encoded(n: number) {
  const tensors = Array.from({ length: n }, (_, i) => ({ name: `t${i}`, bytes: new Uint8Array([i, 1, 2]) }));
  return new socketParser.Encoder().encode({ type: PacketType.EVENT, nsp: '/', data: ['round:start', { weights: tensors }] });
}

function decode(decoder: InstanceType<typeof DefaultDecoder>, parts: ReturnType<typeof encoded>) {
  let packet: { data: [string, { weights: { name: string; bytes: Uint8Array }[] }] } | undefined;
  decoder.on('decoded', (p) => (packet = p as typeof packet));
  for (const part of parts) decoder.add(part);
  return packet!;
}

describe('the socket.io parser of both ends', () => {
  it("carries a student's 49 tensors and its class gradients in one message, which socket.io's default refuses", () => {
    const parts = encoded(49 + 3);
    expect(() => decode(new DefaultDecoder(), parts)).toThrow(/too many attachments/);
    const packet = decode(new socketParser.Decoder(), parts);
    expect(packet.data[1].weights).toHaveLength(52);
    expect(Array.from(packet.data[1].weights[51].bytes)).toEqual([51, 1, 2]);
  });

  it('still bounds what one message may make the receiver hold', () => {
    expect(() => decode(new socketParser.Decoder(), encoded(MAX_ATTACHMENTS + 1))).toThrow(/too many attachments/);
  });
});
