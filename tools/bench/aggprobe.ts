import { initAdapterWeights, StreamingWeightedSum } from '@clipfed/fl';
const pool = Array.from({ length: 16 }, (_, j) => initAdapterWeights(512, j + 1));
const g = globalThis as any;
function fast(n: number) { let s0=0,s1=0,s2=0,s3=0,s4=0,s5=0,s6=0,s7=0; const t0=performance.now(); for (let k=0;k<n;k++) for (const t of pool[k%16]) { const a=t.data; for (let i=0;i+7<a.length;i+=8){s0+=a[i];s1+=a[i+1];s2+=a[i+2];s3+=a[i+3];s4+=a[i+4];s5+=a[i+5];s6+=a[i+6];s7+=a[i+7];} } return performance.now()-t0; }
const med = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1];
const sums: Record<string, StreamingWeightedSum> = { b4: new StreamingWeightedSum(), b8: new StreamingWeightedSum(), b16: new StreamingWeightedSum() };
for (const n of [10, 100, 10, 100]) {
  const r: Record<string, number[]> = { b4: [], b8: [], b16: [], fast: [] };
  for (let i = 0; i < 11; i++) {
    for (const name of ['b4', 'b8', 'b16']) {
      g.FB = Number(name.slice(1)); const s = sums[name];
      const t0 = performance.now(); s.reset(); for (let k = 0; k < n; k++) s.add(pool[k % 16], 1 + k); s.result(); r[name].push(performance.now() - t0);
    }
    r.fast.push(fast(n));
  }
  console.log('N', n, Object.entries(r).map(([k, v]) => `${k} ${med(v).toFixed(2)}`).join('  '), Object.keys(sums).map(k => `${k}/fast ${(med(r[k])/med(r.fast)).toFixed(2)}`).join(' '));
}
