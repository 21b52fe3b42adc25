import csv,sys
d=sys.argv[1]; t0,t1=map(int,open(f'{d}/window').read().split())
c0=dict(l.split() for l in open(f'{d}/cpu0')); c1=dict(l.split() for l in open(f'{d}/cpu1'))
import os; sides=[s for s in ['on','onfix','norep','noq','off'] if os.path.exists(f'{d}/{s}')]
def pct(v,p):
    v=sorted(v); return v[min(len(v)-1,int(p*len(v)))] if v else 0
data={s:[r for r in csv.DictReader(open(f'{d}/{s}/samples.csv')) if t0<=int(r['sent'])<t1] for s in sides}
print(f'window {(t1-t0)/1000:.0f}s')
print('side | requests | req/s | vs off | CPU s | CPU ms/request | p50 | p95')
for s in sides:
    n=len(data[s]); cpu=(int(c1[s])-int(c0[s]))/100
    ms=[int(r['millis']) for r in data[s]]
    print(f"{s} | {n} | {n/((t1-t0)/1000):.0f} | {n/len(data['off']):.2f} | {cpu:.1f} | {1000*cpu/max(n,1):.2f} | {pct(ms,.5)} | {pct(ms,.95)}")
eps=sorted(set(r['endpoint'] for r in data['off']))
print('endpoint p95 ms | '+' | '.join(sides))
for e in eps:
    print(e+' | '+' | '.join(f"{pct([int(r['millis']) for r in data[s] if r['endpoint']==e],.95)} ({sum(1 for r in data[s] if r['endpoint']==e)})" for s in sides))
