# A stand-in for `swarm master` with a web server, for the image's healthcheck
# test while it does not need swarm's own: started as `python3 master ARGS...`
# (so its command line reads like swarm's), it answers GET <base>/healthz with
# the status given by --status and everything else with 404.
import http.server
import sys

args = sys.argv[1:]


def option(name, default):
    return args[args.index(name) + 1] if name in args else default


port = int(option("--web-port", "8089"))
path = option("--web-base-path", "").rstrip("/") + "/healthz"
status = int(option("--status", "200"))


class handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(status if self.path == path else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


with http.server.HTTPServer(("127.0.0.1", port), handler) as server:
    server.timeout = 1
    for _ in range(120):  # bounded: two minutes at most
        server.handle_request()
