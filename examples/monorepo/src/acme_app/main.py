"""Entry point of the order service container."""

from http.server import BaseHTTPRequestHandler, HTTPServer

from acme_lib import total


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"total={total([1.5, 2.5])}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    HTTPServer(("0.0.0.0", 8080), Handler).serve_forever()


if __name__ == "__main__":
    main()
