import { describe, expect, it } from 'vitest';
import { csvField, metricsToCsv } from './dashboard-csv';

describe('metricsToCsv', () => {
  const rows = [
    { runId: 'r1', round: 0, time: 't0', accuracy: 0.5, heldOutAccuracy: 0.4, zeroShotAccuracy: 0.5, perSet: { noto: 0.6, 'openmoji (held out)': 0.4 }, participants: [] },
    {
      runId: 'r1',
      round: 1,
      time: 't1',
      accuracy: 0.123456789012,
      heldOutAccuracy: 0.45,
      zeroShotAccuracy: 0.5,
      perSet: { noto: 0.7, 'openmoji (held out)': 0.45 },
      participants: ['c1-aa', 'c2-bb'],
      bytesUp: 4_202_496,
      roundMs: 1500,
    },
  ];

  it('writes a header with the main accuracies first and per-set accuracies as dotted columns', () => {
    const [header] = metricsToCsv(rows).split('\r\n');
    expect(header).toBe('runId,round,time,accuracy,heldOutAccuracy,zeroShotAccuracy,perSet.noto,perSet.openmoji (held out),participants,bytesUp,roundMs');
  });

  it('writes one line per round with full-precision numbers and blanks for fields a round lacks', () => {
    const lines = metricsToCsv(rows).split('\r\n');
    expect(lines).toHaveLength(4); // header, two rows, and the final line end
    expect(lines[1]).toBe('r1,0,t0,0.5,0.4,0.5,0.6,0.4,,,');
    expect(lines[2]).toBe('r1,1,t1,0.123456789012,0.45,0.5,0.7,0.45,c1-aa c2-bb,4202496,1500');
    expect(lines[3]).toBe('');
  });

  it('gives only a header line end for a run without rows', () => {
    expect(metricsToCsv([])).toBe('\r\n');
  });
});

describe('csvField', () => {
  it('quotes text with commas, quotes or line breaks', () => {
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('keeps spreadsheets from running text as a formula', () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('@cmd')).toBe("'@cmd");
  });

  it('writes negative numbers as numbers and non-finite numbers as blanks', () => {
    expect(csvField(-0.25)).toBe('-0.25');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField(null)).toBe('');
  });
});
