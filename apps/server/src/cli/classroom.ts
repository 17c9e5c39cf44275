import type { NetworkInterfaceInfo } from 'node:os';
import QRCode from 'qrcode';
import { joinAddresses, joinUrl } from '../http/dashboard-join';

export interface ClassroomBannerInput {
  runId: string;
  port: number;
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>;
}

export interface ClassroomBanner {
  /** What the terminal shows: the join link, its QR code and where the projector view is. */
  text: string;
  /** The link students open (the first network address), or undefined when this computer has none. */
  joinUrl?: string;
  /** The dashboard's projector view, opened on this computer. */
  projectorUrl: string;
}

/** The dashboard in its projector form for one run: large QR code, live curve, volunteer count. */
export function projectorUrl(port: number, runId: string): string {
  return `http://localhost:${port}/dashboard.html?run=${encodeURIComponent(runId)}&view=projector`;
}

/**
 * The block `--classroom` prints once the run exists. Students' devices cannot open localhost, so the link and
 * the QR code carry this computer's network address, found the same way the dashboard's join panel finds it.
 */
export async function classroomBanner(input: ClassroomBannerInput): Promise<ClassroomBanner> {
  const local = `http://localhost:${input.port}`;
  const { origins } = joinAddresses({ requestOrigin: local, boundAddress: '0.0.0.0', port: input.port, interfaces: input.interfaces });
  const lan = origins.filter((o) => o !== local);
  const projector = projectorUrl(input.port, input.runId);
  if (lan.length === 0) {
    return {
      projectorUrl: projector,
      text: [
        'Classroom: this computer has no network address, so phones and other computers cannot reach it.',
        'Connect it to the classroom network (Wi-Fi or cable) and start again.',
        `Projector view (this computer): ${projector}`,
      ].join('\n'),
    };
  }
  const url = joinUrl(lan[0], input.runId);
  // Small (half-block) characters keep the code about 30 lines high; medium error correction, like the dashboard's.
  const qr = await QRCode.toString(url, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
  const others = lan.slice(1).map((o) => `  also reachable at ${joinUrl(o, input.runId)}`);
  return {
    joinUrl: url,
    projectorUrl: projector,
    text: [
      'Classroom: students open this link, or scan the code with a phone camera:',
      '',
      `  ${url}`,
      ...others,
      '',
      qr.trimEnd(),
      '',
      `Projector view (this computer): ${projector}`,
    ].join('\n'),
  };
}
