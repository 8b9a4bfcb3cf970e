"""The tutorial's websocket chapter: a server pushes random points to every browser.

    python examples/tutorial_websocket.py            # serve http://127.0.0.1:8000/
    python examples/tutorial_websocket.py --demo 5   # serve, read 5 points, exit

The page opens a websocket to /data and draws what arrives; each websocket gets
its own greenlet (pywsgi spawns one per connection) that sends a point every
half second until the browser goes away. No gevent-websocket needed: the
upgrade is built into gevent.pywsgi.
"""

from __future__ import annotations

import json
import random
import sys
from typing import Any

import gevent
from gevent import pywsgi
from gevent.websocket import WebSocketError, connect

PAGE = b"""<!doctype html>
<html><body>
<h1>Random points over a websocket</h1>
<pre id="out"></pre>
<script>
  const ws = new WebSocket(`ws://${location.host}/data`);
  ws.onmessage = (event) => {
    const p = JSON.parse(event.data);
    document.getElementById("out").textContent += `x=${p.x} y=${p.y}\\n`;
  };
</script>
</body></html>
"""


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    ws = environ.get("wsgi.websocket")
    if ws is None:
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                  ("Content-Length", str(len(PAGE)))])
        return [PAGE]
    x = 0
    try:
        while True:
            ws.send(json.dumps({"x": x, "y": random.randint(1, 5)}))
            x += 1
            gevent.sleep(0.5 if not environ.get("demo") else 0.01)
    except WebSocketError:
        pass  # the browser went away
    return []


def main(argv: list[str]) -> None:
    if argv[:1] == ["--demo"]:
        count = int(argv[1]) if len(argv) > 1 else 5
        server = pywsgi.WSGIServer(("127.0.0.1", 0), app, log=None, environ={"demo": True})
        server.start()
        ws = connect(f"ws://127.0.0.1:{server.server_port}/data")
        for _ in range(count):
            point = json.loads(str(ws.receive()))
            print(f"x={point['x']} y in 1..5: {1 <= point['y'] <= 5}")
        ws.close()
        server.stop()
        return
    print("Serving on http://127.0.0.1:8000/")
    pywsgi.WSGIServer(("127.0.0.1", 8000), app).serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
