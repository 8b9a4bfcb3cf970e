"""gevent.subprocess: run, communicate, timeouts and errors look like gevent's."""
import sys

import gevent
from gevent import subprocess

PY = sys.executable

print(subprocess.run([PY, "-c", "print('hi')"], capture_output=True).stdout)
print(subprocess.check_output([PY, "-c", "import sys; sys.stdout.write(sys.stdin.read().upper())"],
                              input=b"abc"))
print(subprocess.call([PY, "-c", "raise SystemExit(3)"]))
try:
    subprocess.check_call([PY, "-c", "raise SystemExit(4)"])
except subprocess.CalledProcessError as exc:
    print("CalledProcessError", exc.returncode)

p = subprocess.Popen([PY, "-c", "import time; time.sleep(5)"])
try:
    p.wait(timeout=0.2)
except subprocess.TimeoutExpired as exc:
    print("TimeoutExpired", exc.timeout)
p.kill()
print("killed", p.wait() < 0)

ticks = []
def ticker():
    for _ in range(5):
        ticks.append(1)
        gevent.sleep(0.01)
t = gevent.spawn(ticker)
p = subprocess.Popen([PY, "-c", "import time; time.sleep(0.3); print('done')"],
                     stdout=subprocess.PIPE)
out, err = p.communicate()
t.join()
print(out, err, p.returncode, len(ticks))

procs = [subprocess.Popen([PY, "-c", f"raise SystemExit({i})"]) for i in range(3)]
gevent.wait(procs, timeout=30)
print(sorted(p.returncode for p in procs))

try:
    subprocess.Popen(["/nonexistent/program"])
except OSError as exc:
    print(type(exc).__name__, exc.errno)
try:
    subprocess.run([PY, "-c", "import time; time.sleep(5)"], timeout=0.2)
except subprocess.TimeoutExpired as exc:
    print("run TimeoutExpired", exc.timeout)
